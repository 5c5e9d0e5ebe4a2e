"""Opaque keyset cursors shared by all adapters, so a cursor means the same everywhere."""

from __future__ import annotations

import base64
import json
from typing import Any

from graph.errors import BadInput


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode(cursor: str, arity: int) -> list[Any]:
    """The sort key inside `cursor`; BadInput when it is not a cursor this API issued."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(f"Cursor {cursor!r} is not valid; pass an endCursor from a previous page.") from exc
    if not isinstance(key, list) or len(key) != arity:
        raise BadInput(f"Cursor {cursor!r} is not valid; pass an endCursor from a previous page.")
    return key


def of_event(at: str, id: str) -> str:
    """An activity cursor: events are ordered by their UTC ISO-8601 time, then id."""
    return encode([at, id])

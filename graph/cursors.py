"""Opaque keyset cursors shared by all adapters, so a cursor means the same everywhere."""

from __future__ import annotations

import base64
import json
from typing import Any

from graph.errors import BadInput


def encode(key: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode(cursor: str, *kinds: type) -> list[Any]:
    """The sort key inside `cursor`, whose parts must be of `kinds` (str or int) in order;
    BadInput when it is not a cursor this API issued, so no crafted key reaches a query."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadInput(f"Cursor {cursor!r} is not valid; pass an endCursor from a previous page.") from exc
    if not (
        isinstance(key, list)
        and len(key) == len(kinds)
        and all(type(part) is kind for part, kind in zip(key, kinds, strict=True))
    ):
        raise BadInput(f"Cursor {cursor!r} is not valid; pass an endCursor from a previous page.")
    return key


EXCERPT_KEY = (str, int, int, str)
"""An excerpt's place in document and text order: document id, start, end, excerpt id."""
USER_KEY = (str, str)
"""A user's place in a list of users: their name ignoring case, then their id."""
EVENT_KEY = (str, str)
"""An event's place in the history: its UTC ISO-8601 time, then its id."""
CODED_KEY = (str, str)
"""An excerpt's place among a code's excerpts, most recently coded first: when the code was first applied
to it (UTC ISO-8601, as stored) and its id."""
MEMO_KEY = (str, str)
"""A memo's place among a node's memos, oldest first: its stored UTC ISO-8601 creation time, then its id."""


def of_event(at: str, id: str) -> str:
    """An activity cursor: events are ordered by their UTC ISO-8601 time, then id."""
    return encode([at, id])

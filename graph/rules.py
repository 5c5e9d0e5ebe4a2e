"""Domain rules the service applies: spans, versions, codable codes, fresh ids and instants."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from graph.errors import BadInput, StaleVersion


def new_id() -> str:
    """A fresh opaque id: a random UUID, which is also a valid REFI-QDA GUID."""
    return str(uuid.uuid4())


def now() -> datetime:
    return datetime.now(UTC)


def check_span(text: str, start: int, end: int) -> str:
    """Validate an excerpt span in Unicode code points (0-based, end exclusive) and
    return its text, `text[start:end]`."""
    if start < 0 or end > len(text) or start >= end:
        raise BadInput(
            f"Excerpt span [{start}, {end}) is not inside the document (length {len(text)} "
            "code points): offsets are 0-based code points with start < end <= length.",
            start=start,
            end=end,
            length=len(text),
        )
    return text[start:end]


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 cannot carry: most control characters, lone surrogates, U+FFFE and U+FFFF."""


def unsafe_character(text: str) -> int | None:
    """Where the first character XML 1.0 cannot carry is in `text`, if there is one."""
    bad = _NOT_XML.search(text)
    return None if bad is None else bad.start()


def check_text(text: str) -> str:
    """Text that every export can carry (REFI-QDA is XML 1.0); ValueError saying where it is not."""
    if (at := unsafe_character(text)) is not None:
        raise ValueError(
            f"contains the character U+{ord(text[at]):04X} at position {at}, which XML (and so a "
            "REFI-QDA export) cannot carry; remove it"
        )
    return text


def check_version(kind: str, id: str, expected: int | None, current: int) -> None:
    """Optimistic concurrency: a given `expected` version must be the current one."""
    if expected is not None and expected != current:
        raise StaleVersion(kind, id, expected, current)


def check_codable(name: str, codable: bool) -> None:
    """A category code groups others; excerpts are coded with its children."""
    if not codable:
        raise BadInput(f"Code {name!r} is a category (not codable); code with one of its children instead.")

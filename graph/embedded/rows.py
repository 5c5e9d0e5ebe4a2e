"""Read SQLite rows as domain models, and write models as rows.

Column names match the models' field names, so pydantic does the conversion
(ISO-8601 text to datetimes, text to enums); only JSON columns need help.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from graph.embedded.connection import Db
from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    Excerpt,
    Link,
    Membership,
    Memo,
    NodeKind,
    Participant,
    Project,
    Stamped,
    Theme,
    Turn,
    User,
)

M = TypeVar("M")

IN = "IN (SELECT value FROM json_each(?))"
"""A condition on a list of values passed as one JSON parameter (no limit on their number)."""

TABLES = {kind: f"{kind.value.lower()}s" for kind in NodeKind}
"""Each node kind's table: projects, participants, documents, excerpts, codes, themes, links, memos."""


def instant(value: datetime) -> str:
    return value.isoformat()


def user(row: sqlite3.Row) -> User:
    return User.model_validate(dict(row))


def project(row: sqlite3.Row) -> Project:
    return Project.model_validate(dict(row))


def participant(row: sqlite3.Row) -> Participant:
    return Participant.model_validate({**dict(row), "attributes": json.loads(row["attributes"])})


def document(row: sqlite3.Row) -> Document:
    return Document.model_validate({**dict(row), "groups": json.loads(row["groups"])})


def excerpt(row: sqlite3.Row) -> Excerpt:
    return Excerpt.model_validate(dict(row))


def turn(row: sqlite3.Row) -> Turn:
    return Turn.model_validate(dict(row))


TURNS = f'SELECT document_id, speaker, start, "end", role FROM turns WHERE document_id {IN} ORDER BY document_id, start'
"""The turns of the documents named by one JSON parameter."""


def coding(row: sqlite3.Row) -> Coding:
    return Coding.model_validate(dict(row))


def code(row: sqlite3.Row) -> Code:
    return Code.model_validate(dict(row))


def theme(row: sqlite3.Row) -> Theme:
    return Theme.model_validate(dict(row))


def link(row: sqlite3.Row, evidence: tuple[str, ...]) -> Link:
    return Link.model_validate({**dict(row), "evidence_excerpt_ids": evidence})


def memo(row: sqlite3.Row) -> Memo:
    return Memo.model_validate(dict(row))


def membership(row: sqlite3.Row) -> Membership:
    return Membership.model_validate(dict(row))


def event(row: sqlite3.Row) -> Event:
    values = dict(row)
    for key in ("before", "after"):
        values[key] = None if values[key] is None else json.loads(values[key])
    values["target_ids"] = json.loads(values["target_ids"])
    return Event.model_validate(values)


MAPPERS: dict[NodeKind, Callable[[sqlite3.Row], Any]] = {
    NodeKind.PROJECT: project,
    NodeKind.PARTICIPANT: participant,
    NodeKind.DOCUMENT: document,
    NodeKind.EXCERPT: excerpt,
    NodeKind.CODE: code,
    NodeKind.THEME: theme,
    NodeKind.MEMO: memo,
}
"""The mapper of each kind's rows but links, whose evidence lives in a table of its own."""


def ids(values: Sequence[str]) -> str:
    """The parameter for an `IN` condition."""
    return json.dumps(list(values))


def by_ids(db: Db, table: str, values: Sequence[str], mapper: Callable[[sqlite3.Row], M]) -> dict[str, M]:
    return {row["id"]: mapper(row) for row in db.all(f"SELECT * FROM {table} WHERE id {IN}", ids(values))}


def grouped(db: Db, sql: str, keys: Sequence[str], key: str, mapper: Callable[[sqlite3.Row], M]) -> dict[str, list[M]]:
    """The rows `sql` finds for the `keys` (its one parameter), grouped by their `key` column."""
    out: dict[str, list[M]] = {k: [] for k in keys}
    for row in db.all(sql, ids(keys)):
        out[row[key]].append(mapper(row))
    return out


def links(db: Db, where: str, *params: Any) -> list[Link]:
    """The links `where` (a condition on `l`) selects, oldest first, each with its evidence in order."""
    evidence: dict[str, list[str]] = defaultdict(list)
    for row in db.all(
        f"SELECT le.link_id, le.excerpt_id FROM link_evidence le JOIN links l ON l.id = le.link_id "
        f"WHERE ({where}) ORDER BY le.link_id, le.position",
        *params,
    ):
        evidence[row["link_id"]].append(row["excerpt_id"])
    found = db.all(f"SELECT * FROM links l WHERE ({where}) ORDER BY l.created_at, l.id", *params)
    return [link(r, tuple(evidence[r["id"]])) for r in found]


def links_of(db: Db, column: str, keys: Sequence[str]) -> dict[str, list[Link]]:
    """The links whose `column` is one of the `keys`, grouped by it."""
    out: dict[str, list[Link]] = {k: [] for k in keys}
    for found in links(db, f"l.{column} {IN}", ids(keys)):
        out[getattr(found, column)].append(found)
    return out


def pinned(db: Db, target_ids: Sequence[str]) -> dict[str, list[str]]:
    """The excerpts pinned to each of the codes or themes, in their order (every given id a key)."""
    out: dict[str, list[str]] = {k: [] for k in target_ids}
    sql = f"SELECT target_id, excerpt_id FROM pinned_quotes WHERE target_id {IN} ORDER BY target_id, position"
    for target_id, excerpt_id in db.tuples(sql, ids(target_ids)):
        out[target_id].append(excerpt_id)
    return out


def value(field: Any) -> Any:
    """A model field as SQLite stores it (the reverse of the mappers above)."""
    if isinstance(field, datetime):
        return instant(field)
    if isinstance(field, Enum):
        return field.value
    if isinstance(field, dict | tuple):
        return json.dumps(field)
    return field


def columns(node: Stamped) -> dict[str, Any]:
    """The node's row in its kind's table (a link's evidence aside)."""
    return {name: value(field) for name, field in node if name != "evidence_excerpt_ids"}

"""Turn SQLite rows into domain models.

Column names match the models' field names, so pydantic does the conversion
(ISO-8601 text to datetimes, text to enums); only JSON columns need help.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime

from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    Excerpt,
    Link,
    Membership,
    Memo,
    Participant,
    Project,
    Theme,
    User,
)


def instant(value: datetime) -> str:
    return value.isoformat()


def user(row: sqlite3.Row) -> User:
    return User.model_validate(dict(row))


def project(row: sqlite3.Row) -> Project:
    return Project.model_validate(dict(row))


def participant(row: sqlite3.Row) -> Participant:
    return Participant.model_validate({**dict(row), "attributes": json.loads(row["attributes"])})


def document(row: sqlite3.Row) -> Document:
    return Document.model_validate(dict(row))


def excerpt(row: sqlite3.Row) -> Excerpt:
    return Excerpt.model_validate(dict(row))


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

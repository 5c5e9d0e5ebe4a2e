"""Turn SQLite rows into domain models."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from graph.models import (
    Code,
    Coding,
    Document,
    Excerpt,
    Link,
    LinkKind,
    Memo,
    NodeKind,
    Participant,
    Project,
    Theme,
    ThemeStatus,
    User,
)


def instant(value: datetime) -> str:
    return value.isoformat()


def _stamps(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_by": row["created_by"],
        "created_at": datetime.fromisoformat(row["created_at"]),
        "updated_by": row["updated_by"],
        "updated_at": datetime.fromisoformat(row["updated_at"]),
    }


def user(row: sqlite3.Row) -> User:
    return User(id=row["id"], name=row["name"], email=row["email"], created_at=datetime.fromisoformat(row["created_at"]))


def project(row: sqlite3.Row) -> Project:
    return Project(**_stamps(row), name=row["name"], description=row["description"])


def participant(row: sqlite3.Row) -> Participant:
    return Participant(
        **_stamps(row),
        project_id=row["project_id"],
        pseudonym=row["pseudonym"],
        attributes=json.loads(row["attributes"]),
    )


def document(row: sqlite3.Row) -> Document:
    return Document(
        **_stamps(row),
        project_id=row["project_id"],
        participant_id=row["participant_id"],
        title=row["title"],
        text=row["text"],
        kind=row["kind"],
    )


def excerpt(row: sqlite3.Row) -> Excerpt:
    return Excerpt(
        **_stamps(row),
        project_id=row["project_id"],
        document_id=row["document_id"],
        start=row["start"],
        end=row["end"],
        text=row["text"],
    )


def coding(row: sqlite3.Row) -> Coding:
    return Coding(
        project_id=row["project_id"],
        excerpt_id=row["excerpt_id"],
        code_id=row["code_id"],
        coder_id=row["coder_id"],
        created_at=datetime.fromisoformat(row["created_at"]),
    )


def code(row: sqlite3.Row) -> Code:
    return Code(
        **_stamps(row),
        project_id=row["project_id"],
        parent_id=row["parent_id"],
        name=row["name"],
        description=row["description"],
        color=row["color"],
        version=row["version"],
    )


def theme(row: sqlite3.Row) -> Theme:
    return Theme(
        **_stamps(row),
        project_id=row["project_id"],
        parent_id=row["parent_id"],
        name=row["name"],
        description=row["description"],
        status=ThemeStatus(row["status"]),
        version=row["version"],
    )


def link(row: sqlite3.Row, evidence: tuple[str, ...]) -> Link:
    return Link(
        **_stamps(row),
        project_id=row["project_id"],
        source_id=row["source_id"],
        source_kind=NodeKind(row["source_kind"]),
        target_id=row["target_id"],
        target_kind=NodeKind(row["target_kind"]),
        kind=LinkKind(row["kind"]),
        label=row["label"],
        note=row["note"],
        evidence_excerpt_ids=evidence,
        version=row["version"],
    )


def memo(row: sqlite3.Row) -> Memo:
    return Memo(
        **_stamps(row),
        project_id=row["project_id"],
        target_id=row["target_id"],
        target_kind=NodeKind(row["target_kind"]),
        title=row["title"],
        body=row["body"],
        version=row["version"],
    )

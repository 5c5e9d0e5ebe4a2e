"""Turn Cypher result records into domain models, and models into node properties.

Each read returns the node as `n` plus the structure the model needs (parent, document,
endpoints) as extra columns; node property names match the models' field names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from neo4j import Record

from graph.analysis import incremental
from graph.analysis.snapshot import DocumentFact, Snapshot, TurnFact, coding_facts, excerpt_facts
from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    Excerpt,
    Link,
    Memo,
    Participant,
    Project,
    Stamped,
    Theme,
    Turn,
    User,
)

_STRUCTURE = frozenset(
    {
        "participant_id",
        "document_id",
        "parent_id",
        "source_id",
        "source_kind",
        "target_id",
        "target_kind",
        "evidence_excerpt_ids",
    }
)
"""Model fields kept as relationships (or read from the other end's label), not as properties."""


def _props(record: Record, **extra: Any) -> dict[str, Any]:
    return {**dict(record["n"]), **extra}


def user(r: Record) -> User:
    return User.model_validate(_props(r))


def project(r: Record) -> Project:
    return Project.model_validate(_props(r))


def participant(r: Record) -> Participant:
    props = _props(r)
    return Participant.model_validate({**props, "attributes": json.loads(props["attributes"])})


def document(r: Record) -> Document:
    props = _props(r, participant_id=r["participant_id"])
    return Document.model_validate({**props, "groups": _groups(props.get("groups"))})


def _groups(stored: str | None) -> tuple[str, ...]:
    """A document's sets, stored as JSON text (none on documents from before there were sets)."""
    return tuple(json.loads(stored)) if stored else ()


def excerpt(r: Record) -> Excerpt:
    return Excerpt.model_validate(_props(r, document_id=r["document_id"]))


def turn(r: Record) -> Turn:
    return Turn.model_validate(dict(r))


def coding(r: Record) -> Coding:
    return Coding.model_validate(dict(r))


def code(r: Record) -> Code:
    return Code.model_validate(_props(r, parent_id=r["parent_id"]))


def theme(r: Record) -> Theme:
    return Theme.model_validate(_props(r, parent_id=r["parent_id"]))


def link(r: Record) -> Link:
    evidence = tuple(excerpt_id for _, excerpt_id in sorted(p for p in r["evidence"] if p[1] is not None))
    return Link.model_validate(
        _props(
            r,
            source_id=r["source_id"],
            source_kind=r["source_kind"],
            target_id=r["target_id"],
            target_kind=r["target_kind"],
            evidence_excerpt_ids=evidence,
        )
    )


def memo(r: Record) -> Memo:
    return Memo.model_validate(_props(r, target_id=r["target_id"], target_kind=r["target_kind"]))


def event(r: Record) -> Event:
    props = _props(r)
    for key in ("before", "after"):
        props[key] = None if props.get(key) is None else json.loads(props[key])
    return Event.model_validate(props)


def event_props(e: Event) -> dict[str, Any]:
    """An event as node properties: instants as UTC ISO strings, values as JSON text."""
    return {
        "id": e.id,
        "project_id": e.project_id,
        "actor_id": e.actor_id,
        "type": e.type,
        "target_ids": list(e.target_ids),
        "at": instant(e.at),
        "summary": e.summary,
        "before": None if e.before is None else json.dumps(e.before),
        "after": None if e.after is None else json.dumps(e.after),
        "reverts": e.reverts,
    }


def instant(at: datetime) -> str:
    """UTC ISO-8601 text, as every stored instant (DESIGN.md: the driver mis-encodes zoneinfo
    datetimes, and ArcadeDB drops offsets); a naive datetime is taken to be UTC already."""
    return (at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)).isoformat()


def node_props(node: Stamped) -> dict[str, Any]:
    """A node's properties: its model's fields but those kept as relationships, plus what
    the reads rely on (a project's own `project_id`, a document's length in code points)."""
    props: dict[str, Any] = {}
    for field, value in node:
        if field in _STRUCTURE:
            continue
        if isinstance(value, datetime):
            value = instant(value)
        elif isinstance(value, Enum):
            value = value.value
        props[field] = value
    if isinstance(node, Project):
        props["project_id"] = node.id
    elif isinstance(node, Participant):
        props["attributes"] = json.dumps(node.attributes)
    elif isinstance(node, Document):
        props["length"] = len(node.text)
        props["groups"] = json.dumps(node.groups)
    return props


def user_props(u: User) -> dict[str, Any]:
    return {"id": u.id, "name": u.name, "email": u.email, "created_at": instant(u.created_at)}


def turn_row(document_id: str, t: Turn) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "speaker": t.speaker,
        "start": t.start,
        "end": t.end,
        "role": t.role.value if t.role else None,
    }


def coding_row(c: Coding) -> dict[str, Any]:
    return {
        "excerpt_id": c.excerpt_id,
        "code_id": c.code_id,
        "coder": c.coder_id,
        "at": instant(c.created_at),
        "project_id": c.project_id,
    }


@dataclass(frozen=True)
class PartRecords:
    """A snapshot's small parts as read (see graph.analysis.incremental)."""

    participants: list[Record]
    codes: list[Record]
    themes: list[Record]
    memberships: list[Record]
    links: list[Record]
    documents: list[Record]

    def parts(self) -> incremental.Parts:
        return incremental.Parts(
            participants=[participant(r) for r in self.participants],
            codes=[code(r) for r in self.codes],
            themes=[theme(r) for r in self.themes],
            memberships=[(r["code_id"], r["theme_id"]) for r in self.memberships],
            links=[link(r) for r in self.links],
            documents={
                r["id"]: DocumentFact(r["participant_id"], _groups(r["groups"]), r["title"]) for r in self.documents
            },
            document_lengths={r["id"]: r["length"] for r in self.documents},
        )


@dataclass(frozen=True)
class SnapshotRecords:
    """A project snapshot's records as read, before they become one: mapping them costs time
    in proportion to the project, so it is done on an analysis worker thread, off the event loop.
    With `update`, the large parts hold only what changed since a kept snapshot."""

    project_id: str
    revision: int
    cursor: str | None
    with_text: bool
    """Whether the excerpts carry their texts."""
    small: PartRecords | None
    """None: the kept snapshot's small parts stand (`incremental.Touched.small`)."""
    excerpts: list[Record]
    codings: list[Record]
    turns: list[Record]
    update: tuple[Snapshot, incremental.Touched] | None = None

    def snapshot(self) -> Snapshot:
        parts = None if self.small is None else self.small.parts()
        excerpts = excerpt_facts(r.values() for r in self.excerpts)
        codings = coding_facts((r.values() for r in self.codings), excerpts)
        turns = [TurnFact(r["document_id"], r["start"], r["end"], r["role"]) for r in self.turns]
        if self.update is not None:
            kept, touched = self.update
            return incremental.updated(kept, touched, parts, excerpts, codings, turns, self.revision, self.cursor)
        assert parts is not None, "a whole read reads the small parts"
        return parts.snapshot(self.project_id, excerpts, codings, turns, self.revision, self.cursor)

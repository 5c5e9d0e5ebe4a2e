"""Project snapshots read from SQLite: whole, or brought up to date from the history entries
after a kept one (graph.analysis.incremental), in one read transaction either way."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

from graph import cursors
from graph.analysis import incremental
from graph.analysis.cache import SnapshotCache
from graph.analysis.snapshot import (
    CodingFact,
    DocumentFact,
    ExcerptFact,
    Snapshot,
    TurnFact,
    coding_facts,
    excerpt_facts,
)
from graph.embedded import rows
from graph.embedded.connection import Db

M = TypeVar("M")

_IN = rows.IN
PARTICIPANTS_OF_PROJECTS = f"SELECT * FROM participants WHERE project_id {_IN} ORDER BY fold(pseudonym), id"
CODES_OF_PROJECTS = f"SELECT * FROM codes WHERE project_id {_IN} ORDER BY fold(name), id"
THEMES_OF_PROJECTS = f"SELECT * FROM themes WHERE project_id {_IN} ORDER BY fold(name), id"
REVISION = "SELECT count(*) AS n FROM events WHERE project_id = ?"
"""A project's revision: its history entries (`Store.revision`)."""


def snapshot(db: Db, kept: SnapshotCache, project_id: str, with_text: bool) -> Snapshot:
    """The project's snapshot at its current revision: the kept one if unchanged, the kept one
    updated when the history entries since allow it, else read whole."""
    revision = db.one(REVISION, project_id)["n"]
    if (same := kept.get(project_id, revision, with_text)) is not None:
        return same
    latest = kept.latest(project_id)
    if latest is not None and (latest[1] or not with_text) and latest[0].cursor is not None:
        before, texts = latest
        at, id = cursors.decode(latest[0].cursor, *cursors.EVENT_KEY)
        found = db.all(
            "SELECT type, target_ids, at, id FROM events WHERE project_id = ? AND (at > ? OR (at = ? AND id > ?)) ORDER BY at, id LIMIT ?",
            project_id,
            at,
            at,
            id,
            incremental.GAP + 1,
        )
        events = [incremental.Entry(r["type"], tuple(json.loads(r["target_ids"]))) for r in found]
        touched = incremental.touched(before, events, revision)
        if touched is not None:
            excerpts, documents = rows.ids(sorted(touched.excerpts)), rows.ids(sorted(touched.documents))
            last = found[-1]
            return kept.put(
                incremental.updated(
                    before,
                    touched,
                    _parts(db, project_id) if touched.small else None,
                    read := _excerpts(db, texts, f"(e.id {_IN} OR e.document_id {_IN})", excerpts, documents),
                    _codings(db, f"excerpt_id {_IN}", rows.ids([*touched.excerpts, *(e.id for e in read)]), read),
                    _turns(db, f"t.document_id {_IN}", documents),
                    revision,
                    cursors.of_event(last["at"], last["id"]),
                ),
                texts,
            )
    return kept.put(_whole(db, project_id, with_text, revision), with_text)


def _whole(db: Db, project_id: str, with_text: bool, revision: int) -> Snapshot:
    parts = _parts(db, project_id)
    excerpts = _excerpts(db, with_text, "e.project_id = ?", project_id)
    last = db.one("SELECT at, id FROM events WHERE project_id = ? ORDER BY at DESC, id DESC LIMIT 1", project_id)
    return parts.snapshot(
        project_id,
        excerpts,
        _codings(db, "project_id = ?", project_id, excerpts),
        _turns(db, "d.project_id = ?", project_id),
        revision,
        None if last is None else cursors.of_event(last["at"], last["id"]),
    )


def _parts(db: Db, project_id: str) -> incremental.Parts:
    ids = [project_id]
    documents = db.all(
        "SELECT id, participant_id, groups, title, length(text) AS length FROM documents WHERE project_id = ?",
        project_id,
    )

    def of_project(sql: str, mapper: Callable[..., M]) -> list[M]:
        return rows.grouped(db, sql, ids, "project_id", mapper)[project_id]

    return incremental.Parts(
        participants=of_project(PARTICIPANTS_OF_PROJECTS, rows.participant),
        codes=of_project(CODES_OF_PROJECTS, rows.code),
        themes=of_project(THEMES_OF_PROJECTS, rows.theme),
        memberships=[
            (r["code_id"], r["theme_id"])
            for r in db.all("SELECT code_id, theme_id FROM theme_codes WHERE project_id = ?", project_id)
        ],
        links=rows.links_of(db, "project_id", ids)[project_id],
        documents={
            r["id"]: DocumentFact(r["participant_id"], tuple(json.loads(r["groups"])), r["title"]) for r in documents
        },
        document_lengths={r["id"]: r["length"] for r in documents},
    )


def _excerpts(db: Db, with_text: bool, where: str, *params: str) -> list[ExcerptFact]:
    text = "e.text" if with_text else "NULL"
    return excerpt_facts(
        db.each(
            f'SELECT e.id, e.document_id, d.participant_id, e.start, e."end", {text} AS text '
            f"FROM excerpts e JOIN documents d ON d.id = e.document_id WHERE {where}",
            *params,
        )
    )


def _codings(db: Db, where: str, param: str, excerpts: list[ExcerptFact]) -> list[CodingFact]:
    return coding_facts(db.each(f"SELECT excerpt_id, code_id, coder_id FROM codings WHERE {where}", param), excerpts)


def _turns(db: Db, where: str, param: str) -> list[TurnFact]:
    return list(
        map(
            TurnFact._make,
            db.each(
                'SELECT t.document_id, t.start, t."end", t.role FROM turns t JOIN documents d '
                f"ON d.id = t.document_id WHERE {where} ORDER BY t.document_id, t.start",
                param,
            ),
        )
    )

"""The embedded adapter: the store port over a SQLite file on local disk.

Each public method is one job on the connection's worker thread inside one transaction
(see `graph.embedded.connection` for why SQLite and why one thread).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from graph import activity, cursors
from graph.analysis.cache import SnapshotCache
from graph.analysis.service import Analytics
from graph.analysis.snapshot import CodingFact, ExcerptFact, Snapshot
from graph.embedded import rows
from graph.embedded.connection import Connection, Db
from graph.errors import BadInput, NotFound
from graph.inputs import (
    CodedPassage,
    CodePatch,
    LinkPatch,
    MemoPatch,
    NewCode,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
    NewProject,
    NewTheme,
    ParticipantPatch,
    ProjectPatch,
    ThemePatch,
)
from graph.models import (
    CONCEPT_KINDS,
    Code,
    Coding,
    Document,
    Excerpt,
    Link,
    LinkKind,
    Event,
    EventPage,
    Membership,
    Memo,
    NodeKind,
    NodeRef,
    Page,
    Participant,
    Project,
    Role,
    Theme,
    User,
)
from graph.rules import check_codable, check_span, check_version, keep_an_owner, new_id, now, same_project

M = TypeVar("M")

_IN = "IN (SELECT value FROM json_each(?))"
_EXCERPT_ORDER = 'e.document_id, e.start, e."end", e.id'
_PARTICIPANTS_OF_PROJECTS = f"SELECT * FROM participants WHERE project_id {_IN} ORDER BY fold(pseudonym), id"
_CODES_OF_PROJECTS = f"SELECT * FROM codes WHERE project_id {_IN} ORDER BY fold(name), id"
_THEMES_OF_PROJECTS = f"SELECT * FROM themes WHERE project_id {_IN} ORDER BY fold(name), id"


def _ids(ids: Sequence[str]) -> str:
    return json.dumps(list(ids))


def _node(db: Db, id: str, *kinds: NodeKind) -> sqlite3.Row:
    """The node row for `id` (id, project_id, kind), which must have one of `kinds`."""
    row = db.one("SELECT id, project_id, kind FROM nodes WHERE id = ?", id)
    if row is None or NodeKind(row["kind"]) not in kinds:
        raise NotFound(" or ".join(k.value.lower() for k in kinds), id)
    return row


def _add_node(db: Db, id: str, project_id: str, kind: NodeKind) -> None:
    if db.one("SELECT 1 FROM nodes WHERE id = ?", id) is not None:
        raise BadInput(f"Id {id!r} is already in use; leave the id out to get a new one.")
    db.run("INSERT INTO nodes(id, project_id, kind) VALUES (?, ?, ?)", id, project_id, kind.value)


def _by_ids(db: Db, table: str, ids: Sequence[str], mapper: Callable[[sqlite3.Row], M]) -> dict[str, M]:
    return {row["id"]: mapper(row) for row in db.all(f"SELECT * FROM {table} WHERE id {_IN}", _ids(ids))}


def _grouped(
    db: Db, sql: str, ids: Sequence[str], key: str, mapper: Callable[[sqlite3.Row], M]
) -> dict[str, list[M]]:
    out: dict[str, list[M]] = {id: [] for id in ids}
    for row in db.all(sql, _ids(ids)):
        out[row[key]].append(mapper(row))
    return out


def _log(db: Db, e: Event) -> None:
    """Append to the project's activity history, in the write's own transaction."""
    db.run(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.id, e.project_id, e.actor_id, e.type, json.dumps(list(e.target_ids)), rows.instant(e.at), e.summary,
        None if e.before is None else json.dumps(e.before), None if e.after is None else json.dumps(e.after),
    )


_TABLES = {kind: f"{kind.value.lower()}s" for kind in NodeKind}
"""Each node kind's table: projects, participants, documents, excerpts, codes, themes, links, memos."""

_MAPPERS: dict[NodeKind, Callable[[sqlite3.Row], Any]] = {
    NodeKind.PROJECT: rows.project, NodeKind.PARTICIPANT: rows.participant, NodeKind.DOCUMENT: rows.document,
    NodeKind.EXCERPT: rows.excerpt, NodeKind.CODE: rows.code, NodeKind.THEME: rows.theme, NodeKind.MEMO: rows.memo,
}


def _model(db: Db, kind: NodeKind, id: str) -> Any:
    """The current model of an existing node."""
    if kind is NodeKind.LINK:  # a link's evidence lives in its own table
        return EmbeddedStore._link(db, id)
    return _MAPPERS[kind](db.one(f"SELECT * FROM {_TABLES[kind]} WHERE id = ?", id))


def _stamp(actor: str) -> tuple[str, str, str, str]:
    at = rows.instant(now())
    return actor, at, actor, at


class EmbeddedStore(Analytics):
    """The default store: durable on local disk, in-process, zero setup."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "thememap.sqlite3"
        self._conn = Connection(self.path)
        self._snapshots = SnapshotCache()

    # -- lifecycle --------------------------------------------------------------------
    async def open(self) -> None:
        await self._conn.open()

    async def close(self) -> None:
        await self._conn.close()

    async def ping(self) -> None:
        await self._conn.read(lambda db: db.one("SELECT 1"))

    # -- users ------------------------------------------------------------------------
    async def ensure_user(self, id: str, name: str, email: str | None = None) -> User:
        def job(db: Db) -> User:
            db.run(
                "INSERT OR IGNORE INTO users(id, name, email, created_at) VALUES (?, ?, ?, ?)",
                id, name, email, rows.instant(now()),
            )
            return rows.user(db.one("SELECT * FROM users WHERE id = ?", id))

        return await self._conn.write(job)

    async def get_users(self, ids: Sequence[str]) -> dict[str, User]:
        return await self._conn.read(lambda db: _by_ids(db, "users", ids, rows.user))

    async def create_user(self, name: str, email: str | None = None) -> User:
        def job(db: Db) -> User:
            if db.one("SELECT 1 FROM users WHERE fold(name) = fold(?)", name) is not None:
                raise BadInput(f"A user named {name!r} exists already; choose another name.")
            id = new_id()
            db.run("INSERT INTO users(id, name, email, created_at) VALUES (?, ?, ?, ?)", id, name, email, rows.instant(now()))
            return rows.user(db.one("SELECT * FROM users WHERE id = ?", id))

        return await self._conn.write(job)

    async def get_user_by_name(self, name: str) -> User | None:
        def job(db: Db) -> User | None:
            row = db.one("SELECT * FROM users WHERE fold(name) = fold(?) ORDER BY created_at LIMIT 1", name)
            return rows.user(row) if row else None

        return await self._conn.read(job)

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> None:
        def job(db: Db) -> None:
            if not db.run("UPDATE users SET token_hash = ? WHERE id = ?", token_hash, user_id):
                raise NotFound("user", user_id)

        await self._conn.write(job)

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        def job(db: Db) -> tuple[User, str] | None:
            row = db.one("SELECT * FROM users WHERE token_hash = ?", token_hash)
            return (rows.user(row), row["token_hash"]) if row else None

        return await self._conn.read(job)

    # -- membership ------------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        def job(db: Db) -> dict[str, Role]:
            return {r["project_id"]: Role(r["role"]) for r in db.all(
                f"SELECT project_id, role FROM members WHERE user_id = ? AND project_id {_IN}", user_id, _ids(project_ids))}

        return await self._conn.read(job)

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]:
        sql = (f"SELECT m.* FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id {_IN} "
               "ORDER BY fold(u.name), u.id")
        return await self._conn.read(lambda db: _grouped(db, sql, project_ids, "project_id", rows.membership))

    @staticmethod
    def _member_parties(db: Db, project_id: str, user_id: str) -> Role | None:
        _node(db, project_id, NodeKind.PROJECT)
        if db.one("SELECT 1 FROM users WHERE id = ?", user_id) is None:
            raise NotFound("user", user_id)
        row = db.one("SELECT role FROM members WHERE project_id = ? AND user_id = ?", project_id, user_id)
        return Role(row["role"]) if row else None

    @staticmethod
    def _user_name(db: Db, user_id: str) -> str:
        return str(db.one("SELECT name FROM users WHERE id = ?", user_id)["name"])

    @staticmethod
    def _owners_besides(db: Db, project_id: str, user_id: str) -> int:
        return db.one("SELECT count(*) AS n FROM members WHERE project_id = ? AND role = ? AND user_id != ?",
                      project_id, Role.OWNER.value, user_id)["n"]

    async def add_member(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        def job(db: Db) -> Membership:
            if self._member_parties(db, project_id, user_id) is not None:
                raise BadInput("That user is a member already; use changeRole to change their role.")
            db.run("INSERT INTO members(project_id, user_id, role) VALUES (?, ?, ?)", project_id, user_id, role.value)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            _log(db, activity.membership(actor, "added", member, self._user_name(db, user_id)))
            return member

        return await self._conn.write(job)

    async def change_role(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        def job(db: Db) -> Membership:
            old = self._member_parties(db, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            if role is not Role.OWNER:
                keep_an_owner(self._owners_besides(db, project_id, user_id))
            db.run("UPDATE members SET role = ? WHERE project_id = ? AND user_id = ?", role.value, project_id, user_id)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            _log(db, activity.membership(actor, "changed", member, self._user_name(db, user_id),
                                         Membership(project_id=project_id, user_id=user_id, role=old)))
            return member

        return await self._conn.write(job)

    async def remove_member(self, actor: str, project_id: str, user_id: str) -> None:
        def job(db: Db) -> None:
            old = self._member_parties(db, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            keep_an_owner(self._owners_besides(db, project_id, user_id))
            db.run("DELETE FROM members WHERE project_id = ? AND user_id = ?", project_id, user_id)
            member = Membership(project_id=project_id, user_id=user_id, role=old)
            _log(db, activity.membership(actor, "removed", member, self._user_name(db, user_id), member))

        await self._conn.write(job)

    # -- projects -----------------------------------------------------------------------
    async def list_projects(self) -> list[Project]:
        return await self._conn.read(
            lambda db: [rows.project(r) for r in db.all("SELECT * FROM projects ORDER BY fold(name), id")]
        )

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        return await self._conn.read(lambda db: _by_ids(db, "projects", ids, rows.project))

    async def create_project(self, actor: str, new: NewProject) -> Project:
        def job(db: Db) -> Project:
            id = new.id or new_id()
            _add_node(db, id, id, NodeKind.PROJECT)
            db.run(
                "INSERT INTO projects(id, name, description, created_by, created_at, updated_by, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", id, new.name, new.description, *_stamp(actor)
            )
            db.run("INSERT INTO members(project_id, user_id, role) VALUES (?, ?, ?)", id, actor, Role.OWNER.value)
            project = rows.project(db.one("SELECT * FROM projects WHERE id = ?", id))
            _log(db, activity.created(actor, project))
            return project

        return await self._conn.write(job)

    async def update_project(self, actor: str, id: str, patch: ProjectPatch) -> Project:
        def job(db: Db) -> Project:
            _node(db, id, NodeKind.PROJECT)
            before = _model(db, NodeKind.PROJECT, id)
            db.run(
                "UPDATE projects SET name = coalesce(?, name), description = coalesce(?, description), "
                "blind_coding = coalesce(?, blind_coding), updated_by = ?, updated_at = ? WHERE id = ?",
                patch.name, patch.description, patch.blind_coding, actor, rows.instant(now()), id,
            )
            project = _model(db, NodeKind.PROJECT, id)
            _log(db, activity.updated(actor, before, project))
            return project

        return await self._conn.write(job)

    async def delete_project(self, actor: str, id: str) -> None:
        def job(db: Db) -> None:
            _node(db, id, NodeKind.PROJECT)
            # Children before parents, so the tree self-references never block the delete.
            db.run("UPDATE codes SET parent_id = NULL WHERE project_id = ?", id)
            db.run("UPDATE themes SET parent_id = NULL WHERE project_id = ?", id)
            db.run("DELETE FROM nodes WHERE project_id = ? AND id != ?", id, id)
            db.run("DELETE FROM nodes WHERE id = ?", id)
            db.run("DELETE FROM events WHERE project_id = ?", id)  # the history goes with the project

        await self._conn.write(job)

    # -- participants -------------------------------------------------------------------
    async def add_participant(self, actor: str, new: NewParticipant) -> Participant:
        def job(db: Db) -> Participant:
            _node(db, new.project_id, NodeKind.PROJECT)
            id = new.id or new_id()
            _add_node(db, id, new.project_id, NodeKind.PARTICIPANT)
            db.run(
                "INSERT INTO participants VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id, new.project_id, new.pseudonym, json.dumps(new.attributes), *_stamp(actor),
            )
            return self._created(db, actor, NodeKind.PARTICIPANT, id)

        return await self._conn.write(job)

    async def update_participant(self, actor: str, id: str, patch: ParticipantPatch) -> Participant:
        def job(db: Db) -> Participant:
            _node(db, id, NodeKind.PARTICIPANT)
            before = _model(db, NodeKind.PARTICIPANT, id)
            attributes = None if patch.attributes is None else json.dumps(patch.attributes)
            db.run(
                "UPDATE participants SET pseudonym = coalesce(?, pseudonym), attributes = coalesce(?, attributes), "
                "updated_by = ?, updated_at = ? WHERE id = ?",
                patch.pseudonym, attributes, actor, rows.instant(now()), id,
            )
            return self._updated(db, actor, before)

        return await self._conn.write(job)

    async def delete_participant(self, actor: str, id: str) -> None:
        await self._conn.write(lambda db: self._delete(db, actor, NodeKind.PARTICIPANT, id))

    @staticmethod
    def _created(db: Db, actor: str, kind: NodeKind, id: str) -> Any:
        model = _model(db, kind, id)
        _log(db, activity.created(actor, model))
        return model

    @staticmethod
    def _updated(db: Db, actor: str, before: Any) -> Any:
        after = _model(db, NodeKind(type(before).__name__), before.id)
        _log(db, activity.updated(actor, before, after))
        return after

    @staticmethod
    def _delete(db: Db, actor: str, kind: NodeKind, id: str) -> None:
        """Delete a node whose table's cascades and triggers do the rest, and log it."""
        _node(db, id, kind)
        _log(db, activity.deleted(actor, _model(db, kind, id)))
        db.run(f"DELETE FROM {_TABLES[kind]} WHERE id = ?", id)

    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]:
        return await self._conn.read(lambda db: _by_ids(db, "participants", ids, rows.participant))

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        return await self._conn.read(
            lambda db: _grouped(db, _PARTICIPANTS_OF_PROJECTS, project_ids, "project_id", rows.participant)
        )

    # -- documents ----------------------------------------------------------------------
    async def add_document(self, actor: str, new: NewDocument) -> Document:
        def job(db: Db) -> Document:
            _node(db, new.project_id, NodeKind.PROJECT)
            if new.participant_id is not None:
                who = _node(db, new.participant_id, NodeKind.PARTICIPANT)
                same_project("The participant", new.project_id, who["project_id"])
            id = new.id or new_id()
            _add_node(db, id, new.project_id, NodeKind.DOCUMENT)
            db.run(
                "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id, new.project_id, new.participant_id, new.title, new.text, new.kind, *_stamp(actor),
            )
            return self._created(db, actor, NodeKind.DOCUMENT, id)

        return await self._conn.write(job)

    async def delete_document(self, actor: str, id: str) -> None:
        await self._conn.write(lambda db: self._delete(db, actor, NodeKind.DOCUMENT, id))

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        return await self._conn.read(lambda db: _by_ids(db, "documents", ids, rows.document))

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]:
        sql = f"SELECT * FROM documents WHERE project_id {_IN} ORDER BY fold(title), id"
        return await self._conn.read(lambda db: _grouped(db, sql, project_ids, "project_id", rows.document))

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]:
        sql = f"SELECT * FROM documents WHERE participant_id {_IN} ORDER BY fold(title), id"
        return await self._conn.read(lambda db: _grouped(db, sql, participant_ids, "participant_id", rows.document))

    # -- excerpts and coding -------------------------------------------------------------
    def _create_excerpt(self, db: Db, actor: str, new: NewExcerpt, reuse: bool) -> str:
        doc = db.one("SELECT project_id, text FROM documents WHERE id = ?", new.document_id)
        if doc is None:
            raise NotFound("document", new.document_id)
        text = check_span(doc["text"], new.start, new.end)
        if reuse:
            same = db.one(
                'SELECT id FROM excerpts WHERE document_id = ? AND start = ? AND "end" = ?',
                new.document_id, new.start, new.end,
            )
            if same is not None:
                return same["id"]
        id = new.id or new_id()
        _add_node(db, id, doc["project_id"], NodeKind.EXCERPT)
        db.run(
            "INSERT INTO excerpts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            id, doc["project_id"], new.document_id, new.start, new.end, text, *_stamp(actor),
        )
        return id

    def _code(self, db: Db, actor: str, excerpt_id: str, code_id: str) -> None:
        excerpt = _node(db, excerpt_id, NodeKind.EXCERPT)
        code = _node(db, code_id, NodeKind.CODE)
        same_project("The code", excerpt["project_id"], code["project_id"])
        row = db.one("SELECT name, codable FROM codes WHERE id = ?", code_id)
        check_codable(row["name"], bool(row["codable"]))
        db.run(
            "INSERT OR IGNORE INTO codings(excerpt_id, code_id, coder_id, project_id, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            excerpt_id, code_id, actor, excerpt["project_id"], rows.instant(now()),
        )

    @staticmethod
    def _excerpt(db: Db, id: str) -> Excerpt:
        return rows.excerpt(db.one("SELECT * FROM excerpts WHERE id = ?", id))

    async def create_excerpt(self, actor: str, new: NewExcerpt) -> Excerpt:
        return await self._conn.write(
            lambda db: self._created(db, actor, NodeKind.EXCERPT, self._create_excerpt(db, actor, new, reuse=False))
        )

    async def delete_excerpt(self, actor: str, id: str) -> None:
        await self._conn.write(lambda db: self._delete(db, actor, NodeKind.EXCERPT, id))

    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]:
        return await self._conn.read(lambda db: _by_ids(db, "excerpts", ids, rows.excerpt))

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        sql = f"SELECT * FROM excerpts e WHERE document_id {_IN} ORDER BY {_EXCERPT_ORDER}"
        return await self._conn.read(lambda db: _grouped(db, sql, document_ids, "document_id", rows.excerpt))

    async def code_excerpt(self, actor: str, excerpt_id: str, code_id: str) -> Excerpt:
        def job(db: Db) -> Excerpt:
            self._code(db, actor, excerpt_id, code_id)
            excerpt = self._excerpt(db, excerpt_id)
            _log(db, activity.coded(actor, excerpt, [_model(db, NodeKind.CODE, code_id)], actor))
            return excerpt

        return await self._conn.write(job)

    async def uncode_excerpt(
        self, actor: str, excerpt_id: str, code_id: str, coder_id: str | None = None
    ) -> Excerpt:
        def job(db: Db) -> Excerpt:
            _node(db, excerpt_id, NodeKind.EXCERPT)
            _node(db, code_id, NodeKind.CODE)
            coder = coder_id or actor
            removed = db.run(
                "DELETE FROM codings WHERE excerpt_id = ? AND code_id = ? AND coder_id = ?", excerpt_id, code_id, coder
            )
            if not removed:
                raise NotFound("coding by this coder of that excerpt with that code", f"{excerpt_id}/{code_id}/{coder}")
            excerpt = self._excerpt(db, excerpt_id)
            _log(db, activity.uncoded(actor, excerpt, _model(db, NodeKind.CODE, code_id), coder))
            return excerpt

        return await self._conn.write(job)

    async def code_text(self, actor: str, new: NewExcerpt, code_ids: Sequence[str]) -> Excerpt:
        if not code_ids:
            raise BadInput("codeIds must name at least one code; use createExcerpt to mark a passage without coding it.")

        def job(db: Db) -> Excerpt:
            id = self._create_excerpt(db, actor, new, reuse=True)
            for code_id in code_ids:
                self._code(db, actor, id, code_id)
            excerpt = self._excerpt(db, id)
            _log(db, activity.coded(actor, excerpt, [_model(db, NodeKind.CODE, c) for c in code_ids], actor))
            return excerpt

        return await self._conn.write(job)

    async def code_passages(self, actor: str, passages: Sequence[CodedPassage]) -> list[str]:
        def job(db: Db) -> list[str]:
            ids = []
            by_project: dict[str, list[str]] = defaultdict(list)
            for p in passages:
                id = self._create_excerpt(db, p.coder_id, p.excerpt, reuse=True)
                for code_id in p.code_ids:
                    self._code(db, p.coder_id, id, code_id)
                ids.append(id)
                by_project[_node(db, id, NodeKind.EXCERPT)["project_id"]].append(id)
            for project_id, excerpt_ids in by_project.items():
                _log(db, activity.bulk_coded(actor, project_id, excerpt_ids, sum(len(p.code_ids) for p in passages)))
            return ids

        return await self._conn.write(job)

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]:
        sql = f"SELECT * FROM codings WHERE excerpt_id {_IN} ORDER BY code_id, coder_id"
        return await self._conn.read(lambda db: _grouped(db, sql, excerpt_ids, "excerpt_id", rows.coding))

    async def excerpts_of_codes(
        self, code_ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, Page]:
        if first < 0:
            raise BadInput("first must be zero or more.")
        key = cursors.decode(after, 4) if after else ["", -1, -1, ""]

        def job(db: Db) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                _node(db, code_id, NodeKind.CODE)
                found = db.all(
                    "SELECT e.* FROM excerpts e WHERE e.id IN "
                    "(SELECT excerpt_id FROM codings WHERE code_id = ? AND (? IS NULL OR coder_id = ?)) "
                    f'AND (e.document_id, e.start, e."end", e.id) > (?, ?, ?, ?) ORDER BY {_EXCERPT_ORDER} LIMIT ?',
                    code_id, coder_id, coder_id, *key, first + 1,
                )
                pages[code_id] = Page.of_excerpts([rows.excerpt(r) for r in found], first)
            return pages

        return await self._conn.read(job)

    # -- codes ------------------------------------------------------------------------------
    @staticmethod
    def _check_code_name(db: Db, project_id: str, parent_id: str | None, name: str, self_id: str | None) -> None:
        clash = db.one(
            "SELECT id FROM codes WHERE project_id = ? AND ifnull(parent_id, '') = ifnull(?, '') "
            "AND fold(name) = fold(?) AND id != ifnull(?, '')",
            project_id, parent_id, name, self_id,
        )
        if clash is not None:
            where = "at the top level" if parent_id is None else "under that parent"
            raise BadInput(f"A code named {name!r} already exists {where}; choose another name.", existingId=clash["id"])

    @staticmethod
    def _check_parent(db: Db, table: str, kind: NodeKind, id: str | None, project_id: str, parent_id: str) -> None:
        """The parent exists in the same project and is not the node itself or one of its descendants."""
        parent = _node(db, parent_id, kind)
        same_project(f"The parent {kind.value.lower()}", project_id, parent["project_id"])
        if id is None:
            return
        cycle = db.one(
            f"WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT t.parent_id FROM {table} t JOIN up ON t.id = up.id "
            f"WHERE t.parent_id IS NOT NULL) SELECT 1 FROM up WHERE id = ?",
            parent_id, id,
        )
        if cycle is not None:
            raise BadInput(
                f"A {kind.value.lower()} cannot be its own ancestor: {parent_id!r} is {id!r} or lies beneath it."
            )

    async def create_code(self, actor: str, new: NewCode) -> Code:
        def job(db: Db) -> Code:
            _node(db, new.project_id, NodeKind.PROJECT)
            if new.parent_id is not None:
                self._check_parent(db, "codes", NodeKind.CODE, None, new.project_id, new.parent_id)
            self._check_code_name(db, new.project_id, new.parent_id, new.name, None)
            id = new.id or new_id()
            _add_node(db, id, new.project_id, NodeKind.CODE)
            db.run(
                "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?)",
                id, new.project_id, new.parent_id, new.name, new.description, new.color, *_stamp(actor), new.codable,
            )
            return self._created(db, actor, NodeKind.CODE, id)

        return await self._conn.write(job)

    async def update_code(self, actor: str, id: str, patch: CodePatch) -> Code:
        def job(db: Db) -> Code:
            _node(db, id, NodeKind.CODE)
            code = rows.code(db.one("SELECT * FROM codes WHERE id = ?", id))
            check_version("Code", id, patch.expected_version, code.version)
            parent_id = patch.parent_id if patch.given("parent_id") else code.parent_id
            if parent_id is not None and parent_id != code.parent_id:
                self._check_parent(db, "codes", NodeKind.CODE, id, code.project_id, parent_id)
            name = patch.name or code.name
            self._check_code_name(db, code.project_id, parent_id, name, id)
            db.run(
                "UPDATE codes SET name = ?, description = ?, color = ?, parent_id = ?, codable = ?, "
                "version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
                name,
                code.description if patch.description is None else patch.description,
                patch.color if patch.given("color") else code.color,
                parent_id, code.codable if patch.codable is None else patch.codable, actor, rows.instant(now()), id,
            )
            return self._updated(db, actor, code)

        return await self._conn.write(job)

    def _reparent_children(self, db: Db, code: Code, new_parent_id: str | None) -> None:
        for child in db.all("SELECT id, name FROM codes WHERE parent_id = ?", code.id):
            self._check_code_name(db, code.project_id, new_parent_id, child["name"], child["id"])
            db.run("UPDATE codes SET parent_id = ? WHERE id = ?", new_parent_id, child["id"])

    async def delete_code(self, actor: str, id: str) -> None:
        def job(db: Db) -> None:
            _node(db, id, NodeKind.CODE)
            code = rows.code(db.one("SELECT * FROM codes WHERE id = ?", id))
            self._reparent_children(db, code, code.parent_id)
            self._delete(db, actor, NodeKind.CODE, id)

        await self._conn.write(job)

    async def merge_codes(self, actor: str, source_id: str, target_id: str) -> Code:
        def job(db: Db) -> Code:
            _node(db, source_id, NodeKind.CODE)
            _node(db, target_id, NodeKind.CODE)
            source = rows.code(db.one("SELECT * FROM codes WHERE id = ?", source_id))
            target = rows.code(db.one("SELECT * FROM codes WHERE id = ?", target_id))
            same_project("The target code", source.project_id, target.project_id)
            if source_id == target_id:
                raise BadInput("A code cannot be merged into itself; pick two different codes.")
            below = db.one(
                "WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT c.parent_id FROM codes c JOIN up ON c.id = up.id "
                "WHERE c.parent_id IS NOT NULL) SELECT 1 FROM up WHERE id = ?",
                target_id, source_id,
            )
            if below is not None:
                raise BadInput("A code cannot be merged into one of its own descendants; move the target out first.")
            db.run(
                "INSERT OR IGNORE INTO codings(excerpt_id, code_id, coder_id, project_id, created_at) "
                "SELECT excerpt_id, ?, coder_id, project_id, created_at FROM codings WHERE code_id = ?",
                target_id, source_id,
            )
            db.run(
                "INSERT OR IGNORE INTO theme_codes(theme_id, code_id, project_id, created_by, created_at) "
                "SELECT theme_id, ?, project_id, created_by, created_at FROM theme_codes WHERE code_id = ?",
                target_id, source_id,
            )
            db.run("UPDATE links SET source_id = ? WHERE source_id = ?", target_id, source_id)
            db.run("UPDATE links SET target_id = ? WHERE target_id = ?", target_id, source_id)
            db.run("DELETE FROM links WHERE source_id = target_id")
            db.run("UPDATE memos SET target_id = ? WHERE target_id = ?", target_id, source_id)
            self._reparent_children(db, source, target_id)
            db.run("DELETE FROM codes WHERE id = ?", source_id)
            db.run(
                "UPDATE codes SET version = version + 1, updated_by = ?, updated_at = ? WHERE id = ?",
                actor, rows.instant(now()), target_id,
            )
            merged = rows.code(db.one("SELECT * FROM codes WHERE id = ?", target_id))
            _log(db, activity.merged(actor, source, merged))
            return merged

        return await self._conn.write(job)

    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]:
        return await self._conn.read(lambda db: _by_ids(db, "codes", ids, rows.code))

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._conn.read(lambda db: _grouped(db, _CODES_OF_PROJECTS, project_ids, "project_id", rows.code))

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]:
        sql = f"SELECT * FROM codes WHERE parent_id {_IN} ORDER BY fold(name), id"
        return await self._conn.read(lambda db: _grouped(db, sql, code_ids, "parent_id", rows.code))

    # -- themes -----------------------------------------------------------------------------
    @staticmethod
    def _check_theme_name(db: Db, project_id: str, name: str, self_id: str | None) -> None:
        clash = db.one(
            "SELECT id FROM themes WHERE project_id = ? AND fold(name) = fold(?) AND id != ifnull(?, '')",
            project_id, name, self_id,
        )
        if clash is not None:
            raise BadInput(f"A theme named {name!r} already exists in this project; choose another name.",
                           existingId=clash["id"])

    @staticmethod
    def _theme(db: Db, id: str) -> Theme:
        return rows.theme(db.one("SELECT * FROM themes WHERE id = ?", id))

    async def create_theme(self, actor: str, new: NewTheme) -> Theme:
        def job(db: Db) -> Theme:
            _node(db, new.project_id, NodeKind.PROJECT)
            if new.parent_id is not None:
                self._check_parent(db, "themes", NodeKind.THEME, None, new.project_id, new.parent_id)
            self._check_theme_name(db, new.project_id, new.name, None)
            id = new.id or new_id()
            _add_node(db, id, new.project_id, NodeKind.THEME)
            db.run(
                "INSERT INTO themes VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                id, new.project_id, new.parent_id, new.name, new.description, new.status.value, *_stamp(actor),
            )
            return self._created(db, actor, NodeKind.THEME, id)

        return await self._conn.write(job)

    async def update_theme(self, actor: str, id: str, patch: ThemePatch) -> Theme:
        def job(db: Db) -> Theme:
            _node(db, id, NodeKind.THEME)
            theme = self._theme(db, id)
            check_version("Theme", id, patch.expected_version, theme.version)
            parent_id = patch.parent_id if patch.given("parent_id") else theme.parent_id
            if parent_id is not None and parent_id != theme.parent_id:
                self._check_parent(db, "themes", NodeKind.THEME, id, theme.project_id, parent_id)
            name = patch.name or theme.name
            self._check_theme_name(db, theme.project_id, name, id)
            db.run(
                "UPDATE themes SET name = ?, description = ?, status = ?, parent_id = ?, version = version + 1, "
                "updated_by = ?, updated_at = ? WHERE id = ?",
                name,
                theme.description if patch.description is None else patch.description,
                (patch.status or theme.status).value,
                parent_id, actor, rows.instant(now()), id,
            )
            return self._updated(db, actor, theme)

        return await self._conn.write(job)

    async def delete_theme(self, actor: str, id: str) -> None:
        def job(db: Db) -> None:
            _node(db, id, NodeKind.THEME)
            theme = self._theme(db, id)
            db.run("UPDATE themes SET parent_id = ? WHERE parent_id = ?", theme.parent_id, id)
            self._delete(db, actor, NodeKind.THEME, id)

        await self._conn.write(job)

    def _membership(self, db: Db, code_id: str, theme_id: str) -> tuple[str, str]:
        code = _node(db, code_id, NodeKind.CODE)
        theme = _node(db, theme_id, NodeKind.THEME)
        same_project("The code", theme["project_id"], code["project_id"])
        return code["project_id"], theme_id

    async def add_code_to_theme(self, actor: str, code_id: str, theme_id: str) -> Theme:
        def job(db: Db) -> Theme:
            project_id, _ = self._membership(db, code_id, theme_id)
            db.run(
                "INSERT OR IGNORE INTO theme_codes VALUES (?, ?, ?, ?, ?)",
                theme_id, code_id, project_id, actor, rows.instant(now()),
            )
            theme = self._theme(db, theme_id)
            _log(db, activity.theme_membership(actor, "added", _model(db, NodeKind.CODE, code_id), theme))
            return theme

        return await self._conn.write(job)

    async def remove_code_from_theme(self, actor: str, code_id: str, theme_id: str) -> Theme:
        def job(db: Db) -> Theme:
            self._membership(db, code_id, theme_id)
            if not db.run("DELETE FROM theme_codes WHERE theme_id = ? AND code_id = ?", theme_id, code_id):
                raise NotFound("membership of that code in that theme", f"{code_id}/{theme_id}")
            theme = self._theme(db, theme_id)
            _log(db, activity.theme_membership(actor, "removed", _model(db, NodeKind.CODE, code_id), theme))
            return theme

        return await self._conn.write(job)

    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]:
        return await self._conn.read(lambda db: _by_ids(db, "themes", ids, rows.theme))

    async def themes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._conn.read(lambda db: _grouped(db, _THEMES_OF_PROJECTS, project_ids, "project_id", rows.theme))

    async def subthemes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Theme]]:
        sql = f"SELECT * FROM themes WHERE parent_id {_IN} ORDER BY fold(name), id"
        return await self._conn.read(lambda db: _grouped(db, sql, theme_ids, "parent_id", rows.theme))

    async def codes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Code]]:
        sql = (
            "SELECT c.*, tc.theme_id FROM theme_codes tc JOIN codes c ON c.id = tc.code_id "
            f"WHERE tc.theme_id {_IN} ORDER BY fold(c.name), c.id"
        )
        return await self._conn.read(lambda db: _grouped(db, sql, theme_ids, "theme_id", rows.code))

    async def themes_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Theme]]:
        sql = (
            "SELECT t.*, tc.code_id FROM theme_codes tc JOIN themes t ON t.id = tc.theme_id "
            f"WHERE tc.code_id {_IN} ORDER BY fold(t.name), t.id"
        )
        return await self._conn.read(lambda db: _grouped(db, sql, code_ids, "code_id", rows.theme))

    # -- links -------------------------------------------------------------------------------
    @staticmethod
    def _link(db: Db, id: str) -> Link:
        evidence = tuple(
            r["excerpt_id"] for r in db.all("SELECT excerpt_id FROM link_evidence WHERE link_id = ? ORDER BY position", id)
        )
        return rows.link(db.one("SELECT * FROM links WHERE id = ?", id), evidence)

    @staticmethod
    def _set_evidence(db: Db, link_id: str, project_id: str, excerpt_ids: Sequence[str]) -> None:
        db.run("DELETE FROM link_evidence WHERE link_id = ?", link_id)
        for position, excerpt_id in enumerate(dict.fromkeys(excerpt_ids)):
            excerpt = _node(db, excerpt_id, NodeKind.EXCERPT)
            same_project("An evidence excerpt", project_id, excerpt["project_id"])
            db.run("INSERT INTO link_evidence VALUES (?, ?, ?)", link_id, excerpt_id, position)

    @staticmethod
    def _check_duplicate_link(db: Db, source_id: str, target_id: str, kind: LinkKind, self_id: str | None) -> None:
        symmetric = 1 if kind.symmetric else 0
        clash = db.one(
            "SELECT id FROM links WHERE kind = ? AND id != ifnull(?, '') AND "
            "((source_id = ? AND target_id = ?) OR (? AND source_id = ? AND target_id = ?))",
            kind.value, self_id, source_id, target_id, symmetric, target_id, source_id,
        )
        if clash is not None:
            raise BadInput(
                f"These concepts are already linked as {kind.value}; update that link instead.", existingId=clash["id"]
            )

    async def link_concepts(self, actor: str, new: NewLink) -> Link:
        def job(db: Db) -> Link:
            source = _node(db, new.source_id, *CONCEPT_KINDS)
            target = _node(db, new.target_id, *CONCEPT_KINDS)
            same_project("The target concept", source["project_id"], target["project_id"])
            if new.source_id == new.target_id:
                raise BadInput("A concept cannot be linked to itself; pick two different codes or themes.")
            self._check_duplicate_link(db, new.source_id, new.target_id, new.kind, None)
            id = new.id or new_id()
            project_id = source["project_id"]
            _add_node(db, id, project_id, NodeKind.LINK)
            db.run(
                "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                id, project_id, new.source_id, source["kind"], new.target_id, target["kind"],
                new.kind.value, new.label, new.note, *_stamp(actor),
            )
            self._set_evidence(db, id, project_id, new.evidence_excerpt_ids)
            return self._created(db, actor, NodeKind.LINK, id)

        return await self._conn.write(job)

    async def update_link(self, actor: str, id: str, patch: LinkPatch) -> Link:
        def job(db: Db) -> Link:
            _node(db, id, NodeKind.LINK)
            link = self._link(db, id)
            check_version("Link", id, patch.expected_version, link.version)
            kind = patch.kind or link.kind
            if kind != link.kind:
                self._check_duplicate_link(db, link.source_id, link.target_id, kind, id)
            if patch.evidence_excerpt_ids is not None:
                self._set_evidence(db, id, link.project_id, patch.evidence_excerpt_ids)
            db.run(
                "UPDATE links SET kind = ?, label = ?, note = ?, version = version + 1, updated_by = ?, updated_at = ? "
                "WHERE id = ?",
                kind.value,
                patch.label if patch.given("label") else link.label,
                patch.note if patch.given("note") else link.note,
                actor, rows.instant(now()), id,
            )
            return self._updated(db, actor, link)

        return await self._conn.write(job)

    async def unlink(self, actor: str, id: str) -> None:
        await self._conn.write(lambda db: self._delete(db, actor, NodeKind.LINK, id))

    @staticmethod
    def _links_where(db: Db, where: str, ids: Sequence[str], key: str) -> dict[str, list[Link]]:
        evidence: dict[str, list[str]] = defaultdict(list)
        for row in db.all(
            f"SELECT le.link_id, le.excerpt_id FROM link_evidence le JOIN links l ON l.id = le.link_id "
            f"WHERE l.{where} {_IN} ORDER BY le.link_id, le.position",
            _ids(ids),
        ):
            evidence[row["link_id"]].append(row["excerpt_id"])
        return _grouped(
            db,
            f"SELECT * FROM links WHERE {where} {_IN} ORDER BY created_at, id",
            ids,
            key,
            lambda r: rows.link(r, tuple(evidence[r["id"]])),
        )

    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]:
        def job(db: Db) -> dict[str, Link]:
            return {id: links[0] for id, links in self._links_where(db, "id", ids, "id").items() if links}

        return await self._conn.read(job)

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]:
        return await self._conn.read(lambda db: self._links_where(db, "project_id", project_ids, "project_id"))

    # -- memos -------------------------------------------------------------------------------
    @staticmethod
    def _memo(db: Db, id: str) -> Memo:
        return rows.memo(db.one("SELECT * FROM memos WHERE id = ?", id))

    async def add_memo(self, actor: str, new: NewMemo) -> Memo:
        def job(db: Db) -> Memo:
            target = _node(db, new.target_id, *(k for k in NodeKind if k is not NodeKind.MEMO))
            id = new.id or new_id()
            _add_node(db, id, target["project_id"], NodeKind.MEMO)
            db.run(
                "INSERT INTO memos VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
                id, target["project_id"], new.target_id, target["kind"], new.title, new.body, *_stamp(actor),
            )
            return self._created(db, actor, NodeKind.MEMO, id)

        return await self._conn.write(job)

    async def update_memo(self, actor: str, id: str, patch: MemoPatch) -> Memo:
        def job(db: Db) -> Memo:
            _node(db, id, NodeKind.MEMO)
            memo = self._memo(db, id)
            check_version("Memo", id, patch.expected_version, memo.version)
            db.run(
                "UPDATE memos SET title = ?, body = ?, version = version + 1, updated_by = ?, updated_at = ? "
                "WHERE id = ?",
                patch.title or memo.title,
                memo.body if patch.body is None else patch.body,
                actor, rows.instant(now()), id,
            )
            return self._updated(db, actor, memo)

        return await self._conn.write(job)

    async def delete_memo(self, actor: str, id: str) -> None:
        await self._conn.write(lambda db: self._delete(db, actor, NodeKind.MEMO, id))

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]:
        return await self._conn.read(lambda db: _by_ids(db, "memos", ids, rows.memo))

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]:
        sql = f"SELECT * FROM memos WHERE project_id {_IN} ORDER BY created_at, id"
        return await self._conn.read(lambda db: _grouped(db, sql, project_ids, "project_id", rows.memo))

    # -- activity ---------------------------------------------------------------------------------
    async def activity(self, project_id: str, first: int, after: str | None = None, actor_id: str | None = None,
                       target_id: str | None = None) -> EventPage:
        if first < 0:
            raise BadInput("first must be zero or more.")

        def job(db: Db) -> EventPage:
            _node(db, project_id, NodeKind.PROJECT)
            at, id = cursors.decode(after, 2) if after else ["\uffff", ""]
            found = db.all(
                "SELECT * FROM events WHERE project_id = ? AND (at < ? OR (at = ? AND id < ?)) "
                "AND (? IS NULL OR actor_id = ?) "
                "AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(target_ids) WHERE value = ?)) "
                "ORDER BY at DESC, id DESC LIMIT ?",
                project_id, at, at, id, actor_id, actor_id, target_id, target_id, first + 1,
            )
            events = [rows.event(r) for r in found[:first]]
            return EventPage(events=tuple(events), cursors=tuple(activity.cursor(e) for e in events),
                             has_next_page=len(found) > first)

        return await self._conn.read(job)

    async def events_since(self, project_id: str, cursor: str | None, limit: int = 100) -> list[Event]:
        def job(db: Db) -> list[Event]:
            at, id = cursors.decode(cursor, 2) if cursor else ["", ""]
            return [rows.event(r) for r in db.all(
                "SELECT * FROM events WHERE project_id = ? AND (at > ? OR (at = ? AND id > ?)) ORDER BY at, id LIMIT ?",
                project_id, at, at, id, limit)]

        return await self._conn.read(job)

    # -- analysis --------------------------------------------------------------------------------
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        text = "e.text" if with_text else "NULL"

        def job(db: Db) -> Snapshot:
            _node(db, project_id, NodeKind.PROJECT)
            revision = db.one("SELECT count(*) AS n FROM events WHERE project_id = ?", project_id)["n"]
            if (kept := self._snapshots.get(project_id, revision, with_text)) is not None:
                return kept
            ids = [project_id]
            return self._snapshots.put(Snapshot(
                project_id=project_id,
                participants=_grouped(db, _PARTICIPANTS_OF_PROJECTS, ids, "project_id", rows.participant)[project_id],
                codes=_grouped(db, _CODES_OF_PROJECTS, ids, "project_id", rows.code)[project_id],
                themes=_grouped(db, _THEMES_OF_PROJECTS, ids, "project_id", rows.theme)[project_id],
                memberships=[(r["code_id"], r["theme_id"]) for r in db.all(
                    "SELECT code_id, theme_id FROM theme_codes WHERE project_id = ?", project_id)],
                links=self._links_where(db, "project_id", ids, "project_id")[project_id],
                excerpts=list(map(ExcerptFact._make, db.tuples(
                    f'SELECT e.id, e.document_id, d.participant_id, e.start, e."end", {text} AS text '
                    "FROM excerpts e JOIN documents d ON d.id = e.document_id WHERE e.project_id = ?", project_id))),
                codings=list(map(CodingFact._make, db.tuples(
                    "SELECT excerpt_id, code_id, coder_id FROM codings WHERE project_id = ?", project_id))),
                document_lengths={r["id"]: r["length"] for r in db.all(
                    "SELECT id, length(text) AS length FROM documents WHERE project_id = ?", project_id)},
                revision=revision,
            ), with_text)

        return await self._conn.read(job)

    async def search_documents(self, project_id: str, terms: list[tuple[str, ...]]) -> list[tuple[str, str | None, str]]:
        match = " AND ".join('"' + " ".join(words) + '"' for words in terms)

        def job(db: Db) -> list[tuple[str, str | None, str]]:
            _node(db, project_id, NodeKind.PROJECT)
            return [(r["id"], r["participant_id"], r["text"]) for r in db.all(
                "SELECT d.id, d.participant_id, d.text FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid "
                "WHERE documents_fts MATCH ? AND d.project_id = ?", match, project_id)]

        return await self._conn.read(job)

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        def job(db: Db) -> dict[str, NodeRef]:
            return {r["id"]: NodeRef(kind=NodeKind(r["kind"]), project_id=r["project_id"])
                    for r in db.all(f"SELECT id, kind, project_id FROM nodes WHERE id {_IN}", _ids(ids))}

        return await self._conn.read(job)



"""The embedded adapter: the store port over a SQLite file on local disk.

Two connections, each on its own worker thread (see `graph.embedded.connection`): the
writer runs the units of work of `write`, one at a time, each in one transaction whose
primitives (`graph.embedded.transaction`) are jobs on the writer's thread; the reader runs
every batch reader as one job in one read transaction, over committed data only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from graph import cursors
from graph.analysis.analytics import Analytics
from graph.analysis.cache import SnapshotCache
from graph.analysis.results import ExcerptOrder
from graph.analysis.snapshot import Snapshot
from graph.analysis.text import index_prefixes
from graph.embedded import rows, snapshots
from graph.embedded.connection import Connection, Db
from graph.embedded.ddl import fold
from graph.embedded.transaction import EmbeddedTransaction
from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    EventPage,
    Excerpt,
    Link,
    Membership,
    Memo,
    MemoPage,
    NodeKind,
    NodeRef,
    Page,
    Participant,
    Project,
    Role,
    Theme,
    Turn,
    User,
)
from graph.transaction import Transaction

T = TypeVar("T")
M = TypeVar("M")

_IN = rows.IN
_EXCERPT_ORDER = 'e.document_id, e.start, e."end", e.id'


class EmbeddedStore(Analytics):
    """The default store: durable on local disk, in-process, zero setup."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / "thememap.sqlite3"
        self._conn = Connection(self.path, "reader")
        self._writer = Connection(self.path, "writer")
        self._one_writer = asyncio.Lock()
        self._snapshots = SnapshotCache()

    # -- lifecycle --------------------------------------------------------------------
    async def open(self) -> None:
        await self._writer.open(migrate=True)
        try:
            await self._conn.open()
        except BaseException:
            await self._writer.close()
            raise

    async def close(self) -> None:
        await self._conn.close()
        await self._writer.close()

    async def ping(self) -> None:
        await self._conn.read(lambda db: db.one("SELECT 1"))

    # -- units of work ----------------------------------------------------------------
    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """One writer at a time (the lock), in one `BEGIN IMMEDIATE` transaction on the writer
        connection, committed (durably: synchronous=FULL) before this returns."""
        async with self._one_writer:
            tx = EmbeddedTransaction(self._writer.run, writable=True)
            return await self._writer.transaction(lambda: work(tx))

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Each primitive of `work` reads committed data in a read transaction of its own."""
        return await work(EmbeddedTransaction(self._conn.read, writable=False))

    async def _nodes(self, kind: NodeKind, ids: Sequence[str]) -> dict[str, Any]:
        return await self.read(lambda tx: tx.nodes(kind, ids))

    # -- users ------------------------------------------------------------------------
    async def get_users(self, ids: Sequence[str]) -> dict[str, User]:
        return await self.read(lambda tx: tx.users(ids))

    async def get_user_by_name(self, name: str) -> User | None:
        return await self.read(lambda tx: tx.user_named(name))

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        def job(db: Db) -> tuple[User, str] | None:
            row = db.one("SELECT * FROM users WHERE token_hash = ?", token_hash)
            return (rows.user(row), row["token_hash"]) if row else None

        return await self._conn.read(job)

    async def find_users(self, search: str | None, after: tuple[str, str] | None, limit: int) -> list[tuple[str, User]]:
        prefix = None if search is None else fold(search)
        key, id = after or (None, None)

        def job(db: Db) -> list[tuple[str, User]]:
            found = db.all(
                "SELECT *, fold(name) AS sort_key FROM users "
                "WHERE (?1 IS NULL OR substr(fold(name), 1, length(?1)) = ?1 OR lower(email) = lower(?2)) "
                "AND (?3 IS NULL OR fold(name) > ?3 OR (fold(name) = ?3 AND id > ?4)) "
                "ORDER BY fold(name), id LIMIT ?5",
                prefix,
                search,
                key,
                id,
                limit,
            )
            return [(r["sort_key"], rows.user(r)) for r in found]

        return await self._conn.read(job)

    # -- membership ------------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        def job(db: Db) -> dict[str, Role]:
            return {
                r["project_id"]: Role(r["role"])
                for r in db.all(
                    f"SELECT project_id, role FROM members WHERE user_id = ? AND project_id {_IN}",
                    user_id,
                    rows.ids(project_ids),
                )
            }

        return await self._conn.read(job)

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]:
        sql = (
            f"SELECT m.* FROM members m JOIN users u ON u.id = m.user_id WHERE m.project_id {_IN} "
            "ORDER BY fold(u.name), u.id"
        )
        return await self._conn.read(lambda db: rows.grouped(db, sql, project_ids, "project_id", rows.membership))

    # -- projects -----------------------------------------------------------------------
    async def list_projects(self) -> list[Project]:
        return await self._conn.read(
            lambda db: [rows.project(r) for r in db.all("SELECT * FROM projects ORDER BY fold(name), id")]
        )

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        return await self._nodes(NodeKind.PROJECT, ids)

    # -- participants -------------------------------------------------------------------
    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]:
        return await self._nodes(NodeKind.PARTICIPANT, ids)

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        return await self._conn.read(
            lambda db: rows.grouped(db, snapshots.PARTICIPANTS_OF_PROJECTS, project_ids, "project_id", rows.participant)
        )

    # -- documents ----------------------------------------------------------------------
    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        return await self._nodes(NodeKind.DOCUMENT, ids)

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]:
        sql = f"SELECT * FROM documents WHERE project_id {_IN} ORDER BY fold(title), id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, project_ids, "project_id", rows.document))

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]:
        sql = f"SELECT * FROM documents WHERE participant_id {_IN} ORDER BY fold(title), id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, participant_ids, "participant_id", rows.document))

    async def turns_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        return await self._conn.read(lambda db: rows.grouped(db, rows.TURNS, document_ids, "document_id", rows.turn))

    # -- excerpts and coding -------------------------------------------------------------
    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]:
        return await self._nodes(NodeKind.EXCERPT, ids)

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        sql = f"SELECT * FROM excerpts e WHERE document_id {_IN} ORDER BY {_EXCERPT_ORDER}"
        return await self._conn.read(lambda db: rows.grouped(db, sql, document_ids, "document_id", rows.excerpt))

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]:
        sql = f"SELECT * FROM codings WHERE excerpt_id {_IN} ORDER BY code_id, coder_id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, excerpt_ids, "excerpt_id", rows.coding))

    async def excerpts_of_codes(
        self,
        code_ids: Sequence[str],
        first: int,
        after: str | None,
        coder_id: str | None = None,
        order: ExcerptOrder = ExcerptOrder.TEXT,
    ) -> dict[str, Page]:
        if order is ExcerptOrder.RECENT:
            return await self._recently_coded(code_ids, first, after, coder_id)
        key = cursors.decode(after, *cursors.EXCERPT_KEY) if after else ["", -1, -1, ""]

        def job(db: Db) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                found = db.all(
                    "SELECT e.* FROM excerpts e WHERE e.id IN "
                    "(SELECT excerpt_id FROM codings WHERE code_id = ? AND (? IS NULL OR coder_id = ?)) "
                    f'AND (e.document_id, e.start, e."end", e.id) > (?, ?, ?, ?) ORDER BY {_EXCERPT_ORDER} LIMIT ?',
                    code_id,
                    coder_id,
                    coder_id,
                    *key,
                    first + 1,
                )
                pages[code_id] = Page.of_excerpts([rows.excerpt(r) for r in found], first)
            return pages

        return await self._conn.read(job)

    async def _recently_coded(
        self, code_ids: Sequence[str], first: int, after: str | None, coder_id: str | None
    ) -> dict[str, Page]:
        at, id = cursors.decode(after, *cursors.CODED_KEY) if after else ["\uffff", ""]

        def job(db: Db) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                found = db.all(
                    "SELECT e.*, min(c.created_at) AS coded_at FROM codings c JOIN excerpts e ON e.id = c.excerpt_id "
                    "WHERE c.code_id = ? AND (? IS NULL OR c.coder_id = ?) GROUP BY e.id "
                    "HAVING coded_at < ? OR (coded_at = ? AND e.id < ?) ORDER BY coded_at DESC, e.id DESC LIMIT ?",
                    code_id,
                    coder_id,
                    coder_id,
                    at,
                    at,
                    id,
                    first + 1,
                )
                pages[code_id] = Page.of_keyed([(rows.excerpt(r), [r["coded_at"], r["id"]]) for r in found], first)
            return pages

        return await self._conn.read(job)

    # -- codes ------------------------------------------------------------------------------
    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]:
        return await self._nodes(NodeKind.CODE, ids)

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._conn.read(
            lambda db: rows.grouped(db, snapshots.CODES_OF_PROJECTS, project_ids, "project_id", rows.code)
        )

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]:
        sql = f"SELECT * FROM codes WHERE parent_id {_IN} ORDER BY fold(name), id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, code_ids, "parent_id", rows.code))

    # -- themes -----------------------------------------------------------------------------
    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]:
        return await self._nodes(NodeKind.THEME, ids)

    async def themes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._conn.read(
            lambda db: rows.grouped(db, snapshots.THEMES_OF_PROJECTS, project_ids, "project_id", rows.theme)
        )

    async def subthemes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Theme]]:
        sql = f"SELECT * FROM themes WHERE parent_id {_IN} ORDER BY fold(name), id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, theme_ids, "parent_id", rows.theme))

    async def codes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Code]]:
        sql = (
            "SELECT c.*, tc.theme_id FROM theme_codes tc JOIN codes c ON c.id = tc.code_id "
            f"WHERE tc.theme_id {_IN} ORDER BY fold(c.name), c.id"
        )
        return await self._conn.read(lambda db: rows.grouped(db, sql, theme_ids, "theme_id", rows.code))

    async def themes_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Theme]]:
        sql = (
            "SELECT t.*, tc.code_id FROM theme_codes tc JOIN themes t ON t.id = tc.theme_id "
            f"WHERE tc.code_id {_IN} ORDER BY fold(t.name), t.id"
        )
        return await self._conn.read(lambda db: rows.grouped(db, sql, code_ids, "code_id", rows.theme))

    async def pinned_quotes(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        found = await self._conn.read(lambda db: rows.pinned(db, list(dict.fromkeys(target_ids))))
        return {id: excerpts for id, excerpts in found.items() if excerpts}

    # -- links and memos -------------------------------------------------------------------
    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]:
        return await self._nodes(NodeKind.LINK, ids)

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]:
        return await self._conn.read(lambda db: rows.links_of(db, "project_id", project_ids))

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]:
        return await self._nodes(NodeKind.MEMO, ids)

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]:
        sql = f"SELECT * FROM memos WHERE project_id {_IN} ORDER BY created_at, id"
        return await self._conn.read(lambda db: rows.grouped(db, sql, project_ids, "project_id", rows.memo))

    async def memos_of_targets(self, target_ids: Sequence[str], first: int, after: str | None) -> dict[str, MemoPage]:
        key = cursors.decode(after, *cursors.MEMO_KEY) if after else ["", ""]

        def job(db: Db) -> dict[str, MemoPage]:
            return {
                target_id: MemoPage.of_memos(
                    [
                        rows.memo(r)
                        for r in db.all(
                            "SELECT * FROM memos WHERE target_id = ? AND (created_at, id) > (?, ?) "
                            "ORDER BY created_at, id LIMIT ?",
                            target_id,
                            *key,
                            first + 1,
                        )
                    ],
                    first,
                    lambda m: rows.instant(m.created_at),
                )
                for target_id in dict.fromkeys(target_ids)
            }

        return await self._conn.read(job)

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        return await self.read(lambda tx: tx.refs(ids))

    # -- activity ---------------------------------------------------------------------------------
    async def activity(
        self,
        project_id: str,
        first: int,
        after: str | None = None,
        actor_id: str | None = None,
        target_id: str | None = None,
    ) -> EventPage:

        def job(db: Db) -> EventPage:
            at, id = cursors.decode(after, *cursors.EVENT_KEY) if after else ["\uffff", ""]
            found = db.all(
                "SELECT * FROM events WHERE project_id = ? AND (at < ? OR (at = ? AND id < ?)) "
                "AND (? IS NULL OR actor_id = ?) "
                "AND (? IS NULL OR EXISTS (SELECT 1 FROM json_each(target_ids) WHERE value = ?)) "
                "ORDER BY at DESC, id DESC LIMIT ?",
                project_id,
                at,
                at,
                id,
                actor_id,
                actor_id,
                target_id,
                target_id,
                first + 1,
            )
            events = [rows.event(r) for r in found[:first]]
            return EventPage(
                events=tuple(events),
                has_next_page=len(found) > first,
                cursors=tuple(cursors.of_event(e.at.isoformat(), e.id) for e in events),
            )

        return await self._conn.read(job)

    async def revision(self, project_id: str) -> int:
        return int(await self._conn.read(lambda db: db.one(snapshots.REVISION, project_id)["n"]))

    async def events_since(
        self, project_id: str, cursor: str | None, limit: int = 100, kinds: Sequence[str] | None = None
    ) -> list[Event]:
        def job(db: Db) -> list[Event]:
            at, id = cursors.decode(cursor, *cursors.EVENT_KEY) if cursor else ["", ""]
            wanted = None if kinds is None else rows.ids(list(kinds))
            return [
                rows.event(r)
                for r in db.all(
                    "SELECT * FROM events WHERE project_id = ? AND (at > ? OR (at = ? AND id > ?)) "
                    "AND (? IS NULL OR substr(type, 1, instr(type, '.') - 1) IN (SELECT value FROM json_each(?))) "
                    "ORDER BY at, id LIMIT ?",
                    project_id,
                    at,
                    at,
                    id,
                    wanted,
                    wanted,
                    limit,
                )
            ]

        return await self._conn.read(job)

    # -- analysis --------------------------------------------------------------------------------
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        return await self._conn.read(lambda db: snapshots.snapshot(db, self._snapshots, project_id, with_text))

    async def search_documents(
        self, project_id: str, terms: list[tuple[str, ...]]
    ) -> list[tuple[str, str | None, str]]:
        prefixes = index_prefixes(terms)  # words as written are indexed; a search matches by stem
        match = " AND ".join(f'"{p}"*' for p in prefixes)

        def job(db: Db) -> list[tuple[str, str | None, str]]:
            found = (
                db.all(
                    "SELECT d.id, d.participant_id, d.text FROM documents_fts "
                    "JOIN documents d ON d.rowid = documents_fts.rowid "
                    "WHERE documents_fts MATCH ? AND d.project_id = ?",
                    match,
                    project_id,
                )
                if prefixes
                else db.all("SELECT id, participant_id, text FROM documents WHERE project_id = ?", project_id)
            )
            return [(r["id"], r["participant_id"], r["text"]) for r in found]

        return await self._conn.read(job)

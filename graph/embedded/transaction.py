"""The embedded adapter's unit of work: `graph.transaction.Transaction` in SQL.

Each method is one job on a connection's worker thread. Under `EmbeddedStore.write` the
jobs run on the writer connection, inside the one transaction `write` holds open; under
`EmbeddedStore.read` each runs on the reader in a read transaction of its own, and the
methods that write refuse. The SQL stores and returns models verbatim: the rules, their
messages and the activity history are the service's.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from itertools import groupby
from typing import Any, Protocol, TypeVar, cast

from graph.embedded import rows
from graph.embedded.connection import Db
from graph.models import (
    Code,
    Coding,
    Event,
    Link,
    NodeKind,
    NodeRef,
    Project,
    Related,
    Role,
    SpeakerRole,
    Stamped,
    Theme,
    Turn,
    User,
)
from graph.transaction import Span, require_writable

T = TypeVar("T")


class Runner(Protocol):
    """Runs a job on a connection's worker thread."""

    def __call__(self, job: Callable[[Db], T]) -> Awaitable[T]: ...


_NAMED = {
    NodeKind.CODE: "SELECT id FROM codes WHERE project_id = ? AND fold(name) = fold(?) "
    "AND ifnull(parent_id, '') = ifnull(?, '') ORDER BY created_at, id",
    NodeKind.THEME: "SELECT id FROM themes WHERE project_id = ? AND fold(name) = fold(?) ORDER BY created_at, id",
    NodeKind.PARTICIPANT: "SELECT id FROM participants WHERE project_id = ? AND fold(pseudonym) = fold(?) "
    "ORDER BY created_at, id",
}

_CODERS_UNDER = {
    NodeKind.EXCERPT: "SELECT DISTINCT coder_id FROM codings WHERE excerpt_id = ?",
    NodeKind.DOCUMENT: "SELECT DISTINCT c.coder_id FROM codings c JOIN excerpts e ON e.id = c.excerpt_id "
    "WHERE e.document_id = ?",
    NodeKind.CODE: "SELECT DISTINCT coder_id FROM codings WHERE code_id = ?",
}

_CREATORS_UNDER = {
    NodeKind.EXCERPT: "SELECT created_by FROM excerpts WHERE id = ?",
    NodeKind.DOCUMENT: "SELECT DISTINCT created_by FROM excerpts WHERE document_id = ?",
}

_MERGE = (
    (
        "INSERT OR IGNORE INTO codings(excerpt_id, code_id, coder_id, project_id, created_at) "
        "SELECT excerpt_id, :target, coder_id, project_id, created_at FROM codings WHERE code_id = :source"
    ),
    (
        "INSERT OR IGNORE INTO theme_codes(theme_id, code_id, project_id, created_by, created_at) "
        "SELECT theme_id, :target, project_id, created_by, created_at FROM theme_codes WHERE code_id = :source"
    ),
    "UPDATE links SET source_id = :target WHERE source_id = :source",
    "UPDATE links SET target_id = :target WHERE target_id = :source",
    "DELETE FROM links WHERE source_id = :target AND target_id = :target",
    "UPDATE memos SET target_id = :target WHERE target_id = :source",
    "DELETE FROM codes WHERE id = :source",  # the cascades take the codings and memberships left behind
)
"""Merging a code into another, in order."""


def _kind(node: Stamped) -> NodeKind:
    return NodeKind(type(node).__name__)


def _project_of(node: Stamped) -> str:
    return node.id if isinstance(node, Project) else node.project_id  # type: ignore[attr-defined]


def _evidence(links: Sequence[Link]) -> list[tuple[str, str, int]]:
    return [
        (link.id, excerpt_id, position)
        for link in links
        for position, excerpt_id in enumerate(link.evidence_excerpt_ids)
    ]


def _insert(db: Db, nodes: Sequence[Stamped]) -> None:
    """One executemany per run of nodes of one kind, so parents still go in before children."""
    for kind, run in groupby(nodes, _kind):
        batch = list(run)
        db.many(
            "INSERT INTO nodes(id, project_id, kind) VALUES (?, ?, ?)",
            [(node.id, _project_of(node), kind.value) for node in batch],
        )
        values = [rows.columns(node) for node in batch]
        names = ", ".join(f'"{name}"' for name in values[0])
        marks = ", ".join("?" * len(values[0]))
        db.many(f"INSERT INTO {rows.TABLES[kind]}({names}) VALUES ({marks})", [tuple(v.values()) for v in values])
        if kind is NodeKind.LINK:
            db.many(
                "INSERT INTO link_evidence(link_id, excerpt_id, position) VALUES (?, ?, ?)",
                _evidence(cast(list[Link], batch)),
            )


def _replace(db: Db, node: Stamped) -> None:
    values = rows.columns(node)
    del values["id"]
    sets = ", ".join(f'"{name}" = ?' for name in values)
    db.run(f"UPDATE {rows.TABLES[_kind(node)]} SET {sets} WHERE id = ?", *values.values(), node.id)
    if isinstance(node, Link):
        db.run("DELETE FROM link_evidence WHERE link_id = ?", node.id)
        db.many("INSERT INTO link_evidence(link_id, excerpt_id, position) VALUES (?, ?, ?)", _evidence([node]))


def _delete(db: Db, kind: NodeKind, id: str) -> None:
    """Delete the kind's row: its table's cascades and triggers remove what cannot outlive it
    (see `graph.embedded.ddl`). A project's nodes go first, their trees undone so that the
    parent references never block, and its history with it."""
    if kind is NodeKind.PROJECT:
        db.run("UPDATE codes SET parent_id = NULL WHERE project_id = ?", id)
        db.run("UPDATE themes SET parent_id = NULL WHERE project_id = ?", id)
        db.run("DELETE FROM nodes WHERE project_id = ? AND id != ?", id, id)
        db.run("DELETE FROM events WHERE project_id = ?", id)
    db.run(f"DELETE FROM {rows.TABLES[kind]} WHERE id = ?", id)


def _nodes(db: Db, kind: NodeKind, ids: Sequence[str]) -> dict[str, Any]:
    if kind is NodeKind.LINK:
        return {link.id: link for link in rows.links(db, f"l.id {rows.IN}", rows.ids(ids))}
    return rows.by_ids(db, rows.TABLES[kind], ids, rows.MAPPERS[kind])


def _ancestors(db: Db, kind: NodeKind, id: str) -> list[str]:
    table = rows.TABLES[kind]
    return [
        r[0]
        for r in db.tuples(
            f"WITH RECURSIVE up(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM {table} WHERE id = ? "
            f"UNION ALL SELECT t.id, t.parent_id, up.depth + 1 FROM {table} t JOIN up ON t.id = up.parent_id) "
            "SELECT id FROM up WHERE depth > 0 ORDER BY depth",
            id,
        )
    ]


def _excerpts_at(db: Db, spans: Sequence[Span]) -> dict[Span, str]:
    """Looked up through the text-order index; should a span hold several excerpts, the oldest
    (it comes last, so it stays in the dict)."""
    found = db.tuples(
        'SELECT e.document_id, e.start, e."end", e.id FROM json_each(?) j CROSS JOIN excerpts e '
        "ON e.document_id = json_extract(j.value, '$[0]') AND e.start = json_extract(j.value, '$[1]') "
        "AND e.\"end\" = json_extract(j.value, '$[2]') ORDER BY e.created_at DESC, e.id DESC",
        json.dumps([list(span) for span in spans]),
    )
    return {(document_id, start, end): id for document_id, start, end, id in found}


def _append(db: Db, events: Sequence[Event]) -> None:
    db.many(
        "INSERT INTO events(id, project_id, actor_id, type, target_ids, at, summary, before, after, reverts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                e.id,
                e.project_id,
                e.actor_id,
                e.type,
                json.dumps(list(e.target_ids)),
                rows.instant(e.at),
                e.summary,
                None if e.before is None else json.dumps(e.before),
                None if e.after is None else json.dumps(e.after),
                e.reverts,
            )
            for e in events
        ],
    )


class EmbeddedTransaction:
    """The primitives of one unit of work; `writable` only under `EmbeddedStore.write`."""

    def __init__(self, run: Runner, writable: bool) -> None:
        self._run = run
        self._writable = writable

    def _writing(self) -> None:
        require_writable(self._writable)

    async def _write(self, job: Callable[[Db], T]) -> T:
        self._writing()
        return await self._run(job)

    # -- nodes -----------------------------------------------------------------------------
    async def refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        found = await self._run(
            lambda db: db.tuples(f"SELECT id, kind, project_id FROM nodes WHERE id {rows.IN}", rows.ids(ids))
        )
        return {id: NodeRef(kind=NodeKind(kind), project_id=project_id) for id, kind, project_id in found}

    async def nodes(self, kind: NodeKind, ids: Sequence[str]) -> dict[str, Any]:
        return await self._run(lambda db: _nodes(db, kind, ids))

    async def lock(self, ids: Sequence[str]) -> None:
        """Nothing to do: `BEGIN IMMEDIATE` holds the whole database's write lock already."""
        self._writing()

    async def insert(self, nodes: Sequence[Stamped]) -> None:
        await self._write(lambda db: _insert(db, nodes))

    async def replace(self, node: Stamped) -> None:
        await self._write(lambda db: _replace(db, node))

    async def delete(self, kind: NodeKind, id: str) -> None:
        await self._write(lambda db: _delete(db, kind, id))

    # -- users and membership ------------------------------------------------------------
    async def users(self, ids: Sequence[str]) -> dict[str, User]:
        return await self._run(lambda db: rows.by_ids(db, "users", ids, rows.user))

    async def user_named(self, name: str) -> User | None:
        row = await self._run(
            lambda db: db.one("SELECT * FROM users WHERE fold(name) = fold(?) ORDER BY created_at, id LIMIT 1", name)
        )
        return rows.user(row) if row else None

    async def insert_user(self, user: User) -> None:
        await self._write(
            lambda db: db.run(
                "INSERT INTO users(id, name, email, created_at) VALUES (?, ?, ?, ?)",
                user.id,
                user.name,
                user.email,
                rows.instant(user.created_at),
            )
        )

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> bool:
        return bool(
            await self._write(lambda db: db.run("UPDATE users SET token_hash = ? WHERE id = ?", token_hash, user_id))
        )

    async def role(self, project_id: str, user_id: str) -> Role | None:
        row = await self._run(
            lambda db: db.one("SELECT role FROM members WHERE project_id = ? AND user_id = ?", project_id, user_id)
        )
        return Role(row["role"]) if row else None

    async def owners(self, project_id: str) -> list[str]:
        found = await self._run(
            lambda db: db.tuples(
                "SELECT user_id FROM members WHERE project_id = ? AND role = ? ORDER BY user_id",
                project_id,
                Role.OWNER.value,
            )
        )
        return [user_id for (user_id,) in found]

    async def set_role(self, project_id: str, user_id: str, role: Role) -> None:
        await self._write(
            lambda db: db.run(
                "INSERT INTO members(project_id, user_id, role) VALUES (?, ?, ?) "
                "ON CONFLICT(project_id, user_id) DO UPDATE SET role = excluded.role",
                project_id,
                user_id,
                role.value,
            )
        )

    async def remove_role(self, project_id: str, user_id: str) -> None:
        await self._write(
            lambda db: db.run("DELETE FROM members WHERE project_id = ? AND user_id = ?", project_id, user_id)
        )

    # -- trees and names -----------------------------------------------------------------
    async def named(self, kind: NodeKind, project_id: str, name: str, parent_id: str | None = None) -> list[str]:
        params = (project_id, name, parent_id) if kind is NodeKind.CODE else (project_id, name)
        return [id for (id,) in await self._run(lambda db: db.tuples(_NAMED[kind], *params))]

    async def children(self, kind: NodeKind, parent_id: str) -> list[Code] | list[Theme]:
        found = await self._run(
            lambda db: db.all(
                f"SELECT * FROM {rows.TABLES[kind]} WHERE parent_id = ? ORDER BY fold(name), id", parent_id
            )
        )
        return [rows.MAPPERS[kind](row) for row in found]

    async def ancestors(self, kind: NodeKind, id: str) -> list[str]:
        return await self._run(lambda db: _ancestors(db, kind, id))

    # -- excerpts and codings ------------------------------------------------------------
    async def excerpts_at(self, spans: Sequence[Span]) -> dict[Span, str]:
        return await self._run(lambda db: _excerpts_at(db, spans))

    async def document_texts(self, ids: Sequence[str]) -> dict[str, str]:
        sql = f"SELECT id, text FROM documents WHERE id {rows.IN}"
        return dict(await self._run(lambda db: db.tuples(sql, rows.ids(ids))))

    async def codings(self, excerpt_ids: Sequence[str]) -> list[Coding]:
        sql = f"SELECT * FROM codings WHERE excerpt_id {rows.IN} ORDER BY excerpt_id, code_id, coder_id"
        return await self._run(lambda db: [rows.coding(row) for row in db.all(sql, rows.ids(excerpt_ids))])

    async def insert_codings(self, codings: Sequence[Coding]) -> None:
        await self._write(
            lambda db: db.many(
                "INSERT OR IGNORE INTO codings(excerpt_id, code_id, coder_id, project_id, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(c.excerpt_id, c.code_id, c.coder_id, c.project_id, rows.instant(c.created_at)) for c in codings],
            )
        )

    async def delete_coding(self, excerpt_id: str, code_id: str, coder_id: str) -> bool:
        return bool(
            await self._write(
                lambda db: db.run(
                    "DELETE FROM codings WHERE excerpt_id = ? AND code_id = ? AND coder_id = ?",
                    excerpt_id,
                    code_id,
                    coder_id,
                )
            )
        )

    async def coders_under(self, kind: NodeKind, id: str) -> set[str]:
        return await self._people(_CODERS_UNDER.get(kind), id)

    async def related(self, id: str) -> Related:
        def job(db: Db) -> Related:
            excerpts = [r[0] for r in db.tuples("SELECT id FROM excerpts WHERE document_id = ? ORDER BY id", id)]
            held = rows.ids([id, *excerpts])
            links = [
                r[0] for r in db.tuples("SELECT id FROM links WHERE source_id = ? OR target_id = ? ORDER BY id", id, id)
            ]
            return Related(
                excerpt_ids=tuple(excerpts),
                codings=tuple(
                    rows.coding(r)
                    for r in db.all(
                        f"SELECT * FROM codings WHERE code_id = ? OR excerpt_id {rows.IN} "
                        "ORDER BY excerpt_id, code_id, coder_id",
                        id,
                        held,
                    )
                ),
                memberships=tuple(
                    (r[0], r[1])
                    for r in db.tuples(
                        "SELECT code_id, theme_id FROM theme_codes WHERE code_id = ? OR theme_id = ? "
                        "ORDER BY code_id, theme_id",
                        id,
                        id,
                    )
                ),
                link_ids=tuple(links),
                citing_link_ids=tuple(
                    r[0]
                    for r in db.tuples(
                        f"SELECT DISTINCT link_id FROM link_evidence WHERE excerpt_id {rows.IN} ORDER BY link_id", held
                    )
                ),
                memo_ids=tuple(
                    r[0]
                    for r in db.tuples(
                        f"SELECT id FROM memos WHERE target_id {rows.IN} ORDER BY id",
                        rows.ids([id, *excerpts, *links]),
                    )
                ),
                document_ids=tuple(
                    r[0] for r in db.tuples("SELECT id FROM documents WHERE participant_id = ? ORDER BY id", id)
                ),
            )

        return await self._run(job)

    async def creators_under(self, kind: NodeKind, id: str) -> set[str]:
        return await self._people(_CREATORS_UNDER.get(kind), id)

    async def _people(self, sql: str | None, id: str) -> set[str]:
        if sql is None:
            return set()
        return {person for (person,) in await self._run(lambda db: db.tuples(sql, id))}

    # -- speaker turns ---------------------------------------------------------------------
    async def turns(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        return await self._run(lambda db: rows.grouped(db, rows.TURNS, document_ids, "document_id", rows.turn))

    async def set_turns(self, document_id: str, turns: Sequence[Turn]) -> None:
        def job(db: Db) -> None:
            db.run("DELETE FROM turns WHERE document_id = ?", document_id)
            db.many(
                'INSERT INTO turns(document_id, start, "end", speaker, role) VALUES (?, ?, ?, ?, ?)',
                [(document_id, t.start, t.end, t.speaker, rows.value(t.role)) for t in turns],
            )

        await self._write(job)

    async def set_speaker_role(self, document_id: str, speaker: str, role: SpeakerRole | None) -> None:
        await self._write(
            lambda db: db.run(
                "UPDATE turns SET role = ? WHERE document_id = ? AND speaker = ?",
                rows.value(role),
                document_id,
                speaker,
            )
        )

    # -- concepts --------------------------------------------------------------------------
    async def theme_codes(self, theme_ids: Sequence[str]) -> dict[str, list[str]]:
        sql = f"SELECT theme_id, code_id FROM theme_codes WHERE theme_id {rows.IN} ORDER BY theme_id, code_id"
        members: dict[str, list[str]] = {id: [] for id in theme_ids}
        for theme_id, code_id in await self._run(lambda db: db.tuples(sql, rows.ids(theme_ids))):
            members[theme_id].append(code_id)
        return members

    async def add_to_themes(self, members: Sequence[tuple[str, str]], project_id: str, actor: str, at: str) -> None:
        await self._write(
            lambda db: db.many(
                "INSERT OR IGNORE INTO theme_codes(theme_id, code_id, project_id, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(theme_id, code_id, project_id, actor, at) for code_id, theme_id in members],
            )
        )

    async def remove_from_theme(self, code_id: str, theme_id: str) -> bool:
        return bool(
            await self._write(
                lambda db: db.run("DELETE FROM theme_codes WHERE theme_id = ? AND code_id = ?", theme_id, code_id)
            )
        )

    async def pinned(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        return await self._run(lambda db: rows.pinned(db, target_ids))

    async def set_pinned(self, target_id: str, project_id: str, excerpt_ids: Sequence[str]) -> None:
        def job(db: Db) -> None:
            db.run("DELETE FROM pinned_quotes WHERE target_id = ?", target_id)
            db.many(
                "INSERT INTO pinned_quotes(target_id, excerpt_id, project_id, position) VALUES (?, ?, ?, ?)",
                [(target_id, excerpt_id, project_id, i) for i, excerpt_id in enumerate(excerpt_ids)],
            )

        await self._write(job)

    async def links_between(self, a: str, b: str) -> list[Link]:
        return await self._run(
            lambda db: rows.links(
                db, "(l.source_id = ? AND l.target_id = ?) OR (l.source_id = ? AND l.target_id = ?)", a, b, b, a
            )
        )

    async def merge_code(self, source_id: str, target_id: str) -> None:
        def job(db: Db) -> None:
            for sql in _MERGE:
                db.conn.execute(sql, {"source": source_id, "target": target_id})

        await self._write(job)

    # -- the map's node positions -------------------------------------------------------------
    async def positions(self, project_id: str) -> dict[str, tuple[float, float]]:
        sql = "SELECT node_id, x, y FROM positions WHERE project_id = ? ORDER BY node_id"
        return {id: (x, y) for id, x, y in await self._run(lambda db: db.tuples(sql, project_id))}

    async def set_positions(self, project_id: str, positions: Mapping[str, tuple[float, float]]) -> None:
        await self._write(
            lambda db: db.many(
                "INSERT INTO positions(node_id, project_id, x, y) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(node_id) DO UPDATE SET x = excluded.x, y = excluded.y",
                [(id, project_id, x, y) for id, (x, y) in positions.items()],
            )
        )

    # -- history ---------------------------------------------------------------------------
    async def append(self, events: Sequence[Event]) -> None:
        await self._write(lambda db: _append(db, events))

    async def event(self, id: str) -> Event | None:
        found = await self._run(lambda db: db.all("SELECT * FROM events WHERE id = ?", id))
        return rows.event(found[0]) if found else None

    async def removed(self, project_id: str, ids: Sequence[str]) -> dict[str, datetime]:
        sql = (
            "SELECT json_extract(target_ids, '$[0]') AS id, max(at) AS at FROM events "
            "WHERE project_id = ? AND (type LIKE '%.deleted' OR type = 'code.merged') "
            f"AND json_extract(target_ids, '$[0]') {rows.IN} GROUP BY 1"
        )
        found = await self._run(lambda db: db.tuples(sql, project_id, rows.ids(ids)))
        return {id: datetime.fromisoformat(at) for id, at in found}

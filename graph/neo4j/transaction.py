"""The unit of work of the neo4j adapter: `graph.transaction.Transaction` over one managed
transaction of the driver.

Each method is a few parameterised statements from `graph.neo4j.cypher`, nothing more: the
rules, their messages and the activity entries are the service's (`graph.service`). Bulk
writes go in UNWIND batches of `BATCH` rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from neo4j import AsyncManagedTransaction, Record

from graph.models import (
    Code,
    Coding,
    Event,
    Link,
    NodeKind,
    NodeRef,
    Related,
    Role,
    SpeakerRole,
    Stamped,
    Theme,
    Turn,
    User,
)
from graph.neo4j import cypher as q
from graph.neo4j import records
from graph.transaction import Span, require_writable

Tx = AsyncManagedTransaction

BATCH = 1000
"""Rows per UNWIND statement in bulk writes (ArcadeDB slows down past ~1,000)."""
BATCH_CHARS = 4_000_000
"""Characters of text at most per UNWIND statement (but at least one row): a Bolt message has
a limit (ArcadeDB refuses one past 16 MiB, and the driver then waits for an answer for ever),
and a thousand long transcripts are far past it."""

_READERS: dict[NodeKind, tuple[str, Callable[[Record], Any]]] = {
    NodeKind.PROJECT: (q.GET_PROJECTS, records.project),
    NodeKind.PARTICIPANT: (q.GET_PARTICIPANTS, records.participant),
    NodeKind.DOCUMENT: (q.GET_DOCUMENTS, records.document),
    NodeKind.EXCERPT: (q.GET_EXCERPTS, records.excerpt),
    NodeKind.CODE: (q.GET_CODES, records.code),
    NodeKind.THEME: (q.GET_THEMES, records.theme),
    NodeKind.LINK: (q.GET_LINKS, records.link),
    NodeKind.MEMO: (q.GET_MEMOS, records.memo),
}
"""Per kind, the statement reading nodes by `$ids` and the mapper from its records to models."""


async def rows(tx: Tx, statement: str, **params: Any) -> list[Record]:
    result = await tx.run(statement, params)
    return [record async for record in result]


async def one(tx: Tx, statement: str, **params: Any) -> Record | None:
    found = await rows(tx, statement, **params)
    return found[0] if found else None


async def _batched(tx: Tx, statement: str, items: Sequence[dict[str, Any]]) -> None:
    """Run an UNWIND `$rows` statement over `items`, in batches (see `batches`)."""
    for batch in batches(items):
        await rows(tx, statement, rows=batch)


def batches(items: Sequence[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """`items` in order, `BATCH` rows at a time, fewer where their text passes `BATCH_CHARS`."""
    batch: list[dict[str, Any]] = []
    chars = 0
    for item in items:
        size = sum(_chars(value) for value in item.values())
        if batch and (len(batch) == BATCH or chars + size > BATCH_CHARS):
            yield batch
            batch, chars = [], 0
        batch.append(item)
        chars += size
    if batch:
        yield batch


def _chars(value: Any) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list | tuple):
        return sum(_chars(v) for v in value)
    if isinstance(value, dict):
        return sum(_chars(v) for v in value.values())
    return 0


def _kind(node: Stamped) -> NodeKind:
    return NodeKind(type(node).__name__)


def _evidence(links: Sequence[Link]) -> list[dict[str, Any]]:
    """The links' evidence entries as ADD_EVIDENCE rows, each with its place in its link's list."""
    return [
        {"id": link.id, "to": excerpt_id, "position": i}
        for link in links
        for i, excerpt_id in enumerate(link.evidence_excerpt_ids)
    ]


class Neo4jTransaction:
    """The primitives of one unit of work; `writable` only under `Neo4jStore.write`. (Neo4j refuses
    writes in a read transaction by itself, ArcadeDB does not: the check here makes them alike.)"""

    def __init__(self, tx: Tx, writable: bool) -> None:
        self._tx = tx
        self._writable = writable

    async def _read(self, statement: str, **params: Any) -> list[Record]:
        return await rows(self._tx, statement, **params)

    async def _one(self, statement: str, **params: Any) -> Record | None:
        return await one(self._tx, statement, **params)

    async def _ids(self, statement: str, **params: Any) -> list[str]:
        return [r["id"] for r in await rows(self._tx, statement, **params)]

    def _writing(self) -> None:
        require_writable(self._writable)

    async def _write(self, statement: str, **params: Any) -> Record | None:
        """Run a writing statement; its first record, for those that count what they changed."""
        self._writing()
        return await one(self._tx, statement, **params)

    async def _write_each(self, statement: str, items: Sequence[dict[str, Any]]) -> None:
        self._writing()
        await _batched(self._tx, statement, items)

    # -- nodes -----------------------------------------------------------------------------
    async def refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        return {
            r["id"]: NodeRef(kind=NodeKind(r["kind"]), project_id=r["project_id"])
            for r in await self._read(q.NODES, ids=list(ids))
        }

    async def nodes(self, kind: NodeKind, ids: Sequence[str]) -> dict[str, Any]:
        statement, mapper = _READERS[kind]
        return {model.id: model for model in map(mapper, await self._read(statement, ids=list(ids)))}

    async def lock(self, ids: Sequence[str]) -> None:
        await self._write(q.LOCK, ids=list(ids))

    async def insert(self, nodes: Sequence[Stamped]) -> None:
        """Every node first, then the relationships, so that they may join nodes of this same call."""
        by_kind: defaultdict[NodeKind, list[Stamped]] = defaultdict(list)
        for node in nodes:
            by_kind[_kind(node)].append(node)
        for kind, group in by_kind.items():
            await self._write_each(q.CREATE_NODES[kind.value], [records.node_props(n) for n in group])
        for kind, group in by_kind.items():
            for field, _, _ in q.EDGES.get(kind.value, ()):
                ends = [{"id": n.id, "to": getattr(n, field)} for n in group if getattr(n, field) is not None]
                await self._write_each(q.RELATE[f"{kind.value}.{field}"], ends)
        await self._write_each(q.ADD_EVIDENCE, _evidence([n for n in nodes if isinstance(n, Link)]))

    async def replace(self, node: Stamped) -> None:
        kind = _kind(node)
        await self._write(q.REPLACE_NODE, id=node.id, props=records.node_props(node))
        for field, _, _ in q.EDGES.get(kind.value, ()):
            await self._write(q.REPOINT[f"{kind.value}.{field}"], id=node.id, to=getattr(node, field))
        if isinstance(node, Link):
            await self._write(q.CLEAR_EVIDENCE, id=node.id)
            await self._write_each(q.ADD_EVIDENCE, _evidence([node]))

    async def delete(self, kind: NodeKind, id: str) -> None:
        if kind is NodeKind.PROJECT:
            await self._write(q.DELETE_PROJECT, id=id)  # its memberships go with it (DETACH)
            await self._write(q.DELETE_PROJECT_TURNS, id=id)
            await self._write(q.DELETE_PROJECT_EVENTS, id=id)
            await self._write(q.DELETE_PROJECT_POSITIONS, id=id)
        else:
            if kind is NodeKind.DOCUMENT:
                await self._write(q.DELETE_TURNS, ids=[id])
            await self._write(q.DELETE_NODES[kind.value], ids=[id])

    # -- users and membership ------------------------------------------------------------
    async def users(self, ids: Sequence[str]) -> dict[str, User]:
        return {u.id: u for u in map(records.user, await self._read(q.GET_USERS, ids=list(ids)))}

    async def user_named(self, name: str) -> User | None:
        found = await self._one(q.USER_BY_NAME, name=name)
        return records.user(found) if found else None

    async def insert_user(self, user: User) -> None:
        await self._write(q.CREATE_USER, props=records.user_props(user))

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> bool:
        changed = await self._write(q.SET_TOKEN_HASH, id=user_id, token_hash=token_hash)
        return bool(changed and changed["n"])

    async def role(self, project_id: str, user_id: str) -> Role | None:
        found = await self._one(q.MEMBER_ROLE, project_id=project_id, user_id=user_id)
        return Role(found["role"]) if found else None

    async def owners(self, project_id: str) -> list[str]:
        return await self._ids(q.HOLDERS_OF_ROLE, project_id=project_id, role=Role.OWNER.value)

    async def set_role(self, project_id: str, user_id: str, role: Role) -> None:
        await self._write(q.SET_ROLE, project_id=project_id, user_id=user_id, role=role.value)

    async def remove_role(self, project_id: str, user_id: str) -> None:
        await self._write(q.REMOVE_MEMBER, project_id=project_id, user_id=user_id)

    # -- trees and names -----------------------------------------------------------------
    async def named(self, kind: NodeKind, project_id: str, name: str, parent_id: str | None = None) -> list[str]:
        return await self._ids(q.NAMED[kind.value], project_id=project_id, name=name, parent_id=parent_id)

    async def children(self, kind: NodeKind, parent_id: str) -> list[Code] | list[Theme]:
        if kind is NodeKind.CODE:
            return [records.code(r) for r in await self._read(q.CHILDREN_OF_CODES, ids=[parent_id])]
        return [records.theme(r) for r in await self._read(q.SUBTHEMES_OF_THEMES, ids=[parent_id])]

    async def ancestors(self, kind: NodeKind, id: str) -> list[str]:
        return await self._ids(q.ANCESTORS[kind.value], id=id)

    # -- excerpts and codings ------------------------------------------------------------
    async def excerpts_at(self, spans: Sequence[Span]) -> dict[Span, str]:
        """The oldest excerpt at each span, should there be several."""
        found: dict[Span, str] = {}
        params = [{"document_id": d, "start": s, "end": e} for d, s, e in dict.fromkeys(spans)]
        for r in await self._read(q.SAME_SPANS, spans=params):
            found.setdefault((r["document_id"], r["start"], r["end"]), r["id"])
        return found

    async def document_texts(self, ids: Sequence[str]) -> dict[str, str]:
        return {r["id"]: r["text"] for r in await self._read(q.DOCUMENT_TEXTS, ids=list(ids))}

    async def codings(self, excerpt_ids: Sequence[str]) -> list[Coding]:
        return [records.coding(r) for r in await self._read(q.CODINGS, ids=list(dict.fromkeys(excerpt_ids)))]

    async def insert_codings(self, codings: Sequence[Coding]) -> None:
        await self._write_each(q.CODE_EXCERPTS, [records.coding_row(c) for c in codings])

    async def delete_coding(self, excerpt_id: str, code_id: str, coder_id: str) -> bool:
        removed = await self._write(q.UNCODE_EXCERPT, excerpt_id=excerpt_id, code_id=code_id, coder=coder_id)
        return bool(removed and removed["removed"])

    async def coders_under(self, kind: NodeKind, id: str) -> set[str]:
        statement = q.CODERS_UNDER.get(kind.value)
        return set(await self._ids(statement, id=id)) if statement else set()

    async def related(self, id: str) -> Related:
        excerpts = await self._ids(q.RELATED_EXCERPTS, id=id)
        held = [id, *excerpts]
        links = await self._ids(q.RELATED_LINKS, id=id)
        return Related(
            excerpt_ids=tuple(excerpts),
            codings=tuple(records.coding(r) for r in await self._read(q.RELATED_CODINGS, id=id, held=held)),
            memberships=tuple((r["code_id"], r["theme_id"]) for r in await self._read(q.RELATED_MEMBERSHIPS, id=id)),
            link_ids=tuple(links),
            citing_link_ids=tuple(await self._ids(q.RELATED_CITING, held=held)),
            memo_ids=tuple(await self._ids(q.RELATED_MEMOS, held=[*held, *links])),
            document_ids=tuple(await self._ids(q.RELATED_DOCUMENTS, id=id)),
        )

    async def creators_under(self, kind: NodeKind, id: str) -> set[str]:
        statement = q.CREATORS_UNDER.get(kind.value)
        return set(await self._ids(statement, id=id)) if statement else set()

    # -- speaker turns ---------------------------------------------------------------------
    async def turns(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        found: dict[str, list[Turn]] = {id: [] for id in document_ids}
        for r in await self._read(q.TURNS_OF_DOCUMENTS, ids=list(found)):
            found[r["key"]].append(records.turn(r))
        return found

    async def set_turns(self, document_id: str, turns: Sequence[Turn]) -> None:
        await self._write(q.DELETE_TURNS, ids=[document_id])
        await self._write_each(q.ADD_TURNS, [records.turn_row(document_id, t) for t in turns])

    async def set_speaker_role(self, document_id: str, speaker: str, role: SpeakerRole | None) -> None:
        await self._write(q.SET_SPEAKER_ROLE, id=document_id, speaker=speaker, role=role.value if role else None)

    # -- concepts --------------------------------------------------------------------------
    async def theme_codes(self, theme_ids: Sequence[str]) -> dict[str, list[str]]:
        members: dict[str, list[str]] = {id: [] for id in theme_ids}
        for r in await self._read(q.THEME_CODES, ids=list(members)):
            members[r["theme_id"]].append(r["code_id"])
        return members

    async def add_to_themes(self, members: Sequence[tuple[str, str]], project_id: str, actor: str, at: str) -> None:
        """`project_id` is not stored: the membership's ends carry it."""
        await self._write_each(
            q.ADD_TO_THEMES, [{"code_id": c, "theme_id": t, "actor": actor, "at": at} for c, t in members]
        )

    async def remove_from_theme(self, code_id: str, theme_id: str) -> bool:
        removed = await self._write(q.REMOVE_FROM_THEME, code_id=code_id, theme_id=theme_id)
        return bool(removed and removed["removed"])

    async def pinned(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {id: [] for id in target_ids}
        for r in await self._read(q.PINNED_QUOTES, ids=list(found)):
            found[r["key"]].append(r["excerpt_id"])
        return found

    async def set_pinned(self, target_id: str, project_id: str, excerpt_ids: Sequence[str]) -> None:
        """`project_id` is not stored: the pin's ends carry it."""
        await self._write(q.CLEAR_PINNED, id=target_id)
        pins = [{"excerpt_id": excerpt_id, "position": i} for i, excerpt_id in enumerate(excerpt_ids)]
        if pins:
            await self._write(q.ADD_PINNED, id=target_id, rows=pins)

    async def links_between(self, a: str, b: str) -> list[Link]:
        return [records.link(r) for r in await self._read(q.LINKS_BETWEEN, a=a, b=b)]

    async def merge_code(self, source_id: str, target_id: str) -> None:
        for statement in (q.MOVE_CODINGS, q.MOVE_MEMBERSHIPS, q.MOVE_LINK_SOURCES, q.MOVE_LINK_TARGETS, q.MOVE_MEMOS):
            await self._write(statement, source_id=source_id, target_id=target_id)
        await self._write(q.DELETE_NODES[NodeKind.LINK.value], ids=await self._ids(q.SELF_LINKS, id=target_id))
        await self._write(q.DELETE_NODES[NodeKind.CODE.value], ids=[source_id])

    # -- the map's node positions -------------------------------------------------------------
    async def positions(self, project_id: str) -> dict[str, tuple[float, float]]:
        return {r["id"]: (r["x"], r["y"]) for r in await self._read(q.POSITIONS, project_id=project_id)}

    async def set_positions(self, project_id: str, positions: Mapping[str, tuple[float, float]]) -> None:
        await self._write(q.DELETE_LEFT_POSITIONS, project_id=project_id)
        await self._write_each(q.SET_POSITIONS, [{"id": id, "x": x, "y": y} for id, (x, y) in positions.items()])

    # -- history ---------------------------------------------------------------------------
    async def append(self, events: Sequence[Event]) -> None:
        await self._write_each(q.LOG_EVENTS, [records.event_props(e) for e in events])

    async def event(self, id: str) -> Event | None:
        found = await self._read(q.GET_EVENT, id=id)
        return records.event(found[0]) if found else None

    async def removed(self, project_id: str, ids: Sequence[str]) -> dict[str, datetime]:
        found = await self._read(q.REMOVED, project_id=project_id, ids=list(dict.fromkeys(ids)))
        return {r["id"]: datetime.fromisoformat(r["at"]) for r in found}

"""The neo4j adapter: the store port over Bolt with the official async driver.

Each public method is one managed transaction (`execute_read` / `execute_write`, which
retry transient errors), with every value passed as a parameter. Statements live in
`graph.neo4j.cypher`; the domain rules shared with the embedded adapter in `graph.rules`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, AsyncManagedTransaction, Record
from neo4j.exceptions import (
    AuthError,
    ClientError,
    ConnectionAcquisitionTimeoutError,
    ConstraintError,
    DatabaseUnavailable,
    IncompleteCommit,
    ServiceUnavailable,
    SessionExpired,
)

from graph import activity, cursors
from graph.analysis.cache import SnapshotCache
from graph.analysis.service import Analytics
from graph.analysis.snapshot import CodingFact, ExcerptFact, Snapshot
from graph.errors import BadInput, Conflict, NotFound, StoreUnavailable
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
    Event,
    EventPage,
    Excerpt,
    Link,
    LinkKind,
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
from graph.neo4j import cypher as q
from graph.neo4j import records
from graph.rules import check_codable, check_span, check_version, keep_an_owner, new_id, now, same_project

log = logging.getLogger("thememap.neo4j")

T = TypeVar("T")
M = TypeVar("M")
Tx = AsyncManagedTransaction

_CONSTRAINT_RETRIES = 3
RETRY_SECONDS = 5.0
"""How long a transaction retries through a lost connection (the driver's default is
30 s) before the request answers UNAVAILABLE; also the connect timeout."""
_UNREACHABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, ConnectionAcquisitionTimeoutError, OSError)
BATCH = 1000
"""Rows per UNWIND statement in bulk writes (ArcadeDB slows down past ~1,000)."""


def _at() -> str:
    return now().isoformat()


def _stamps(actor: str) -> dict[str, str]:
    at = _at()
    return {"created_by": actor, "created_at": at, "updated_by": actor, "updated_at": at}


async def _rows(tx: Tx, statement: str, **params: Any) -> list[Record]:
    result = await tx.run(statement, params)
    return [record async for record in result]


async def _one(tx: Tx, statement: str, **params: Any) -> Record | None:
    found = await _rows(tx, statement, **params)
    return found[0] if found else None


async def _node(tx: Tx, id: str, *kinds: NodeKind) -> Record:
    """The node's project and kind; NotFound unless it exists with one of `kinds`."""
    found = await _one(tx, q.NODE, id=id)
    if found is None or NodeKind(found["kind"]) not in kinds:
        raise NotFound(" or ".join(k.value.lower() for k in kinds), id)
    return found


async def _lock(tx: Tx, *ids: str) -> None:
    await _rows(tx, q.LOCK, ids=list(ids))


async def _free(tx: Tx, id: str) -> None:
    """Ids are unique across all nodes (the embedded store enforces the same)."""
    if await _one(tx, q.NODE, id=id) is not None:
        raise BadInput(f"Id {id!r} is already in use; leave the id out to get a new one.")


async def _create(tx: Tx, kind: NodeKind, props: dict[str, Any]) -> None:
    """Create a node that has no relationships yet."""
    await _free(tx, props["id"])
    await _rows(tx, q.CREATE_NODE[kind.value], props=props)


async def _log(tx: Tx, e: Event) -> None:
    """Append to the project's activity history, in the write's own transaction."""
    await _rows(tx, q.LOG_EVENT, props=records.event_props(e))


_READERS: dict[NodeKind, tuple[str, Callable[[Record], Any]]] = {
    NodeKind.PROJECT: (q.GET_PROJECTS, records.project), NodeKind.PARTICIPANT: (q.GET_PARTICIPANTS, records.participant),
    NodeKind.DOCUMENT: (q.GET_DOCUMENTS, records.document), NodeKind.EXCERPT: (q.GET_EXCERPTS, records.excerpt),
    NodeKind.CODE: (q.GET_CODES, records.code), NodeKind.THEME: (q.GET_THEMES, records.theme),
    NodeKind.LINK: (q.GET_LINKS, records.link), NodeKind.MEMO: (q.GET_MEMOS, records.memo),
}


async def _model(tx: Tx, kind: NodeKind, id: str) -> Any:
    """The current model of an existing node."""
    statement, mapper = _READERS[kind]
    return mapper(await _one(tx, statement, ids=[id]))


async def _created(tx: Tx, actor: str, kind: NodeKind, id: str) -> Any:
    model = await _model(tx, kind, id)
    await _log(tx, activity.created(actor, model))
    return model


async def _updated(tx: Tx, actor: str, before: Any) -> Any:
    after = await _model(tx, NodeKind(type(before).__name__), before.id)
    await _log(tx, activity.updated(actor, before, after))
    return after


async def _deleted(tx: Tx, actor: str, kind: NodeKind, id: str, *also: str) -> None:
    """Log the deletion of a node, then delete it with what cannot outlive it (and `also`)."""
    await _log(tx, activity.deleted(actor, await _model(tx, kind, id)))
    await _rows(tx, q.DELETE_NODES, ids=[id, *also])


async def _user_name(tx: Tx, user_id: str) -> str:
    return str((await _one(tx, q.GET_USERS, ids=[user_id]))["n"]["name"])


def _by_id(rows: list[Record], mapper: Callable[[Record], M]) -> dict[str, M]:
    out: dict[str, M] = {}
    for row in rows:
        model = mapper(row)
        out[model.id] = model  # type: ignore[attr-defined]
    return out


def _grouped(ids: Sequence[str], rows: list[Record], mapper: Callable[[Record], M]) -> dict[str, list[M]]:
    out: dict[str, list[M]] = {id: [] for id in ids}
    for row in rows:
        out[row["key"]].append(mapper(row))
    return out


class Neo4jStore(Analytics):
    """The store on a Neo4j server (or any Bolt server speaking Neo4j 5 Cypher)."""

    def __init__(self, uri: str, user: str, password: str, database: str) -> None:
        self.uri = uri
        self.user = user
        self.database = database
        self._password = password
        self._driver: AsyncDriver | None = None
        self._full_text = False
        self._snapshots = SnapshotCache()
        self._snapshot_reads: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    # -- lifecycle ---------------------------------------------------------------------
    async def open(self) -> None:
        self._driver = AsyncGraphDatabase.driver(
            self.uri, auth=(self.user, self._password),
            max_transaction_retry_time=RETRY_SECONDS, connection_timeout=RETRY_SECONDS,
        )
        try:
            await self._driver.verify_connectivity()
            await self._create_schema()
        except AuthError as exc:
            await self.close()
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused the credentials of user {self.user!r}: check NEO4J_USER and NEO4J_PASSWORD."
            ) from exc
        except (ServiceUnavailable, OSError) as exc:
            await self.close()
            raise StoreUnavailable(
                f"Cannot reach Neo4j at {self.uri}: check that the server is running and NEO4J_URI is right "
                f"({' '.join(str(exc).split())})."
            ) from exc
        except ClientError as exc:
            await self.close()
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused database {self.database!r}: check NEO4J_DATABASE "
                f"({' '.join(str(exc.message).split())})."
            ) from exc

    async def _create_schema(self) -> None:
        assert self._driver is not None
        for statement in q.schema_statements():
            await self._driver.execute_query(statement, database_=self.database)
        try:
            await self._driver.execute_query(q.DOCUMENT_FULLTEXT, database_=self.database)
            self._full_text = True
        except ClientError as exc:
            # ArcadeDB (the test suite's Bolt server) has no Cypher full-text indexes; Neo4j does.
            # Without one, search_documents reads the project's transcripts instead.
            log.warning("full-text index not created (%s); text search will scan", exc.message)
            self._full_text = False

    async def close(self) -> None:
        if self._driver is not None:
            await self._driver.close()
            self._driver = None

    async def ping(self) -> None:
        """One `RETURN 1`, not retried: readiness must answer at once."""
        assert self._driver is not None, "the neo4j store is not open"
        with self._reachable():
            async with self._driver.session(database=self.database) as session:
                await (await session.run(q.PING)).consume()

    @contextlib.contextmanager
    def _reachable(self) -> Iterator[None]:
        """Turn the driver's connection failures (left after its own retries) into
        StoreUnavailable, so clients get UNAVAILABLE rather than INTERNAL."""
        try:
            yield
        except IncompleteCommit as exc:
            raise StoreUnavailable(
                f"The connection to Neo4j at {self.uri} broke while a change was being committed: it may or may "
                "not have been applied. Read the data again before retrying."
            ) from exc
        except _UNREACHABLE as exc:
            raise StoreUnavailable(
                f"The graph store (Neo4j at {self.uri}) cannot be reached: {' '.join(str(exc).split())[:200]} "
                "Nothing was changed; retry when it is back."
            ) from exc

    async def _read(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        assert self._driver is not None, "the neo4j store is not open"
        with self._reachable():
            async with self._driver.session(database=self.database) as session:
                return await session.execute_read(work)

    async def _write(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        """One write transaction. A ConstraintError means another transaction created the
        same key meanwhile (ArcadeDB raises it instead of waiting): retry, and the
        retry's own checks then say what is wrong."""
        assert self._driver is not None, "the neo4j store is not open"
        for attempt in range(_CONSTRAINT_RETRIES):
            try:
                with self._reachable():
                    async with self._driver.session(database=self.database) as session:
                        return await session.execute_write(work)
            except ConstraintError:
                if attempt == _CONSTRAINT_RETRIES - 1:
                    raise Conflict("Someone else changed the same data at the same moment; try again.") from None
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def _fetch(self, statement: str, ids: Sequence[str], mapper: Callable[[Record], M]) -> dict[str, M]:
        async def work(tx: Tx) -> dict[str, M]:
            return _by_id(await _rows(tx, statement, ids=list(ids)), mapper)

        return await self._read(work)

    async def _fetch_grouped(
        self, statement: str, ids: Sequence[str], mapper: Callable[[Record], M]
    ) -> dict[str, list[M]]:
        async def work(tx: Tx) -> dict[str, list[M]]:
            return _grouped(ids, await _rows(tx, statement, ids=list(ids)), mapper)

        return await self._read(work)

    # -- users --------------------------------------------------------------------------
    async def ensure_user(self, id: str, name: str, email: str | None = None) -> User:
        async def work(tx: Tx) -> User:
            return records.user(await _one(tx, q.ENSURE_USER, id=id, name=name, email=email, at=_at()))

        return await self._write(work)

    async def get_users(self, ids: Sequence[str]) -> dict[str, User]:
        return await self._fetch(q.GET_USERS, ids, records.user)

    async def create_user(self, name: str, email: str | None = None) -> User:
        async def work(tx: Tx) -> User:
            if await _one(tx, q.USER_BY_NAME, name=name) is not None:
                raise BadInput(f"A user named {name!r} exists already; choose another name.")
            id = new_id()
            await _rows(tx, q.CREATE_USER, props={"id": id, "name": name, "email": email, "created_at": _at()})
            return records.user(await _one(tx, q.GET_USERS, ids=[id]))

        return await self._write(work)

    async def get_user_by_name(self, name: str) -> User | None:
        async def work(tx: Tx) -> User | None:
            found = await _one(tx, q.USER_BY_NAME, name=name)
            return records.user(found) if found else None

        return await self._read(work)

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> None:
        async def work(tx: Tx) -> None:
            changed = await _one(tx, q.SET_TOKEN_HASH, id=user_id, token_hash=token_hash)
            if not changed or not changed["n"]:
                raise NotFound("user", user_id)

        await self._write(work)

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        async def work(tx: Tx) -> tuple[User, str] | None:
            found = await _one(tx, q.USER_BY_TOKEN_HASH, token_hash=token_hash)
            return (records.user(found), found["n"]["token_hash"]) if found else None

        return await self._read(work)

    # -- membership ----------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        async def work(tx: Tx) -> dict[str, Role]:
            found = await _rows(tx, q.ROLES, user_id=user_id, ids=list(project_ids))
            return {r["project_id"]: Role(r["role"]) for r in found}

        return await self._read(work)

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]:
        return await self._fetch_grouped(q.MEMBERS_OF_PROJECTS, project_ids,
                                         lambda r: Membership(project_id=r["project_id"], user_id=r["user_id"],
                                                              role=Role(r["role"])))

    @staticmethod
    async def _member_parties(tx: Tx, project_id: str, user_id: str) -> Role | None:
        await _node(tx, project_id, NodeKind.PROJECT)
        if not await _rows(tx, q.GET_USERS, ids=[user_id]):
            raise NotFound("user", user_id)
        found = await _one(tx, q.MEMBER_ROLE, project_id=project_id, user_id=user_id)
        return Role(found["role"]) if found else None

    @staticmethod
    async def _owners_besides(tx: Tx, project_id: str, user_id: str) -> int:
        found = await _one(tx, q.OWNERS_BESIDES, project_id=project_id, user_id=user_id)
        return int(found["n"]) if found else 0

    async def add_member(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        async def work(tx: Tx) -> Membership:
            if await self._member_parties(tx, project_id, user_id) is not None:
                raise BadInput("That user is a member already; use changeRole to change their role.")
            await _rows(tx, q.ADD_MEMBER, user_id=user_id, project_id=project_id, role=role.value)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            await _log(tx, activity.membership(actor, "added", member, await _user_name(tx, user_id)))
            return member

        return await self._write(work)

    async def change_role(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        async def work(tx: Tx) -> Membership:
            await _lock(tx, project_id)
            old = await self._member_parties(tx, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            if role is not Role.OWNER:
                keep_an_owner(await self._owners_besides(tx, project_id, user_id))
            await _rows(tx, q.SET_ROLE, user_id=user_id, project_id=project_id, role=role.value)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            await _log(tx, activity.membership(actor, "changed", member, await _user_name(tx, user_id),
                                               Membership(project_id=project_id, user_id=user_id, role=old)))
            return member

        return await self._write(work)

    async def remove_member(self, actor: str, project_id: str, user_id: str) -> None:
        async def work(tx: Tx) -> None:
            await _lock(tx, project_id)
            old = await self._member_parties(tx, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            keep_an_owner(await self._owners_besides(tx, project_id, user_id))
            await _rows(tx, q.REMOVE_MEMBER, user_id=user_id, project_id=project_id)
            member = Membership(project_id=project_id, user_id=user_id, role=old)
            await _log(tx, activity.membership(actor, "removed", member, await _user_name(tx, user_id), member))

        await self._write(work)

    # -- projects -------------------------------------------------------------------------
    async def list_projects(self) -> list[Project]:
        async def work(tx: Tx) -> list[Project]:
            return [records.project(r) for r in await _rows(tx, q.LIST_PROJECTS)]

        return await self._read(work)

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        return await self._fetch(q.GET_PROJECTS, ids, records.project)

    async def create_project(self, actor: str, new: NewProject) -> Project:
        async def work(tx: Tx) -> Project:
            id = new.id or new_id()
            await _create(tx, NodeKind.PROJECT, {"id": id, "project_id": id, "name": new.name,
                                                 "description": new.description, "blind_coding": False,
                                                 **_stamps(actor)})
            await _rows(tx, q.ADD_MEMBER, user_id=actor, project_id=id, role=Role.OWNER.value)
            return await _created(tx, actor, NodeKind.PROJECT, id)

        return await self._write(work)

    async def update_project(self, actor: str, id: str, patch: ProjectPatch) -> Project:
        async def work(tx: Tx) -> Project:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.PROJECT)
            before = await _model(tx, NodeKind.PROJECT, id)
            await _rows(tx, q.UPDATE_PROJECT, id=id, name=patch.name, description=patch.description,
                        blind_coding=patch.blind_coding, actor=actor, at=_at())
            return await _updated(tx, actor, before)

        return await self._write(work)

    async def delete_project(self, actor: str, id: str) -> None:
        async def work(tx: Tx) -> None:
            await _node(tx, id, NodeKind.PROJECT)
            await _rows(tx, q.DELETE_PROJECT, id=id)
            await _rows(tx, q.DELETE_PROJECT_EVENTS, id=id)  # the history goes with the project

        await self._write(work)

    # -- participants -----------------------------------------------------------------------
    async def add_participant(self, actor: str, new: NewParticipant) -> Participant:
        async def work(tx: Tx) -> Participant:
            await _node(tx, new.project_id, NodeKind.PROJECT)
            id = new.id or new_id()
            await _create(tx, NodeKind.PARTICIPANT, {
                "id": id, "project_id": new.project_id, "pseudonym": new.pseudonym,
                "attributes": json.dumps(new.attributes), **_stamps(actor),
            })
            return await _created(tx, actor, NodeKind.PARTICIPANT, id)

        return await self._write(work)

    async def update_participant(self, actor: str, id: str, patch: ParticipantPatch) -> Participant:
        async def work(tx: Tx) -> Participant:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.PARTICIPANT)
            before = await _model(tx, NodeKind.PARTICIPANT, id)
            attributes = None if patch.attributes is None else json.dumps(patch.attributes)
            await _rows(tx, q.UPDATE_PARTICIPANT, id=id, pseudonym=patch.pseudonym, attributes=attributes, actor=actor,
                        at=_at())
            return await _updated(tx, actor, before)

        return await self._write(work)

    async def delete_participant(self, actor: str, id: str) -> None:
        await self._delete(actor, id, NodeKind.PARTICIPANT)

    async def _delete(self, actor: str, id: str, kind: NodeKind) -> None:
        async def work(tx: Tx) -> None:
            await _node(tx, id, kind)
            await _deleted(tx, actor, kind, id)

        await self._write(work)

    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]:
        return await self._fetch(q.GET_PARTICIPANTS, ids, records.participant)

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        return await self._fetch_grouped(q.PARTICIPANTS_OF_PROJECTS, project_ids, records.participant)

    # -- documents --------------------------------------------------------------------------
    async def add_document(self, actor: str, new: NewDocument) -> Document:
        async def work(tx: Tx) -> Document:
            await _node(tx, new.project_id, NodeKind.PROJECT)
            if new.participant_id is not None:
                who = await _node(tx, new.participant_id, NodeKind.PARTICIPANT)
                same_project("The participant", new.project_id, who["project_id"])
            id = new.id or new_id()
            await _create(tx, NodeKind.DOCUMENT, {
                "id": id, "project_id": new.project_id, "title": new.title, "text": new.text, "kind": new.kind,
                "length": len(new.text), **_stamps(actor),
            })
            if new.participant_id is not None:
                await _rows(tx, q.DOCUMENT_ABOUT, id=id, participant_id=new.participant_id)
            return await _created(tx, actor, NodeKind.DOCUMENT, id)

        return await self._write(work)

    async def delete_document(self, actor: str, id: str) -> None:
        await self._delete(actor, id, NodeKind.DOCUMENT)

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        return await self._fetch(q.GET_DOCUMENTS, ids, records.document)

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._fetch_grouped(q.DOCUMENTS_OF_PROJECTS, project_ids, records.document)

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._fetch_grouped(q.DOCUMENTS_OF_PARTICIPANTS, participant_ids, records.document)

    # -- excerpts and coding ----------------------------------------------------------------
    @staticmethod
    async def _create_excerpt(tx: Tx, actor: str, new: NewExcerpt, reuse: bool) -> str:
        doc = await _one(tx, q.DOCUMENT_TEXT, id=new.document_id)
        if doc is None:
            raise NotFound("document", new.document_id)
        text = check_span(doc["text"], new.start, new.end)
        if reuse:
            same = await _one(tx, q.SAME_SPAN, document_id=new.document_id, start=new.start, end=new.end)
            if same is not None:
                return str(same["id"])
        id = new.id or new_id()
        await _free(tx, id)
        await _rows(tx, q.CREATE_EXCERPT, document_id=new.document_id, props={
            "id": id, "project_id": doc["project_id"], "start": new.start, "end": new.end, "text": text,
            **_stamps(actor),
        })
        return id

    @staticmethod
    async def _code(tx: Tx, actor: str, excerpt_id: str, code_id: str) -> None:
        excerpt = await _node(tx, excerpt_id, NodeKind.EXCERPT)
        code = await _node(tx, code_id, NodeKind.CODE)
        same_project("The code", excerpt["project_id"], code["project_id"])
        found = await _one(tx, q.CODABLE, ids=[code_id])
        check_codable(found["name"], found["codable"])
        await _rows(tx, q.CODE_EXCERPT, excerpt_id=excerpt_id, code_id=code_id, coder=actor, at=_at())

    @staticmethod
    async def _excerpt(tx: Tx, id: str) -> Excerpt:
        return records.excerpt(await _one(tx, q.GET_EXCERPTS, ids=[id]))

    async def create_excerpt(self, actor: str, new: NewExcerpt) -> Excerpt:
        async def work(tx: Tx) -> Excerpt:
            return await _created(tx, actor, NodeKind.EXCERPT, await self._create_excerpt(tx, actor, new, reuse=False))

        return await self._write(work)

    async def delete_excerpt(self, actor: str, id: str) -> None:
        await self._delete(actor, id, NodeKind.EXCERPT)

    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]:
        return await self._fetch(q.GET_EXCERPTS, ids, records.excerpt)

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        return await self._fetch_grouped(q.EXCERPTS_OF_DOCUMENTS, document_ids, records.excerpt)

    async def code_excerpt(self, actor: str, excerpt_id: str, code_id: str) -> Excerpt:
        async def work(tx: Tx) -> Excerpt:
            await self._code(tx, actor, excerpt_id, code_id)
            excerpt = await self._excerpt(tx, excerpt_id)
            await _log(tx, activity.coded(actor, excerpt, [await _model(tx, NodeKind.CODE, code_id)], actor))
            return excerpt

        return await self._write(work)

    async def uncode_excerpt(
        self, actor: str, excerpt_id: str, code_id: str, coder_id: str | None = None
    ) -> Excerpt:
        async def work(tx: Tx) -> Excerpt:
            await _node(tx, excerpt_id, NodeKind.EXCERPT)
            await _node(tx, code_id, NodeKind.CODE)
            coder = coder_id or actor
            removed = await _one(tx, q.UNCODE_EXCERPT, excerpt_id=excerpt_id, code_id=code_id, coder=coder)
            if not removed or not removed["removed"]:
                raise NotFound("coding by this coder of that excerpt with that code", f"{excerpt_id}/{code_id}/{coder}")
            excerpt = await self._excerpt(tx, excerpt_id)
            await _log(tx, activity.uncoded(actor, excerpt, await _model(tx, NodeKind.CODE, code_id), coder))
            return excerpt

        return await self._write(work)

    async def code_text(self, actor: str, new: NewExcerpt, code_ids: Sequence[str]) -> Excerpt:
        if not code_ids:
            raise BadInput("codeIds must name at least one code; use createExcerpt to mark a passage without coding it.")

        async def work(tx: Tx) -> Excerpt:
            id = await self._create_excerpt(tx, actor, new, reuse=True)
            for code_id in code_ids:
                await self._code(tx, actor, id, code_id)
            excerpt = await self._excerpt(tx, id)
            await _log(tx, activity.coded(actor, excerpt, [await _model(tx, NodeKind.CODE, c) for c in code_ids], actor))
            return excerpt

        return await self._write(work)

    async def code_passages(self, actor: str, passages: Sequence[CodedPassage]) -> list[str]:
        async def work(tx: Tx) -> list[str]:
            docs = {r["id"]: r for r in await _rows(tx, q.DOCUMENT_TEXTS, ids=list({p.excerpt.document_id for p in passages}))}
            code_ids = list({c for p in passages for c in p.code_ids})
            codes = {r["id"]: r for r in await _rows(tx, q.NODES, ids=code_ids)}
            codable = {r["id"]: r for r in await _rows(tx, q.CODABLE, ids=code_ids)}
            texts: dict[tuple[str, int, int], str] = {}
            for p in passages:
                e = p.excerpt
                if e.document_id not in docs:
                    raise NotFound("document", e.document_id)
                texts[(e.document_id, e.start, e.end)] = check_span(docs[e.document_id]["text"], e.start, e.end)
                for code_id in p.code_ids:
                    if code_id not in codes or codes[code_id]["kind"] != NodeKind.CODE.value:
                        raise NotFound("code", code_id)
                    same_project("The code", docs[e.document_id]["project_id"], codes[code_id]["project_id"])
                    check_codable(codable[code_id]["name"], codable[code_id]["codable"])
            spans = [{"document_id": d, "start": s, "end": e} for d, s, e in texts]
            existing = {(r["document_id"], r["start"], r["end"]): r["id"] for r in await _rows(tx, q.SAME_SPANS, spans=spans)}
            created: list[dict[str, Any]] = []
            for p in passages:
                key = (p.excerpt.document_id, p.excerpt.start, p.excerpt.end)
                if key not in existing:
                    existing[key] = p.excerpt.id or new_id()
                    created.append({"document_id": key[0], "props": {
                        "id": existing[key], "project_id": docs[key[0]]["project_id"], "start": key[1], "end": key[2],
                        "text": texts[key], **_stamps(p.coder_id),
                    }})
            taken = await _rows(tx, q.NODES, ids=[row["props"]["id"] for row in created])
            if taken:
                raise BadInput(f"Id {taken[0]['id']!r} is already in use; leave the id out to get a new one.")
            at = _at()
            codings = [
                {"excerpt_id": existing[(p.excerpt.document_id, p.excerpt.start, p.excerpt.end)], "code_id": c,
                 "coder": p.coder_id, "at": at}
                for p in passages for c in p.code_ids
            ]
            for statement, rows in ((q.CREATE_EXCERPTS, created), (q.CODE_EXCERPTS, codings)):
                for i in range(0, len(rows), BATCH):
                    await _rows(tx, statement, rows=rows[i : i + BATCH])
            ids = [existing[(p.excerpt.document_id, p.excerpt.start, p.excerpt.end)] for p in passages]
            by_project: dict[str, list[str]] = defaultdict(list)
            for p, id in zip(passages, ids):
                by_project[docs[p.excerpt.document_id]["project_id"]].append(id)
            for project_id, excerpt_ids in by_project.items():
                await _log(tx, activity.bulk_coded(actor, project_id, excerpt_ids, len(codings)))
            return ids

        return await self._write(work)

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]:
        return await self._fetch_grouped(q.CODINGS_OF_EXCERPTS, excerpt_ids, records.coding)

    async def excerpts_of_codes(
        self, code_ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, Page]:
        if first < 0:
            raise BadInput("first must be zero or more.")
        key = cursors.decode(after, 4) if after else ["", -1, -1, ""]

        async def work(tx: Tx) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                await _node(tx, code_id, NodeKind.CODE)
                found = await _rows(tx, q.EXCERPTS_OF_CODE, code_id=code_id, document_id=key[0], start=key[1],
                                    end=key[2], excerpt_id=key[3], limit=first + 1, coder=coder_id)
                pages[code_id] = Page.of_excerpts([records.excerpt(r) for r in found], first)
            return pages

        return await self._read(work)

    # -- codes ------------------------------------------------------------------------------
    @staticmethod
    async def _check_code_name(tx: Tx, project_id: str, parent_id: str | None, name: str, self_id: str | None) -> None:
        clash = await _one(tx, q.CODE_NAME_CLASH, project_id=project_id, parent_id=parent_id, name=name, self_id=self_id)
        if clash is not None:
            where = "at the top level" if parent_id is None else "under that parent"
            raise BadInput(f"A code named {name!r} already exists {where}; choose another name.", existingId=clash["id"])

    @staticmethod
    async def _check_parent(tx: Tx, kind: NodeKind, id: str | None, project_id: str, parent_id: str) -> None:
        """The parent exists in the same project and is not the node itself or one of its descendants."""
        parent = await _node(tx, parent_id, kind)
        same_project(f"The parent {kind.value.lower()}", project_id, parent["project_id"])
        if id is None:
            return
        below = await _one(tx, q.is_below(kind.value), parent_id=parent_id, id=id)
        if below and below["n"]:
            raise BadInput(
                f"A {kind.value.lower()} cannot be its own ancestor: {parent_id!r} is {id!r} or lies beneath it."
            )

    @staticmethod
    async def _code_model(tx: Tx, id: str) -> Code:
        return records.code(await _one(tx, q.GET_CODES, ids=[id]))

    async def create_code(self, actor: str, new: NewCode) -> Code:
        async def work(tx: Tx) -> Code:
            await _node(tx, new.project_id, NodeKind.PROJECT)
            if new.parent_id is not None:
                await self._check_parent(tx, NodeKind.CODE, None, new.project_id, new.parent_id)
            await self._check_code_name(tx, new.project_id, new.parent_id, new.name, None)
            id = new.id or new_id()
            await _create(tx, NodeKind.CODE, {
                "id": id, "project_id": new.project_id, "name": new.name, "description": new.description,
                "color": new.color, "codable": new.codable, "version": 1, **_stamps(actor),
            })
            if new.parent_id is not None:
                await _rows(tx, q.set_parent(NodeKind.CODE.value), id=id, parent_id=new.parent_id)
            return await _created(tx, actor, NodeKind.CODE, id)

        return await self._write(work)

    async def update_code(self, actor: str, id: str, patch: CodePatch) -> Code:
        async def work(tx: Tx) -> Code:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.CODE)
            code = await self._code_model(tx, id)
            check_version("Code", id, patch.expected_version, code.version)
            parent_id = patch.parent_id if patch.given("parent_id") else code.parent_id
            if parent_id is not None and parent_id != code.parent_id:
                await self._check_parent(tx, NodeKind.CODE, id, code.project_id, parent_id)
            name = patch.name or code.name
            await self._check_code_name(tx, code.project_id, parent_id, name, id)
            await _rows(tx, q.UPDATE_CODE, id=id, name=name,
                        description=code.description if patch.description is None else patch.description,
                        color=patch.color if patch.given("color") else code.color,
                        codable=code.codable if patch.codable is None else patch.codable, actor=actor, at=_at())
            if parent_id != code.parent_id:
                await _rows(tx, q.set_parent(NodeKind.CODE.value), id=id, parent_id=parent_id)
            return await _updated(tx, actor, code)

        return await self._write(work)

    async def _reparent_children(self, tx: Tx, code: Code, new_parent_id: str | None) -> None:
        for child in await _rows(tx, q.children(NodeKind.CODE.value), id=code.id):
            await self._check_code_name(tx, code.project_id, new_parent_id, child["name"], child["id"])
            await _rows(tx, q.set_parent(NodeKind.CODE.value), id=child["id"], parent_id=new_parent_id)

    async def delete_code(self, actor: str, id: str) -> None:
        async def work(tx: Tx) -> None:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.CODE)
            code = await self._code_model(tx, id)
            await self._reparent_children(tx, code, code.parent_id)
            await _deleted(tx, actor, NodeKind.CODE, id)

        await self._write(work)

    async def merge_codes(self, actor: str, source_id: str, target_id: str) -> Code:
        async def work(tx: Tx) -> Code:
            await _lock(tx, source_id, target_id)
            await _node(tx, source_id, NodeKind.CODE)
            await _node(tx, target_id, NodeKind.CODE)
            source = await self._code_model(tx, source_id)
            target = await self._code_model(tx, target_id)
            same_project("The target code", source.project_id, target.project_id)
            if source_id == target_id:
                raise BadInput("A code cannot be merged into itself; pick two different codes.")
            below = await _one(tx, q.is_below(NodeKind.CODE.value), parent_id=target_id, id=source_id)
            if below and below["n"]:
                raise BadInput("A code cannot be merged into one of its own descendants; move the target out first.")
            ids = {"source_id": source_id, "target_id": target_id}
            for statement in (q.MOVE_CODINGS, q.MOVE_MEMBERSHIPS, q.MOVE_LINK_SOURCES, q.MOVE_LINK_TARGETS, q.MOVE_MEMOS):
                await _rows(tx, statement, **ids)
            self_links = [r["id"] for r in await _rows(tx, q.SELF_LINKS, id=target_id)]
            await self._reparent_children(tx, source, target_id)
            await _rows(tx, q.DELETE_NODES, ids=[source_id, *self_links])
            await _rows(tx, q.BUMP_CODE, id=target_id, actor=actor, at=_at())
            merged = await self._code_model(tx, target_id)
            await _log(tx, activity.merged(actor, source, merged))
            return merged

        return await self._write(work)

    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]:
        return await self._fetch(q.GET_CODES, ids, records.code)

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._fetch_grouped(q.CODES_OF_PROJECTS, project_ids, records.code)

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._fetch_grouped(q.CHILDREN_OF_CODES, code_ids, records.code)


    # -- themes ------------------------------------------------------------------------------
    @staticmethod
    async def _check_theme_name(tx: Tx, project_id: str, name: str, self_id: str | None) -> None:
        clash = await _one(tx, q.THEME_NAME_CLASH, project_id=project_id, name=name, self_id=self_id)
        if clash is not None:
            raise BadInput(f"A theme named {name!r} already exists in this project; choose another name.",
                           existingId=clash["id"])

    @staticmethod
    async def _theme(tx: Tx, id: str) -> Theme:
        return records.theme(await _one(tx, q.GET_THEMES, ids=[id]))

    async def create_theme(self, actor: str, new: NewTheme) -> Theme:
        async def work(tx: Tx) -> Theme:
            await _node(tx, new.project_id, NodeKind.PROJECT)
            if new.parent_id is not None:
                await self._check_parent(tx, NodeKind.THEME, None, new.project_id, new.parent_id)
            await self._check_theme_name(tx, new.project_id, new.name, None)
            id = new.id or new_id()
            await _create(tx, NodeKind.THEME, {
                "id": id, "project_id": new.project_id, "name": new.name, "description": new.description,
                "status": new.status.value, "version": 1, **_stamps(actor),
            })
            if new.parent_id is not None:
                await _rows(tx, q.set_parent(NodeKind.THEME.value), id=id, parent_id=new.parent_id)
            return await _created(tx, actor, NodeKind.THEME, id)

        return await self._write(work)

    async def update_theme(self, actor: str, id: str, patch: ThemePatch) -> Theme:
        async def work(tx: Tx) -> Theme:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.THEME)
            theme = await self._theme(tx, id)
            check_version("Theme", id, patch.expected_version, theme.version)
            parent_id = patch.parent_id if patch.given("parent_id") else theme.parent_id
            if parent_id is not None and parent_id != theme.parent_id:
                await self._check_parent(tx, NodeKind.THEME, id, theme.project_id, parent_id)
            name = patch.name or theme.name
            await self._check_theme_name(tx, theme.project_id, name, id)
            await _rows(tx, q.UPDATE_THEME, id=id, name=name,
                        description=theme.description if patch.description is None else patch.description,
                        status=(patch.status or theme.status).value, actor=actor, at=_at())
            if parent_id != theme.parent_id:
                await _rows(tx, q.set_parent(NodeKind.THEME.value), id=id, parent_id=parent_id)
            return await _updated(tx, actor, theme)

        return await self._write(work)

    async def delete_theme(self, actor: str, id: str) -> None:
        async def work(tx: Tx) -> None:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.THEME)
            theme = await self._theme(tx, id)
            for sub in await _rows(tx, q.children(NodeKind.THEME.value), id=id):
                await _rows(tx, q.set_parent(NodeKind.THEME.value), id=sub["id"], parent_id=theme.parent_id)
            await _deleted(tx, actor, NodeKind.THEME, id)

        await self._write(work)

    @staticmethod
    async def _membership(tx: Tx, code_id: str, theme_id: str) -> None:
        code = await _node(tx, code_id, NodeKind.CODE)
        theme = await _node(tx, theme_id, NodeKind.THEME)
        same_project("The code", theme["project_id"], code["project_id"])

    async def add_code_to_theme(self, actor: str, code_id: str, theme_id: str) -> Theme:
        async def work(tx: Tx) -> Theme:
            await self._membership(tx, code_id, theme_id)
            await _rows(tx, q.ADD_CODE_TO_THEME, code_id=code_id, theme_id=theme_id, actor=actor, at=_at())
            theme = await self._theme(tx, theme_id)
            await _log(tx, activity.theme_membership(actor, "added", await _model(tx, NodeKind.CODE, code_id), theme))
            return theme

        return await self._write(work)

    async def remove_code_from_theme(self, actor: str, code_id: str, theme_id: str) -> Theme:
        async def work(tx: Tx) -> Theme:
            await self._membership(tx, code_id, theme_id)
            removed = await _one(tx, q.REMOVE_CODE_FROM_THEME, code_id=code_id, theme_id=theme_id)
            if not removed or not removed["removed"]:
                raise NotFound("membership of that code in that theme", f"{code_id}/{theme_id}")
            theme = await self._theme(tx, theme_id)
            await _log(tx, activity.theme_membership(actor, "removed", await _model(tx, NodeKind.CODE, code_id), theme))
            return theme

        return await self._write(work)

    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]:
        return await self._fetch(q.GET_THEMES, ids, records.theme)

    async def themes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._fetch_grouped(q.THEMES_OF_PROJECTS, project_ids, records.theme)

    async def subthemes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._fetch_grouped(q.SUBTHEMES_OF_THEMES, theme_ids, records.theme)

    async def codes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._fetch_grouped(q.CODES_OF_THEMES, theme_ids, records.code)

    async def themes_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._fetch_grouped(q.THEMES_OF_CODES, code_ids, records.theme)


    # -- links ---------------------------------------------------------------------------------
    @staticmethod
    async def _link(tx: Tx, id: str) -> Link:
        return records.link(await _one(tx, q.GET_LINKS, ids=[id]))

    @staticmethod
    async def _set_evidence(tx: Tx, link_id: str, project_id: str, excerpt_ids: Sequence[str]) -> None:
        unique = list(dict.fromkeys(excerpt_ids))
        for excerpt_id in unique:
            excerpt = await _node(tx, excerpt_id, NodeKind.EXCERPT)
            same_project("An evidence excerpt", project_id, excerpt["project_id"])
        await _rows(tx, q.SET_EVIDENCE, id=link_id, excerpt_ids=unique)

    @staticmethod
    async def _check_duplicate_link(tx: Tx, source_id: str, target_id: str, kind: LinkKind, self_id: str | None) -> None:
        clash = await _one(tx, q.LINK_CLASH, kind=kind.value, self_id=self_id, source_id=source_id,
                           target_id=target_id, symmetric=kind.symmetric)
        if clash is not None:
            raise BadInput(
                f"These concepts are already linked as {kind.value}; update that link instead.", existingId=clash["id"]
            )

    async def link_concepts(self, actor: str, new: NewLink) -> Link:
        async def work(tx: Tx) -> Link:
            source = await _node(tx, new.source_id, *CONCEPT_KINDS)
            target = await _node(tx, new.target_id, *CONCEPT_KINDS)
            same_project("The target concept", source["project_id"], target["project_id"])
            if new.source_id == new.target_id:
                raise BadInput("A concept cannot be linked to itself; pick two different codes or themes.")
            await self._check_duplicate_link(tx, new.source_id, new.target_id, new.kind, None)
            id = new.id or new_id()
            await _free(tx, id)
            project_id = source["project_id"]
            await _rows(tx, q.CREATE_LINK, source_id=new.source_id, target_id=new.target_id, props={
                "id": id, "project_id": project_id, "kind": new.kind.value, "label": new.label, "note": new.note,
                "version": 1, **_stamps(actor),
            })
            await self._set_evidence(tx, id, project_id, new.evidence_excerpt_ids)
            return await _created(tx, actor, NodeKind.LINK, id)

        return await self._write(work)

    async def update_link(self, actor: str, id: str, patch: LinkPatch) -> Link:
        async def work(tx: Tx) -> Link:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.LINK)
            link = await self._link(tx, id)
            check_version("Link", id, patch.expected_version, link.version)
            kind = patch.kind or link.kind
            if kind != link.kind:
                await self._check_duplicate_link(tx, link.source_id, link.target_id, kind, id)
            if patch.evidence_excerpt_ids is not None:
                await self._set_evidence(tx, id, link.project_id, patch.evidence_excerpt_ids)
            await _rows(tx, q.UPDATE_LINK, id=id, kind=kind.value,
                        label=patch.label if patch.given("label") else link.label,
                        note=patch.note if patch.given("note") else link.note, actor=actor, at=_at())
            return await _updated(tx, actor, link)

        return await self._write(work)

    async def unlink(self, actor: str, id: str) -> None:
        await self._delete(actor, id, NodeKind.LINK)

    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]:
        return await self._fetch(q.GET_LINKS, ids, records.link)

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]:
        return await self._fetch_grouped(q.LINKS_OF_PROJECTS, project_ids, records.link)

    # -- memos ----------------------------------------------------------------------------------
    @staticmethod
    async def _memo(tx: Tx, id: str) -> Memo:
        return records.memo(await _one(tx, q.GET_MEMOS, ids=[id]))

    async def add_memo(self, actor: str, new: NewMemo) -> Memo:
        async def work(tx: Tx) -> Memo:
            target = await _node(tx, new.target_id, *(k for k in NodeKind if k is not NodeKind.MEMO))
            id = new.id or new_id()
            await _free(tx, id)
            await _rows(tx, q.CREATE_MEMO, target_id=new.target_id, props={
                "id": id, "project_id": target["project_id"], "title": new.title, "body": new.body, "version": 1,
                **_stamps(actor),
            })
            return await _created(tx, actor, NodeKind.MEMO, id)

        return await self._write(work)

    async def update_memo(self, actor: str, id: str, patch: MemoPatch) -> Memo:
        async def work(tx: Tx) -> Memo:
            await _lock(tx, id)
            await _node(tx, id, NodeKind.MEMO)
            memo = await self._memo(tx, id)
            check_version("Memo", id, patch.expected_version, memo.version)
            await _rows(tx, q.UPDATE_MEMO, id=id, title=patch.title or memo.title,
                        body=memo.body if patch.body is None else patch.body, actor=actor, at=_at())
            return await _updated(tx, actor, memo)

        return await self._write(work)

    async def delete_memo(self, actor: str, id: str) -> None:
        await self._delete(actor, id, NodeKind.MEMO)

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]:
        return await self._fetch(q.GET_MEMOS, ids, records.memo)

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]:
        return await self._fetch_grouped(q.MEMOS_OF_PROJECTS, project_ids, records.memo)

    # -- activity ---------------------------------------------------------------------------------
    async def activity(self, project_id: str, first: int, after: str | None = None, actor_id: str | None = None,
                       target_id: str | None = None) -> EventPage:
        if first < 0:
            raise BadInput("first must be zero or more.")

        async def work(tx: Tx) -> EventPage:
            await _node(tx, project_id, NodeKind.PROJECT)
            at, id = cursors.decode(after, 2) if after else ["\uffff", ""]
            found = await _rows(tx, q.ACTIVITY, project_id=project_id, at=at, id=id, actor_id=actor_id,
                                target_id=target_id, limit=first + 1)
            events = [records.event(r) for r in found[:first]]
            return EventPage(events=tuple(events), cursors=tuple(activity.cursor(e) for e in events),
                             has_next_page=len(found) > first)

        return await self._read(work)

    async def events_since(self, project_id: str, cursor: str | None, limit: int = 100) -> list[Event]:
        async def work(tx: Tx) -> list[Event]:
            at, id = cursors.decode(cursor, 2) if cursor else ["", ""]
            return [records.event(r) for r in await _rows(tx, q.EVENTS_SINCE, project_id=project_id, at=at, id=id,
                                                          limit=limit)]

        return await self._read(work)

    # -- analysis ---------------------------------------------------------------------------------
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        async def work(tx: Tx) -> Snapshot:
            await _node(tx, project_id, NodeKind.PROJECT)
            revision = (await _rows(tx, q.PROJECT_REVISION, project_id=project_id))[0]["n"]
            if (kept := self._snapshots.get(project_id, revision, with_text)) is not None:
                return kept
            ids = [project_id]
            return self._snapshots.put(Snapshot(
                project_id=project_id,
                participants=[records.participant(r) for r in await _rows(tx, q.PARTICIPANTS_OF_PROJECTS, ids=ids)],
                codes=[records.code(r) for r in await _rows(tx, q.CODES_OF_PROJECTS, ids=ids)],
                themes=[records.theme(r) for r in await _rows(tx, q.THEMES_OF_PROJECTS, ids=ids)],
                memberships=[(r["code_id"], r["theme_id"]) for r in await _rows(tx, q.MEMBERSHIPS, project_id=project_id)],
                links=[records.link(r) for r in await _rows(tx, q.LINKS_OF_PROJECTS, ids=ids)],
                excerpts=[
                    ExcerptFact(r["id"], r["document_id"], r["participant_id"], r["start"], r["end"], r["text"])
                    for r in await _rows(tx, q.EXCERPT_FACTS, project_id=project_id, with_text=with_text)
                ],
                codings=[
                    CodingFact(r["excerpt_id"], r["code_id"], r["coder_id"])
                    for r in await _rows(tx, q.CODING_FACTS, project_id=project_id)
                ],
                document_lengths={
                    r["id"]: r["length"] for r in await _rows(tx, q.DOCUMENT_LENGTHS, project_id=project_id)
                },
                revision=revision,
            ), with_text)

        async with self._snapshot_reads[project_id]:  # concurrent askers after a change share one read
            return await self._read(work)

    async def search_documents(self, project_id: str, terms: list[tuple[str, ...]]) -> list[tuple[str, str | None, str]]:
        query = " AND ".join('"' + " ".join(words) + '"' for words in terms)

        async def work(tx: Tx) -> list[tuple[str, str | None, str]]:
            await _node(tx, project_id, NodeKind.PROJECT)
            if self._full_text:
                found = await _rows(tx, q.SEARCH_DOCUMENTS, query=query, project_id=project_id)
            else:
                found = await _rows(tx, q.PROJECT_DOCUMENTS, project_id=project_id)
            return [(r["id"], r["participant_id"], r["text"]) for r in found]

        return await self._read(work)

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        async def work(tx: Tx) -> dict[str, NodeRef]:
            return {r["id"]: NodeRef(kind=NodeKind(r["kind"]), project_id=r["project_id"])
                    for r in await _rows(tx, q.NODES, ids=list(ids))}

        return await self._read(work)

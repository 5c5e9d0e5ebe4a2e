"""The neo4j adapter: the store port over Bolt with the official async driver.

`write`/`read` run a use case's work in one managed transaction (`execute_write` /
`execute_read`, which retry transient errors) through `Neo4jTransaction`; the batch readers
are one managed read each. Every value is passed as a parameter; statements live in
`graph.neo4j.cypher`. No rule lives here: `graph.service` applies them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TypeVar

from neo4j import AsyncDriver, AsyncGraphDatabase, Record
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

from graph import cursors
from graph.analysis import incremental
from graph.analysis.analytics import Analytics
from graph.analysis.cache import SnapshotCache
from graph.analysis.results import ExcerptOrder
from graph.analysis.snapshot import Snapshot
from graph.analysis.text import index_prefixes
from graph.analysis.worker import off_loop
from graph.errors import Conflict, StoreUnavailable
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
from graph.neo4j import cypher as q
from graph.neo4j import records
from graph.neo4j.transaction import Neo4jTransaction, Tx, one, rows
from graph.transaction import Transaction

log = logging.getLogger("thememap.neo4j")

T = TypeVar("T")
M = TypeVar("M")

_CONSTRAINT_RETRIES = 3
RETRY_SECONDS = 5.0
"""By default, how long a transaction retries through a lost connection (the driver's default
is 30 s) before the request answers UNAVAILABLE; also the connect timeout (NEO4J_RETRY_SECONDS)."""
_UNREACHABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, ConnectionAcquisitionTimeoutError, OSError)


def _unique(found: list[Record]) -> list[Record]:
    """Records by their `id`, each once (an excerpt named and in a named document is read twice)."""
    return list({r["id"]: r for r in found}.values())


def _by_id(found: list[Record], mapper: Callable[[Record], M]) -> dict[str, M]:
    out: dict[str, M] = {}
    for row in found:
        model = mapper(row)
        out[model.id] = model  # type: ignore[attr-defined]
    return out


def _grouped(ids: Sequence[str], found: list[Record], mapper: Callable[[Record], M]) -> dict[str, list[M]]:
    out: dict[str, list[M]] = {id: [] for id in ids}
    for row in found:
        out[row["key"]].append(mapper(row))
    return out


class Neo4jStore(Analytics):
    """The store on a Neo4j server (or any Bolt server speaking Neo4j 5 Cypher)."""

    def __init__(self, uri: str, user: str, password: str, database: str, retry_seconds: float = RETRY_SECONDS) -> None:
        self.uri = uri
        self.retry_seconds = retry_seconds
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
            self.uri,
            auth=(self.user, self._password),
            max_transaction_retry_time=self.retry_seconds,
            connection_timeout=self.retry_seconds,
        )
        try:
            await self._driver.verify_connectivity()
            await self._create_schema()
        except AuthError as exc:
            await self.close()
            raise StoreUnavailable(
                f"Neo4j at {self.uri} refused the credentials of user {self.user!r}: "
                "check NEO4J_USER and NEO4J_PASSWORD."
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

    # -- units of work -----------------------------------------------------------------
    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """One write transaction. A ConstraintError means another transaction created the
        same key meanwhile (ArcadeDB raises it instead of waiting): retry, and the
        retry's own reads then see that key."""
        assert self._driver is not None, "the neo4j store is not open"
        for attempt in range(_CONSTRAINT_RETRIES):
            try:
                with self._reachable():
                    async with self._driver.session(database=self.database) as session:
                        return await session.execute_write(lambda tx: work(Neo4jTransaction(tx, writable=True)))
            except ConstraintError:
                if attempt == _CONSTRAINT_RETRIES - 1:
                    raise Conflict("Someone else changed the same data at the same moment; try again.") from None
                await asyncio.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        return await self._read(lambda tx: work(Neo4jTransaction(tx, writable=False)))

    async def _read(self, work: Callable[[Tx], Awaitable[T]]) -> T:
        assert self._driver is not None, "the neo4j store is not open"
        with self._reachable():
            async with self._driver.session(database=self.database) as session:
                return await session.execute_read(work)

    async def _fetch(self, statement: str, ids: Sequence[str], mapper: Callable[[Record], M]) -> dict[str, M]:
        async def work(tx: Tx) -> dict[str, M]:
            return _by_id(await rows(tx, statement, ids=list(ids)), mapper)

        return await self._read(work)

    async def _fetch_grouped(
        self, statement: str, ids: Sequence[str], mapper: Callable[[Record], M]
    ) -> dict[str, list[M]]:
        async def work(tx: Tx) -> dict[str, list[M]]:
            return _grouped(ids, await rows(tx, statement, ids=list(ids)), mapper)

        return await self._read(work)

    # -- users --------------------------------------------------------------------------
    async def get_users(self, ids: Sequence[str]) -> dict[str, User]:
        return await self._fetch(q.GET_USERS, ids, records.user)

    async def get_user_by_name(self, name: str) -> User | None:
        async def work(tx: Tx) -> User | None:
            found = await one(tx, q.USER_BY_NAME, name=name)
            return records.user(found) if found else None

        return await self._read(work)

    async def find_users(self, search: str | None, after: tuple[str, str] | None, limit: int) -> list[tuple[str, User]]:
        key, id = after or (None, None)

        async def work(tx: Tx) -> list[tuple[str, User]]:
            found = await rows(tx, q.FIND_USERS, search=search, key=key, id=id, limit=limit)
            return [(r["key"], records.user(r)) for r in found]

        return await self._read(work)

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        async def work(tx: Tx) -> tuple[User, str] | None:
            found = await one(tx, q.USER_BY_TOKEN_HASH, token_hash=token_hash)
            return (records.user(found), found["n"]["token_hash"]) if found else None

        return await self._read(work)

    # -- membership ----------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        async def work(tx: Tx) -> dict[str, Role]:
            found = await rows(tx, q.ROLES, user_id=user_id, ids=list(project_ids))
            return {r["project_id"]: Role(r["role"]) for r in found}

        return await self._read(work)

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]:
        return await self._fetch_grouped(
            q.MEMBERS_OF_PROJECTS,
            project_ids,
            lambda r: Membership(project_id=r["project_id"], user_id=r["user_id"], role=Role(r["role"])),
        )

    # -- projects -------------------------------------------------------------------------
    async def list_projects(self) -> list[Project]:
        async def work(tx: Tx) -> list[Project]:
            return [records.project(r) for r in await rows(tx, q.LIST_PROJECTS)]

        return await self._read(work)

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        return await self._fetch(q.GET_PROJECTS, ids, records.project)

    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]:
        return await self._fetch(q.GET_PARTICIPANTS, ids, records.participant)

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]:
        return await self._fetch_grouped(q.PARTICIPANTS_OF_PROJECTS, project_ids, records.participant)

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        return await self._fetch(q.GET_DOCUMENTS, ids, records.document)

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._fetch_grouped(q.DOCUMENTS_OF_PROJECTS, project_ids, records.document)

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._fetch_grouped(q.DOCUMENTS_OF_PARTICIPANTS, participant_ids, records.document)

    async def turns_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        return await self._fetch_grouped(q.TURNS_OF_DOCUMENTS, document_ids, records.turn)

    # -- excerpts and coding ----------------------------------------------------------------
    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]:
        return await self._fetch(q.GET_EXCERPTS, ids, records.excerpt)

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        return await self._fetch_grouped(q.EXCERPTS_OF_DOCUMENTS, document_ids, records.excerpt)

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]:
        return await self._fetch_grouped(q.CODINGS_OF_EXCERPTS, excerpt_ids, records.coding)

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

        async def work(tx: Tx) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                found = await rows(
                    tx,
                    q.EXCERPTS_OF_CODE,
                    code_id=code_id,
                    document_id=key[0],
                    start=key[1],
                    end=key[2],
                    excerpt_id=key[3],
                    limit=first + 1,
                    coder=coder_id,
                )
                pages[code_id] = Page.of_excerpts([records.excerpt(r) for r in found], first)
            return pages

        return await self._read(work)

    async def _recently_coded(
        self, code_ids: Sequence[str], first: int, after: str | None, coder_id: str | None
    ) -> dict[str, Page]:
        at, id = cursors.decode(after, *cursors.CODED_KEY) if after else ["\uffff", ""]

        async def work(tx: Tx) -> dict[str, Page]:
            pages = {}
            for code_id in dict.fromkeys(code_ids):
                found = await rows(tx, q.RECENTLY_CODED, code_id=code_id, coder=coder_id, at=at, id=id, limit=first + 1)
                pages[code_id] = Page.of_keyed(
                    [(records.excerpt(r), [r["coded_at"], r["n"]["id"]]) for r in found], first
                )
            return pages

        return await self._read(work)

    # -- codes and themes -------------------------------------------------------------------
    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]:
        return await self._fetch(q.GET_CODES, ids, records.code)

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._fetch_grouped(q.CODES_OF_PROJECTS, project_ids, records.code)

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._fetch_grouped(q.CHILDREN_OF_CODES, code_ids, records.code)

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

    async def pinned_quotes(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        async def work(tx: Tx) -> dict[str, list[str]]:
            ids = list(dict.fromkeys(target_ids))
            found = _grouped(ids, await rows(tx, q.PINNED_QUOTES, ids=ids), lambda r: str(r["excerpt_id"]))
            return {id: excerpts for id, excerpts in found.items() if excerpts}

        return await self._read(work)

    # -- links and memos ----------------------------------------------------------------------
    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]:
        return await self._fetch(q.GET_LINKS, ids, records.link)

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]:
        return await self._fetch_grouped(q.LINKS_OF_PROJECTS, project_ids, records.link)

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]:
        return await self._fetch(q.GET_MEMOS, ids, records.memo)

    async def memos_of_targets(self, target_ids: Sequence[str], first: int, after: str | None) -> dict[str, MemoPage]:
        at, id = cursors.decode(after, *cursors.MEMO_KEY) if after else ["", ""]

        async def work(tx: Tx) -> dict[str, MemoPage]:
            pages = {}
            for target_id in dict.fromkeys(target_ids):
                found = await rows(tx, q.MEMOS_OF_TARGET, target_id=target_id, at=at, id=id, limit=first + 1)
                pages[target_id] = MemoPage.of_memos(
                    [records.memo(r) for r in found], first, lambda m: records.instant(m.created_at)
                )
            return pages

        return await self._read(work)

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]:
        return await self._fetch_grouped(q.MEMOS_OF_PROJECTS, project_ids, records.memo)

    # -- activity ---------------------------------------------------------------------------------
    async def activity(
        self,
        project_id: str,
        first: int,
        after: str | None = None,
        actor_id: str | None = None,
        target_id: str | None = None,
    ) -> EventPage:

        async def work(tx: Tx) -> EventPage:
            at, id = cursors.decode(after, *cursors.EVENT_KEY) if after else ["\uffff", ""]
            found = await rows(
                tx,
                q.ACTIVITY,
                project_id=project_id,
                at=at,
                id=id,
                actor_id=actor_id,
                target_id=target_id,
                limit=first + 1,
            )
            page = found[:first]
            return EventPage(
                events=tuple(records.event(r) for r in page),
                cursors=tuple(cursors.of_event(r["n"]["at"], r["n"]["id"]) for r in page),
                has_next_page=len(found) > first,
            )

        return await self._read(work)

    async def revision(self, project_id: str) -> int:
        async def work(tx: Tx) -> int:
            return int((await rows(tx, q.PROJECT_REVISION, project_id=project_id))[0]["n"])

        return await self._read(work)

    async def events_since(
        self, project_id: str, cursor: str | None, limit: int = 100, kinds: Sequence[str] | None = None
    ) -> list[Event]:
        async def work(tx: Tx) -> list[Event]:
            at, id = cursors.decode(cursor, *cursors.EVENT_KEY) if cursor else ["", ""]
            wanted = None if kinds is None else list(kinds)
            found = await rows(tx, q.EVENTS_SINCE, project_id=project_id, at=at, id=id, limit=limit, kinds=wanted)
            return [records.event(r) for r in found]

        return await self._read(work)

    # -- analysis ---------------------------------------------------------------------------------
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        """Kept, updated from the history entries since (graph.analysis.incremental), or read whole."""

        async def work(tx: Tx) -> Snapshot | records.SnapshotRecords:
            revision = (await rows(tx, q.PROJECT_REVISION, project_id=project_id))[0]["n"]
            if (kept := self._snapshots.get(project_id, revision, with_text)) is not None:
                return kept
            ids = [project_id]

            async def small() -> records.PartRecords:
                return records.PartRecords(
                    participants=await rows(tx, q.PARTICIPANTS_OF_PROJECTS, ids=ids),
                    codes=await rows(tx, q.CODES_OF_PROJECTS, ids=ids),
                    themes=await rows(tx, q.THEMES_OF_PROJECTS, ids=ids),
                    memberships=await rows(tx, q.MEMBERSHIPS, project_id=project_id),
                    links=await rows(tx, q.LINKS_OF_PROJECTS, ids=ids),
                    documents=await rows(tx, q.DOCUMENT_FACTS, project_id=project_id),
                )

            latest = self._snapshots.latest(project_id)
            if latest is not None and (latest[1] or not with_text) and latest[0].cursor is not None:
                before, texts = latest
                at, id = cursors.decode(latest[0].cursor, *cursors.EVENT_KEY)
                found = await rows(tx, q.ENTRIES_SINCE, project_id=project_id, at=at, id=id, limit=incremental.GAP + 1)
                entries = [incremental.Entry(r["type"], tuple(r["target_ids"])) for r in found]
                touched = incremental.touched(before, entries, revision)
                if touched is not None:
                    changed, documents = sorted(touched.excerpts), sorted(touched.documents)
                    return records.SnapshotRecords(
                        project_id=project_id,
                        revision=revision,
                        cursor=cursors.of_event(found[-1]["at"], found[-1]["id"]),
                        with_text=texts,
                        small=await small() if touched.small else None,
                        excerpts=(
                            read := _unique(
                                [
                                    *await rows(tx, q.EXCERPT_FACTS_OF, ids=changed, with_text=texts),
                                    *await rows(tx, q.EXCERPT_FACTS_IN, documents=documents, with_text=texts),
                                ]
                            )
                        ),
                        codings=await rows(tx, q.CODING_FACTS_OF, ids=[*changed, *(r["id"] for r in read)]),
                        turns=await rows(tx, q.TURN_FACTS_OF, ids=documents),
                        update=(before, touched),
                    )
            last = await rows(tx, q.LAST_EVENT, project_id=project_id)
            return records.SnapshotRecords(
                project_id=project_id,
                revision=revision,
                cursor=cursors.of_event(last[0]["at"], last[0]["id"]) if last else None,
                with_text=with_text,
                small=await small(),
                excerpts=await rows(tx, q.EXCERPT_FACTS, project_id=project_id, with_text=with_text),
                codings=await rows(tx, q.CODING_FACTS, project_id=project_id),
                turns=await rows(tx, q.TURN_FACTS, project_id=project_id),
            )

        async with self._snapshot_reads[project_id]:  # concurrent askers after a change share one read
            found = await self._read(work)
            if isinstance(found, Snapshot):
                return found
            return self._snapshots.put(await off_loop(found.snapshot), found.with_text)

    async def search_documents(
        self, project_id: str, terms: list[tuple[str, ...]]
    ) -> list[tuple[str, str | None, str]]:
        prefixes = [p for p in index_prefixes(terms) if _lucene_finds(p)]
        query = " AND ".join(f"{p}*" for p in prefixes)

        async def work(tx: Tx) -> list[tuple[str, str | None, str]]:
            if self._full_text and prefixes:
                found = await rows(tx, q.SEARCH_DOCUMENTS, query=query, project_id=project_id)
            else:
                found = await rows(tx, q.PROJECT_DOCUMENTS, project_id=project_id)
            return [(r["id"], r["participant_id"], r["text"]) for r in found]

        return await self._read(work)

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        async def work(tx: Tx) -> dict[str, NodeRef]:
            return {
                r["id"]: NodeRef(kind=NodeKind(r["kind"]), project_id=r["project_id"])
                for r in await rows(tx, q.NODES, ids=list(ids))
            }

        return await self._read(work)


LUCENE_STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their then there these they "
    "this to was will with".split()
)
"""The English stop words a Lucene standard analyzer may leave out of the index."""


def _lucene_finds(prefix: str) -> bool:
    """Whether Lucene's full-text index finds every word beginning with `prefix`: not if the prefix
    is not ASCII (a prefix query's text is not folded as the index's words are), nor if a stop word,
    which the index may not hold, begins with it. Leaving such a prefix out of the query only widens it."""
    return prefix.isascii() and not any(w.startswith(prefix) for w in LUCENE_STOP_WORDS)

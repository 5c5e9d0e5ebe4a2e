"""The store port: what the service layer (`graph.service`) asks of storage. Adapters
(embedded, neo4j) implement it and pass one contract suite (`tests/graph/`); only the
service calls it.

- `write(work)` runs a use case's `work` in one transaction (`graph.transaction`): it is
  committed when `work` returns and rolled back whole when it raises. An adapter may run
  `work` again after a transient failure, so `work` has no effect outside the transaction.
- The readers below are primitive batch reads, each one round trip: they take a sequence
  of ids and return a dict keyed by the ids that exist (missing ids are simply absent), so
  per-request DataLoaders can call them once per batch. Lists come back in a stable order
  (by name, or by position in text). They apply no access rule: the service does.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol, TypeVar, runtime_checkable

from graph.analysis.agreement import AgreementUnit
from graph.analysis.filters import CaseFilter, Where
from graph.analysis.results import (
    Agreement,
    CaseMatrix,
    ConceptKind,
    ConceptNetwork,
    ConceptPath,
    CooccurrenceScope,
    ExcerptOrder,
    Group,
    IdPage,
    MatchOrder,
    Paged,
    PairOrder,
    Pairs,
    ParticipantMatch,
    Relation,
    Saturation,
    SearchPage,
    SequenceHit,
    ThemeMap,
)
from graph.analysis.snapshot import Snapshot
from graph.models import (
    Code,
    Coding,
    ConceptStats,
    Document,
    Event,
    EventPage,
    Excerpt,
    Link,
    Membership,
    Memo,
    MemoPage,
    NodeRef,
    Page,
    Participant,
    Project,
    Role,
    SpeakerRole,
    Theme,
    Turn,
    User,
)
from graph.transaction import Transaction

T = TypeVar("T")


@runtime_checkable
class Store(Protocol):
    # -- lifecycle ---------------------------------------------------------------
    async def open(self) -> None:
        """Connect and create the storage structures (idempotent)."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if storage cannot be reached (readiness)."""

    # -- units of work ----------------------------------------------------------------
    async def write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` in one write transaction, serialised with other writes to the same data."""

    async def read(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """Run `work` over committed data without writing (read committed at least)."""

    # -- users ----------------------------------------------------------------------
    async def get_users(self, ids: Sequence[str]) -> dict[str, User]: ...

    async def get_user_by_name(self, name: str) -> User | None:
        """The user with this name, ignoring case."""

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        """The user holding a token with this hash, and the stored hash (to compare in constant time)."""

    async def find_users(self, search: str | None, after: tuple[str, str] | None, limit: int) -> list[tuple[str, User]]:
        """Users whose name starts with `search` or whose email is `search`, both ignoring case (None:
        every user), each with its sort key (the name ignoring case), by that key then id; after
        `after` (a sort key and an id), at most `limit`."""

    # -- membership --------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        """The user's role in each of the projects they are a member of."""

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]: ...

    # -- projects ---------------------------------------------------------------------
    async def list_projects(self) -> list[Project]: ...

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]: ...

    # -- participants and documents ---------------------------------------------------------
    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]: ...

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]: ...

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]: ...

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]: ...

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]: ...

    async def turns_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        """Each document's speaker turns, in text order."""

    # -- excerpts and coding ----------------------------------------------------------------
    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]: ...

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]: ...

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]: ...

    async def excerpts_of_codes(
        self,
        code_ids: Sequence[str],
        first: int,
        after: str | None,
        coder_id: str | None = None,
        order: ExcerptOrder = ExcerptOrder.TEXT,
    ) -> dict[str, Page]:
        """Per code, the excerpts coded with it (by anyone, or by `coder_id`), in document and text order (or,
        RECENT, by when those coders first applied that code to them, latest first, then id): one keyset page
        each, all read in one transaction."""

    # -- codes ----------------------------------------------------------------------------
    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]: ...

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def code_stats(
        self, code_ids: Sequence[str], coder_id: str | None = None, with_descendants: bool = False
    ) -> dict[str, ConceptStats]:
        """Distinct excerpts and participants coded with each code directly (by anyone, or by `coder_id`), or
        `with_descendants`, with the code or any code below it in the tree (each counted once)."""

    # -- themes ---------------------------------------------------------------------------
    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]: ...

    async def themes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def subthemes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def codes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def themes_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def theme_stats(
        self, theme_ids: Sequence[str], coder_id: str | None = None, with_descendants: bool = False
    ) -> dict[str, ConceptStats]:
        """Distinct excerpts and participants coded with any code of the theme or of its subthemes, recursively
        (`with_descendants`: or with any code below one of those codes)."""

    async def excerpts_of_themes(
        self, theme_ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, IdPage]:
        """Per theme, the excerpts coded (by anyone, or by `coder_id`) with any code of the theme or of its
        subthemes, recursively, in document and text order: one keyset page of ids each (every given id a key)."""

    # -- links and memos -------------------------------------------------------------------
    async def pinned_quotes(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the excerpts pinned to each code or theme, in their order (ids with none absent)."""

    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]: ...

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]: ...

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]: ...

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]: ...

    async def memos_of_targets(self, target_ids: Sequence[str], first: int, after: str | None) -> dict[str, MemoPage]:
        """Per node, the memos about it, oldest first: one keyset page each, all read in one transaction."""

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        """The kind and project of each existing node id (to resolve memo targets and
        concepts, and to authorise requests about a node)."""

    # -- activity -------------------------------------------------------------------------------
    async def activity(
        self,
        project_id: str,
        first: int,
        after: str | None = None,
        actor_id: str | None = None,
        target_id: str | None = None,
    ) -> EventPage:
        """The project's history, newest first, optionally only one actor's or about one node."""

    async def events_since(
        self, project_id: str, cursor: str | None, limit: int = 100, kinds: Sequence[str] | None = None
    ) -> list[Event]:
        """Events after a cursor (all, without one), oldest first: what live subscribers poll. With
        `kinds`, only entries of those kinds of node (`code` for `code.created`, `code.merged`, ...)."""

    async def revision(self, project_id: str) -> int:
        """How many history entries the project has (0 for none, or no such project): every
        change adds one, so answers read at one revision hold until the next."""

    # -- cross-case analysis (graph.analysis.analytics.Analytics gives every adapter these) ----
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot: ...

    async def search_documents(
        self, project_id: str, terms: list[tuple[str, ...]]
    ) -> list[tuple[str, str | None, str]]: ...

    async def theme_map(
        self,
        project_id: str,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        cooccurrence_min: int | None = None,
        with_descendants: bool = False,
    ) -> ThemeMap: ...

    async def cooccurrence(
        self,
        project_id: str,
        scope: CooccurrenceScope = CooccurrenceScope.EXCERPT,
        code_ids: Sequence[str] = (),
        theme_ids: Sequence[str] = (),
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        order: PairOrder = PairOrder.COUNT,
    ) -> Pairs:
        """Pairs of concepts that occur together, most frequent first (then in concept order), or in `order`."""

    async def case_matrix(
        self,
        project_id: str,
        columns: ConceptKind = ConceptKind.CODE,
        column_ids: Sequence[str] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> CaseMatrix: ...

    async def compare_groups(
        self,
        project_id: str,
        attribute: str,
        columns: ConceptKind = ConceptKind.THEME,
        column_ids: Sequence[str] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[Group]: ...

    async def find_excerpts(self, project_id: str, where: Where, first: int, after: str | None) -> IdPage: ...

    async def participants_matching(self, project_id: str, where: Where) -> list[ParticipantMatch]: ...

    async def participants_matching_page(
        self,
        project_id: str,
        where: Where,
        order: MatchOrder = MatchOrder.PSEUDONYM,
        first: int | None = None,
        after: str | None = None,
    ) -> Paged[ParticipantMatch]:
        """The participants of `participants_matching` in `order`, a page at a time (all without `first`)."""

    async def sequences_page(
        self,
        project_id: str,
        first: str,
        then: str,
        max_gap: int | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        count: int | None = None,
        after: str | None = None,
    ) -> Paged[SequenceHit]:
        """The hits of `sequences`, `count` at a time after the cursor `after` (all without `count`)."""

    async def sequences(
        self,
        project_id: str,
        first: str,
        then: str,
        max_gap: int | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[SequenceHit]: ...

    async def concept_paths(
        self,
        project_id: str,
        source: str,
        target: str,
        max_length: int = 4,
        via: Sequence[Relation] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[ConceptPath]: ...

    async def saturation(
        self,
        project_id: str,
        order_by: str | None = None,
        document_ids: Sequence[str] = (),
        base: int = 4,
        run: int = 2,
        threshold: float = 0.05,
        high_frequency: float = 0.5,
        permutations: int = 0,
        seed: int = 0,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> Saturation: ...

    async def concept_network(
        self,
        project_id: str,
        cooccurrence_min: int | None = 1,
        links: bool = True,
        resolution: float = 1.0,
        seed: int = 0,
        betweenness: bool = True,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> ConceptNetwork: ...

    async def search(
        self,
        project_id: str,
        text: str,
        first: int = 20,
        after: str | None = None,
        spoken_by: SpeakerRole | None = None,
        near: int | None = None,
    ) -> SearchPage:
        """Matches of `text`; with `spoken_by`, only those lying within the turns of speakers with that
        role; with `near`, only those of stretches of at most that many words holding every term."""

    async def agreement(
        self,
        project_id: str,
        coders: Sequence[str],
        code_ids: Sequence[str] = (),
        document_ids: Sequence[str] = (),
        unit: AgreementUnit = AgreementUnit.EXCERPT,
    ) -> Agreement: ...

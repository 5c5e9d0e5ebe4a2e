"""The store port: every operation the GraphQL layer, the CLI and the seeds may ask of
storage. Adapters (embedded, neo4j) implement it and pass one contract suite
(`tests/graph/`).

Conventions that every adapter keeps:
- each method is one round trip to storage and, for writes, one atomic transaction:
  it succeeds whole or changes nothing;
- writes take `actor`, the id of the user making the change, and stamp provenance;
- batch readers take a sequence of ids and return a dict keyed by the ids that exist
  (missing ids are simply absent), so per-request DataLoaders can call them once per
  batch;
- bad input raises `graph.errors.BadInput`, unknown ids `NotFound`, stale versions
  `StaleVersion`; lists come back in a stable order (by name, or by position in text).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from graph.analysis.agreement import AgreementUnit
from graph.analysis.filters import CaseFilter, Where
from graph.analysis.results import (
    Agreement,
    CaseMatrix,
    ConceptKind,
    ConceptPath,
    CooccurrenceScope,
    Group,
    IdPage,
    Pair,
    ParticipantMatch,
    Relation,
    SearchPage,
    SequenceHit,
    ThemeMap,
)
from graph.analysis.snapshot import Snapshot
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
    Code,
    Coding,
    ConceptStats,
    Document,
    Excerpt,
    Link,
    Event,
    EventPage,
    Memo,
    Membership,
    NodeRef,
    Page,
    Participant,
    Project,
    Role,
    Theme,
    User,
)


@runtime_checkable
class Store(Protocol):
    # -- lifecycle ---------------------------------------------------------------
    async def open(self) -> None:
        """Connect and create the storage structures (idempotent)."""

    async def close(self) -> None: ...

    async def ping(self) -> None:
        """Raise if storage cannot be reached (readiness)."""

    # -- users ----------------------------------------------------------------------
    async def ensure_user(self, id: str, name: str, email: str | None = None) -> User:
        """Create the user with this id if absent; return it (used for the local user and seeds)."""

    async def get_users(self, ids: Sequence[str]) -> dict[str, User]: ...

    async def create_user(self, name: str, email: str | None = None) -> User:
        """A new user; BadInput if the name (ignoring case) is taken."""

    async def get_user_by_name(self, name: str) -> User | None:
        """The user with this name, ignoring case."""

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> None:
        """Replace the user's API token hash (None revokes it); NotFound if no such user."""

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        """The user holding a token with this hash, and the stored hash (to compare in constant time)."""

    # -- membership --------------------------------------------------------------------------
    async def roles(self, user_id: str, project_ids: Sequence[str]) -> dict[str, Role]:
        """The user's role in each of the projects they are a member of."""

    async def members_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Membership]]: ...

    async def add_member(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        """BadInput if already a member (use change_role)."""

    async def change_role(self, actor: str, project_id: str, user_id: str, role: Role) -> Membership:
        """BadInput if it would leave the project without an OWNER."""

    async def remove_member(self, actor: str, project_id: str, user_id: str) -> None:
        """BadInput if it would leave the project without an OWNER."""

    # -- projects ---------------------------------------------------------------------
    async def list_projects(self) -> list[Project]: ...

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]: ...

    async def create_project(self, actor: str, new: NewProject) -> Project:
        """Create a project; `actor` becomes its first OWNER."""

    async def update_project(self, actor: str, id: str, patch: ProjectPatch) -> Project: ...

    async def delete_project(self, actor: str, id: str) -> None:
        """Delete the project and everything that belongs to it."""

    # -- participants and documents ---------------------------------------------------------
    async def add_participant(self, actor: str, new: NewParticipant) -> Participant: ...

    async def update_participant(self, actor: str, id: str, patch: ParticipantPatch) -> Participant: ...

    async def delete_participant(self, actor: str, id: str) -> None:
        """Delete a participant; their documents stay, no longer about anyone."""

    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]: ...

    async def participants_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Participant]]: ...

    async def add_document(self, actor: str, new: NewDocument) -> Document: ...

    async def delete_document(self, actor: str, id: str) -> None:
        """Delete a document with its excerpts, their codings, evidence and memos."""

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]: ...

    async def documents_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Document]]: ...

    async def documents_of_participants(self, participant_ids: Sequence[str]) -> dict[str, list[Document]]: ...

    # -- excerpts and coding ----------------------------------------------------------------
    async def create_excerpt(self, actor: str, new: NewExcerpt) -> Excerpt: ...

    async def delete_excerpt(self, actor: str, id: str) -> None: ...

    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]: ...

    async def excerpts_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Excerpt]]: ...

    async def code_excerpt(self, actor: str, excerpt_id: str, code_id: str) -> Excerpt:
        """Record `actor`'s coding of the excerpt with the code (idempotent)."""

    async def uncode_excerpt(
        self, actor: str, excerpt_id: str, code_id: str, coder_id: str | None = None
    ) -> Excerpt:
        """Remove one coder's coding (`coder_id`, default `actor`); NotFound if there is none."""

    async def code_text(
        self, actor: str, new: NewExcerpt, code_ids: Sequence[str]
    ) -> Excerpt:
        """Create the excerpt (or reuse the one with the same span) and code it, atomically."""

    async def code_passages(self, actor: str, passages: Sequence[CodedPassage]) -> list[str]:
        """Bulk `code_text` for seeds and imports, each passage as its own coder, all in
        one atomic transaction; return the excerpt id of each passage, in order."""

    async def codings_of_excerpts(self, excerpt_ids: Sequence[str]) -> dict[str, list[Coding]]: ...

    async def excerpts_of_codes(
        self, code_ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, Page]:
        """Per code, the excerpts coded with it (by anyone, or by `coder_id`), in document and
        text order: one keyset page each, all read in one transaction."""

    # -- codes ----------------------------------------------------------------------------
    async def create_code(self, actor: str, new: NewCode) -> Code: ...

    async def update_code(self, actor: str, id: str, patch: CodePatch) -> Code: ...

    async def delete_code(self, actor: str, id: str) -> None:
        """Delete a code with its codings, memberships, links and memos; children move up to its parent."""

    async def merge_codes(self, actor: str, source_id: str, target_id: str) -> Code:
        """Move the source's codings, memberships, links, children and memos to the target; delete the source."""

    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]: ...

    async def codes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def children_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def code_stats(self, code_ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        """Distinct excerpts and participants coded with each code directly (by anyone, or by `coder_id`)."""

    # -- themes ---------------------------------------------------------------------------
    async def create_theme(self, actor: str, new: NewTheme) -> Theme: ...

    async def update_theme(self, actor: str, id: str, patch: ThemePatch) -> Theme: ...

    async def delete_theme(self, actor: str, id: str) -> None:
        """Delete a theme with its memberships, links and memos; subthemes move up to its parent."""

    async def add_code_to_theme(self, actor: str, code_id: str, theme_id: str) -> Theme: ...

    async def remove_code_from_theme(self, actor: str, code_id: str, theme_id: str) -> Theme: ...

    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]: ...

    async def themes_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def subthemes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def codes_of_themes(self, theme_ids: Sequence[str]) -> dict[str, list[Code]]: ...

    async def themes_of_codes(self, code_ids: Sequence[str]) -> dict[str, list[Theme]]: ...

    async def theme_stats(self, theme_ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        """Distinct excerpts and participants coded with any code of the theme or of its subthemes, recursively."""

    # -- links and memos -------------------------------------------------------------------
    async def link_concepts(self, actor: str, new: NewLink) -> Link: ...

    async def update_link(self, actor: str, id: str, patch: LinkPatch) -> Link: ...

    async def unlink(self, actor: str, id: str) -> None: ...

    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]: ...

    async def links_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Link]]: ...

    async def add_memo(self, actor: str, new: NewMemo) -> Memo: ...

    async def update_memo(self, actor: str, id: str, patch: MemoPatch) -> Memo: ...

    async def delete_memo(self, actor: str, id: str) -> None: ...

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]: ...

    async def memos_of_projects(self, project_ids: Sequence[str]) -> dict[str, list[Memo]]: ...

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        """The kind and project of each existing node id (to resolve memo targets and
        concepts, and to authorise requests about a node)."""

    # -- activity -------------------------------------------------------------------------------
    async def activity(self, project_id: str, first: int, after: str | None = None, actor_id: str | None = None,
                       target_id: str | None = None) -> EventPage:
        """The project's history, newest first, optionally only one actor's or about one node."""

    async def events_since(self, project_id: str, cursor: str | None, limit: int = 100) -> list[Event]:
        """Events after a cursor (all, without one), oldest first: what live subscribers poll."""

    # -- cross-case analysis (graph.analysis.service.Analytics gives every adapter these) ----
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot: ...

    async def search_documents(
        self, project_id: str, terms: list[tuple[str, ...]]
    ) -> list[tuple[str, str | None, str]]: ...

    async def theme_map(
        self, project_id: str, filter: CaseFilter | None = None, coders: Sequence[str] | None = None,
        cooccurrence_min: int | None = None,
    ) -> ThemeMap: ...

    async def cooccurrence(
        self, project_id: str, scope: CooccurrenceScope = CooccurrenceScope.EXCERPT, code_ids: Sequence[str] = (),
        theme_ids: Sequence[str] = (), min_count: int = 1, filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[Pair]: ...

    async def case_matrix(
        self, project_id: str, columns: ConceptKind = ConceptKind.CODE, column_ids: Sequence[str] = (),
        filter: CaseFilter | None = None, coders: Sequence[str] | None = None,
    ) -> CaseMatrix: ...

    async def compare_groups(
        self, project_id: str, attribute: str, columns: ConceptKind = ConceptKind.THEME,
        column_ids: Sequence[str] = (), filter: CaseFilter | None = None, coders: Sequence[str] | None = None,
    ) -> list[Group]: ...

    async def find_excerpts(self, project_id: str, where: Where, first: int, after: str | None) -> IdPage: ...

    async def participants_matching(self, project_id: str, where: Where) -> list[ParticipantMatch]: ...

    async def sequences(
        self, project_id: str, first: str, then: str, max_gap: int | None = None,
        filter: CaseFilter | None = None, coders: Sequence[str] | None = None,
    ) -> list[SequenceHit]: ...

    async def concept_paths(
        self, project_id: str, source: str, target: str, max_length: int = 4, via: Sequence[Relation] = (),
        filter: CaseFilter | None = None, coders: Sequence[str] | None = None,
    ) -> list[ConceptPath]: ...

    async def search(self, project_id: str, text: str, first: int = 20, after: str | None = None) -> SearchPage: ...

    async def agreement(
        self, project_id: str, coders: Sequence[str], code_ids: Sequence[str] = (), document_ids: Sequence[str] = (),
        unit: AgreementUnit = AgreementUnit.EXCERPT,
    ) -> Agreement: ...

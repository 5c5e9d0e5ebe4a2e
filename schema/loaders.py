"""Per-request DataLoaders over the store's batch readers, so a query costs a bounded
number of store round trips whatever the number of nodes it touches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, Generic, TypeVar

from strawberry.dataloader import DataLoader

from graph.analysis.results import ExcerptOrder
from graph.models import (
    Code,
    Coding,
    ConceptStats,
    Document,
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
    Theme,
    Turn,
    User,
)
from graph.service import Reader

V = TypeVar("V")


def _one(fetch: Callable[[Sequence[str]], Awaitable[dict[str, V]]]) -> DataLoader[str, V | None]:
    async def load(keys: list[str]) -> list[V | None]:
        found = await fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _stats(fetch: Callable[[Sequence[str]], Awaitable[dict[str, ConceptStats]]]) -> DataLoader[str, ConceptStats]:
    """Prevalence by concept id, counted over the codings the reader lets the caller see."""

    async def load(keys: list[str]) -> list[ConceptStats]:
        found = await fetch(keys)
        return [found.get(key, ConceptStats(excerpt_count=0, participant_count=0)) for key in keys]

    return DataLoader(load_fn=load)


L = TypeVar("L")


class _Lazy(Generic[L]):
    """A `Loaders` attribute made from the request's reader on first use, then kept."""

    def __init__(self, make: Callable[[Reader], L]) -> None:
        self.make = make

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loaders: Loaders, owner: type) -> L:
        made = loaders.__dict__[self.name] = self.make(loaders.reader)
        return made


PageKey = tuple[str, int, str | None]
"""(id of the node whose list it is, first, after)."""
P = TypeVar("P")


def _pages(fetch: Callable[[Sequence[str], int, str | None], Awaitable[dict[str, P]]]) -> DataLoader[PageKey, P]:
    """One store call per distinct (first, after): a list of codes each showing its first
    excerpts costs one round trip, not one per code."""

    async def load(keys: list[PageKey]) -> list[P]:
        groups: dict[tuple[int, str | None], list[str]] = {}
        for id, first, after in keys:
            groups.setdefault((first, after), []).append(id)
        found = {group: await fetch(ids, *group) for group, ids in groups.items()}
        return [found[(first, after)][id] for id, first, after in keys]

    return DataLoader(load_fn=load)


def _many(fetch: Callable[[Sequence[str]], Awaitable[dict[str, list[V]]]]) -> DataLoader[str, list[V]]:
    async def load(keys: list[str]) -> list[list[V]]:
        found = await fetch(keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per batch reader of the request's `Reader` (the policy applied); a new set
    for every request, each loader made when first used (a request uses a few of them)."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader

    user: _Lazy[DataLoader[str, User | None]] = _Lazy(lambda r: _one(r.get_users))
    project: _Lazy[DataLoader[str, Project | None]] = _Lazy(lambda r: _one(r.get_projects))
    participant: _Lazy[DataLoader[str, Participant | None]] = _Lazy(lambda r: _one(r.get_participants))
    document: _Lazy[DataLoader[str, Document | None]] = _Lazy(lambda r: _one(r.get_documents))
    excerpt: _Lazy[DataLoader[str, Excerpt | None]] = _Lazy(lambda r: _one(r.get_excerpts))
    code: _Lazy[DataLoader[str, Code | None]] = _Lazy(lambda r: _one(r.get_codes))
    theme: _Lazy[DataLoader[str, Theme | None]] = _Lazy(lambda r: _one(r.get_themes))
    link: _Lazy[DataLoader[str, Link | None]] = _Lazy(lambda r: _one(r.get_links))
    memo: _Lazy[DataLoader[str, Memo | None]] = _Lazy(lambda r: _one(r.get_memos))
    node: _Lazy[DataLoader[str, NodeRef | None]] = _Lazy(lambda r: _one(r.node_refs))
    participants_of_project: _Lazy[DataLoader[str, list[Participant]]] = _Lazy(
        lambda r: _many(r.participants_of_projects)
    )
    documents_of_project: _Lazy[DataLoader[str, list[Document]]] = _Lazy(lambda r: _many(r.documents_of_projects))
    documents_of_participant: _Lazy[DataLoader[str, list[Document]]] = _Lazy(
        lambda r: _many(r.documents_of_participants)
    )
    excerpts_of_document: _Lazy[DataLoader[str, list[Excerpt]]] = _Lazy(lambda r: _many(r.excerpts_of_documents))
    turns_of_document: _Lazy[DataLoader[str, list[Turn]]] = _Lazy(lambda r: _many(r.turns_of_documents))
    codings_of_excerpt: _Lazy[DataLoader[str, list[Coding]]] = _Lazy(lambda r: _many(r.codings_of_excerpts))
    codes_of_project: _Lazy[DataLoader[str, list[Code]]] = _Lazy(lambda r: _many(r.codes_of_projects))
    children_of_code: _Lazy[DataLoader[str, list[Code]]] = _Lazy(lambda r: _many(r.children_of_codes))
    themes_of_project: _Lazy[DataLoader[str, list[Theme]]] = _Lazy(lambda r: _many(r.themes_of_projects))
    subthemes_of_theme: _Lazy[DataLoader[str, list[Theme]]] = _Lazy(lambda r: _many(r.subthemes_of_themes))
    codes_of_theme: _Lazy[DataLoader[str, list[Code]]] = _Lazy(lambda r: _many(r.codes_of_themes))
    themes_of_code: _Lazy[DataLoader[str, list[Theme]]] = _Lazy(lambda r: _many(r.themes_of_codes))
    links_of_project: _Lazy[DataLoader[str, list[Link]]] = _Lazy(lambda r: _many(r.links_of_projects))
    memos_of_project: _Lazy[DataLoader[str, list[Memo]]] = _Lazy(lambda r: _many(r.memos_of_projects))
    pinned_quotes: _Lazy[DataLoader[str, list[Excerpt]]] = _Lazy(lambda r: _many(r.pinned_quotes))
    members_of_project: _Lazy[DataLoader[str, list[Membership]]] = _Lazy(lambda r: _many(r.members_of_projects))
    excerpts_of_code: _Lazy[DataLoader[PageKey, Page]] = _Lazy(lambda r: _pages(r.excerpts_of_codes))
    recently_coded: _Lazy[DataLoader[PageKey, Page]] = _Lazy(
        lambda r: _pages(partial(r.excerpts_of_codes, order=ExcerptOrder.RECENT))
    )
    excerpts_of_theme: _Lazy[DataLoader[PageKey, Page]] = _Lazy(lambda r: _pages(r.excerpts_of_themes))
    memos_of_node: _Lazy[DataLoader[PageKey, MemoPage]] = _Lazy(lambda r: _pages(r.memos_of_targets))
    code_stats: _Lazy[DataLoader[str, ConceptStats]] = _Lazy(lambda r: _stats(r.code_stats))
    code_family_stats: _Lazy[DataLoader[str, ConceptStats]] = _Lazy(lambda r: _stats(r.code_family_stats))
    theme_family_stats: _Lazy[DataLoader[str, ConceptStats]] = _Lazy(lambda r: _stats(r.theme_family_stats))
    theme_stats: _Lazy[DataLoader[str, ConceptStats]] = _Lazy(lambda r: _stats(r.theme_stats))

    def for_kind(self, kind: NodeKind) -> DataLoader[str, Any]:
        """The by-id loader for nodes of `kind`."""
        return {
            NodeKind.PROJECT: self.project,
            NodeKind.PARTICIPANT: self.participant,
            NodeKind.DOCUMENT: self.document,
            NodeKind.EXCERPT: self.excerpt,
            NodeKind.CODE: self.code,
            NodeKind.THEME: self.theme,
            NodeKind.LINK: self.link,
            NodeKind.MEMO: self.memo,
        }[kind]

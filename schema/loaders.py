"""Per-request DataLoaders over the store's batch readers, so a query costs a bounded
number of store round trips whatever the number of nodes it touches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

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
    """One DataLoader per batch reader of the request's `Reader` (the policy applied); a new set for every request."""

    def __init__(self, reader: Reader) -> None:
        self.user: DataLoader[str, User | None] = _one(reader.get_users)
        self.project: DataLoader[str, Project | None] = _one(reader.get_projects)
        self.participant: DataLoader[str, Participant | None] = _one(reader.get_participants)
        self.document: DataLoader[str, Document | None] = _one(reader.get_documents)
        self.excerpt: DataLoader[str, Excerpt | None] = _one(reader.get_excerpts)
        self.code: DataLoader[str, Code | None] = _one(reader.get_codes)
        self.theme: DataLoader[str, Theme | None] = _one(reader.get_themes)
        self.link: DataLoader[str, Link | None] = _one(reader.get_links)
        self.memo: DataLoader[str, Memo | None] = _one(reader.get_memos)
        self.node: DataLoader[str, NodeRef | None] = _one(reader.node_refs)

        self.participants_of_project: DataLoader[str, list[Participant]] = _many(reader.participants_of_projects)
        self.documents_of_project: DataLoader[str, list[Document]] = _many(reader.documents_of_projects)
        self.documents_of_participant: DataLoader[str, list[Document]] = _many(reader.documents_of_participants)
        self.excerpts_of_document: DataLoader[str, list[Excerpt]] = _many(reader.excerpts_of_documents)
        self.turns_of_document: DataLoader[str, list[Turn]] = _many(reader.turns_of_documents)
        self.codings_of_excerpt: DataLoader[str, list[Coding]] = _many(reader.codings_of_excerpts)
        self.codes_of_project: DataLoader[str, list[Code]] = _many(reader.codes_of_projects)
        self.children_of_code: DataLoader[str, list[Code]] = _many(reader.children_of_codes)
        self.themes_of_project: DataLoader[str, list[Theme]] = _many(reader.themes_of_projects)
        self.subthemes_of_theme: DataLoader[str, list[Theme]] = _many(reader.subthemes_of_themes)
        self.codes_of_theme: DataLoader[str, list[Code]] = _many(reader.codes_of_themes)
        self.themes_of_code: DataLoader[str, list[Theme]] = _many(reader.themes_of_codes)
        self.links_of_project: DataLoader[str, list[Link]] = _many(reader.links_of_projects)
        self.memos_of_project: DataLoader[str, list[Memo]] = _many(reader.memos_of_projects)
        self.pinned_quotes: DataLoader[str, list[Excerpt]] = _many(reader.pinned_quotes)
        self.members_of_project: DataLoader[str, list[Membership]] = _many(reader.members_of_projects)

        self.excerpts_of_code: DataLoader[PageKey, Page] = _pages(reader.excerpts_of_codes)
        self.recently_coded: DataLoader[PageKey, Page] = _pages(
            partial(reader.excerpts_of_codes, order=ExcerptOrder.RECENT)
        )
        self.excerpts_of_theme: DataLoader[PageKey, Page] = _pages(reader.excerpts_of_themes)
        self.memos_of_node: DataLoader[PageKey, MemoPage] = _pages(reader.memos_of_targets)

        self.code_stats: DataLoader[str, ConceptStats] = _stats(reader.code_stats)
        self.code_family_stats: DataLoader[str, ConceptStats] = _stats(reader.code_family_stats)
        self.theme_family_stats: DataLoader[str, ConceptStats] = _stats(reader.theme_family_stats)
        self.theme_stats: DataLoader[str, ConceptStats] = _stats(reader.theme_stats)

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

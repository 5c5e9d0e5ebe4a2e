"""Per-request DataLoaders over the store's batch readers, so a query costs a bounded
number of store round trips whatever the number of nodes it touches."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graph.models import (
    Code,
    Coding,
    ConceptStats,
    Document,
    Excerpt,
    Link,
    Membership,
    Memo,
    NodeKind,
    NodeRef,
    Page,
    Participant,
    Project,
    Theme,
    User,
)
from graph.service import Reader

V = TypeVar("V")


def _one(fetch: Callable[[Sequence[str]], Awaitable[dict[str, V]]]) -> DataLoader[str, V | None]:
    async def load(keys: list[str]) -> list[V | None]:
        found = await fetch(keys)
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _stats(
    fetch: Callable[[Sequence[str], str | None], Awaitable[dict[str, ConceptStats]]],
) -> DataLoader[tuple[str, str | None], ConceptStats]:
    """Keys are (concept id, coder or None for everyone); one store call per distinct coder."""

    async def load(keys: list[tuple[str, str | None]]) -> list[ConceptStats]:
        by_coder: dict[str | None, list[str]] = {}
        for id, coder in keys:
            by_coder.setdefault(coder, []).append(id)
        found = {coder: await fetch(ids, coder) for coder, ids in by_coder.items()}
        return [found[coder][id] for id, coder in keys]

    return DataLoader(load_fn=load)


PageKey = tuple[str, int, str | None, str | None]
"""(code id, first, after, coder or None for everyone)."""


def _pages(
    fetch: Callable[[Sequence[str], int, str | None, str | None], Awaitable[dict[str, Page]]],
) -> DataLoader[PageKey, Page]:
    """One store call per distinct (first, after, coder): a list of codes each showing
    its first excerpts costs one round trip, not one per code."""

    async def load(keys: list[PageKey]) -> list[Page]:
        groups: dict[tuple[int, str | None, str | None], list[str]] = {}
        for id, first, after, coder in keys:
            groups.setdefault((first, after, coder), []).append(id)
        found = {group: await fetch(ids, *group) for group, ids in groups.items()}
        return [found[(first, after, coder)][id] for id, first, after, coder in keys]

    return DataLoader(load_fn=load)


def _many(fetch: Callable[[Sequence[str]], Awaitable[dict[str, list[V]]]]) -> DataLoader[str, list[V]]:
    async def load(keys: list[str]) -> list[list[V]]:
        found = await fetch(keys)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


class Loaders:
    """One DataLoader per batch reader of the request's `Reader` (the policy applied); a new set for every request."""

    def __init__(self, store: Reader) -> None:
        self.user: DataLoader[str, User | None] = _one(store.get_users)
        self.project: DataLoader[str, Project | None] = _one(store.get_projects)
        self.participant: DataLoader[str, Participant | None] = _one(store.get_participants)
        self.document: DataLoader[str, Document | None] = _one(store.get_documents)
        self.excerpt: DataLoader[str, Excerpt | None] = _one(store.get_excerpts)
        self.code: DataLoader[str, Code | None] = _one(store.get_codes)
        self.theme: DataLoader[str, Theme | None] = _one(store.get_themes)
        self.link: DataLoader[str, Link | None] = _one(store.get_links)
        self.memo: DataLoader[str, Memo | None] = _one(store.get_memos)
        self.node: DataLoader[str, NodeRef | None] = _one(store.node_refs)

        self.participants_of_project: DataLoader[str, list[Participant]] = _many(store.participants_of_projects)
        self.documents_of_project: DataLoader[str, list[Document]] = _many(store.documents_of_projects)
        self.documents_of_participant: DataLoader[str, list[Document]] = _many(store.documents_of_participants)
        self.excerpts_of_document: DataLoader[str, list[Excerpt]] = _many(store.excerpts_of_documents)
        self.codings_of_excerpt: DataLoader[str, list[Coding]] = _many(store.codings_of_excerpts)
        self.codes_of_project: DataLoader[str, list[Code]] = _many(store.codes_of_projects)
        self.children_of_code: DataLoader[str, list[Code]] = _many(store.children_of_codes)
        self.themes_of_project: DataLoader[str, list[Theme]] = _many(store.themes_of_projects)
        self.subthemes_of_theme: DataLoader[str, list[Theme]] = _many(store.subthemes_of_themes)
        self.codes_of_theme: DataLoader[str, list[Code]] = _many(store.codes_of_themes)
        self.themes_of_code: DataLoader[str, list[Theme]] = _many(store.themes_of_codes)
        self.links_of_project: DataLoader[str, list[Link]] = _many(store.links_of_projects)
        self.memos_of_project: DataLoader[str, list[Memo]] = _many(store.memos_of_projects)
        self.members_of_project: DataLoader[str, list[Membership]] = _many(store.members_of_projects)

        self.excerpts_of_code: DataLoader[PageKey, Page] = _pages(store.excerpts_of_codes)

        self.code_stats: DataLoader[tuple[str, str | None], ConceptStats] = _stats(store.code_stats)
        self.theme_stats: DataLoader[tuple[str, str | None], ConceptStats] = _stats(store.theme_stats)

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

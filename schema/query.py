"""The Query root. Reads of a node by id give null unless the caller may read its project."""

from __future__ import annotations

from typing import Any

import strawberry

from graph.models import NodeKind
from schema.activity import ActivityQuery
from schema.analysis import AnalysisQuery
from schema.arranging import ArrangingQuery
from schema.context import Info
from schema.limits import check_page_size
from schema.network import NetworkQuery
from schema.saturation import SaturationQuery
from schema.types import (
    Code,
    Document,
    Excerpt,
    Link,
    Memo,
    Node,
    PageInfo,
    Participant,
    Project,
    Theme,
    User,
    UserConnection,
    UserEdge,
    load_node,
)


async def readable(info: Info, id: str, kind: NodeKind) -> Any:
    """The node's model if it exists with this kind and the caller may read it (the reader's loaders
    leave out what the caller may not see)."""
    ref = await info.context.loaders.node.load(id)
    if ref is None or ref.kind is not kind:
        return None
    return await info.context.loaders.for_kind(kind).load(id)


@strawberry.type
class Query(AnalysisQuery, SaturationQuery, NetworkQuery, ActivityQuery, ArrangingQuery):
    @strawberry.field(description="The user this request acts as.")
    def me(self, info: Info) -> User:
        assert info.context.user is not None
        return User.of(info.context.user)

    @strawberry.field(
        description="Users whose name starts with `search`, or whose email address is `search` (both "
        "ignoring case), by name: how an OWNER finds the id that addMember needs. Any signed-in user may "
        "search; a search must be given, and emails are matched, never shown."
    )
    async def users(self, info: Info, search: str, first: int = 20, after: str | None = None) -> UserConnection:
        check_page_size(first, info.context.limits)
        found = await info.context.reader.find_users(search, first, after)
        return UserConnection(
            edges=[UserEdge(cursor=c, node=User.of(u)) for u, c in zip(found.users, found.cursors)],
            page_info=PageInfo(
                has_next_page=found.has_next_page, end_cursor=found.cursors[-1] if found.cursors else after
            ),
        )

    @strawberry.field(description="The projects you are a member of, by name.")
    async def projects(self, info: Info) -> list[Project]:
        return [Project.of(p) for p in await info.context.reader.list_projects()]

    @strawberry.field
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        found = await readable(info, id, NodeKind.PROJECT)
        return Project.of(found) if found else None

    @strawberry.field
    async def participant(self, info: Info, id: strawberry.ID) -> Participant | None:
        found = await readable(info, id, NodeKind.PARTICIPANT)
        return Participant.of(found) if found else None

    @strawberry.field
    async def document(self, info: Info, id: strawberry.ID) -> Document | None:
        found = await readable(info, id, NodeKind.DOCUMENT)
        return Document.of(found) if found else None

    @strawberry.field
    async def excerpt(self, info: Info, id: strawberry.ID) -> Excerpt | None:
        found = await readable(info, id, NodeKind.EXCERPT)
        return Excerpt.of(found) if found else None

    @strawberry.field
    async def code(self, info: Info, id: strawberry.ID) -> Code | None:
        found = await readable(info, id, NodeKind.CODE)
        return Code.of(found) if found else None

    @strawberry.field
    async def theme(self, info: Info, id: strawberry.ID) -> Theme | None:
        found = await readable(info, id, NodeKind.THEME)
        return Theme.of(found) if found else None

    @strawberry.field
    async def link(self, info: Info, id: strawberry.ID) -> Link | None:
        found = await readable(info, id, NodeKind.LINK)
        return Link.of(found) if found else None

    @strawberry.field
    async def memo(self, info: Info, id: strawberry.ID) -> Memo | None:
        found = await readable(info, id, NodeKind.MEMO)
        return Memo.of(found) if found else None

    @strawberry.field(description="Any node by id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        if await info.context.loaders.node.load(id) is None:
            return None
        return await load_node(info, id)

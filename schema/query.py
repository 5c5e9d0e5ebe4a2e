"""The Query root."""

from __future__ import annotations

import strawberry

from schema.analysis import AnalysisQuery
from schema.context import Info
from schema.types import Code, Document, Excerpt, Link, Memo, Node, Participant, Project, Theme, User, load_node


@strawberry.type
class Query(AnalysisQuery):
    @strawberry.field(description="The user this request acts as.")
    def me(self, info: Info) -> User:
        return User.of(info.context.user)

    @strawberry.field(description="Every project, by name.")
    async def projects(self, info: Info) -> list[Project]:
        return [Project.of(p) for p in await info.context.store.list_projects()]

    @strawberry.field
    async def project(self, info: Info, id: strawberry.ID) -> Project | None:
        found = await info.context.loaders.project.load(id)
        return Project.of(found) if found else None

    @strawberry.field
    async def participant(self, info: Info, id: strawberry.ID) -> Participant | None:
        found = await info.context.loaders.participant.load(id)
        return Participant.of(found) if found else None

    @strawberry.field
    async def document(self, info: Info, id: strawberry.ID) -> Document | None:
        found = await info.context.loaders.document.load(id)
        return Document.of(found) if found else None

    @strawberry.field
    async def excerpt(self, info: Info, id: strawberry.ID) -> Excerpt | None:
        found = await info.context.loaders.excerpt.load(id)
        return Excerpt.of(found) if found else None

    @strawberry.field
    async def code(self, info: Info, id: strawberry.ID) -> Code | None:
        found = await info.context.loaders.code.load(id)
        return Code.of(found) if found else None

    @strawberry.field
    async def theme(self, info: Info, id: strawberry.ID) -> Theme | None:
        found = await info.context.loaders.theme.load(id)
        return Theme.of(found) if found else None

    @strawberry.field
    async def link(self, info: Info, id: strawberry.ID) -> Link | None:
        found = await info.context.loaders.link.load(id)
        return Link.of(found) if found else None

    @strawberry.field
    async def memo(self, info: Info, id: strawberry.ID) -> Memo | None:
        found = await info.context.loaders.memo.load(id)
        return Memo.of(found) if found else None

    @strawberry.field(description="Any node by id.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_node(info, id)

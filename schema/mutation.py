"""The Mutation root. Each mutation is one atomic store call made as the current user."""

from __future__ import annotations

import strawberry

from graph import inputs as domain
from graph.models import NodeKind, Role
from schema.context import Info
from schema.inputs import (
    AddDocumentInput,
    AddMemoInput,
    AddParticipantInput,
    CodeTextInput,
    CreateCodeInput,
    CreateExcerptInput,
    CreateProjectInput,
    CreateThemeInput,
    LinkConceptsInput,
    UpdateCodeInput,
    UpdateLinkInput,
    UpdateMemoInput,
    UpdateParticipantInput,
    UpdateProjectInput,
    UpdateThemeInput,
    to_domain,
    to_patch,
)
from schema.permissions import require, require_node
from schema.types import Code, Document, Excerpt, Link, Member, Memo, Participant, Project, Theme
from schema.types import Role as RoleEnum


def _actor(info: Info) -> str:
    """The id of the user the request acts as (the extension in schema.auth guarantees one)."""
    assert info.context.user is not None
    return info.context.user.id


@strawberry.type
class Mutation:
    # -- membership ---------------------------------------------------------------------
    @strawberry.mutation(description="Make a user a member of the project (OWNER only).")
    async def add_member(self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: RoleEnum) -> Member:
        await require(info, project_id, Role.OWNER)
        found = await info.context.store.add_member(_actor(info), project_id, user_id, Role(role.value))
        return Member.of(found)

    @strawberry.mutation(description="Change a member's role (OWNER only); a project always keeps an OWNER.")
    async def change_role(self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: RoleEnum) -> Member:
        await require(info, project_id, Role.OWNER)
        found = await info.context.store.change_role(_actor(info), project_id, user_id, Role(role.value))
        return Member.of(found)

    @strawberry.mutation(description="Remove a member (OWNER only); a project always keeps an OWNER. Returns the user id.")
    async def remove_member(self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID) -> strawberry.ID:
        await require(info, project_id, Role.OWNER)
        await info.context.store.remove_member(_actor(info), project_id, user_id)
        return user_id

    # -- projects ----------------------------------------------------------------------
    @strawberry.mutation(description="Create a project; you become its first owner.")
    async def create_project(self, info: Info, input: CreateProjectInput) -> Project:
        c = info.context
        return Project.of(await c.store.create_project(_actor(info), to_domain(domain.NewProject, input)))

    @strawberry.mutation
    async def update_project(self, info: Info, input: UpdateProjectInput) -> Project:
        c = info.context
        await require(info, input.id, Role.OWNER)
        patch = to_patch(domain.ProjectPatch, input)
        return Project.of(await c.store.update_project(_actor(info), input.id, patch))

    @strawberry.mutation(description="Delete a project and everything in it. Returns the deleted id.")
    async def delete_project(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require(info, id, Role.OWNER)
        await info.context.store.delete_project(_actor(info), id)
        return id

    # -- participants and documents -------------------------------------------------------
    @strawberry.mutation
    async def add_participant(self, info: Info, input: AddParticipantInput) -> Participant:
        c = info.context
        await require(info, input.project_id, Role.ANALYST)
        return Participant.of(await c.store.add_participant(_actor(info), to_domain(domain.NewParticipant, input)))

    @strawberry.mutation
    async def update_participant(self, info: Info, input: UpdateParticipantInput) -> Participant:
        c = info.context
        await require_node(info, input.id, Role.ANALYST, NodeKind.PARTICIPANT)
        patch = to_patch(domain.ParticipantPatch, input)
        return Participant.of(await c.store.update_participant(_actor(info), input.id, patch))

    @strawberry.mutation(description="Delete a participant; their documents stay, about no one. Returns the deleted id.")
    async def delete_participant(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.PARTICIPANT)
        await info.context.store.delete_participant(_actor(info), id)
        return id

    @strawberry.mutation
    async def add_document(self, info: Info, input: AddDocumentInput) -> Document:
        c = info.context
        await require(info, input.project_id, Role.ANALYST)
        return Document.of(await c.store.add_document(_actor(info), to_domain(domain.NewDocument, input)))

    @strawberry.mutation(description="Delete a document with its excerpts and their codings. Returns the deleted id.")
    async def delete_document(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.DOCUMENT)
        await info.context.store.delete_document(_actor(info), id)
        return id

    # -- excerpts and coding -------------------------------------------------------------
    @strawberry.mutation
    async def create_excerpt(self, info: Info, input: CreateExcerptInput) -> Excerpt:
        c = info.context
        await require_node(info, input.document_id, Role.ANALYST, NodeKind.DOCUMENT)
        return Excerpt.of(await c.store.create_excerpt(_actor(info), to_domain(domain.NewExcerpt, input)))

    @strawberry.mutation(description="Delete an excerpt with its codings. Returns the deleted id.")
    async def delete_excerpt(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.EXCERPT)
        await info.context.store.delete_excerpt(_actor(info), id)
        return id

    @strawberry.mutation(description="Code an excerpt with a code, as you (idempotent).")
    async def code_excerpt(self, info: Info, excerpt_id: strawberry.ID, code_id: strawberry.ID) -> Excerpt:
        c = info.context
        await require_node(info, excerpt_id, Role.ANALYST, NodeKind.EXCERPT)
        return Excerpt.of(await c.store.code_excerpt(_actor(info), excerpt_id, code_id))

    @strawberry.mutation(description="Remove your coding of an excerpt with a code, or another coder's with `coderId`.")
    async def uncode_excerpt(
        self, info: Info, excerpt_id: strawberry.ID, code_id: strawberry.ID, coder_id: strawberry.ID | None = None
    ) -> Excerpt:
        c = info.context
        others = coder_id is not None and coder_id != _actor(info)
        await require_node(info, excerpt_id, Role.OWNER if others else Role.ANALYST, NodeKind.EXCERPT)
        return Excerpt.of(await c.store.uncode_excerpt(_actor(info), excerpt_id, code_id, coder_id))

    @strawberry.mutation(
        description="Mark a span and code it in one atomic call; an existing excerpt with the same span is reused."
    )
    async def code_text(self, info: Info, input: CodeTextInput) -> Excerpt:
        c = info.context
        await require_node(info, input.document_id, Role.ANALYST, NodeKind.DOCUMENT)
        span = domain.NewExcerpt(document_id=input.document_id, start=input.start, end=input.end)
        return Excerpt.of(await c.store.code_text(_actor(info), span, list(dict.fromkeys(input.code_ids))))

    # -- codes -------------------------------------------------------------------------
    @strawberry.mutation
    async def create_code(self, info: Info, input: CreateCodeInput) -> Code:
        c = info.context
        await require(info, input.project_id, Role.ANALYST)
        return Code.of(await c.store.create_code(_actor(info), to_domain(domain.NewCode, input)))

    @strawberry.mutation
    async def update_code(self, info: Info, input: UpdateCodeInput) -> Code:
        c = info.context
        await require_node(info, input.id, Role.ANALYST, NodeKind.CODE)
        patch = to_patch(domain.CodePatch, input)
        return Code.of(await c.store.update_code(_actor(info), input.id, patch))

    @strawberry.mutation(
        description="Delete a code with its codings, theme memberships and links; its children move up to its parent. "
        "Returns the deleted id."
    )
    async def delete_code(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.CODE)
        await info.context.store.delete_code(_actor(info), id)
        return id

    @strawberry.mutation(description="Move the source code's codings, memberships, links and children to the target; the source goes.")
    async def merge_codes(self, info: Info, source_id: strawberry.ID, target_id: strawberry.ID) -> Code:
        c = info.context
        await require_node(info, source_id, Role.ANALYST, NodeKind.CODE)
        return Code.of(await c.store.merge_codes(_actor(info), source_id, target_id))

    # -- themes ------------------------------------------------------------------------
    @strawberry.mutation
    async def create_theme(self, info: Info, input: CreateThemeInput) -> Theme:
        c = info.context
        await require(info, input.project_id, Role.ANALYST)
        return Theme.of(await c.store.create_theme(_actor(info), to_domain(domain.NewTheme, input)))

    @strawberry.mutation
    async def update_theme(self, info: Info, input: UpdateThemeInput) -> Theme:
        c = info.context
        await require_node(info, input.id, Role.ANALYST, NodeKind.THEME)
        patch = to_patch(domain.ThemePatch, input)
        return Theme.of(await c.store.update_theme(_actor(info), input.id, patch))

    @strawberry.mutation(description="Delete a theme; its subthemes move up to its parent. Returns the deleted id.")
    async def delete_theme(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.THEME)
        await info.context.store.delete_theme(_actor(info), id)
        return id

    @strawberry.mutation
    async def add_code_to_theme(self, info: Info, code_id: strawberry.ID, theme_id: strawberry.ID) -> Theme:
        c = info.context
        await require_node(info, theme_id, Role.ANALYST, NodeKind.THEME)
        return Theme.of(await c.store.add_code_to_theme(_actor(info), code_id, theme_id))

    @strawberry.mutation
    async def remove_code_from_theme(self, info: Info, code_id: strawberry.ID, theme_id: strawberry.ID) -> Theme:
        c = info.context
        await require_node(info, theme_id, Role.ANALYST, NodeKind.THEME)
        return Theme.of(await c.store.remove_code_from_theme(_actor(info), code_id, theme_id))

    # -- links and memos -------------------------------------------------------------------
    @strawberry.mutation(description="Link two concepts (codes or themes) with a kind, and optional evidence excerpts.")
    async def link_concepts(self, info: Info, input: LinkConceptsInput) -> Link:
        c = info.context
        await require_node(info, input.source_id, Role.ANALYST, NodeKind.CODE, NodeKind.THEME)
        return Link.of(await c.store.link_concepts(_actor(info), to_domain(domain.NewLink, input)))

    @strawberry.mutation
    async def update_link(self, info: Info, input: UpdateLinkInput) -> Link:
        c = info.context
        await require_node(info, input.id, Role.ANALYST, NodeKind.LINK)
        patch = to_patch(domain.LinkPatch, input)
        return Link.of(await c.store.update_link(_actor(info), input.id, patch))

    @strawberry.mutation(description="Remove a concept link. Returns the deleted id.")
    async def unlink(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.LINK)
        await info.context.store.unlink(_actor(info), id)
        return id

    @strawberry.mutation
    async def add_memo(self, info: Info, input: AddMemoInput) -> Memo:
        c = info.context
        await require_node(info, input.target_id, Role.ANALYST)
        return Memo.of(await c.store.add_memo(_actor(info), to_domain(domain.NewMemo, input)))

    @strawberry.mutation
    async def update_memo(self, info: Info, input: UpdateMemoInput) -> Memo:
        c = info.context
        await require_node(info, input.id, Role.ANALYST, NodeKind.MEMO)
        patch = to_patch(domain.MemoPatch, input)
        return Memo.of(await c.store.update_memo(_actor(info), input.id, patch))

    @strawberry.mutation(description="Delete a memo. Returns the deleted id.")
    async def delete_memo(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        await require_node(info, id, Role.ANALYST, NodeKind.MEMO)
        await info.context.store.delete_memo(_actor(info), id)
        return id

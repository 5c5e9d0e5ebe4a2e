"""The Mutation root. Each mutation is one use case of the service (one unit of work), run as
the current user; the service decides whether they may."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph import inputs as domain
from graph.models import Role
from schema.activity import ActivityEvent
from schema.arranging import NodePosition, NodePositionInput, map_positions_input, positions_of
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
from schema.types import Code, Concept, Document, Excerpt, Link, Member, Memo, Participant, Project, Theme, concept
from schema.types import Role as RoleEnum
from schema.types import SpeakerRole as SpeakerRoleEnum


@strawberry.type
class Mutation:
    # -- membership ---------------------------------------------------------------------
    @strawberry.mutation(description="Make a user a member of the project (OWNER only).")
    async def add_member(self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: RoleEnum) -> Member:
        c = info.context
        found = await c.service.add_member(c.actor, project_id, user_id, Role(role.value))
        return Member.of(found)

    @strawberry.mutation(description="Change a member's role (OWNER only); a project always keeps an OWNER.")
    async def change_role(
        self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID, role: RoleEnum
    ) -> Member:
        c = info.context
        found = await c.service.change_role(c.actor, project_id, user_id, Role(role.value))
        return Member.of(found)

    @strawberry.mutation(
        description="Remove a member (OWNER only); a project always keeps an OWNER. Returns the user id."
    )
    async def remove_member(self, info: Info, project_id: strawberry.ID, user_id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.remove_member(c.actor, project_id, user_id)
        return user_id

    # -- projects ----------------------------------------------------------------------
    @strawberry.mutation(description="Create a project; you become its first owner.")
    async def create_project(self, info: Info, input: CreateProjectInput) -> Project:
        c = info.context
        return Project.of(await c.service.create_project(c.actor, to_domain(domain.NewProject, input)))

    @strawberry.mutation
    async def update_project(self, info: Info, input: UpdateProjectInput) -> Project:
        c = info.context
        patch = to_patch(domain.ProjectPatch, input)
        return Project.of(await c.service.update_project(c.actor, input.id, patch))

    @strawberry.mutation(description="Delete a project and everything in it. Returns the deleted id.")
    async def delete_project(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_project(c.actor, id)
        return id

    # -- participants and documents -------------------------------------------------------
    @strawberry.mutation
    async def add_participant(self, info: Info, input: AddParticipantInput) -> Participant:
        c = info.context
        return Participant.of(await c.service.add_participant(c.actor, to_domain(domain.NewParticipant, input)))

    @strawberry.mutation
    async def update_participant(self, info: Info, input: UpdateParticipantInput) -> Participant:
        c = info.context
        patch = to_patch(domain.ParticipantPatch, input)
        return Participant.of(await c.service.update_participant(c.actor, input.id, patch))

    @strawberry.mutation(
        description="Delete a participant; their documents stay, about no one. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def delete_participant(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_participant(c.actor, id)
        return id

    @strawberry.mutation
    async def add_document(self, info: Info, input: AddDocumentInput) -> Document:
        c = info.context
        return Document.of(await c.service.add_document(c.actor, to_domain(domain.NewDocument, input)))

    @strawberry.mutation(
        description="Put a document in these document sets, by name (and out of any others; [] takes it out "
        "of all). Document sets are groups of documents a case filter can keep to (`documentGroups`), "
        "not themes. Needs ANALYST."
    )
    async def set_document_groups(self, info: Info, document_id: strawberry.ID, groups: list[str]) -> Document:
        c = info.context
        given = domain.DocumentGroups(document_id=document_id, groups=tuple(groups))
        return Document.of(await c.service.set_document_groups(c.actor, given))

    @strawberry.mutation(
        description="Delete a document with its excerpts and their codings. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def delete_document(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_document(c.actor, id)
        return id

    @strawberry.mutation(
        description="Say who a speaker of a transcript is, for all their turns in it: PARTICIPANT (the person "
        "the document is about), INTERVIEWER, or null (neither, or not known). `spokenBy` in findExcerpts, "
        "participantsMatching and search keeps to the turns of speakers with a role."
    )
    async def set_speaker_role(
        self, info: Info, document_id: strawberry.ID, speaker: str, role: SpeakerRoleEnum | None = None
    ) -> Document:
        c = info.context
        return Document.of(await c.service.set_speaker_role(c.actor, document_id, speaker, role))

    # -- excerpts and coding -------------------------------------------------------------
    @strawberry.mutation
    async def create_excerpt(self, info: Info, input: CreateExcerptInput) -> Excerpt:
        c = info.context
        return Excerpt.of(await c.service.create_excerpt(c.actor, to_domain(domain.NewExcerpt, input)))

    @strawberry.mutation(
        description="Delete an excerpt with its codings. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def delete_excerpt(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_excerpt(c.actor, id)
        return id

    @strawberry.mutation(
        description="Move an excerpt's boundaries within its document (offsets as in createExcerpt: code points, "
        "0-based, end exclusive); its codings, memos and link evidence stay with it, and `text` follows. An ANALYST "
        "changes only excerpts they marked that hold no other coder's codings; any other needs an OWNER. A span "
        "another excerpt of the document already marks is BAD_USER_INPUT naming that excerpt."
    )
    async def update_excerpt(self, info: Info, id: strawberry.ID, start: int, end: int) -> Excerpt:
        c = info.context
        return Excerpt.of(await c.service.update_excerpt(c.actor, id, start, end))

    @strawberry.mutation(description="Code an excerpt with a code, as you (idempotent).")
    async def code_excerpt(self, info: Info, excerpt_id: strawberry.ID, code_id: strawberry.ID) -> Excerpt:
        c = info.context
        return Excerpt.of(await c.service.code_excerpt(c.actor, excerpt_id, code_id))

    @strawberry.mutation(
        description="Remove your coding of an excerpt with a code, or (as an OWNER) another coder's with `coderId`."
    )
    async def uncode_excerpt(
        self, info: Info, excerpt_id: strawberry.ID, code_id: strawberry.ID, coder_id: strawberry.ID | None = None
    ) -> Excerpt:
        c = info.context
        return Excerpt.of(await c.service.uncode_excerpt(c.actor, excerpt_id, code_id, coder_id))

    @strawberry.mutation(
        description="Mark a span and code it in one atomic call; an existing excerpt with the same span is reused."
    )
    async def code_text(self, info: Info, input: CodeTextInput) -> Excerpt:
        c = info.context
        span = domain.NewExcerpt(document_id=input.document_id, start=input.start, end=input.end)
        return Excerpt.of(await c.service.code_text(c.actor, span, list(dict.fromkeys(input.code_ids))))

    # -- codes -------------------------------------------------------------------------
    @strawberry.mutation
    async def create_code(self, info: Info, input: CreateCodeInput) -> Code:
        c = info.context
        return Code.of(await c.service.create_code(c.actor, to_domain(domain.NewCode, input)))

    @strawberry.mutation
    async def update_code(self, info: Info, input: UpdateCodeInput) -> Code:
        c = info.context
        patch = to_patch(domain.CodePatch, input)
        return Code.of(await c.service.update_code(c.actor, input.id, patch))

    @strawberry.mutation(
        description="Delete a code with its codings, theme memberships and links; its children move up to its parent. "
        "Returns the deleted id. An ANALYST removes only their own codes that no other coder applied; otherwise "
        "an OWNER."
    )
    async def delete_code(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_code(c.actor, id)
        return id

    @strawberry.mutation(
        description="Move the source code's codings, memberships, links and children to the target; "
        "the source goes. Merging away a code someone else made or applied needs an OWNER."
    )
    async def merge_codes(self, info: Info, source_id: strawberry.ID, target_id: strawberry.ID) -> Code:
        c = info.context
        return Code.of(await c.service.merge_codes(c.actor, source_id, target_id))

    # -- themes ------------------------------------------------------------------------
    @strawberry.mutation
    async def create_theme(self, info: Info, input: CreateThemeInput) -> Theme:
        c = info.context
        return Theme.of(await c.service.create_theme(c.actor, to_domain(domain.NewTheme, input)))

    @strawberry.mutation
    async def update_theme(self, info: Info, input: UpdateThemeInput) -> Theme:
        c = info.context
        patch = to_patch(domain.ThemePatch, input)
        return Theme.of(await c.service.update_theme(c.actor, input.id, patch))

    @strawberry.mutation(
        description="Delete a theme; its subthemes move up to its parent. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def delete_theme(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_theme(c.actor, id)
        return id

    @strawberry.mutation
    async def add_code_to_theme(self, info: Info, code_id: strawberry.ID, theme_id: strawberry.ID) -> Theme:
        c = info.context
        return Theme.of(await c.service.add_code_to_theme(c.actor, code_id, theme_id))

    @strawberry.mutation
    async def remove_code_from_theme(self, info: Info, code_id: strawberry.ID, theme_id: strawberry.ID) -> Theme:
        c = info.context
        return Theme.of(await c.service.remove_code_from_theme(c.actor, code_id, theme_id))

    # -- pinned quotes ---------------------------------------------------------------------
    @strawberry.mutation(
        description="Pin an excerpt to a code or theme as one of its illustrative quotes (report.md and report.docx "
        "quote these first, in this order); pinning a pinned quote again moves it. At most 20 per code or theme. "
        "ANALYST or above; under blind coding, only excerpts you marked or coded. Returns the code or theme."
    )
    async def pin_quote(
        self,
        info: Info,
        target_id: Annotated[strawberry.ID, strawberry.argument(description="The code or theme.")],
        excerpt_id: Annotated[strawberry.ID, strawberry.argument(description="The excerpt to quote.")],
        position: Annotated[
            int | None,
            strawberry.argument(
                description="Where it goes among the quotes pinned there that you see: 0 is first; "
                "leave it out to put it last."
            ),
        ] = None,
    ) -> Concept:
        c = info.context
        return concept(await c.service.pin_quote(c.actor, target_id, excerpt_id, position))

    @strawberry.mutation(
        description="Unpin a quote from a code or theme (the excerpt stays). ANALYST or above. Returns the code or theme."
    )
    async def unpin_quote(self, info: Info, target_id: strawberry.ID, excerpt_id: strawberry.ID) -> Concept:
        c = info.context
        return concept(await c.service.unpin_quote(c.actor, target_id, excerpt_id))

    # -- links and memos -------------------------------------------------------------------
    @strawberry.mutation(description="Link two concepts (codes or themes) with a kind, and optional evidence excerpts.")
    async def link_concepts(self, info: Info, input: LinkConceptsInput) -> Link:
        c = info.context
        return Link.of(await c.service.link_concepts(c.actor, to_domain(domain.NewLink, input)))

    @strawberry.mutation
    async def update_link(self, info: Info, input: UpdateLinkInput) -> Link:
        c = info.context
        patch = to_patch(domain.LinkPatch, input)
        return Link.of(await c.service.update_link(c.actor, input.id, patch))

    @strawberry.mutation(
        description="Remove a concept link. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def unlink(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.unlink(c.actor, id)
        return id

    @strawberry.mutation
    async def add_memo(self, info: Info, input: AddMemoInput) -> Memo:
        c = info.context
        return Memo.of(await c.service.add_memo(c.actor, to_domain(domain.NewMemo, input)))

    @strawberry.mutation
    async def update_memo(self, info: Info, input: UpdateMemoInput) -> Memo:
        c = info.context
        patch = to_patch(domain.MemoPatch, input)
        return Memo.of(await c.service.update_memo(c.actor, input.id, patch))

    @strawberry.mutation(
        description="Delete a memo. Returns the deleted id. An ANALYST removes only their own work; anything holding other people's work needs an OWNER."
    )
    async def delete_memo(self, info: Info, id: strawberry.ID) -> strawberry.ID:
        c = info.context
        await c.service.delete_memo(c.actor, id)
        return id

    # -- history -------------------------------------------------------------------------
    @strawberry.mutation(
        description="Undo one history entry: its inverse is applied as a new change by you, with its own "
        "entry (whose `reverts` names this one). You need the role the inverse needs (uncoding another "
        "coder's coding, or restoring other people's work, needs an OWNER; membership and settings an "
        "OWNER). CONFLICT when later changes depend on it (extensions: `conflicts`, the later entries "
        "touching it, newest first, and `nodes`), and nothing changes; BAD_USER_INPUT for entries that "
        "cannot be reverted (a project's creation, a bulk coding, a document's deletion, and deletions "
        "and merges recorded before reverts existed), saying why."
    )
    async def revert(self, info: Info, activity_id: strawberry.ID) -> ActivityEvent:
        c = info.context
        return ActivityEvent.of(await c.service.revert(c.actor, activity_id))

    # -- the map's arrangement -----------------------------------------------------------------
    @strawberry.mutation(
        description="Save where some of the project's codes and themes are drawn on its map, for every member "
        "(the nodes not given keep their positions; at most 10,000 at once). Returns the positions saved. "
        "Recorded in the history (map.arranged), so open pages follow. Needs ANALYST."
    )
    async def save_map_positions(
        self, info: Info, project_id: strawberry.ID, positions: list[NodePositionInput]
    ) -> list[NodePosition]:
        c = info.context
        return positions_of(await c.service.save_map_positions(c.actor, map_positions_input(project_id, positions)))

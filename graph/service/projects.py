"""Projects, their participants (cases) and documents."""

from __future__ import annotations

from graph import activity
from graph.inputs import DocumentGroups, NewDocument, NewParticipant, NewProject, ParticipantPatch, ProjectPatch
from graph.models import Document, NodeKind, Participant, Project, Role
from graph.policy import Actor, Need, Principal
from graph.service.base import UseCases, stamps
from graph.transaction import Transaction


class Projects(UseCases):
    async def create_project(self, actor: Actor, new: NewProject) -> Project:
        """Anyone signed in may create a project; they become its first OWNER."""

        async def work(tx: Transaction) -> Project:
            [id] = await self.fresh_ids(tx, [new.id])
            project = Project(id=id, name=new.name, description=new.description, **stamps(actor.user_id))
            await tx.insert([project])
            await tx.set_role(id, actor.user_id, Role.OWNER)
            await self.log(tx, activity.created(actor.user_id, project))
            return project

        return await self._write(work)

    async def update_project(self, actor: Actor, id: str, patch: ProjectPatch) -> Project:
        async def work(tx: Transaction) -> Project:
            project, _ = await self.at_node(tx, actor, id, Need.ADMIN, NodeKind.PROJECT)
            fields = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
            return await self.change(tx, actor.user_id, project, **fields)

        return await self._write(work)

    async def delete_project(self, actor: Actor, id: str) -> None:
        """Everything in the project goes, its history too."""

        async def work(tx: Transaction) -> None:
            await self.at_node(tx, actor, id, Need.ADMIN, NodeKind.PROJECT)
            await tx.delete(NodeKind.PROJECT, id)

        await self._write(work)

    # -- participants ---------------------------------------------------------------------------
    async def add_participant(self, actor: Actor, new: NewParticipant) -> Participant:
        async def work(tx: Transaction) -> Participant:
            await self.in_project(tx, actor, new.project_id, Need.EDIT)
            await self.check_pseudonym(tx, new.project_id, new.pseudonym, None)
            [id] = await self.fresh_ids(tx, [new.id])
            participant = Participant(
                id=id,
                project_id=new.project_id,
                pseudonym=new.pseudonym,
                attributes=new.attributes,
                **stamps(actor.user_id),
            )
            return await self.create(tx, actor.user_id, participant)

        return await self._write(work)

    async def update_participant(self, actor: Actor, id: str, patch: ParticipantPatch) -> Participant:
        async def work(tx: Transaction) -> Participant:
            participant, _ = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.PARTICIPANT)
            if patch.pseudonym is not None:
                await self.check_pseudonym(tx, participant.project_id, patch.pseudonym, id)
            fields = {k: v for k, v in patch.model_dump(exclude_unset=True).items() if v is not None}
            return await self.change(tx, actor.user_id, participant, **fields)

        return await self._write(work)

    async def delete_participant(self, actor: Actor, id: str) -> None:
        """Their documents stay, about no one; removing someone else's case needs OWNER."""

        async def work(tx: Transaction) -> None:
            participant, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.PARTICIPANT)
            principal.require_removal("a participant someone else added", [participant.created_by])
            await self.remove(tx, actor.user_id, NodeKind.PARTICIPANT, participant)

        await self._write(work)

    # -- documents --------------------------------------------------------------------------------
    async def add_document(self, actor: Actor, new: NewDocument) -> Document:
        async def work(tx: Transaction) -> Document:
            return await self.new_document(tx, await self.in_project(tx, actor, new.project_id, Need.EDIT), new)

        return await self._write(work)

    async def new_document(self, tx: Transaction, principal: Principal, new: NewDocument) -> Document:
        """Add a document in the principal's project (who may edit it)."""
        if new.participant_id is not None:
            await self.same_project(tx, principal, [new.participant_id], NodeKind.PARTICIPANT)
        [id] = await self.fresh_ids(tx, [new.id])
        document = Document(
            id=id,
            project_id=principal.project_id,
            participant_id=new.participant_id,
            title=new.title,
            text=new.text,
            kind=new.kind,
            groups=new.groups,
            **stamps(principal.user_id),
        )
        return await self.create(tx, principal.user_id, document)

    async def set_document_groups(self, actor: Actor, given: DocumentGroups) -> Document:
        """Put a document in these document sets (and out of any others), for case filters to keep
        to; recorded in the history like any change."""

        async def work(tx: Transaction) -> Document:
            document, principal = await self.at_node(tx, actor, given.document_id, Need.EDIT, NodeKind.DOCUMENT)
            if document.groups == given.groups:
                return document  # type: ignore[no-any-return]
            return await self.change(tx, principal.user_id, document, groups=given.groups)

        return await self._write(work)

    async def delete_document(self, actor: Actor, id: str) -> None:
        """Its excerpts and their codings go with it: other people's among them need OWNER."""

        async def work(tx: Transaction) -> None:
            document, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.DOCUMENT)
            owners = {document.created_by} | await tx.creators_under(NodeKind.DOCUMENT, id)
            principal.require_removal(
                "a document with other people's excerpts or codings",
                owners | await tx.coders_under(NodeKind.DOCUMENT, id),
            )
            await self.remove(tx, actor.user_id, NodeKind.DOCUMENT, document)

        await self._write(work)

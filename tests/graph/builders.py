"""Small hand-built projects for the contract suite, arranged through the service."""

from __future__ import annotations

from dataclasses import dataclass

from graph.inputs import NewCode, NewDocument, NewParticipant, NewProject, NewTheme
from graph.models import Code, Document, Participant, Project, Role, Theme
from graph.policy import Actor
from graph.service import Service
from tests.conftest import TRUSTED

TEXT = "I was scared they'd take her. Then Jo came and it changed. 😀 née שלום."


@dataclass
class Small:
    project: Project
    amira: Participant
    becky: Participant
    doc_a: Document
    doc_b: Document
    fear: Code
    hope: Code
    theme: Theme


async def small_project(service: Service, name: str = "Study", actor: Actor = TRUSTED) -> Small:
    """A project of two participants, a document each, two codes and a theme; `actor` creates
    it all and is its OWNER."""
    project = await service.create_project(actor, NewProject(name=name))
    amira = await service.add_participant(
        actor, NewParticipant(project_id=project.id, pseudonym="Amira", attributes={"involvement": "CP plan", "age": 7})
    )
    becky = await service.add_participant(actor, NewParticipant(project_id=project.id, pseudonym="Becky"))
    doc_a = await service.add_document(
        actor, NewDocument(project_id=project.id, title="Interview A", text=TEXT, participant_id=amira.id)
    )
    doc_b = await service.add_document(
        actor, NewDocument(project_id=project.id, title="Interview B", text=TEXT, participant_id=becky.id)
    )
    fear = await service.create_code(actor, NewCode(project_id=project.id, name="Fear", color="#ff0000"))
    hope = await service.create_code(actor, NewCode(project_id=project.id, name="Hope"))
    theme = await service.create_theme(actor, NewTheme(project_id=project.id, name="Living with fear"))
    return Small(project, amira, becky, doc_a, doc_b, fear, hope, theme)


async def member(service: Service, project_id: str, user_id: str, role: Role) -> Actor:
    """The user (created if absent) made a member of the project with `role`; them as an untrusted actor."""
    await service.ensure_user(user_id, user_id.title())
    await service.add_member(TRUSTED, project_id, user_id, role)
    return Actor(user_id)

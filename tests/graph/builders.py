"""Small hand-built projects for the contract suite."""

from __future__ import annotations

from dataclasses import dataclass

from graph.inputs import NewCode, NewDocument, NewParticipant, NewProject, NewTheme
from graph.models import Code, Document, Participant, Project, Theme
from graph.store import Store
from tests.conftest import ACTOR

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


async def small_project(store: Store, name: str = "Study") -> Small:
    project = await store.create_project(ACTOR, NewProject(name=name))
    amira = await store.add_participant(
        ACTOR, NewParticipant(project_id=project.id, pseudonym="Amira", attributes={"involvement": "CP plan", "age": 7})
    )
    becky = await store.add_participant(ACTOR, NewParticipant(project_id=project.id, pseudonym="Becky"))
    doc_a = await store.add_document(
        ACTOR, NewDocument(project_id=project.id, title="Interview A", text=TEXT, participant_id=amira.id)
    )
    doc_b = await store.add_document(
        ACTOR, NewDocument(project_id=project.id, title="Interview B", text=TEXT, participant_id=becky.id)
    )
    fear = await store.create_code(ACTOR, NewCode(project_id=project.id, name="Fear", color="#ff0000"))
    hope = await store.create_code(ACTOR, NewCode(project_id=project.id, name="Hope"))
    theme = await store.create_theme(ACTOR, NewTheme(project_id=project.id, name="Living with fear"))
    return Small(project, amira, becky, doc_a, doc_b, fear, hope, theme)

"""Contract: projects, participants and documents, through the service over every adapter."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound
from graph.inputs import NewCode, NewDocument, NewParticipant, NewProject, ParticipantPatch, ProjectPatch
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import TEXT, small_project


async def test_project_lifecycle(store: Store, service: Service) -> None:
    b = await service.create_project(TRUSTED, NewProject(name="b study", description="second"))
    a = await service.create_project(TRUSTED, NewProject(name="A study"))
    assert [p.name for p in await store.list_projects()] == ["A study", "b study"]
    assert a.created_by == ACTOR and a.updated_by == ACTOR and a.created_at == a.updated_at

    renamed = await service.update_project(TRUSTED, b.id, ProjectPatch(name="B study"))
    assert (renamed.name, renamed.description) == ("B study", "second")
    assert renamed.updated_at >= b.updated_at

    await service.delete_project(TRUSTED, a.id)
    assert await store.get_projects([a.id, b.id]) == {b.id: renamed}
    with pytest.raises(NotFound):
        await service.delete_project(TRUSTED, a.id)


async def test_explicit_ids_are_kept_and_must_be_unique(store: Store, service: Service) -> None:
    project = await service.create_project(TRUSTED, NewProject(id="guid-1", name="P"))
    assert project.id == "guid-1"
    with pytest.raises(BadInput):
        await service.create_project(TRUSTED, NewProject(id="guid-1", name="Q"))
    with pytest.raises(BadInput):  # unique across kinds too
        await service.create_code(TRUSTED, NewCode(id="guid-1", project_id="guid-1", name="c"))
    assert [p.id for p in await store.list_projects()] == ["guid-1"]


async def test_participants_and_documents(store: Store, service: Service) -> None:
    s = await small_project(service)
    by_project = await store.participants_of_projects([s.project.id, "unknown"])
    assert [p.pseudonym for p in by_project[s.project.id]] == ["Amira", "Becky"]
    assert by_project["unknown"] == []
    assert s.amira.attributes == {"involvement": "CP plan", "age": 7}

    updated = await service.update_participant(TRUSTED, s.amira.id, ParticipantPatch(attributes={"turningPoint": True}))
    assert updated.attributes == {"turningPoint": True} and updated.pseudonym == "Amira"

    docs = await store.documents_of_participants([s.amira.id])
    assert [d.id for d in docs[s.amira.id]] == [s.doc_a.id]
    assert s.doc_a.text == TEXT

    await service.delete_participant(TRUSTED, s.amira.id)
    assert (await store.get_documents([s.doc_a.id]))[s.doc_a.id].participant_id is None


async def test_document_about_another_projects_participant_is_not_found(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await service.create_project(TRUSTED, NewProject(name="Other"))
    with pytest.raises(NotFound):  # a node of another project answers as one that does not exist
        await service.add_document(
            TRUSTED, NewDocument(project_id=other.id, title="T", text="x", participant_id=s.amira.id)
        )
    assert (await store.documents_of_projects([other.id]))[other.id] == []


async def test_unknown_project_is_not_found(store: Store, service: Service) -> None:
    with pytest.raises(NotFound):
        await service.add_participant(TRUSTED, NewParticipant(project_id="nope", pseudonym="X"))


async def test_deleting_a_project_removes_everything_in_it(store: Store, service: Service) -> None:
    s = await small_project(service)
    keep = await small_project(service, name="Kept")
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    ids = [s.project.id, s.amira.id, s.doc_a.id, s.fear.id, s.theme.id]
    await service.delete_project(TRUSTED, s.project.id)
    assert await store.node_refs(ids) == {}
    assert len(await store.node_refs([keep.project.id, keep.fear.id, keep.doc_a.id])) == 3

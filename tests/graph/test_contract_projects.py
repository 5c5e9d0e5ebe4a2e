"""Contract: projects, participants and documents (every adapter)."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound
from graph.inputs import NewDocument, NewParticipant, NewProject, ParticipantPatch, ProjectPatch
from graph.store import Store
from tests.conftest import ACTOR
from tests.graph.builders import TEXT, small_project


async def test_project_lifecycle(store: Store) -> None:
    b = await store.create_project(ACTOR, NewProject(name="b study", description="second"))
    a = await store.create_project(ACTOR, NewProject(name="A study"))
    assert [p.name for p in await store.list_projects()] == ["A study", "b study"]
    assert a.created_by == ACTOR and a.updated_by == ACTOR and a.created_at == a.updated_at

    renamed = await store.update_project(ACTOR, b.id, ProjectPatch(name="B study"))
    assert (renamed.name, renamed.description) == ("B study", "second")
    assert renamed.updated_at >= b.updated_at

    await store.delete_project(ACTOR, a.id)
    assert await store.get_projects([a.id, b.id]) == {b.id: renamed}
    with pytest.raises(NotFound):
        await store.delete_project(ACTOR, a.id)


async def test_explicit_ids_are_kept_and_must_be_unique(store: Store) -> None:
    project = await store.create_project(ACTOR, NewProject(id="guid-1", name="P"))
    assert project.id == "guid-1"
    with pytest.raises(BadInput):
        await store.create_project(ACTOR, NewProject(id="guid-1", name="Q"))
    assert [p.id for p in await store.list_projects()] == ["guid-1"]


async def test_participants_and_documents(store: Store) -> None:
    s = await small_project(store)
    by_project = await store.participants_of_projects([s.project.id, "unknown"])
    assert [p.pseudonym for p in by_project[s.project.id]] == ["Amira", "Becky"]
    assert by_project["unknown"] == []
    assert s.amira.attributes == {"involvement": "CP plan", "age": 7}

    updated = await store.update_participant(ACTOR, s.amira.id, ParticipantPatch(attributes={"turningPoint": True}))
    assert updated.attributes == {"turningPoint": True} and updated.pseudonym == "Amira"

    docs = await store.documents_of_participants([s.amira.id])
    assert [d.id for d in docs[s.amira.id]] == [s.doc_a.id]
    assert s.doc_a.text == TEXT

    await store.delete_participant(ACTOR, s.amira.id)
    assert (await store.get_documents([s.doc_a.id]))[s.doc_a.id].participant_id is None


async def test_document_about_another_projects_participant_is_refused(store: Store) -> None:
    s = await small_project(store)
    other = await store.create_project(ACTOR, NewProject(name="Other"))
    with pytest.raises(BadInput):
        await store.add_document(
            ACTOR, NewDocument(project_id=other.id, title="T", text="x", participant_id=s.amira.id)
        )
    assert (await store.documents_of_projects([other.id]))[other.id] == []


async def test_unknown_project_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.add_participant(ACTOR, NewParticipant(project_id="nope", pseudonym="X"))


async def test_deleting_a_project_removes_everything_in_it(store: Store) -> None:
    s = await small_project(store)
    keep = await small_project(store, name="Kept")
    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)
    ids = [s.project.id, s.amira.id, s.doc_a.id, s.fear.id, s.theme.id]
    await store.delete_project(ACTOR, s.project.id)
    assert await store.node_refs(ids) == {}
    assert len(await store.node_refs([keep.project.id, keep.fear.id, keep.doc_a.id])) == 3

"""Contract: speaker turns (every adapter). The repository operations first (`Transaction.turns`,
`set_turns`, `set_speaker_role`, `Store.turns_of_documents`, the snapshot's turns), with models
built here; then the use cases over them (`import_transcript`, `set_speaker_role`) and the
questions that keep to one kind of speaker (`spoken_by`), through the service and its Reader."""

from __future__ import annotations

import pytest

from graph.analysis.filters import Where
from graph.analysis.snapshot import TurnFact
from graph.errors import BadInput, Forbidden, NotFound
from graph.inputs import NewDocument, NewExcerpt, NewTranscript, NewTurn
from graph.models import NodeKind, Role, SpeakerRole, Turn
from graph.service import Service
from graph.store import Store
from graph.transaction import ReadOnly, Transaction
from tests.conftest import TRUSTED
from tests.graph.builders import member, small_project
from tests.graph.test_contract_transaction import given, insert

TEXT = (
    "Interviewer: How was it?\nAmira: I was scared.\nAmira: They came twice.\nInterviewer: And then?\nAmira: Jo came."
)


def said(speaker: str, words: str, after: int = 0, role: SpeakerRole | None = None) -> Turn:
    start = TEXT.index(words, after)
    return Turn(speaker=speaker, start=start, end=start + len(words), role=role)


TURNS = [
    said("Interviewer", "How was it?", role=SpeakerRole.INTERVIEWER),
    said("Amira", "I was scared."),
    said("Amira", "They came twice."),
    said("Interviewer", "And then?", role=SpeakerRole.INTERVIEWER),
    said("Amira", "Jo came."),
]


# -- the repository operations ----------------------------------------------------------------


async def test_turns_are_stored_in_text_order_and_read_back_verbatim(store: Store) -> None:
    w = await given(store)
    other = (await given(store, "Other")).document

    async def work(tx: Transaction) -> dict[str, list[Turn]]:
        await tx.set_turns(w.document.id, list(reversed(TURNS)))  # stored in text order whatever the order given
        await tx.set_turns(other.id, TURNS[:1])
        return await tx.turns([w.document.id, other.id])  # the transaction sees its own writes

    assert await store.write(work) == {w.document.id: TURNS, other.id: TURNS[:1]}
    assert await store.read(lambda tx: tx.turns([w.document.id, "missing"])) == {w.document.id: TURNS, "missing": []}
    found = await store.turns_of_documents([other.id, w.document.id, "missing"])
    assert found == {other.id: TURNS[:1], w.document.id: TURNS, "missing": []}

    await store.write(lambda tx: tx.set_turns(w.document.id, TURNS[3:]))  # replaces them all
    assert (await store.turns_of_documents([w.document.id]))[w.document.id] == TURNS[3:]
    await store.write(lambda tx: tx.set_turns(w.document.id, []))
    assert await store.turns_of_documents([w.document.id, other.id]) == {w.document.id: [], other.id: TURNS[:1]}


async def test_a_speakers_role_is_set_on_all_their_turns_in_that_document_only(store: Store) -> None:
    w = await given(store)
    other = (await given(store, "Other")).document
    await store.write(lambda tx: tx.set_turns(w.document.id, TURNS))
    await store.write(lambda tx: tx.set_turns(other.id, TURNS))

    await store.write(lambda tx: tx.set_speaker_role(w.document.id, "Amira", SpeakerRole.PARTICIPANT))
    found = await store.turns_of_documents([w.document.id, other.id])
    assert [t.role for t in found[w.document.id]] == [
        SpeakerRole.INTERVIEWER,
        SpeakerRole.PARTICIPANT,
        SpeakerRole.PARTICIPANT,
        SpeakerRole.INTERVIEWER,
        SpeakerRole.PARTICIPANT,
    ]
    assert found[other.id] == TURNS
    await store.write(lambda tx: tx.set_speaker_role(w.document.id, "Interviewer", None))
    assert [t.role for t in (await store.turns_of_documents([w.document.id]))[w.document.id]][:2] == [
        None,
        SpeakerRole.PARTICIPANT,
    ]


async def test_turns_go_with_their_document_and_their_project(store: Store) -> None:
    w = await given(store)
    kept = await given(store, "Kept")
    for document in (w.document, kept.document):
        await store.write(lambda tx, d=document: tx.set_turns(d.id, TURNS))
    second = w.document.model_copy(update={"id": "second-" + w.document.id})
    await insert(store, second)
    await store.write(lambda tx: tx.set_turns(second.id, TURNS[:2]))

    await store.write(lambda tx: tx.delete(NodeKind.DOCUMENT, w.document.id))
    assert (await store.project_snapshot(w.project.id)).turns == [
        TurnFact(second.id, t.start, t.end, t.role) for t in TURNS[:2]
    ]
    await store.write(lambda tx: tx.delete(NodeKind.PROJECT, w.project.id))
    assert await store.turns_of_documents([second.id, kept.document.id]) == {second.id: [], kept.document.id: TURNS}
    await insert(store, second.model_copy(update={"project_id": kept.project.id, "participant_id": None}))
    assert (await store.turns_of_documents([second.id]))[second.id] == [], "a new document of the same id has none"


async def test_the_snapshot_holds_every_documents_turns_in_text_order(store: Store) -> None:
    w = await given(store)
    await store.write(lambda tx: tx.set_turns(w.document.id, TURNS))
    snapshot = await store.project_snapshot(w.project.id)
    assert snapshot.turns == [TurnFact(w.document.id, t.start, t.end, t.role) for t in TURNS]


async def test_turns_are_written_only_in_a_write_and_rolled_back_with_it(store: Store) -> None:
    w = await given(store)
    with pytest.raises(ReadOnly):
        await store.read(lambda tx: tx.set_turns(w.document.id, TURNS))
    with pytest.raises(ReadOnly):
        await store.read(lambda tx: tx.set_speaker_role(w.document.id, "Amira", None))

    class Boom(Exception):
        pass

    async def work(tx: Transaction) -> None:
        await tx.set_turns(w.document.id, TURNS)
        raise Boom

    with pytest.raises(Boom):
        await store.write(work)
    assert (await store.turns_of_documents([w.document.id]))[w.document.id] == []


# -- the use cases ------------------------------------------------------------------------------


def transcript(project_id: str, participant_id: str | None = None, **fields: object) -> NewTranscript:
    return NewTranscript(
        document=NewDocument(project_id=project_id, title="Interview", text=TEXT, participant_id=participant_id),
        turns=tuple(NewTurn(speaker=t.speaker, start=t.start, end=t.end) for t in TURNS),
        **fields,  # type: ignore[arg-type]
    )


async def test_a_transcript_comes_in_whole_with_its_turns_and_roles(store: Store, service: Service) -> None:
    s = await small_project(service)
    new = transcript(s.project.id, s.amira.id, roles={"Amira": SpeakerRole.PARTICIPANT})
    document = await service.import_transcript(TRUSTED, new)
    assert (document.text, document.participant_id, document.title) == (TEXT, s.amira.id, "Interview")
    turns = (await store.turns_of_documents([document.id]))[document.id]
    assert [(t.speaker, t.start, t.end) for t in turns] == [(t.speaker, t.start, t.end) for t in TURNS]
    assert [t.role for t in turns] == [
        None,
        SpeakerRole.PARTICIPANT,
        SpeakerRole.PARTICIPANT,
        None,
        SpeakerRole.PARTICIPANT,
    ]
    assert [e.type for e in (await store.activity(s.project.id, 1)).events] == ["document.created"]


@pytest.mark.parametrize(
    "turns, says",
    [
        ([NewTurn(speaker="A", start=5, end=5)], "does not fit"),
        ([NewTurn(speaker="A", start=0, end=len(TEXT) + 1)], "does not fit"),
        ([NewTurn(speaker="A", start=10, end=20), NewTurn(speaker="B", start=15, end=30)], "does not fit"),
        ([NewTurn(speaker="A", start=20, end=30), NewTurn(speaker="B", start=0, end=10)], "does not fit"),
    ],
)
async def test_turns_that_do_not_fit_the_text_are_refused_and_nothing_is_stored(
    store: Store, service: Service, turns: list[NewTurn], says: str
) -> None:
    s = await small_project(service)
    before = await store.documents_of_projects([s.project.id])
    with pytest.raises(BadInput, match=says):
        await service.import_transcript(TRUSTED, transcript(s.project.id).model_copy(update={"turns": tuple(turns)}))
    assert await store.documents_of_projects([s.project.id]) == before


async def test_a_role_for_a_speaker_without_turns_is_refused(store: Store, service: Service) -> None:
    s = await small_project(service)
    with pytest.raises(BadInput, match="no speaker 'Mother'; its speakers are: Interviewer, Amira"):
        await service.import_transcript(TRUSTED, transcript(s.project.id, roles={"Mother": SpeakerRole.PARTICIPANT}))
    assert len((await store.documents_of_projects([s.project.id]))[s.project.id]) == 2


async def test_importing_and_marking_speakers_follow_the_policy(store: Store, service: Service) -> None:
    s = await small_project(service)
    viewer = await member(service, s.project.id, "vera", Role.VIEWER)
    analyst = await member(service, s.project.id, "ann", Role.ANALYST)
    outsider = await member(service, (await small_project(service, "Theirs")).project.id, "otto", Role.OWNER)
    with pytest.raises(NotFound):
        await service.import_transcript(outsider, transcript(s.project.id))
    with pytest.raises(Forbidden):
        await service.import_transcript(viewer, transcript(s.project.id))
    document = await service.import_transcript(analyst, transcript(s.project.id))
    with pytest.raises(NotFound):
        await service.set_speaker_role(outsider, document.id, "Amira", SpeakerRole.PARTICIPANT)
    with pytest.raises(Forbidden):
        await service.set_speaker_role(viewer, document.id, "Amira", SpeakerRole.PARTICIPANT)
    await service.set_speaker_role(analyst, document.id, "Amira", SpeakerRole.PARTICIPANT)
    assert {t.role for t in (await store.turns_of_documents([document.id]))[document.id] if t.speaker == "Amira"} == {
        SpeakerRole.PARTICIPANT
    }
    assert await service.reader(outsider).turns_of_documents([document.id]) == {}
    assert (await service.reader(viewer).turns_of_documents([document.id]))[document.id][
        1
    ].role is SpeakerRole.PARTICIPANT


async def test_marking_a_speaker_is_recorded_once_and_needs_one_of_the_documents_speakers(
    store: Store, service: Service
) -> None:
    s = await small_project(service)
    document = await service.import_transcript(TRUSTED, transcript(s.project.id, s.amira.id))
    await service.set_speaker_role(TRUSTED, document.id, "Amira", SpeakerRole.PARTICIPANT)
    await service.set_speaker_role(TRUSTED, document.id, "Amira", SpeakerRole.PARTICIPANT)  # no change, no entry
    events = (await store.activity(s.project.id, 3)).events
    assert [e.type for e in events[:2]] == ["document.speaker_role_set", "document.created"]
    assert events[0].summary == "marked speaker 'Amira' of document 'Interview' as the participant"
    assert (events[0].before, events[0].after) == (
        {"speaker": "Amira", "role": None},
        {"speaker": "Amira", "role": "PARTICIPANT"},
    )
    await service.set_speaker_role(TRUSTED, document.id, "Amira", None)
    assert (await store.activity(s.project.id, 1)).events[
        0
    ].summary == "unmarked speaker 'Amira' of document 'Interview'"
    with pytest.raises(BadInput, match="its speakers are: Interviewer, Amira"):
        await service.set_speaker_role(TRUSTED, document.id, "amira", SpeakerRole.PARTICIPANT)
    with pytest.raises(BadInput, match="has no speaker turns"):
        await service.set_speaker_role(TRUSTED, s.doc_a.id, "Amira", SpeakerRole.PARTICIPANT)


async def test_spoken_by_keeps_to_the_turns_of_speakers_with_that_role(store: Store, service: Service) -> None:
    s = await small_project(service)
    document = await service.import_transcript(
        TRUSTED, transcript(s.project.id, s.amira.id, roles={"Interviewer": SpeakerRole.INTERVIEWER})
    )

    async def excerpt(words: str, to: str | None = None) -> str:
        start = TEXT.index(words)
        end = TEXT.index(to) + len(to) if to else start + len(words)
        return (
            await service.code_text(TRUSTED, NewExcerpt(document_id=document.id, start=start, end=end), [s.fear.id])
        ).id

    scared = await excerpt("scared")
    across = await excerpt("I was scared", "They came")  # two turns of Amira's, no one between
    question = await excerpt("How was it?")
    beyond = await excerpt("They came twice", "And then")  # runs into the interviewer's turn
    label = await excerpt("Amira: Jo")  # the label is nobody's words
    elsewhere = (await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])).id
    reader = service.reader(TRUSTED)

    async def found(role: SpeakerRole | None) -> set[str]:
        page = await reader.find_excerpts(s.project.id, Where(all_of=(s.fear.id,), spoken_by=role), 50, None)
        return set(page.ids)

    assert await found(None) == {scared, across, question, beyond, label, elsewhere}
    assert await found(SpeakerRole.PARTICIPANT) == set(), "no one is marked as the participant yet"
    assert await found(SpeakerRole.INTERVIEWER) == {question}
    await service.set_speaker_role(TRUSTED, document.id, "Amira", SpeakerRole.PARTICIPANT)
    assert await found(SpeakerRole.PARTICIPANT) == {scared, across}, "the change is seen at once"
    matches = await reader.participants_matching(
        s.project.id, Where(any_of=(s.fear.id,), spoken_by=SpeakerRole.PARTICIPANT)
    )
    assert [(m.participant_id, set(m.excerpt_ids)) for m in matches] == [(s.amira.id, {scared, across})]

    async def searched(text: str, role: SpeakerRole | None) -> list[str]:
        page = await reader.search(s.project.id, text, 20, None, role)
        return [TEXT[h.start : h.end] for h in page.hits if h.document_id == document.id]

    assert await searched("came", None) == ["came", "came"]
    assert await searched("came", SpeakerRole.PARTICIPANT) == ["came", "came"]
    assert await searched("then", SpeakerRole.PARTICIPANT) == []
    assert await searched("then", SpeakerRole.INTERVIEWER) == ["then"]
    assert await searched("Amira", None) == ["Amira", "Amira", "Amira"]
    assert await searched("Amira", SpeakerRole.PARTICIPANT) == ["Amira"], "the label between two of her turns"
    page = await reader.search(s.project.id, "scared", 20, None, SpeakerRole.PARTICIPANT)
    assert {h.document_id for h in page.hits} == {document.id}, "documents without turns drop out"

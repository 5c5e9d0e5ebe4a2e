"""Work given up by its request stops, and frees its analysis worker for the next request."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from graph.analysis import questions
from graph.analysis.agreement import AgreementUnit, tallies
from graph.analysis.filters import Where
from graph.analysis.matrices import Indexed
from graph.analysis.results import CooccurrenceScope
from graph.analysis.snapshot import Scope
from graph.analysis.worker import FILES, Stopped, off_loop, stopping
from graph.inputs import NewExcerpt
from graph.service import Service
from graph.store import Store
from tests.conftest import TRUSTED
from tests.graph.builders import small_project


async def test_a_cancelled_job_stops_and_frees_the_worker() -> None:
    started, ended = threading.Event(), threading.Event()

    def endless() -> None:
        started.set()
        try:
            while True:
                stopping()
        finally:
            ended.set()

    job = asyncio.ensure_future(off_loop(endless))
    assert await asyncio.to_thread(started.wait, 5)
    job.cancel()
    with pytest.raises(asyncio.CancelledError):
        await job
    assert await asyncio.to_thread(ended.wait, 5), "the job saw its stop flag"
    assert await asyncio.wait_for(off_loop(lambda: 42), 5) == 42


def test_stopping_outside_the_worker_does_nothing() -> None:
    stopping()  # raises Stopped only inside a job whose caller gave up


async def _given_up(work: Callable[[], object]) -> BaseException | None:
    """What `work` raises (None: it finished) when run on the worker after its caller gave up."""
    started, go, done = threading.Event(), threading.Event(), threading.Event()
    outcome: list[BaseException | None] = []

    def job() -> None:
        started.set()
        go.wait(5)
        try:
            work()
            outcome.append(None)
        except Exception as exc:
            outcome.append(exc)
        finally:
            done.set()

    task = asyncio.ensure_future(off_loop(job))
    assert await asyncio.to_thread(started.wait, 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task  # the caller has given up: the job's stop flag is set
    go.set()
    assert await asyncio.to_thread(done.wait, 5)
    return outcome[0]


async def test_every_question_stops_once_its_request_gives_up(store: Store, service: Service) -> None:
    """Each question's loops over the project look at the stop flag, so a question given up
    by its request (the time limit, a client gone) does not hold the worker to the end."""
    s = await small_project(service)
    for start, codes in ((0, [s.fear.id, s.hope.id]), (10, [s.fear.id]), (30, [s.hope.id])):
        for doc in (s.doc_a, s.doc_b):
            await service.code_text(TRUSTED, NewExcerpt(document_id=doc.id, start=start, end=start + 5), codes)
    snapshot = await store.project_snapshot(s.project.id, with_text=True)
    documents = [(d.id, d.participant_id, d.text) for d in (s.doc_a, s.doc_b)]

    assert snapshot.indexed  # indexed while no one has given up, so each question below stops in its own loops

    def fresh() -> Scope:  # a new scope each time, so nothing is answered from a memo
        return Scope(snapshot)

    work: dict[str, Callable[[], object]] = {
        "indexing": lambda: Indexed.of(snapshot),
        "cooccurrence by excerpt": lambda: questions.cooccurrence(fresh(), CooccurrenceScope.EXCERPT, [], [], 1),
        "cooccurrence by document": lambda: questions.cooccurrence(fresh(), CooccurrenceScope.DOCUMENT, [], [], 1),
        "caseMatrix": lambda: questions.case_matrix(fresh(), "CODE", []),
        "compareGroups": lambda: questions.compare_groups(fresh(), "age", "CODE", []),
        "participantsMatching": lambda: questions.participants_matching(fresh(), Where()),
        "sequences": lambda: questions.sequences(fresh(), s.fear.id, s.hope.id, None),
        "conceptPaths": lambda: questions.concept_paths(fresh(), s.fear.id, s.hope.id, 3, []),
        "agreement": lambda: tallies(fresh(), ["a", "b"], [], [], AgreementUnit.EXCERPT),
        "search": lambda: questions.search(documents, "scared", 10, None),
    }
    outcomes = {name: type(await _given_up(question)).__name__ for name, question in work.items()}
    assert outcomes == dict.fromkeys(work, Stopped.__name__)


async def test_a_question_does_not_wait_behind_an_export() -> None:
    """Reports and exports (seconds at size M) have their own worker thread."""
    started, release = threading.Event(), threading.Event()

    def export() -> str:
        started.set()
        release.wait(10)
        return "archive"

    building = asyncio.ensure_future(off_loop(export, FILES))
    assert await asyncio.to_thread(started.wait, 5)
    try:
        assert await asyncio.wait_for(off_loop(lambda: "answer"), 5) == "answer"
    finally:
        release.set()
    assert await building == "archive"

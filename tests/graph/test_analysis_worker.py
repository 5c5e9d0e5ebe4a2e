"""Work given up by its request stops, and frees the analysis worker for the next request."""

from __future__ import annotations

import asyncio
import threading

import pytest

from graph.analysis.worker import off_loop, stopping


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

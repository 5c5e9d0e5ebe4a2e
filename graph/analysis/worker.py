"""CPU-heavy analysis runs off the event loop, so one member's slow question never holds up
the rest of the team's requests. Two worker threads, each taking its jobs in turn: QUESTIONS
(indexing a snapshot, answering a question, matching a search: short jobs) and FILES
(building a report, a table or a REFI-QDA export of a whole project: jobs of seconds), so a
question never waits behind someone's export. Snapshots and scopes guard what they keep
with a lock, as both threads read them; on a small machine the event loop keeps a core.

A request that gives up (its time limit, a client gone) sets the job's stop flag; long loops
call `stopping()` and end early, so an abandoned job does not keep the worker busy."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from graph.errors import DomainError

T = TypeVar("T")

QUESTIONS = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thememap-questions")
FILES = ThreadPoolExecutor(max_workers=1, thread_name_prefix="thememap-files")
_STOP: contextvars.ContextVar[threading.Event | None] = contextvars.ContextVar("analysis_stop", default=None)


class Stopped(DomainError):
    """The request that asked for this work has given up on it."""

    code = "TIMEOUT"


async def off_loop(fn: Callable[[], T], worker: ThreadPoolExecutor = QUESTIONS) -> T:
    """`fn()` on `worker` (QUESTIONS or FILES); cancelling the caller asks it to stop."""
    stop = threading.Event()
    context = contextvars.copy_context()
    context.run(_STOP.set, stop)
    future = asyncio.get_running_loop().run_in_executor(worker, context.run, fn)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        stop.set()
        raise


def stopping() -> None:
    """Raise Stopped once the job's caller has given up (a no-op outside the worker)."""
    stop = _STOP.get()
    if stop is not None and stop.is_set():
        raise Stopped("The request stopped before this work was done.")

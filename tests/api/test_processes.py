"""Serving from more than one process: `thememap serve --workers N` runs N processes that
share nothing but the store. A client cannot choose which of uvicorn's workers answers it,
so the tests that need "a change through one process, seen through another" start two
separate `thememap serve` processes on the same store, on two ports, on both adapters:
live events, analysis answers (kept per revision read from the store) and concurrent
writes must all hold across them."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.test_live_events import Listener, gql, live_project
from tests.bench.load import load
from tests.conftest import ADAPTERS
from tests.faults.conftest import demo_env
from tests.servers import DEMO_PROJECT, add_user, demo_owner, server


@dataclass
class Shared:
    """The demo study seeded into one store per adapter (`env`), with its owner's token
    (`demo`) and the users' tokens and ids (`users`: "Owner", "Owner id", ...)."""

    env: dict[str, str]
    demo: str
    users: dict[str, str]


Two = tuple[str, str, dict[str, str]]
"""The URLs of two `thememap serve` processes on one store, and the users' tokens and ids."""


@pytest.fixture(scope="module", params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    """Module-scoped here: the tests of an adapter share one seeded store and its two serving
    processes (seeding, adding users and starting servers cost seconds each); each test
    works in a project or with users of its own."""
    return str(request.param)


@pytest.fixture(scope="module")
def shared(adapter: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Shared:
    env = demo_env(adapter, tmp_path_factory.mktemp(f"processes-{adapter}"), request)
    demo = demo_owner(env)
    users = {name: add_user(env, name) for name in ("Owner", "Analyst", "Viewer")}
    return Shared(
        env,
        demo,
        {name: token for name, (_, token) in users.items()}
        | {f"{name} id": user_id for name, (user_id, _) in users.items()},
    )


@pytest.fixture(scope="module")
def two(shared: Shared) -> Iterator[Two]:
    with ExitStack() as stack:
        a, b = (stack.enter_context(server(shared.env, serve=[]))[1] for _ in range(2))
        yield a, b, shared.users


def _serve(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--data-dir", str(tmp_path), *options],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("workers", ["0", "-1", "1000"])
def test_workers_out_of_range_are_refused_with_the_range(tmp_path: Path, workers: str) -> None:
    refused = _serve(tmp_path, "--workers", workers)
    assert refused.returncode == 2, refused
    assert "--workers (THEMEMAP_WORKERS) must be between 1 and " in refused.stderr
    assert f"not {workers}." in refused.stderr


def test_workers_with_reload_are_refused(tmp_path: Path) -> None:
    refused = _serve(tmp_path, "--workers", "2", "--reload")
    assert refused.returncode == 2, refused
    assert "--reload runs one server process" in refused.stderr


def _workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn started under `pid` (multiprocessing's spawned children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"multiprocessing.spawn" in Path(f"/proc/{c}/cmdline").read_bytes()]


def test_serve_with_two_workers_runs_two_processes_that_answer(shared: Shared) -> None:
    with server(shared.env, serve=["--workers", "2"]) as (process, url):
        deadline = time.monotonic() + 20
        while len(_workers_of(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_workers_of(process.pid)) == 2
        for _ in range(6):
            assert gql(url, shared.demo, "query($p: ID!) { project(id: $p) { name } }", p=DEMO_PROJECT)["project"][
                "name"
            ]


async def test_a_change_through_one_process_reaches_a_subscriber_of_the_other(two: Two) -> None:
    a, b, t = two
    project = live_project(a, t, Analyst="ANALYST", Viewer="VIEWER")
    async with Listener(b, t["Viewer"], project) as viewer:
        code = gql(
            a, t["Analyst"], 'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear"}) { id } }', p=project
        )["createCode"]["id"]
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not viewer.events():
            await asyncio.sleep(0.02)
    assert viewer.events() == [
        {"type": "code.created", "summary": "created code 'Fear'", "targetIds": [code], "actor": {"name": "Analyst"}}
    ]


THEME_MAP = "query($p: ID!) { themeMap(projectId: $p) { nodes { id excerptCount } } }"


def test_a_question_on_one_process_sees_a_change_made_through_the_other(two: Two) -> None:
    a, b, t = two
    project = live_project(a, t, Analyst="ANALYST")
    code = gql(
        a, t["Analyst"], 'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear"}) { id } }', p=project
    )["createCode"]["id"]
    document = gql(
        a,
        t["Analyst"],
        'mutation($p: ID!) { addDocument(input: {projectId: $p, title: "One", text: "I was afraid of them."}) { id } }',
        p=project,
    )["addDocument"]["id"]
    counts = {n["id"]: n["excerptCount"] for n in gql(b, t["Owner"], THEME_MAP, p=project)["themeMap"]["nodes"]}
    assert counts[code] == 0  # process b keeps this answer for the project's revision
    gql(
        a,
        t["Analyst"],
        "mutation($d: ID!, $c: ID!) { codeText(input: {documentId: $d, start: 6, end: 12, codeIds: [$c]}) { id } }",
        d=document,
        c=code,
    )
    counts = {n["id"]: n["excerptCount"] for n in gql(b, t["Owner"], THEME_MAP, p=project)["themeMap"]["nodes"]}
    assert counts[code] == 1


def test_two_processes_coding_at_once_lose_nothing(adapter: str, shared: Shared, two: Two) -> None:
    """16 clients taking turns between two processes, each member writing through both."""
    tag = f"{random.getrandbits(24):x}"
    analysts = [add_user(shared.env, f"analyst-{i}-{tag}") for i in range(4)]
    result = load(two[:2], shared.demo, analysts, clients=16, seconds=4)
    print(result.summary(f"{adapter}, two processes"))
    assert not result.errors, result.errors[:5]
    assert not result.lost, f"acknowledged writes missing (code: acknowledged, found): {result.lost}"
    assert result.writes > 0


@pytest.mark.parametrize("adapter", ["embedded"], indirect=True)
def test_writes_wait_for_each_other_across_processes(two: Two) -> None:
    """Two processes writing at the same moment: the second waits for the first's transaction
    (SQLite's busy timeout) instead of failing with 'database is locked'."""
    a, b, t = two
    project = live_project(a, t)

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(timeout=60) as http:
            return await asyncio.gather(
                *(
                    http.post(
                        f"{(a, b)[i % 2]}/graphql",
                        json={
                            "query": "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                            "variables": {"p": project, "n": f"burst {i}"},
                        },
                        headers={"Authorization": f"Bearer {t['Owner']}"},
                    )
                    for i in range(40)
                )
            )

    answers = asyncio.run(burst())
    assert [r.json().get("errors") for r in answers] == [None] * 40
    names = {
        c["name"]
        for c in gql(b, t["Owner"], "query($p: ID!) { project(id: $p) { codes { name } } }", p=project)["project"][
            "codes"
        ]
    }
    assert names == {f"burst {i}" for i in range(40)}

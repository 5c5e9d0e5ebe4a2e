"""SIGKILL in the middle of writing, on both adapters: during `thememap seed` of the demo
study, and during a stream of concurrent mutations to a real server. After a restart
every acknowledged write is there, no atomic write is half there, and loading the demo
again completes it."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from graph.analysis.snapshot import Snapshot
from graph.embedded import EmbeddedStore
from graph.neo4j import Neo4jStore
from graph.service import Service
from graph.store import Store
from seeds.registry import datasets
from tests.faults.conftest import demo_env
from tests.servers import DEMO, DEMO_PROJECT, demo_owner, server, thememap

CODE_TEXT = """mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) {
  codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) { id } }"""


def open_store(env: dict[str, str]) -> Store:
    if env["THEMEMAP_STORE"] == "embedded":
        return EmbeddedStore(Path(env["THEMEMAP_DATA_DIR"]))
    return Neo4jStore(env["NEO4J_URI"], env["NEO4J_USER"], env["NEO4J_PASSWORD"], env["NEO4J_DATABASE"])


def shape(snapshot: Snapshot) -> dict[str, object]:
    """What must be equal between two complete loads of the demo."""
    return {
        "participants": len(snapshot.participants),
        "codes": len(snapshot.codes),
        "themes": len(snapshot.themes),
        "memberships": len(snapshot.memberships),
        "links": len(snapshot.links),
        "excerpts": len(snapshot.excerpts),
        "codings": len(snapshot.codings),
        "documents": snapshot.document_lengths,
    }


async def _until(condition: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():  # type: ignore[misc]
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.005)


@pytest.fixture
async def reference(tmp_path: Path) -> dict[str, object]:
    """The demo study fully loaded (on the embedded store: the adapters hold the same data)."""
    store = EmbeddedStore(tmp_path / "reference")
    await store.open()
    try:
        await datasets()[DEMO].load(Service(store), lambda n: None)
        return shape(await store.project_snapshot(DEMO_PROJECT))
    finally:
        await store.close()


async def test_seed_killed_midway_leaves_whole_transactions_and_seeding_again_completes_it(
    adapter: str, tmp_path: Path, request: pytest.FixtureRequest, reference: dict[str, object]
) -> None:
    env = demo_env(adapter, tmp_path / "data", request)
    seeding = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "seed", DEMO],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    watcher = open_store(env)
    await watcher.open()
    try:

        async def documents_loading() -> bool:  # the seed is past its first transactions, far from its last
            found = await watcher.get_projects([DEMO_PROJECT])
            return bool(found) and len((await watcher.project_snapshot(DEMO_PROJECT)).document_lengths) >= 3

        await _until(documents_loading)
        seeding.send_signal(signal.SIGKILL)
        seeding.wait(timeout=10)
        partial = shape(await watcher.project_snapshot(DEMO_PROJECT))
    finally:
        await watcher.close()
    assert partial != reference, "the seed finished before it was killed"
    documents = partial["documents"]
    assert isinstance(documents, dict) and documents.items() <= dict(reference["documents"]).items()  # type: ignore[call-overload]
    assert partial["excerpts"] in (0, reference["excerpts"]) and partial["codings"] in (0, reference["codings"])

    assert "Loaded" in thememap(env, "seed", DEMO)
    store = open_store(env)
    await store.open()
    try:
        assert shape(await store.project_snapshot(DEMO_PROJECT)) == reference
    finally:
        await store.close()


async def _stream(url: str, token: str, document: str, codes: list[str], acknowledged: list[str]) -> None:
    """Code new spans, each with all `codes` at once, from 8 clients until the server dies."""
    async with httpx.AsyncClient(base_url=url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:

        async def client(i: int) -> None:
            for n in range(i, 2_000, 8):
                try:
                    response = await http.post(
                        "/graphql",
                        json={"query": CODE_TEXT, "variables": {"d": document, "s": n, "e": n + 3, "c": codes}},
                    )
                except httpx.TransportError:
                    return
                body = response.json()
                assert "errors" not in body, body
                acknowledged.append(body["data"]["codeText"]["id"])
                codes.append(codes.pop(0))  # the next span codes them in another order

        await asyncio.gather(*(client(i) for i in range(8)))


def test_server_killed_during_a_stream_of_mutations_keeps_every_acknowledged_one(
    adapter: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = demo_env(adapter, tmp_path, request)
    token = demo_owner(env)
    gql = {"Authorization": f"Bearer {token}"}
    with server(env) as (process, url):
        project = httpx.post(
            f"{url}/graphql",
            headers=gql,
            timeout=30,
            json={"query": "query($p: ID!) { project(id: $p) { documents { id } } }", "variables": {"p": DEMO_PROJECT}},
        ).json()["data"]["project"]
        codes = [
            httpx.post(
                f"{url}/graphql",
                headers=gql,
                timeout=30,
                json={
                    "query": "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                    "variables": {"p": DEMO_PROJECT, "n": f"crash {i}"},
                },
            ).json()["data"]["createCode"]["id"]
            for i in range(3)
        ]
        document = project["documents"][0]["id"]
        acknowledged: list[str] = []

        async def stream_then_kill() -> None:
            streaming = asyncio.create_task(_stream(url, token, document, list(codes), acknowledged))
            while len(acknowledged) < 30:
                await asyncio.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            await streaming

        asyncio.run(stream_then_kill())
    restarted = time.monotonic()
    with server(env) as (_, url):
        print(
            f"crash[{adapter}]: {len(acknowledged)} acknowledged writes; ready again "
            f"{time.monotonic() - restarted:.1f} s after restart"
        )
        found = httpx.post(
            f"{url}/graphql",
            headers=gql,
            timeout=30,
            json={
                "query": "query($d: ID!) { document(id: $d) { excerpts { id codes { id } } } }",
                "variables": {"d": document},
            },
        ).json()["data"]["document"]["excerpts"]
    excerpts = {e["id"]: {c["id"] for c in e["codes"]} & set(codes) for e in found}
    excerpts = {id: coded for id, coded in excerpts.items() if coded}
    assert set(acknowledged) <= set(excerpts), "an acknowledged write is missing"
    assert all(coded == set(codes) for coded in excerpts.values()), "a codeText is half applied"

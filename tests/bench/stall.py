"""Stall probe: does one member's heavy work hold up everyone else? Eight clients ask `{ me }`
and the theme map of the demo study, first alone (quiet), then while one more client keeps
sending the heaviest requests it is allowed: a search of the most terms, every co-occurring
pair right after a change, and a REFI-QDA export and re-import of the whole project. Prints
the light clients' p50 and p99 in both runs and their ratio (target: p99 within 2x of quiet).

    .venv/bin/python -m tests.bench.stall [--adapter embedded|neo4j] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from typing import Any

import httpx

from tests.servers import DEMO_PROJECT, demo_owner, server

ME = "{ me { name } }"
THEME_MAP = "query($p: ID!) { themeMap(projectId: $p) { nodes { id excerptCount } } }"
SEARCH = "query($p: ID!, $t: String!) { search(projectId: $p, text: $t, first: 500) { edges { cursor } } }"
HEAVIEST_SEARCH = " ".join(["i", "the", "and", "to", "a", "was", "it", "of", "that", "my"] * 3 + ["she", "they"])
"""32 terms (the most allowed), the commonest words of the transcripts, so every document matches."""
COOCCURRENCE = "query($p: ID!) { cooccurrence(projectId: $p, minCount: 1) { count jaccard } }"
CODE_TEXT = """mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) {
  codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) { id } }"""


async def gql(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json()
    if "errors" in body:
        raise RuntimeError(str(body["errors"])[:300])
    data: dict[str, Any] = body["data"]
    return data


async def light(url: str, token: str, seconds: float, clients: int = 8) -> list[float]:
    """Latencies (s) of `clients` loops asking `{ me }` and the theme map in turn."""
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        end = time.monotonic() + seconds

        async def client(i: int) -> None:
            n = i
            while time.monotonic() < end:
                query, variables = (ME, {}) if n % 2 else (THEME_MAP, {"p": DEMO_PROJECT})
                sent = time.monotonic()
                await gql(http, token, query, **variables)
                latencies.append(time.monotonic() - sent)
                n += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies


async def heavy(url: str, token: str, until: float) -> int:
    """The heaviest allowed requests, one after another, until `until`; returns how many were made."""
    done = 0
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        tree = await gql(
            http, token, "query($p: ID!) { project(id: $p) { documents { id } codes { id } } }", p=DEMO_PROJECT
        )
        document, code = tree["project"]["documents"][0]["id"], tree["project"]["codes"][-1]["id"]
        auth = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < until:
            await gql(http, token, SEARCH, p=DEMO_PROJECT, t=HEAVIEST_SEARCH)
            start = done % 500  # a change, so the next question cannot be answered from what was kept
            await gql(http, token, CODE_TEXT, d=document, s=start, e=start + 10, c=[code])
            await gql(http, token, COOCCURRENCE, p=DEMO_PROJECT)
            archive = (await http.get(f"/projects/{DEMO_PROJECT}/export.qdpx", headers=auth)).content
            imported = await http.post(
                f"/projects/{DEMO_PROJECT}/import", files={"file": ("demo.qdpx", archive)}, headers=auth
            )
            imported.raise_for_status()
            done += 5
    return done


def summary(latencies: list[float]) -> tuple[float, float]:
    ms = sorted(x * 1000 for x in latencies)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def probe(env: dict[str, str], seconds: float) -> str:
    owner = demo_owner(env)
    with server(env) as (_, url):

        async def go() -> tuple[list[float], list[float], int]:
            quiet = await light(url, owner, seconds)
            loaded, made = await asyncio.gather(
                light(url, owner, seconds), heavy(url, owner, time.monotonic() + seconds)
            )
            return quiet, loaded, made

        quiet, loaded, made = asyncio.run(go())
    (q50, q99), (l50, l99) = summary(quiet), summary(loaded)
    return (
        f"quiet: {len(quiet)} light requests, p50 {q50:.0f} ms, p99 {q99:.0f} ms; "
        f"beside {made} heavy requests: {len(loaded)} light requests, p50 {l50:.0f} ms, p99 {l99:.0f} ms; "
        f"p99 ratio {l99 / q99:.2f} (target <= 2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    if args.adapter == "embedded":
        env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": tempfile.mkdtemp(prefix="thememap-stall-")}
        print(f"stall[embedded]: {probe(env, args.seconds)}")
        return
    from tests.bolt.server import start

    bolt = start()
    try:
        print(f"stall[neo4j]: {probe({'THEMEMAP_STORE': 'neo4j', **bolt.env()}, args.seconds)}")
    finally:
        bolt.stop()


if __name__ == "__main__":
    main()

"""Stall probe: does one member's heavy work hold up everyone else? Eight clients ask `{ me }`
and the theme map of a study (the demo, or the synthetic study of a size), first alone
(quiet), then while one more client keeps sending the heaviest requests it is allowed: a
search of the most terms, every co-occurring pair right after a change, and a REFI-QDA
export and re-import of the whole project. Prints the light clients' p50 and p99 per
question in both runs and the ratio (target: p99 within 2x of quiet).

The heavy client's change and re-import make the next theme map a fresh read of the project
(until snapshots are kept up to date incrementally), so at size M its p99 measures that read
as well as any stall; `{ me }` reads nothing of the project and measures the stall alone.

    .venv/bin/python -m tests.bench.stall [--adapter embedded|neo4j] [--size demo|S|M|L] [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

from graph.analysis.text import MAX_QUERY_TERMS
from seeds.synthetic import SyntheticDataset
from tests.servers import DEMO_PROJECT, demo_owner, server, thememap

ME = "{ me { name } }"
THEME_MAP = "query($p: ID!) { themeMap(projectId: $p) { nodes { id excerptCount } } }"
SEARCH = "query($p: ID!, $t: String!) { search(projectId: $p, text: $t, first: 500) { edges { cursor } } }"
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


@dataclass(frozen=True)
class Study:
    project_id: str
    token: str


async def light(url: str, study: Study, seconds: float, clients: int = 8) -> dict[str, list[float]]:
    """Latencies (s) per question of `clients` loops asking `{ me }` and the theme map in turn."""
    latencies: dict[str, list[float]] = {"me": [], "themeMap": []}
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        end = time.monotonic() + seconds

        async def client(i: int) -> None:
            n = i
            while time.monotonic() < end:
                name, query, variables = ("me", ME, {}) if n % 2 else ("themeMap", THEME_MAP, {"p": study.project_id})
                sent = time.monotonic()
                await gql(http, study.token, query, **variables)
                latencies[name].append(time.monotonic() - sent)
                n += 1

        await asyncio.gather(*(client(i) for i in range(clients)))
    return latencies


async def heavy(url: str, study: Study, until: float) -> int:
    """The heaviest allowed requests, one after another, until `until`; returns how many were made."""
    done, token, project = 0, study.token, study.project_id
    async with httpx.AsyncClient(base_url=url, timeout=600) as http:
        tree = await gql(http, token, "query($p: ID!) { project(id: $p) { documents { id } codes { id } } }", p=project)
        document, code = tree["project"]["documents"][0]["id"], tree["project"]["codes"][-1]["id"]
        text = (await gql(http, token, "query($d: ID!) { document(id: $d) { text } }", d=document))["document"]["text"]
        common = Counter(re.findall(r"\w+", text.lower())).most_common(MAX_QUERY_TERMS)
        search = " ".join(word for word, _ in common)  # the most terms allowed, the commonest words: all match
        auth = {"Authorization": f"Bearer {token}"}
        while time.monotonic() < until:
            await gql(http, token, SEARCH, p=project, t=search)
            start = done % 500  # a change, so the next question cannot be answered from what was kept
            await gql(http, token, CODE_TEXT, d=document, s=start, e=start + 10, c=[code])
            await gql(http, token, COOCCURRENCE, p=project)
            archive = (await http.get(f"/projects/{project}/export.qdpx", headers=auth)).content
            imported = await http.post(
                f"/projects/{project}/import", files={"file": ("study.qdpx", archive)}, headers=auth
            )
            imported.raise_for_status()
            done += 5
    return done


def summary(latencies: list[float]) -> tuple[float, float]:
    ms = sorted(x * 1000 for x in latencies)
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def study(env: dict[str, str], size: str) -> Study:
    """Load the study (`thememap seed`) and return it with a fresh token of its lead."""
    if size == "demo":
        return Study(DEMO_PROJECT, demo_owner(env))
    dataset = SyntheticDataset(size)
    thememap(env, "seed", "synthetic", "--size", size)
    lead = f"Coder 1 ({size}1)"
    out = thememap(env, "user", "token", lead)
    return Study(dataset.project_id, next(x.strip() for x in out.splitlines() if x.startswith("tm_")))


def probe(env: dict[str, str], size: str, seconds: float) -> str:
    chosen = study(env, size)
    with server(env) as (_, url):

        async def go() -> tuple[dict[str, list[float]], dict[str, list[float]], int]:
            await light(url, chosen, 2)  # warm: the first theme map reads and indexes the project
            quiet = await light(url, chosen, seconds)
            loaded, made = await asyncio.gather(
                light(url, chosen, seconds), heavy(url, chosen, time.monotonic() + seconds)
            )
            return quiet, loaded, made

        quiet, loaded, made = asyncio.run(go())
    lines = [f"beside {made} heavy requests (search, change, co-occurrence, export, re-import):"]
    for name in quiet:
        (q50, q99), (l50, l99) = summary(quiet[name]), summary(loaded[name])
        lines.append(
            f"  {name}: quiet {len(quiet[name])} requests, p50 {q50:.0f} ms, p99 {q99:.0f} ms; "
            f"loaded {len(loaded[name])} requests, p50 {l50:.0f} ms, p99 {l99:.0f} ms; "
            f"p99 ratio {l99 / q99:.2f} (target <= 2)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--size", choices=["demo", "S", "M", "L"], default="demo")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    if args.adapter == "embedded":
        env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": tempfile.mkdtemp(prefix="thememap-stall-")}
        print(f"stall[embedded, {args.size}]: {probe(env, args.size, args.seconds)}")
        return
    from tests.bolt.server import start

    bolt = start()
    try:
        print(f"stall[neo4j, {args.size}]: {probe({'THEMEMAP_STORE': 'neo4j', **bolt.env()}, args.size, args.seconds)}")
    finally:
        bolt.stop()


if __name__ == "__main__":
    main()

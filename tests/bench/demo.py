"""Measure the demo study on both adapters: seed time, and the median and p95 latency of
the project tree query, of `codeText`, and of each cross-case question, through GraphQL
over HTTP (httpx's ASGI transport, so no socket time is counted). Run it by hand:

    .venv/bin/python -m tests.bench.demo [--repeat 50]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.models import Role
from graph.neo4j import Neo4jStore
from graph.store import Store
from seeds.registry import datasets
from tests.bolt.server import start
from tests.support import GraphQLClient, serve_in_process

DEMO = datasets()["perinatal-social-work"]
P = DEMO.project_id
FEAR, JUDGED = DEMO.id("code", "fear-removal"), DEMO.id("code", "fear-judged")
CONCEALING, TURNING = DEMO.id("code", "concealing-symptoms"), DEMO.id("code", "turning-point")
T_TURN, T_KNOWN = DEMO.id("theme", "t-turning-points"), DEMO.id("theme", "t-feeling-known")

OPERATIONS: dict[str, tuple[str, dict[str, Any]]] = {
    "project tree": ("query($p: ID!) { project(id: $p) { codes { excerptCount } themes { codes { name } } } }", {}),
    "themeMap": ("query($p: ID!) { themeMap(projectId: $p, cooccurrenceMin: 2) { nodes { id excerptCount "
                 "participantCount } edges { source target kind weight } } }", {}),
    "cooccurrence EXCERPT": ("query($p: ID!) { cooccurrence(projectId: $p) { a { ... on Code { id } } "
                             "b { ... on Code { id } } count jaccard } }", {}),
    "caseMatrix": ("query($p: ID!) { caseMatrix(projectId: $p, columns: THEME) { rows { participant { pseudonym } "
                   "cells { count excerpts(first: 1) { text } } } } }", {}),
    "compareGroups": ('query($p: ID!) { compareGroups(projectId: $p, attribute: "involvement", columns: CODE) '
                      "{ value n concepts { participants proportion } } }", {}),
    "findExcerpts": ("query($p: ID!, $a: [ID!]) { findExcerpts(projectId: $p, where: {anyOf: $a}, first: 20) "
                     "{ edges { node { text } } } }", {"a": [FEAR, CONCEALING]}),
    "participantsMatching": ("query($p: ID!, $a: [ID!]) { participantsMatching(projectId: $p, where: {allOf: $a}) "
                             "{ participant { pseudonym } excerpts { text } } }", {"a": [T_TURN, T_KNOWN]}),
    "sequences": ("query($p: ID!, $a: ID!, $b: ID!) { sequences(projectId: $p, first: $a, then: $b) { gap } }",
                  {"a": JUDGED, "b": TURNING}),
    "conceptPaths": ("query($p: ID!, $a: ID!, $b: ID!) { conceptPaths(projectId: $p, from: $a, to: $b) "
                     "{ steps { relation } } }", {"a": JUDGED, "b": CONCEALING}),
    "search": ('query($p: ID!) { search(projectId: $p, text: "social worker", first: 20) { edges { node { start } } } }', {}),
}


async def timed(api: GraphQLClient, query: str, repeat: int, **variables: Any) -> list[float]:
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        await api.ok(query, **variables)
        out.append((time.perf_counter() - began) * 1000)
    return out


async def measure(make: Callable[[], Store], repeat: int) -> dict[str, list[float]]:
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), _env_file=None)  # type: ignore[call-arg]
    store = make()
    async with serve_in_process(settings, store) as api:
        began = time.perf_counter()
        await DEMO.load(store, lambda n: None)
        samples = {"seed (s, once)": [time.perf_counter() - began]}
        await store.add_member(DEMO.lead, P, api.user_id, Role.OWNER)
        for name, (query, variables) in OPERATIONS.items():
            await api.ok(query, p=P, **variables)  # warm up
            samples[name] = await timed(api, query, repeat, p=P, **variables)
        document, code = DEMO.id("document", "p01"), DEMO.id("code", "feeling-known")
        coding = []
        for i in range(repeat):
            began = time.perf_counter()
            await api.ok("mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, "
                          "start: $s, end: $e, codeIds: $c}) { id } }", d=document, s=i, e=i + 40, c=[code])
            coding.append((time.perf_counter() - began) * 1000)
        samples["codeText"] = coding
    return samples


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


async def main(repeat: int) -> None:
    server = start()
    try:
        results = {
            "embedded": await measure(lambda: EmbeddedStore(Path(tempfile.mkdtemp())), repeat),
            "neo4j/ArcadeDB": await measure(
                lambda: Neo4jStore(server.uri, server.user, server.password, server.database), repeat),
        }
    finally:
        server.stop()
    names = list(results["embedded"])
    print(f"{'median ms (p95)':<24}" + "".join(f"{a:>26}" for a in results))
    for name in names:
        cells = "".join(f"{statistics.median(r[name]):>16.2f} ({p95(r[name]):7.2f})" for r in results.values())
        print(f"{name:<24}{cells}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    asyncio.run(main(parser.parse_args().repeat))

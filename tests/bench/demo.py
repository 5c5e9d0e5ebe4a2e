"""Measure the demo study on both adapters: seed time, and median latency of a project
tree query and of `codeText`, through GraphQL over HTTP (httpx's ASGI transport, so no
socket time is counted). Prints a table; run it by hand:

    .venv/bin/python -m tests.bench.demo [--repeat 200]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.neo4j import Neo4jStore
from graph.store import Store
from seeds.registry import datasets
from tests.bolt.server import start
from tests.support import serve_in_process

TREE = "query($p: ID!) { project(id: $p) { codes { excerptCount } themes { codes { name } } } }"


async def measure(make: Callable[[], Store], repeat: int) -> dict[str, float]:
    dataset = datasets()["perinatal-social-work"]
    settings = Settings(data_dir=Path(tempfile.mkdtemp()), _env_file=None)  # type: ignore[call-arg]
    store = make()
    async with serve_in_process(settings, store) as api:
        began = time.perf_counter()
        project_id = await dataset.load(store, lambda n: None)
        seed_s = time.perf_counter() - began
        tree = []
        for _ in range(repeat):
            began = time.perf_counter()
            await api.ok(TREE, p=project_id)
            tree.append((time.perf_counter() - began) * 1000)
        document = dataset.id("document", "p01")
        code = dataset.id("code", "feeling-known")
        coding = []
        for i in range(repeat):
            began = time.perf_counter()
            await api.ok(
                "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, "
                "end: $e, codeIds: $c}) { id } }",
                d=document, s=i, e=i + 40, c=[code],
            )
            coding.append((time.perf_counter() - began) * 1000)
    return {
        "seed_s": seed_s,
        "tree_median_ms": statistics.median(tree),
        "tree_p95_ms": statistics.quantiles(tree, n=20)[-1],
        "code_text_median_ms": statistics.median(coding),
        "code_text_p95_ms": statistics.quantiles(coding, n=20)[-1],
    }


async def main(repeat: int) -> None:
    server = start()
    try:
        rows = {
            "embedded": await measure(lambda: EmbeddedStore(Path(tempfile.mkdtemp())), repeat),
            "neo4j (ArcadeDB)": await measure(
                lambda: Neo4jStore(server.uri, server.user, server.password, server.database), repeat
            ),
        }
    finally:
        server.stop()
    columns = list(next(iter(rows.values())))
    print(f"{'adapter':<18}" + "".join(f"{c:>22}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<18}" + "".join(f"{row[c]:>22.2f}" for c in columns))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200)
    asyncio.run(main(parser.parse_args().repeat))

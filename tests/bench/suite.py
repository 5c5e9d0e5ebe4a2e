"""`make bench`: seed a synthetic study, serve it from a real server process on loopback,
and measure what a research team waits for. Prints one table and writes it as JSON.

    .venv/bin/python -m tests.bench.suite --size M --store embedded [--repeat 30] [--out FILE]
    .venv/bin/python -m tests.bench.suite --size M --store neo4j --seed-only   # the seed row alone

Rows: seed throughput; each analytic question and the project tree query over HTTP
(median, p95) beside the same answer from a direct store call in this process, both
repeated (answers are kept until the project changes) and right after a change to the
project (the ratio of those two is the API's overhead, the service layer and its access
policy included); for co-occurrence and the case matrix, a floor computed
the fastest direct way (one SQL or Cypher read of the coding table and a SciPy sparse
product); `codeText` latency; throughput of 16 concurrent clients on a mixed read
workload; store round trips per request at two page sizes; the server's peak RSS.
The store=neo4j run starts the test suite's ArcadeDB Bolt server unless NEO4J_URI is set.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from api.auth import issue_token
from api.settings import Settings
from api.stores import make_store
from graph.analysis.filters import Where
from graph.analysis.results import ConceptKind
from graph.inputs import NewExcerpt
from graph.models import Role
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from seeds.synthetic import SyntheticDataset
from tests.bench import floors
from tests.servers import server
from tests.support import CountingStore, serve_in_process

Direct = Callable[[Store], Awaitable[Any]]


@dataclass
class Row:
    name: str
    http_median_ms: float | None = None
    http_p95_ms: float | None = None
    direct_median_ms: float | None = None
    """The same question asked of the store in this process (answers are kept until the project changes)."""
    cold_median_ms: float | None = None
    """Over HTTP, the first time after a change to the project (the project is read again)."""
    cold_direct_median_ms: float | None = None
    overhead: float | None = None
    """The API's overhead after a change: HTTP ÷ direct, both reading the changed project."""
    floor_median_ms: float | None = None
    floor_ratio: float | None = None
    note: str = ""


@dataclass
class Ids:
    """What the questions ask about: the two most used codes, two themes, a document."""

    project: str
    codes: list[str]
    themes: list[str]
    document: str
    coders: list[str]
    """The first is the lead, the project's OWNER."""

    @property
    def lead(self) -> Actor:
        return Actor(self.coders[0])


def _ms(seconds: list[float]) -> tuple[float, float]:
    values = [s * 1000 for s in seconds]
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
    return statistics.median(values), p95


async def _timed(call: Callable[[], Awaitable[Any]], repeat: int) -> list[float]:
    await call()  # warm up: the first call of a question reads the project
    out = []
    for _ in range(repeat):
        began = time.perf_counter()
        await call()
        out.append(time.perf_counter() - began)
    return out


def operations(ids: Ids) -> dict[str, tuple[str, dict[str, Any], Direct]]:
    """Name -> (GraphQL query, variables, the same answer from the store directly)."""
    p, (a, b), (t1, t2) = ids.project, ids.codes[:2], ids.themes[:2]

    async def tree(store: Store) -> Any:
        codes = (await store.codes_of_projects([p]))[p]
        themes = (await store.themes_of_projects([p]))[p]
        return await store.code_stats([c.id for c in codes]), await store.codes_of_themes([t.id for t in themes])

    map_fields = "{ nodes { id label excerptCount participantCount } edges { source target kind weight } }"
    pair_fields = "{ a { ... on Code { id } } b { ... on Code { id } } count }"
    saturation_fields = "status interviewsNeeded point { first share } curve { documentId newCodes cumulative }"
    network_fields = (
        "nodes { codeId degree weightedDegree betweenness community } "
        "communities { codeIds acrossThemes } themes { themeId splits } modularity"
    )
    return {
        "project tree": (
            "query($p: ID!) { project(id: $p) { codes { id name excerptCount } themes { name codes { name } } } }",
            {"p": p},
            tree,
        ),
        "themeMap": (f"query($p: ID!) {{ themeMap(projectId: $p) {map_fields} }}", {"p": p}, lambda s: s.theme_map(p)),
        "themeMap, co-occurrence ≥ 5": (
            f"query($p: ID!) {{ themeMap(projectId: $p, cooccurrenceMin: 5) {map_fields} }}",
            {"p": p},
            lambda s: s.theme_map(p, cooccurrence_min=5),
        ),
        "cooccurrence EXCERPT": (
            f"query($p: ID!) {{ cooccurrence(projectId: $p) {pair_fields} }}",
            {"p": p},
            lambda s: s.cooccurrence(p),
        ),
        "cooccurrenceTable EXCERPT (all pairs, compact)": (
            "query($p: ID!) { cooccurrenceTable(projectId: $p) { conceptIds pairs size } }",
            {"p": p},
            lambda s: s.cooccurrence(p),
        ),
        "cooccurrence EXCERPT ≥ 5": (
            f"query($p: ID!) {{ cooccurrence(projectId: $p, minCount: 5) {pair_fields} }}",
            {"p": p},
            lambda s: s.cooccurrence(p, min_count=5),
        ),
        "caseMatrix THEME": (
            "query($p: ID!) { caseMatrix(projectId: $p, columns: THEME) { rows { participant "
            "{ id } cells { count } } } }",
            {"p": p},
            lambda s: s.case_matrix(p, ConceptKind.THEME),
        ),
        "compareGroups": (
            'query($p: ID!) { compareGroups(projectId: $p, attribute: "involvement", columns: THEME) '
            "{ value n concepts { participants proportion } } }",
            {"p": p},
            lambda s: s.compare_groups(p, "involvement", ConceptKind.THEME),
        ),
        "findExcerpts page 1": (
            "query($p: ID!, $a: [ID!]) { findExcerpts(projectId: $p, where: {anyOf: $a}, "
            "first: 20) { edges { node { id start end } } } }",
            {"p": p, "a": [a, b]},
            lambda s: s.find_excerpts(p, Where(any_of=(a, b)), 20, None),
        ),
        "participantsMatching": (
            "query($p: ID!, $a: [ID!]) { participantsMatching(projectId: $p, "
            "where: {allOf: $a}) { participant { id } } }",
            {"p": p, "a": [t1, t2]},
            lambda s: s.participants_matching(p, Where(all_of=(t1, t2))),
        ),
        "sequences": (
            "query($p: ID!, $a: ID!, $b: ID!) { sequences(projectId: $p, first: $a, then: $b) { gap } }",
            {"p": p, "a": a, "b": b},
            lambda s: s.sequences(p, a, b),
        ),
        "conceptPaths": (
            "query($p: ID!, $a: ID!, $b: ID!) { conceptPaths(projectId: $p, from: $a, to: $b) { steps { relation } } }",
            {"p": p, "a": a, "b": t1},
            lambda s: s.concept_paths(p, a, t1),
        ),
        "search": (
            'query($p: ID!) { search(projectId: $p, text: "social worker", first: 20) { edges { node { start } } } }',
            {"p": p},
            lambda s: s.search(p, "social worker", 20),
        ),
        "saturation": (
            f"query($p: ID!) {{ saturation(projectId: $p) {{ {saturation_fields} }} }}",
            {"p": p},
            lambda s: s.saturation(p),
        ),
        "saturation, 1,000 random orders": (
            f"query($p: ID!) {{ saturation(projectId: $p, permutations: 1000) {{ {saturation_fields} "
            "bootstrap { distribution { interviews permutations } notReached median } } }",
            {"p": p},
            lambda s: s.saturation(p, permutations=1000),
        ),
        "conceptNetwork": (
            f"query($p: ID!) {{ conceptNetwork(projectId: $p) {{ {network_fields} }} }}",
            {"p": p},
            lambda s: s.concept_network(p),
        ),
        "conceptNetwork, no betweenness": (
            f"query($p: ID!) {{ conceptNetwork(projectId: $p, betweenness: false) {{ {network_fields} }} }}",
            {"p": p},
            lambda s: s.concept_network(p, betweenness=False),
        ),
    }


class Http:
    """GraphQL over HTTP as one user."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    async def ok(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        body = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise RuntimeError(f"{query[:60]}: {response.status_code} {body.get('errors')}")
        return body["data"]


async def seed(service: Service, dataset: SyntheticDataset) -> Row:
    began = time.perf_counter()
    await dataset.load(service, lambda n: None)
    wall = time.perf_counter() - began
    codings = dataset.size.codings
    return Row("seed", note=f"{wall:.1f} s wall, {codings / wall:,.0f} codings/s ({codings:,} codings)")


async def choose_ids(store: Store, dataset: SyntheticDataset) -> Ids:
    p = dataset.project_id
    stats = await store.code_stats([c.id for c in (await store.codes_of_projects([p]))[p]])
    codes = sorted(stats, key=lambda c: -stats[c].excerpt_count)
    themes = [t.id for t in (await store.themes_of_projects([p]))[p] if t.parent_id is None]
    return Ids(p, codes, themes, dataset.id("document", 0), dataset.coders)


async def questions(http: Http, service: Service, ids: Ids, repeat: int, floor: floors.Floor) -> list[Row]:
    store = service.store
    rows = []
    for name, (query, variables, direct) in operations(ids).items():
        over_http = _ms(await _timed(partial(http.ok, query, variables), repeat))
        in_process = _ms(await _timed(partial(direct, store), repeat))
        cold_http, cold_direct = [], []
        for _ in range(max(3, repeat // 5)):
            await change(service, ids)
            began = time.perf_counter()
            await http.ok(query, variables)
            cold_http.append(time.perf_counter() - began)
            began = time.perf_counter()
            await direct(store)
            cold_direct.append(time.perf_counter() - began)
        row = Row(
            name,
            *over_http,
            direct_median_ms=in_process[0],
            cold_median_ms=_ms(cold_http)[0],
            cold_direct_median_ms=_ms(cold_direct)[0],
            overhead=_ms(cold_http)[0] / _ms(cold_direct)[0],
        )
        if (compute := floor.get(name)) is not None:
            samples = []
            for _ in range(max(3, repeat // 3)):
                began = time.perf_counter()
                await compute()
                samples.append(time.perf_counter() - began)
            row.floor_median_ms = _ms(samples)[0]
            row.floor_ratio = over_http[0] / row.floor_median_ms
        rows.append(row)
    return rows


_PASSAGES = itertools.count()


async def change(service: Service, ids: Ids) -> None:
    """What a team does all day: one coder codes one more passage (a new excerpt, one coding)."""
    start = 7 * next(_PASSAGES)
    await service.code_text(ids.lead, NewExcerpt(document_id=ids.document, start=start, end=start + 60), [ids.codes[1]])


async def code_text(http: Http, ids: Ids, repeat: int) -> Row:
    mutation = (
        "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, "
        "start: $s, end: $e, codeIds: $c}) { id } }"
    )
    spans = iter(range(repeat + 1))
    samples = await _timed(
        lambda: http.ok(mutation, {"d": ids.document, "s": (i := next(spans)), "e": i + 40, "c": [ids.codes[-1]]}),
        repeat,
    )
    return Row("codeText", *_ms(samples))


async def throughput(http: Http, ids: Ids, clients: int, seconds: float) -> Row:
    """`clients` concurrent clients repeating a mix of reads for `seconds`."""
    mix = [
        operations(ids)[name][:2]
        for name in ("project tree", "themeMap", "findExcerpts page 1", "compareGroups", "search")
    ]
    done, errors, latencies = 0, 0, []
    deadline = time.perf_counter() + seconds

    async def client(k: int) -> None:
        nonlocal done, errors
        i = k
        while time.perf_counter() < deadline:
            query, variables = mix[i % len(mix)]
            began = time.perf_counter()
            try:
                await http.ok(query, variables)
                done += 1
                latencies.append(time.perf_counter() - began)
            except (RuntimeError, httpx.HTTPError):
                errors += 1
            i += 1

    began = time.perf_counter()
    await asyncio.gather(*(client(k) for k in range(clients)))
    elapsed = time.perf_counter() - began
    median, p95 = _ms(latencies)
    return Row(
        f"throughput, {clients} clients",
        median,
        p95,
        note=f"{done / elapsed:,.1f} requests/s over {elapsed:.0f} s, {errors} errors",
    )


async def round_trips(settings: Settings, service: Service, ids: Ids) -> Row:
    """Store calls per request, counted in process, at page sizes 10 and 100."""
    counting = CountingStore(service.store)
    query = (
        "query($p: ID!, $t: ID!, $a: [ID!], $n: Int!) { project(id: $p) { codes { name excerptCount } } "
        "theme(id: $t) { codes { name excerpts(first: $n) { edges { node { text document { title } "
        "codings { coder { name } } } } } } } "
        "findExcerpts(projectId: $p, where: {anyOf: $a}, first: $n) { edges { node { text } } } }"
    )
    counts = []
    async with serve_in_process(settings, counting) as api:  # type: ignore[arg-type]
        await service.add_member(ids.lead, ids.project, api.user_id, Role.OWNER)
        for first in (10, 100):
            counting.calls.clear()
            await api.ok(query, p=ids.project, t=ids.themes[0], a=ids.codes[:2], n=first)
            counts.append(counting.total)
    return Row("round trips per request", note=f"page size 10: {counts[0]}, page size 100: {counts[1]}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


@contextmanager
def bolt_env() -> Iterator[dict[str, str]]:
    """NEO4J_* for the neo4j run: the caller's, or a fresh ArcadeDB from the test setup."""
    if os.environ.get("NEO4J_URI"):
        yield {k: v for k, v in os.environ.items() if k.startswith("NEO4J_")}
        return
    from tests.bolt.server import start

    bolt = start()
    try:
        yield {
            "NEO4J_URI": bolt.uri,
            "NEO4J_USER": bolt.user,
            "NEO4J_PASSWORD": bolt.password,
            "NEO4J_DATABASE": bolt.database,
        }
    finally:
        bolt.stop()


async def run(
    size: str, store_kind: str, repeat: int, seconds: float, env: dict[str, str], seed_only: bool = False
) -> dict[str, Any]:
    env = {
        **env,
        "THEMEMAP_STORE": store_kind,
        "THEMEMAP_DATA_DIR": tempfile.mkdtemp(prefix="thememap-bench-"),
        "THEMEMAP_AUTH": "on",
    }
    os.environ.update(env)  # this process's store and the server process read the same settings
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    store = make_store(settings)
    await store.open()
    service = Service(store)
    dataset = SyntheticDataset(size, seed=1)
    try:
        rows = [await seed(service, dataset)]
        if seed_only:
            return {"size": size, "store": store_kind, "machine": machine(), "rows": [asdict(r) for r in rows]}
        ids = await choose_ids(store, dataset)
        token = await issue_token(service, ids.coders[0])
        floor = floors.for_store(store_kind, settings, ids.project)
        with server(env) as (process, url):
            async with httpx.AsyncClient(base_url=url, timeout=120, limits=httpx.Limits(max_connections=32)) as client:
                http = Http(client, token)
                rows += await questions(http, service, ids, repeat, floor)
                rows.append(await code_text(http, ids, repeat))
                rows.append(await throughput(http, ids, 16, seconds))
            rss = peak_rss_mb(process.pid)
        rows.append(await round_trips(settings, service, ids))
        rows.append(Row("server peak RSS", note=f"{rss:,.0f} MB"))
    finally:
        await store.close()
    return {
        "size": size,
        "store": store_kind,
        "repeat": repeat,
        "machine": machine(),
        "rows": [asdict(r) for r in rows],
    }


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown CPU",
    )
    return f"{os.cpu_count()} cores, {cpu}"


def after_warm(row: dict[str, Any]) -> float | None:
    """How much longer the first answer after a change takes than a repeated one."""
    warm, after = row["http_median_ms"], row["cold_median_ms"]
    return None if warm is None or after is None else after / warm


def table(result: dict[str, Any]) -> str:
    def cell(value: float | None, digits: int = 1) -> str:
        return "" if value is None else f"{value:,.{digits}f}"

    lines = [
        f"thememap bench: size {result['size']}, store {result['store']}, {result['repeat']} repeats, "
        f"{result['machine']}",
        "| measure | HTTP median ms | HTTP p95 ms | direct ms | after a change: HTTP ms | ÷ warm | direct ms "
        "| HTTP ÷ direct | floor ms | HTTP ÷ floor | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['name']} | {cell(r['http_median_ms'])} | {cell(r['http_p95_ms'])} | "
            f"{cell(r['direct_median_ms'])} | {cell(r['cold_median_ms'])} | {cell(after_warm(r), 2)} | "
            f"{cell(r['cold_direct_median_ms'])} | "
            f"{cell(r['overhead'], 2)} | {cell(r['floor_median_ms'])} | {cell(r['floor_ratio'], 2)} | "
            f"{r['note']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", choices=["S", "M", "L"])
    parser.add_argument("--store", default="embedded", choices=["embedded", "neo4j"])
    parser.add_argument("--repeat", type=int, default=30, help="Runs per measure (median and p95 over them).")
    parser.add_argument("--seconds", type=float, default=10, help="Length of the throughput run.")
    parser.add_argument("--seed-only", action="store_true", help="Seed the study, print its row and stop.")
    parser.add_argument("--out", type=Path, help="JSON file to write (default build/bench/<size>-<store>.json).")
    args = parser.parse_args()
    out = args.out or Path("build/bench") / f"{args.size}-{args.store}.json"
    if args.store == "neo4j":
        with bolt_env() as env:
            result = asyncio.run(run(args.size, args.store, args.repeat, args.seconds, env, args.seed_only))
    else:
        result = asyncio.run(run(args.size, args.store, args.repeat, args.seconds, {}, args.seed_only))
    if args.seed_only:
        print(f"seed {args.size} {args.store}: {result['rows'][0]['note']}")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()

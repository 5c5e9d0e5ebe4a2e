"""Load: N concurrent clients on one project for a fixed time, against a real server
process over loopback, mixing reads (the theme map, a project tree, a code's excerpts)
with coding writes (`codeText`) from several members; prints throughput, p50/p99
latency, the error count and the writes checked afterwards.

Every write marks a span no earlier write of the same member used, with that member's
own code, so each acknowledged write adds exactly one excerpt to the code: after the
run, each code's `excerptCount` must equal its member's acknowledged writes.

    .venv/bin/python -m tests.bench.load [--adapter embedded|neo4j] [--clients 32] [--seconds 20] [--processes 1]

With --processes 2 or more, that many `thememap serve` processes serve the same store and
the clients take turns among them (a member's writes go through every process).
tests/faults/test_load.py runs it for a few seconds on both adapters (a minute with -m slow),
tests/api/test_processes.py with two processes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from contextlib import AsyncExitStack, ExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.servers import DEMO_PROJECT, add_user, demo_owner, server

THEME_MAP = "query ThemeMap($p: ID!) { themeMap(projectId: $p) { nodes { id excerptCount participantCount } } }"
TREE = "query Tree($p: ID!) { project(id: $p) { codes { name excerptCount } themes { name codes { name } } } }"
EXCERPTS = "query Excerpts($c: ID!) { code(id: $c) { excerpts(first: 20) { edges { node { text participant { pseudonym } } } } } }"
CODE_TEXT = """mutation CodeText($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) {
  codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) { id text } }"""


@dataclass
class Member:
    """A project member with a code of their own, and the spans they have used."""

    token: str
    code: str
    next_span: int = 0
    acknowledged: int = 0

    def next_coding(self, documents: list[tuple[str, int]]) -> dict[str, Any]:
        """`codeText`'s variables for a span of five characters this member has not coded yet
        (callers share one event loop, so no two writes of a member take the same span)."""
        n = self.next_span
        self.next_span += 1
        doc, length = documents[n % len(documents)]
        start = (n // len(documents)) % (length - 10)
        return {"d": doc, "s": start, "e": start + 5, "c": [self.code]}


@dataclass
class Result:
    seconds: float
    latencies: list[float] = field(default_factory=list)
    by_operation: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    writes: int = 0
    lost: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Code id -> (acknowledged writes, excerpts found), for codes where they differ."""

    def summary(self, label: str) -> str:
        ms = sorted(x * 1000 for x in self.latencies)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        medians = ", ".join(
            f"{name} {statistics.median(x) * 1000:.0f}" for name, x in sorted(self.by_operation.items())
        )
        return (
            f"load[{label}]: {len(ms)} requests in {self.seconds:.1f} s = {len(ms) / self.seconds:.0f} req/s "
            f"({self.writes} writes), p50 {statistics.median(ms):.0f} ms, p99 {p99:.0f} ms, "
            f"{len(self.errors)} errors, {len(self.lost)} codes with lost writes; p50 by operation (ms): {medians}"
        )


async def _gql(http: httpx.AsyncClient, token: str, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers={"Authorization": f"Bearer {token}"}
    )
    body = response.json() if response.status_code == 200 else {"errors": [response.text[:300]]}
    if "errors" in body:
        raise RuntimeError(f"{response.status_code}: {body['errors']}")
    return body["data"]


async def add_members(url: str, owner: str, project: str, user_ids: Sequence[str], role: str = "ANALYST") -> None:
    """The owner adds the users to the project in `role`."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        for user_id in user_ids:
            await _gql(
                http,
                owner,
                "mutation($p: ID!, $u: ID!, $r: Role!) { addMember(projectId: $p, userId: $u, role: $r) { role } }",
                p=project,
                u=user_id,
                r=role,
            )


async def prepare(
    url: str, owner: str, tokens: list[str], project: str = DEMO_PROJECT
) -> tuple[list[Member], list[tuple[str, int]]]:
    """Each member gets a code of their own; returns them and the project's documents with their lengths."""
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        members = []
        for i, token in enumerate(tokens):
            code = await _gql(
                http,
                token,
                "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                p=project,
                n=f"load {i} {random.getrandbits(32):x}",
            )
            members.append(Member(token, code["createCode"]["id"]))
        tree = await _gql(http, owner, "query($p: ID!) { project(id: $p) { documents { id length } } }", p=project)
        return members, [(d["id"], d["length"]) for d in tree["project"]["documents"]]


async def lost_writes(http: httpx.AsyncClient, members: list[Member]) -> dict[str, tuple[int, int]]:
    """Code id -> (acknowledged writes, excerpts found), for the members' codes where they differ."""
    lost = {}
    for member in members:
        found = (await _gql(http, member.token, "query($c: ID!) { code(id: $c) { excerptCount } }", c=member.code))[
            "code"
        ]["excerptCount"]
        if found != member.acknowledged:
            lost[member.code] = (member.acknowledged, found)
    return lost


async def run(
    urls: Sequence[str],
    members: list[Member],
    documents: list[tuple[str, int]],
    clients: int,
    seconds: float,
    write_share: float = 0.3,
) -> Result:
    """`clients` concurrent loops, client i acting as member i mod len(members) through server
    i mod len(urls), until `seconds` pass."""
    result = Result(seconds)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with AsyncExitStack() as stack:
        https = [
            await stack.enter_async_context(httpx.AsyncClient(base_url=url, timeout=60, limits=limits)) for url in urls
        ]
        end = time.monotonic() + seconds

        async def client(i: int) -> None:
            member, rng, http = members[i % len(members)], random.Random(i), https[i % len(https)]
            while time.monotonic() < end:
                if rng.random() < write_share:
                    query, variables = CODE_TEXT, member.next_coding(documents)
                else:
                    query, variables = rng.choice(
                        [(THEME_MAP, {"p": DEMO_PROJECT}), (TREE, {"p": DEMO_PROJECT}), (EXCERPTS, {"c": member.code})]
                    )
                sent = time.monotonic()
                try:
                    await _gql(http, member.token, query, **variables)
                except (RuntimeError, httpx.HTTPError) as exc:
                    result.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                result.latencies.append(time.monotonic() - sent)
                result.by_operation.setdefault(query.split("(", 1)[0].split()[1], []).append(result.latencies[-1])
                if query is CODE_TEXT:
                    member.acknowledged += 1
                    result.writes += 1

        started = time.monotonic()
        await asyncio.gather(*(client(i) for i in range(clients)))
        result.seconds = time.monotonic() - started
        result.lost = await lost_writes(https[0], members)
    return result


def measure(env: dict[str, str], clients: int, seconds: float, users: int, processes: int = 1) -> Result:
    """Seed the demo into the store `env` names, add `users` analysts, serve, and load it.
    With `processes` > 1, that many `thememap serve` processes serve the store side by side."""
    owner = demo_owner(env)
    analysts = [add_user(env, f"analyst-{i}-{random.getrandbits(24):x}") for i in range(users)]
    with ExitStack() as stack:
        urls = [stack.enter_context(server(env, serve=[] if processes > 1 else None))[1] for _ in range(processes)]
        return load(urls, owner, analysts, clients, seconds)


def load(urls: Sequence[str], owner: str, analysts: Sequence[tuple[str, str]], clients: int, seconds: float) -> Result:
    """Load the demo project served at `urls` (its owner's token `owner`): the owner adds the
    `analysts` (user ids and tokens) as ANALYSTs, each gets a code of their own, then `run`."""

    async def go() -> Result:
        await add_members(urls[0], owner, DEMO_PROJECT, [user_id for user_id, _ in analysts])
        members, documents = await prepare(urls[0], owner, [token for _, token in analysts])
        return await run(urls, members, documents, clients, seconds)

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", choices=["embedded", "neo4j"], default="embedded")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--processes", type=int, default=1, help="`thememap serve` processes on the one store.")
    args = parser.parse_args()
    if args.adapter == "embedded":
        env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": tempfile.mkdtemp(prefix="thememap-load-")}
        print(measure(env, args.clients, args.seconds, args.users, args.processes).summary(args.adapter))
        return
    from tests.bolt.server import start

    bolt = start()
    try:
        neo4j_env = {"THEMEMAP_STORE": "neo4j", **bolt.env()}
        result = measure(neo4j_env, args.clients, args.seconds, args.users, args.processes)
        print(result.summary(args.adapter))
    finally:
        bolt.stop()


if __name__ == "__main__":
    main()

"""Team session: 8 coders each coding (`codeText`) about once a second while 16 viewers,
subscribed to `projectEvents`, refetch the theme map (the web page's query) whenever events
reach them, for 60 s on a synthetic study; first against `thememap serve` with one worker,
then with two on the same store. Prints, per run, the viewers' refetch p50 and p95, the
coders' `codeText` p50, the errors (coders', viewers' and their sockets': must be zero), the
lost writes (codings the coders were told committed that the store does not count
afterwards: must be zero), the machine's load average (it may be shared), and the ratio of
the runs' refetch latencies.

Like the web page, a viewer has one refetch in flight: the events that arrive while it runs
are answered by one more refetch when it ends. The viewers are one VIEWER user's 16
subscriptions; each coder is a user of their own (ANALYST) coding with a code of their own
on spans they have not coded, so each acknowledged write adds one excerpt to that code
(tests/bench/load.py's accounting). The clients run in this process, on the same machine.

    .venv/bin/python -m tests.bench.team [--size demo|S|M|L] [--store embedded|neo4j] [--seconds 60]
        [--coders 8] [--viewers 16] [--workers 1,2] [--out FILE]

`make bench` runs it after the suite; tests/bench/test_suite_smoke.py runs it tiny.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.api.test_live_events import Listener
from tests.bench.load import CODE_TEXT, Member, _gql, add_members, lost_writes, prepare
from tests.bench.stall import Study, study
from tests.bench.suite import _ms, bolt_env, machine
from tests.servers import add_user, server

THEME_MAP = """query ThemeMap($projectId: ID!) { themeMap(projectId: $projectId) {
  nodes { id kind label color status excerptCount participantCount }
  edges { source target kind linkKind label weight } } }"""
"""The web page's theme map query (api/static/main.js), unfiltered."""


@dataclass
class Session:
    workers: int
    seconds: float
    refetches: list[float] = field(default_factory=list)
    codings: list[float] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    """Events each viewer received."""
    errors: list[str] = field(default_factory=list)
    lost: dict[str, tuple[int, int]] = field(default_factory=dict)
    load: tuple[float, float] = (0.0, 0.0)
    """The machine's one-minute load average as the session began and ended (it is shared)."""

    def row(self) -> dict[str, Any]:
        p50, p95 = _ms(self.refetches) if self.refetches else (float("nan"), float("nan"))
        return {
            "workers": self.workers,
            "seconds": round(self.seconds, 1),
            "refetches": len(self.refetches),
            "refetch_p50_ms": p50,
            "refetch_p95_ms": p95,
            "codings": len(self.codings),
            "code_text_p50_ms": _ms(self.codings)[0] if self.codings else float("nan"),
            "events_per_viewer": sum(self.events) / len(self.events) if self.events else 0,
            "errors": len(self.errors),
            "first_errors": self.errors[:5],
            "load_average": self.load,
            "lost_writes": sum(max(0, acknowledged - found) for acknowledged, found in self.lost.values()),
        }


async def session(
    url: str, chosen: Study, coders: list[str], viewer: str, viewers: int, seconds: float, workers: int
) -> Session:
    """One team session against the server at `url`."""
    members, documents = await prepare(url, chosen.token, coders, chosen.project_id)
    result = Session(workers, seconds)
    clients = len(members) + viewers
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        page = {"projectId": chosen.project_id}
        # Warm: the viewers open the page (the first answer reads the project, in every worker it reaches).
        await asyncio.gather(*(_gql(http, viewer, THEME_MAP, **page) for _ in range(viewers)))
        listeners = [Listener(url, viewer, chosen.project_id) for _ in range(viewers)]
        await asyncio.gather(*(listener.__aenter__() for listener in listeners))
        try:
            end = time.monotonic() + seconds

            async def code(member: Member, rng: random.Random) -> None:
                due = time.monotonic() + rng.uniform(0, 1)  # the coders' seconds do not line up
                while due < end:
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    sent = time.monotonic()
                    try:
                        await _gql(http, member.token, CODE_TEXT, **member.next_coding(documents))
                    except (RuntimeError, httpx.HTTPError) as exc:
                        result.errors.append(f"codeText: {type(exc).__name__}: {exc}"[:300])
                    else:
                        member.acknowledged += 1
                        result.codings.append(time.monotonic() - sent)
                    due = max(due + 1, time.monotonic())  # about once a second, no catching up in bursts

            async def watch(listener: Listener) -> None:
                while True:
                    try:
                        await asyncio.wait_for(listener.arrived.wait(), max(0.0, end - time.monotonic()))
                    except TimeoutError:
                        return
                    listener.arrived.clear()  # what arrives from here on needs another refetch
                    sent = time.monotonic()
                    try:
                        await _gql(http, viewer, THEME_MAP, **page)
                    except (RuntimeError, httpx.HTTPError) as exc:
                        result.errors.append(f"themeMap: {type(exc).__name__}: {exc}"[:300])
                    else:
                        result.refetches.append(time.monotonic() - sent)

            started, load = time.monotonic(), os.getloadavg()[0]
            rngs = [random.Random(i) for i in range(len(members))]
            await asyncio.gather(
                *(code(m, rng) for m, rng in zip(members, rngs)), *(watch(listener) for listener in listeners)
            )
            result.seconds, result.load = time.monotonic() - started, (load, os.getloadavg()[0])
        finally:
            for listener in listeners:
                if listener.reader.done():  # the server closed the socket during the session
                    result.errors.append(f"socket closed: {listener.reader.exception()!r}"[:300])
                refusals = [m for _, m in listener.messages if m["type"] != "next" or m["payload"].get("errors")]
                result.errors += [f"subscription: {m}"[:300] for m in refusals]
                result.events.append(len(listener.events()))
            await asyncio.gather(*(listener.__aexit__() for listener in listeners))
        result.lost = await lost_writes(http, members)
    return result


def measure(
    env: dict[str, str], size: str, coders: int, viewers: int, seconds: float, workers: list[int]
) -> list[Session]:
    """Seed the study into the store `env` names, add the team, and run a session per worker count."""
    chosen = study(env, size)
    tag = f"{random.getrandbits(24):x}"
    team = [add_user(env, f"team coder {i} {tag}") for i in range(coders)]
    viewer_id, viewer = add_user(env, f"team viewer {tag}")
    sessions = []
    for n, count in enumerate(workers):
        with server(env, serve=["--workers", str(count)]) as (_, url):
            if n == 0:
                asyncio.run(add_members(url, chosen.token, chosen.project_id, [user_id for user_id, _ in team]))
                asyncio.run(add_members(url, chosen.token, chosen.project_id, [viewer_id], "VIEWER"))
            tokens = [token for _, token in team]
            sessions.append(asyncio.run(session(url, chosen, tokens, viewer, viewers, seconds, count)))
    return sessions


def table(result: dict[str, Any]) -> str:
    lines = [
        f"thememap team session: size {result['size']}, store {result['store']}, {result['coders']} coders "
        f"coding about once a second, {result['viewers']} viewers refetching themeMap on projectEvents, "
        f"{result['machine']}",
        "| workers | seconds | refetches | refetch p50 ms | refetch p95 ms | events per viewer | codings "
        "| codeText p50 ms | errors | lost writes | load average |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in result["runs"]:
        lines.append(
            f"| {r['workers']} | {r['seconds']:.0f} | {r['refetches']} | {r['refetch_p50_ms']:,.0f} | "
            f"{r['refetch_p95_ms']:,.0f} | {r['events_per_viewer']:,.0f} | {r['codings']} | "
            f"{r['code_text_p50_ms']:,.0f} | {r['errors']} | {r['lost_writes']} | "
            f"{r['load_average'][0]:.1f} → {r['load_average'][1]:.1f} |"
        )
    for r in result["runs"]:
        lines += [f"  {r['workers']} workers, error: {e}" for e in r["first_errors"]]
    runs = result["runs"]
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        lines.append(
            f"{last['workers']} workers ÷ {first['workers']} worker: refetch p50 "
            f"{last['refetch_p50_ms'] / first['refetch_p50_ms']:.2f}, p95 "
            f"{last['refetch_p95_ms'] / first['refetch_p95_ms']:.2f} (below 1: faster with more workers)"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="M", choices=["demo", "S", "M", "L"])
    parser.add_argument("--store", default="embedded", choices=["embedded", "neo4j"])
    parser.add_argument("--seconds", type=float, default=60, help="Length of each session.")
    parser.add_argument("--coders", type=int, default=8)
    parser.add_argument("--viewers", type=int, default=16)
    parser.add_argument(
        "--workers", default="1,2", help="Comma-separated worker counts, one session each (default 1,2)."
    )
    parser.add_argument("--out", type=Path, help="JSON file to write (default build/bench/team-<size>-<store>.json).")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    env = {
        "THEMEMAP_STORE": args.store,
        "THEMEMAP_DATA_DIR": tempfile.mkdtemp(prefix="thememap-team-"),
        "THEMEMAP_AUTH": "on",
    }
    if args.store == "neo4j":
        with bolt_env() as bolt:
            sessions = measure({**env, **bolt}, args.size, args.coders, args.viewers, args.seconds, workers)
    else:
        sessions = measure(env, args.size, args.coders, args.viewers, args.seconds, workers)
    result = {
        "size": args.size,
        "store": args.store,
        "coders": args.coders,
        "viewers": args.viewers,
        "machine": machine(),
        "runs": [s.row() for s in sessions],
    }
    out = args.out or Path("build/bench") / f"team-{args.size}-{args.store}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(table(result))
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()

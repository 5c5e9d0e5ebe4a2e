"""Measure live event delivery: a real server (embedded store), one analyst making
changes over HTTP and another member subscribed over graphql-transport-ws; prints the
median and p95 time from sending a mutation to the event's arrival at the other member.

    .venv/bin/python -m tests.bench.live [--changes 40]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time

import httpx

from tests.api.test_live_events import Listener
from tests.servers import add_user, server


async def measure(url: str, owner: str, analyst: tuple[str, str], changes: int) -> list[float]:
    async with httpx.AsyncClient(base_url=url, timeout=10) as http:

        async def gql(token: str, query: str, **variables: object) -> dict:
            body = (
                await http.post(
                    "/graphql",
                    json={"query": query, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                )
            ).json()
            assert "errors" not in body, body
            return body["data"]

        project = (await gql(owner, 'mutation { createProject(input: {name: "Live"}) { id } }'))["createProject"]["id"]
        await gql(
            owner,
            "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: ANALYST) { role } }",
            p=project,
            u=analyst[0],
        )
        delays = []
        async with Listener(url, owner, project) as listener:
            for i in range(changes):
                sent = time.monotonic()
                await gql(
                    analyst[1],
                    "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                    p=project,
                    n=f"code {i}",
                )
                while len(listener.events()) <= i:
                    await asyncio.sleep(0.002)
                delays.append((listener.messages[-1][0] - sent) * 1000)
        return delays


def main(changes: int) -> None:
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": tempfile.mkdtemp()}
    owner = add_user(env, "Owner")[1]
    analyst = add_user(env, "Analyst")
    with server(env) as (_, url):
        delays = asyncio.run(measure(url, owner, analyst, changes))
    print(
        f"event delivery over {changes} changes: median {statistics.median(delays):.0f} ms, "
        f"p95 {statistics.quantiles(delays, n=20)[-1]:.0f} ms, max {max(delays):.0f} ms"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--changes", type=int, default=40)
    main(parser.parse_args().changes)

"""Live project events over graphql-transport-ws: a real server, real websocket clients,
on both adapters. An analyst's change reaches the other members within a second and
no one else; a bad token is turned away with 4403."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import websockets

from tests.bolt.server import BoltServer
from tests.conftest import ADAPTERS, _wipe
from tests.servers import add_user, server, thememap

SUBSCRIBE = "subscription($p: ID!) { projectEvents(projectId: $p) { type summary targetIds actor { name } } }"


@pytest.fixture(scope="module", params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    """Module-scoped here: one server per adapter serves all of this module's tests (starting
    one and adding its users costs seconds). Each test works in a project of its own, and a
    test that changes a user (revoking a token) adds that user itself."""
    return str(request.param)


@pytest.fixture(scope="module")
def live_env(adapter: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment of the server under test (and of the CLI run beside it)."""
    env = {"THEMEMAP_STORE": adapter, "THEMEMAP_DATA_DIR": str(tmp_path_factory.mktemp(f"live-{adapter}"))}
    if adapter == "neo4j":
        bolt: BoltServer = request.getfixturevalue("bolt_server")
        _wipe(bolt)
        env |= bolt.env()
    return env


@pytest.fixture(scope="module")
def live(live_env: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    env = live_env
    users = {name: add_user(env, name) for name in ("Owner", "Analyst", "Viewer", "Outsider")}
    with server(env) as (_, url):
        yield (
            url,
            {name: token for name, (_, token) in users.items()}
            | {f"{name} id": user_id for name, (user_id, _) in users.items()},
        )


def gql(url: str, token: str, query: str, **variables: Any) -> dict:
    body = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    ).json()
    assert "errors" not in body, body
    return body["data"]


def live_project(url: str, t: dict[str, str], **roles: str) -> str:
    """A new project of the Owner's, with the named users as members in the given roles."""
    project: str = gql(url, t["Owner"], 'mutation { createProject(input: {name: "Live"}) { id } }')["createProject"][
        "id"
    ]
    for name, role in roles.items():
        gql(
            url,
            t["Owner"],
            "mutation($p: ID!, $u: ID!, $r: Role!) { addMember(projectId: $p, userId: $u, role: $r) { role } }",
            p=project,
            u=t[f"{name} id"],
            r=role,
        )
    return project


class Listener:
    """A websocket client subscribed to a project's events."""

    def __init__(self, url: str, token: str, project_id: str) -> None:
        self.url = url.replace("http", "ws") + "/graphql"
        self.token, self.project_id = token, project_id
        self.messages: list[tuple[float, dict]] = []
        self.arrived = asyncio.Event()
        """Set whenever a message arrives (whoever waits for one clears it)."""

    async def __aenter__(self) -> Listener:
        self.socket = await websockets.connect(self.url, subprotocols=["graphql-transport-ws"])
        await self.socket.send(json.dumps({"type": "connection_init", "payload": {"token": self.token}}))
        assert json.loads(await self.socket.recv())["type"] == "connection_ack"
        await self.socket.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"p": self.project_id}}}
            )
        )
        self.reader = asyncio.create_task(self._read())
        await asyncio.sleep(0.6)  # the subscription has taken its starting point
        return self

    async def _read(self) -> None:
        async for raw in self.socket:
            self.messages.append((time.monotonic(), json.loads(raw)))
            self.arrived.set()

    def events(self) -> list[dict]:
        return [
            m["payload"]["data"]["projectEvents"]
            for _, m in self.messages
            if m["type"] == "next" and m["payload"].get("data")
        ]

    async def __aexit__(self, *exc: object) -> None:
        self.reader.cancel()
        await self.socket.close()


async def test_changes_reach_the_other_members_within_a_second(live: tuple[str, dict[str, str]]) -> None:
    url, t = live
    project = live_project(url, t, Analyst="ANALYST", Viewer="VIEWER")
    async with (
        Listener(url, t["Owner"], project) as owner,
        Listener(url, t["Viewer"], project) as viewer,
        Listener(url, t["Analyst"], project) as analyst,
        Listener(url, t["Outsider"], project) as outsider,
    ):
        sent = time.monotonic()
        code = gql(
            url,
            t["Analyst"],
            'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear"}) { id } }',
            p=project,
        )["createCode"]["id"]
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and not (owner.events() and viewer.events()):
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.6)  # time for anything that should not arrive
        for listener in (owner, viewer):
            assert listener.events() == [
                {
                    "type": "code.created",
                    "summary": "created code 'Fear'",
                    "targetIds": [code],
                    "actor": {"name": "Analyst"},
                }
            ]
            received = next(at for at, m in listener.messages if m["type"] == "next")
            assert received - sent < 1.0, received - sent
        assert analyst.events() == [], "your own changes are not echoed back"
        assert outsider.events() == []
        refusal = [m for _, m in outsider.messages if m["type"] in ("error", "next")]
        codes = {
            e["extensions"]["code"]
            for m in refusal
            for e in (m["payload"] if m["type"] == "error" else m["payload"].get("errors", []))
        }
        assert codes == {"NOT_FOUND"}


async def test_a_bad_token_is_refused_with_4403(live: tuple[str, dict[str, str]]) -> None:
    url, _ = live
    async with websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": "tm_wrong"}}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403


async def closed_within(listener: Listener, seconds: float) -> float:
    """How long the server took to close the listener's socket (fails past `seconds`)."""
    started = time.monotonic()
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await asyncio.wait_for(listener.reader, seconds)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403, closed.value
    return time.monotonic() - started


async def test_removal_and_revocation_close_open_sockets_within_a_second(live: tuple[str, dict[str, str]]) -> None:
    url, t = live
    project = live_project(url, t, Analyst="ANALYST", Viewer="VIEWER")
    async with Listener(url, t["Analyst"], project) as analyst, Listener(url, t["Viewer"], project) as viewer:
        gql(
            url,
            t["Owner"],
            "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }",
            p=project,
            u=t["Analyst id"],
        )
        assert await closed_within(analyst, 1.5) < 1.5
        gql(
            url, t["Owner"], 'mutation($p: ID!) { createCode(input: {projectId: $p, name: "After"}) { id } }', p=project
        )
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline and "code.created" not in [e["type"] for e in viewer.events()]:
            await asyncio.sleep(0.02)
        assert [e["type"] for e in viewer.events()] == ["member.removed", "code.created"], "the others keep receiving"
        assert [e["type"] for e in analyst.events()] == [], "nothing reaches a removed member"
        gql(
            url,
            t["Owner"],
            "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }",
            p=project,
            u=t["Viewer id"],
        )
        assert await closed_within(viewer, 1.5) < 1.5


async def test_revoking_a_token_closes_its_sockets_within_a_second(
    live: tuple[str, dict[str, str]], live_env: dict[str, str]
) -> None:
    url, t = live
    revoked_id, revoked = add_user(live_env, "Revoked")  # a user of this test's own: the others keep their tokens
    project = live_project(url, t | {"Revoked id": revoked_id}, Revoked="VIEWER")
    async with Listener(url, revoked, project) as viewer:
        thememap(live_env, "user", "revoke", "Revoked")
        assert await closed_within(viewer, 1.5) < 1.5


async def test_a_removed_member_cannot_write_over_an_open_socket(live: tuple[str, dict[str, str]]) -> None:
    url, t = live
    project = live_project(url, t, Analyst="ANALYST")
    async with websockets.connect(url.replace("http", "ws") + "/graphql", subprotocols=["graphql-transport-ws"]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": {"token": t["Analyst"]}}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        gql(
            url,
            t["Owner"],
            "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }",
            p=project,
            u=t["Analyst id"],
        )
        await ws.send(
            json.dumps(
                {
                    "id": "2",
                    "type": "subscribe",
                    "payload": {
                        "query": 'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Late"}) { id } }',
                        "variables": {"p": project},
                    },
                }
            )
        )
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    errors = reply["payload"] if reply["type"] == "error" else reply["payload"].get("errors", [])
    assert {e["extensions"]["code"] for e in errors} == {"NOT_FOUND"}, reply
    codes = gql(url, t["Owner"], "query($p: ID!) { project(id: $p) { codes { name } } }", p=project)
    assert codes["project"]["codes"] == []

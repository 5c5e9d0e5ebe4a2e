"""Browser-facing protections and the failed-authentication rate limit, over HTTP and a
real server's websocket."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import httpx
import pytest
import websockets
from websockets.exceptions import InvalidStatus

from api.app import create_app
from api.ratelimit import FailureLimiter, RateLimited
from api.security import CSP
from api.settings import Settings
from tests.servers import add_user, server
from tests.support import serve_in_process

BASE_HEADERS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer", "x-frame-options": "DENY"}


def configured(tmp_path: Path, **values: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


async def test_security_headers_on_every_response(settings: Settings) -> None:
    async with serve_in_process(settings.model_copy(update={"max_body_bytes": 2048})) as api:
        responses = [
            await api.http.get("/healthz"),
            await api.http.get("/readyz"),
            await api.http.post("/graphql", json={"query": "{ projects { id } }"}),
            await api.http.post("/graphql", content=b"not json", headers={"content-type": "application/json"}),
            await api.http.get("/no/such/route"),
            await api.http.get("/projects/x/report.md"),
            await api.http.post("/graphql", json={"query": " " * 5000}),  # refused by the body limit
        ]
    for response in responses:
        for name, value in BASE_HEADERS.items():
            assert response.headers[name] == value, (response.request.url, name)
        assert response.headers["content-security-policy"] == CSP
        assert "frame-ancestors 'none'" in CSP and "default-src 'self'" in CSP


async def test_graphiql_loads_everything_from_this_server(settings: Settings) -> None:
    """GraphiQL's page names no other host and no inline script, and every script and stylesheet
    it names is served here (vendored in api/static/vendor), so it works offline."""
    async with serve_in_process(settings) as api:
        page = await api.http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200
        policy = {d.split()[0]: d.split()[1:] for d in page.headers["content-security-policy"].split("; ")}
        assert policy["script-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]
        assert not [source for sources in policy.values() for source in sources if "." in source or ":" in source[:-1]]
        assert not re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page.text), "no inline scripts"
        assets = re.findall(r'<script[^>]*\ssrc="([^"]+)"', page.text) + re.findall(
            r'<link rel="stylesheet" href="([^"]+)"', page.text
        )
        assert len(assets) >= 4 and all(asset.startswith("/static/") for asset in assets), assets
        for asset in assets:
            assert (await api.http.get(asset)).status_code == 200, asset


async def test_cors_none_by_default_and_only_for_listed_origins(tmp_path: Path) -> None:
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
    }
    async with serve_in_process(configured(tmp_path / "a")) as api:
        response = await api.http.options("/graphql", headers={**preflight, "origin": "https://app.example.org"})
        assert "access-control-allow-origin" not in response.headers
        post = await api.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://app.example.org"}
        )
        assert "access-control-allow-origin" not in post.headers
    async with serve_in_process(configured(tmp_path / "b", allowed_origins="https://app.example.org/")) as api:
        allowed = await api.http.options("/graphql", headers={**preflight, "origin": "https://app.example.org"})
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.org"
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        other = await api.http.options("/graphql", headers={**preflight, "origin": "https://evil.example"})
        assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
        post = await api.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": "https://app.example.org"}
        )
        assert post.headers["access-control-allow-origin"] == "https://app.example.org"
        assert "x-request-id" in post.headers["access-control-expose-headers"].lower()


def test_websocket_origins_and_rate_limit_on_a_real_server(tmp_path: Path) -> None:
    env = {
        "THEMEMAP_DATA_DIR": str(tmp_path),
        "THEMEMAP_ALLOWED_ORIGINS": "https://app.example.org",
        "THEMEMAP_AUTH_FAILURE_LIMIT": "3",
    }
    _, token = add_user(env, "Analyst")
    with server(env) as (_, url):
        ws = url.replace("http", "ws") + "/graphql"

        async def init(origin: str | None, with_token: str) -> dict:
            async with websockets.connect(ws, origin=origin, subprotocols=["graphql-transport-ws"]) as socket:
                await socket.send(json.dumps({"type": "connection_init", "payload": {"token": with_token}}))
                try:
                    return json.loads(await socket.recv())
                except websockets.ConnectionClosed as closed:
                    return {
                        "closed": closed.rcvd.code if closed.rcvd else None,
                        "reason": closed.rcvd.reason if closed.rcvd else "",
                    }

        async def scenario() -> None:
            for origin in (None, "https://app.example.org", url):  # no Origin (not a browser), listed, same origin
                assert (await init(origin, token))["type"] == "connection_ack", origin
            with pytest.raises(InvalidStatus) as refused:
                await init("https://evil.example", token)
            assert refused.value.response.status_code == 403
            for _ in range(3):  # failed authentications, counted for this address
                assert (await init(None, "tm_guess"))["closed"] == 4403
            # Now even a good token is refused, until the window passes (graphql-transport-ws has
            # one code for a refused connection_init, 4403; HTTP below says why).
            assert (await init(None, token))["closed"] == 4403

        asyncio.run(scenario())
        http = httpx.post(
            f"{url}/graphql",
            json={"query": "{ projects { id } }"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert http.status_code == 429 and int(http.headers["retry-after"]) >= 1
        [error] = http.json()["errors"]
        assert error["extensions"]["code"] == "RATE_LIMITED" and "limit 3 in 60 s" in error["message"]
        download = httpx.get(f"{url}/projects/x/report.md", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert download.status_code == 429 and download.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        anonymous = httpx.post(f"{url}/graphql", json={"query": "{ projects { id } }"}, timeout=10)
        assert anonymous.status_code == 200  # no token: nothing to guess, the usual UNAUTHENTICATED
        assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_rate_limit_over_graphql_and_recovery(tmp_path: Path) -> None:
    settings = configured(tmp_path, auth_failure_limit=2, auth_failure_window=0.5)
    async with serve_in_process(settings) as api:
        good = api.http.headers["authorization"]
        bad = {"authorization": "Bearer tm_wrong"}
        for _ in range(2):
            error = (await api.http.post("/graphql", json={"query": "{ projects { id } }"}, headers=bad)).json()
            assert error["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        refused = await api.http.post(
            "/graphql", json={"query": "{ projects { id } }"}, headers={"authorization": good}
        )
        assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
        assert refused.json()["errors"][0]["extensions"]["retryAfter"] == 1
        await asyncio.sleep(0.6)
        assert "errors" not in await api.post("{ projects { id } }")


def test_limiter_window_slides() -> None:
    now = [0.0]
    limiter = FailureLimiter(limit=2, window=10, clock=lambda: now[0])
    limiter.fail("a")
    now[0] = 4
    limiter.fail("a")
    limiter.check("b")  # other addresses are not affected
    with pytest.raises(RateLimited) as first:
        limiter.check("a")
    assert first.value.retry_after == 6
    now[0] = 10.5  # the first failure has left the window
    limiter.check("a")
    limiter.fail("a")
    with pytest.raises(RateLimited):
        limiter.check("a")


async def test_a_client_cannot_choose_its_address_with_forwarded_headers(tmp_path: Path) -> None:
    """A rotating X-Forwarded-For from a client that is not a trusted proxy changes nothing: its
    failures all count against its own address."""
    settings = configured(tmp_path, auth_failure_limit=2, auth_failure_window=30)
    async with serve_in_process(settings) as api:
        for i in range(3):
            headers = {"authorization": "Bearer tm_wrong", "x-forwarded-for": f"203.0.113.{i}"}
            response = await api.http.post("/graphql", json={"query": "{ me { name } }"}, headers=headers)
        assert response.status_code == 429


async def test_a_trusted_proxy_names_the_client(tmp_path: Path) -> None:
    """Behind a trusted proxy each client is counted on its own, by the address the proxy forwards."""
    settings = configured(tmp_path, auth_failure_limit=2, auth_failure_window=30, trusted_proxies="127.0.0.0/8")
    async with serve_in_process(settings) as api:
        for client in ("203.0.113.7", "203.0.113.7", "203.0.113.8"):
            headers = {"authorization": "Bearer tm_wrong", "x-forwarded-for": f"{client}, 127.0.0.2"}
            response = await api.http.post("/graphql", json={"query": "{ me { name } }"}, headers=headers)
            assert response.status_code == 200, "each client has failures left"
        again = {"authorization": "Bearer tm_wrong", "x-forwarded-for": "203.0.113.7"}
        assert (await api.http.post("/graphql", json={"query": "{ me { name } }"}, headers=again)).status_code == 429


def test_the_limiter_table_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("api.ratelimit.MAX_ADDRESSES", 100)
    limiter = FailureLimiter(limit=2, window=3600)
    for i in range(1000):
        limiter.fail(f"10.0.{i // 256}.{i % 256}")
    assert len(limiter._failures) == 100
    limiter.fail("10.0.3.231")  # the latest addresses are still counted
    with pytest.raises(RateLimited):
        limiter.check("10.0.3.231")


@pytest.mark.parametrize("auth", ["on", "off"])
async def test_only_the_servers_own_host_names_are_answered(tmp_path: Path, auth: str) -> None:
    """DNS rebinding: a page at evil.example whose name now points at 127.0.0.1 must not reach
    the local API (even with THEMEMAP_AUTH=off) nor its websocket."""
    settings = configured(tmp_path, auth=auth)
    async with serve_in_process(settings) as api:
        for host in ("127.0.0.1:8000", "[::1]:8000", "localhost"):
            assert (await api.http.get("/healthz", headers={"host": host})).status_code == 200, host
        refused = await api.http.post(
            "/graphql", json={"query": "{ me { name } }"}, headers={"host": "evil.example:8000"}
        )
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "THEMEMAP_ALLOWED_HOSTS" in refused.json()["errors"][0]["message"]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/graphql", "headers": [(b"host", b"evil.example")], "subprotocols": []}
    await asyncio.wait_for(create_app(settings)(scope, receive, send), 10)  # a regression must fail, not hang
    assert sent == [{"type": "websocket.close", "code": 4403}]
    async with serve_in_process(configured(tmp_path / "other", allowed_hosts="evil.example")) as other:
        answer = await other.http.get("/healthz", headers={"host": "evil.example"})
        assert answer.status_code == 200, "an operator may name other hosts"

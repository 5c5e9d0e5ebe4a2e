"""/healthz and /readyz."""

from __future__ import annotations

import pytest

from api.settings import Settings
from graph.embedded import EmbeddedStore
from tests.support import serve_in_process


async def test_health_and_readiness(settings: Settings) -> None:
    async with serve_in_process(settings) as api:
        assert (await api.http.get("/healthz")).json() == {"status": "ok"}
        ready = await api.http.get("/readyz")
        assert ready.status_code == 200 and ready.json() == {"status": "ready", "store": "embedded"}


async def test_readiness_reports_an_unreachable_store(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    async with serve_in_process(settings) as api:

        async def down(self: EmbeddedStore) -> None:
            raise OSError("disk gone")

        monkeypatch.setattr(EmbeddedStore, "ping", down)
        ready = await api.http.get("/readyz")
        assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
        assert (await api.http.get("/healthz")).status_code == 200


async def test_graphiql_is_served_to_browsers(settings: Settings) -> None:
    async with serve_in_process(settings) as api:
        page = await api.http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()

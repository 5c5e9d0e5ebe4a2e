"""The Bolt server goes away while the API runs (a dedicated ArcadeDB, stopped with
SIGTERM and started again on the same port and data): GraphQL requests answer
UNAVAILABLE (never INTERNAL, never a 5xx), downloads 503 with that code, /readyz 503
while /healthz stays 200; once the server is back the API serves again without a
restart, data intact."""

from __future__ import annotations

import time

import httpx
import pytest

from api.settings import Settings
from api.stores import make_store
from graph.neo4j import Neo4jStore
from graph.neo4j.store import RETRY_SECONDS
from tests.conftest import bolt
from tests.servers import add_user, server

PROJECTS = "{ projects { id name } }"
CREATE = 'mutation { createProject(input: {name: "During the outage"}) { id } }'


def test_bolt_outage_answers_unavailable_and_the_api_recovers_by_itself() -> None:
    with bolt() as store:
        # Requests retry through the outage for 1 s rather than the default 5 s before answering
        # UNAVAILABLE: the same answer, sooner (the test makes four such requests).
        env = {"THEMEMAP_STORE": "neo4j", "NEO4J_RETRY_SECONDS": "1", **store.env()}
        token = add_user(env, "outage")[1]
        with (
            server(env) as (_, url),
            httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as http,
        ):

            def gql(query: str) -> httpx.Response:
                return http.post("/graphql", json={"query": query})

            before = gql('mutation { createProject(input: {name: "Before"}) { id } }').json()["data"]["createProject"][
                "id"
            ]
            store.halt()
            for query in (PROJECTS, CREATE):
                sent = time.monotonic()
                response = gql(query)
                waited = time.monotonic() - sent
                assert response.status_code == 200, response.text
                [error] = response.json()["errors"]
                assert error["extensions"]["code"] == "UNAVAILABLE", error
                assert store.uri in error["message"] and "Traceback" not in error["message"], error
            download = http.get(f"/projects/{before}/report.md")
            assert download.status_code == 503 and download.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
            assert http.get("/readyz").status_code == 503
            assert http.get("/healthz").status_code == 200

            halted = time.monotonic()
            store.resume()
            back = time.monotonic()
            while (response := gql(PROJECTS)).json().get("errors"):
                assert time.monotonic() - back < 30, response.text
                time.sleep(0.1)
            recovered = time.monotonic()
            assert [p["name"] for p in response.json()["data"]["projects"]] == ["Before"]
            assert http.get("/readyz").status_code == 200
            assert "errors" not in gql('mutation { createProject(input: {name: "After"}) { id } }').json()
    print(
        f"outage: an UNAVAILABLE answer took {waited:.1f} s; Bolt restart took {back - halted:.1f} s, "
        f"then the API served again after {recovered - back:.2f} s"
    )


def test_the_retry_time_through_an_outage_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """NEO4J_RETRY_SECONDS reaches the store (the outage test above runs with 1 s)."""

    def retry_seconds() -> float:
        store = make_store(Settings(store="neo4j", _env_file=None))  # type: ignore[call-arg]
        assert isinstance(store, Neo4jStore)
        return store.retry_seconds

    assert retry_seconds() == RETRY_SECONDS
    monkeypatch.setenv("NEO4J_RETRY_SECONDS", "1.5")
    assert retry_seconds() == 1.5

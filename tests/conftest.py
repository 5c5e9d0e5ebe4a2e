"""Fixtures shared by every layer's tests.

`adapter` is parametrised over the store adapters, so every test that takes `store` or
`service` (the contract suite in tests/graph/) or `api` (the GraphQL suite) runs once per
adapter.
The neo4j adapter runs against a real Bolt server (ArcadeDB, see tests/bolt/server.py)
started once per session and stopped at the end, also when tests fail. With CI=true a
Bolt server that cannot start is a failure; elsewhere THEMEMAP_TEST_BOLT=off skips
those runs.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.neo4j import Neo4jStore
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.bolt.server import BoltServer, BoltUnavailable, start
from tests.support import GraphQLClient, serve_in_process

ACTOR = "tester"
TRUSTED = Actor(ACTOR, trusted=True)
"""The tester as the CLI and the seeds act: OWNER of every project (for tests about a rule, not access)."""
ADAPTERS = ("embedded", "neo4j")
IN_CI = os.environ.get("CI") == "true"
BOLT_OFF = os.environ.get("THEMEMAP_TEST_BOLT") == "off" and not IN_CI


@contextmanager
def bolt() -> Iterator[BoltServer]:
    """A Bolt server of the test's own, stopped (and its data deleted) afterwards; skips
    the test where the neo4j runs are off or no server can start, except under CI."""
    if BOLT_OFF:
        pytest.skip("THEMEMAP_TEST_BOLT=off: the neo4j adapter's runs are skipped")
    try:
        server = start()
    except BoltUnavailable as exc:
        if IN_CI:
            pytest.fail(f"CI needs the Bolt server for the neo4j adapter: {exc}")
        pytest.skip(f"no Bolt server ({exc}); set THEMEMAP_TEST_BOLT=off to skip quietly")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def bolt_server() -> Iterator[BoltServer]:
    with bolt() as server:
        yield server


def _wipe(server: BoltServer) -> None:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=server.database)


@pytest.fixture(params=ADAPTERS)
def adapter(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_store(adapter: str, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], Store]:
    """A factory of unopened stores of the adapter under test, each on an empty database."""

    def make() -> Store:
        if adapter == "embedded":
            return EmbeddedStore(tmp_path / f"embedded-{len(list(tmp_path.iterdir()))}")
        server: BoltServer = request.getfixturevalue("bolt_server")
        _wipe(server)
        return Neo4jStore(server.uri, server.user, server.password, server.database)

    return make


@pytest.fixture
async def store(new_store: Callable[[], Store]) -> AsyncIterator[Store]:
    """An open store of the adapter under test, on an empty database."""
    s = new_store()
    await s.open()
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
async def service(store: Store) -> Service:
    """The service over `store`, with the user ACTOR (who acts as TRUSTED) created."""
    service = Service(store)
    await service.ensure_user(ACTOR, "Tester")
    return service


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def api(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[GraphQLClient]:
    """The app over HTTP (httpx's ASGI transport), lifespan run, on an empty store of the adapter under test."""
    async with serve_in_process(settings, new_store()) as client:
        yield client

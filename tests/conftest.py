"""Fixtures shared by every layer's tests.

`store` is parametrised over the adapters: every test that takes it (the contract
suite in tests/graph/) runs once per adapter. A new adapter joins by adding one entry
to `ADAPTERS`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.store import Store
from tests.support import GraphQLClient, serve_in_process

ACTOR = "tester"


def _embedded(tmp_path: Path) -> Store:
    return EmbeddedStore(tmp_path / "embedded")


ADAPTERS: dict[str, Callable[[Path], Store]] = {"embedded": _embedded}


@pytest.fixture(params=sorted(ADAPTERS))
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    s = ADAPTERS[request.param](tmp_path)
    await s.open()
    await s.ensure_user(ACTOR, "Tester")
    try:
        yield s
    finally:
        await s.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def api(settings: Settings) -> AsyncIterator[GraphQLClient]:
    """The app over HTTP (httpx's ASGI transport), lifespan run, on a fresh embedded store."""
    async with serve_in_process(settings) as client:
        yield client

"""The demo study, loaded into a fresh embedded store and served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.store import Store
from seeds.registry import datasets
from tests.support import GraphQLClient, serve_in_process

DEMO = "perinatal-social-work"


async def seed(store: Store) -> str:
    return await datasets()[DEMO].load(store, lambda n: None)


@pytest.fixture
async def demo(settings: Settings) -> AsyncIterator[GraphQLClient]:
    store = EmbeddedStore(settings.data_dir)
    await store.open()
    await seed(store)
    await store.close()
    async with serve_in_process(settings) as api:
        yield api

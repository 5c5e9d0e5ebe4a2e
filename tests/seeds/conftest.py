"""The demo study, loaded into an empty store of the adapter under test and served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from graph.models import Role
from graph.store import Store
from seeds.registry import datasets
from tests.support import GraphQLClient, serve_in_process

DEMO = "perinatal-social-work"


async def seed(store: Store) -> str:
    return await datasets()[DEMO].load(store, lambda n: None)


@pytest.fixture
async def demo(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[GraphQLClient]:
    store = new_store()
    async with serve_in_process(settings, store) as api:
        await seed(store)
        await store.add_member(datasets()[DEMO].lead, datasets()[DEMO].project_id, api.user_id, Role.OWNER)
        yield api

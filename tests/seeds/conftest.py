"""The demo study, loaded into an empty store of the adapter under test and served over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from graph.models import Role
from graph.service import Service
from graph.store import Store
from seeds.registry import datasets
from tests.conftest import TRUSTED
from tests.support import GraphQLClient, serve_in_process

DEMO = "perinatal-social-work"


async def seed(service: Service) -> str:
    return await datasets()[DEMO].load(service, lambda n: None)


async def seed_for(api: GraphQLClient) -> str:
    """The demo loaded into the app `api` talks to, with the client's user one of its OWNERs."""
    assert api.service is not None
    project_id = await seed(api.service)
    await api.service.add_member(TRUSTED, project_id, api.user_id, Role.OWNER)
    return project_id


@pytest.fixture
async def demo(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[GraphQLClient]:
    async with serve_in_process(settings, new_store()) as api:
        await seed_for(api)
        yield api

"""Helpers for tests: a GraphQL client over httpx, and a store wrapper that counts calls."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from api.app import create_app
from api.auth import issue_token
from api.settings import Settings
from graph.models import User
from graph.service import Service
from graph.store import Store


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, user_id: str = "", service: Service | None = None) -> None:
        self.http = http
        self.user_id = user_id
        """The user the client authenticates as."""
        self.service = service
        """The service of the app it talks to, for tests that arrange data directly."""

    async def post(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        return response.json()

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run an operation that must succeed; return its data."""
        body = await self.post(query, **variables)
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def error(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run an operation that must fail; return its single error."""
        body = await self.post(query, **variables)
        assert body.get("errors"), body
        assert len(body["errors"]) == 1, body["errors"]
        return body["errors"][0]


class CountingStore:
    """Wraps a store (build the Service over the wrapper) and counts calls per method: each
    batch reader or analysis call is one round trip; each `write`, one unit of work."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner
        self.calls: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._inner, name)
        if not callable(attr) or name.startswith("_"):
            return attr

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] += 1
            return attr(*args, **kwargs)

        return counted

    @property
    def total(self) -> int:
        return sum(self.calls.values())


@asynccontextmanager
async def serve_in_process(
    settings: Settings, store: Store | None = None, user_name: str | None = None
) -> AsyncIterator[GraphQLClient]:
    """The app with its lifespan run, reached over HTTP through httpx's ASGI transport,
    as a fresh user holding a token (unless the settings turn auth off)."""
    app = create_app(settings, store)
    async with LifespanManager(app) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        headers, user_id = {}, settings.local_user_id
        if settings.auth == "on":
            user, token = await new_user(app.state.service, user_name)
            headers, user_id = {"Authorization": f"Bearer {token}"}, user.id
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost", headers=headers) as http:
            yield GraphQLClient(http, user_id, app.state.service)


async def new_user(service: Service, name: str | None = None) -> tuple[User, str]:
    """A new user (with a unique name unless given) and a token for them."""
    user = await service.create_user(name or f"user-{uuid.uuid4().hex[:8]}")
    return user, await issue_token(service, user.id)

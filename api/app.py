"""The Starlette application: `/graphql` (with GraphiQL), `/healthz`, `/readyz`, and the web page at `/`."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.types.unset import UNSET, UnsetType
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from api.auth import authenticate, bearer
from api.exports import routes as export_routes
from api.settings import Settings
from api.stores import make_store
from api.webpage import routes as webpage_routes
from graph.store import Store
from schema import build_schema
from schema.context import Context

log = logging.getLogger("thememap")


class ThememapGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with our per-request context."""

    def __init__(self, app_state: Any) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        )
        self.app_state = app_state

    async def get_context(self, request: Any, response: Any = None) -> Context:
        state = self.app_state
        if state.settings.auth == "off":
            return Context(store=state.store, user=state.local_user, auth=False, request=request, response=response)
        token = bearer(request.headers.get("authorization"))
        user = await authenticate(state.store, token) if token else None
        problem = None if user else ("Invalid or revoked token" if token else "Authentication required")
        return Context(store=state.store, user=user, auth_problem=problem, request=request, response=response)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the token comes in the connection_init payload, as
        `{"token": "..."}` or `{"Authorization": "Bearer ..."}`. A bad one closes the
        socket with 4403."""
        if not context.auth:
            return UNSET
        params = context.connection_params or {}
        token = params.get("token") or bearer(params.get("Authorization") or params.get("authorization"))
        user = await authenticate(context.store, str(token)) if token else None
        if user is None:
            raise ConnectionRejectionError({"reason": "a valid token is required"})
        context.user = user
        context.reset()
        return UNSET


def create_app(settings: Settings | None = None, store: Store | None = None) -> Starlette:
    """Build the app. `store` overrides the one the settings name (tests pass a wrapped store)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.store = store or make_store(settings)
        await app.state.store.open()
        try:
            app.state.local_user = await app.state.store.ensure_user(settings.local_user_id, settings.local_user_name)
            if settings.auth == "off":
                log.warning("THEMEMAP_AUTH=off: no authentication; every request acts as %r with every right",
                            settings.local_user_name)
            log.info("thememap ready on the %s store", settings.store)
            yield
        finally:
            await app.state.store.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await request.app.state.store.ping()
        except Exception as exc:  # readiness reports any failure of the store, never raises
            log.warning("store not ready: %s", exc)
            return JSONResponse({"status": "unavailable", "store": settings.store}, status_code=503)
        return JSONResponse({"status": "ready", "store": settings.store})

    app = Starlette(lifespan=lifespan)
    app.state.settings = settings
    graphql = ThememapGraphQL(app.state)
    app.router.routes.extend(
        [
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            *export_routes,
            *webpage_routes,
        ]
    )
    return app

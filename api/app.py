"""The Starlette application: `/graphql` (with GraphiQL in development), `/healthz`,
`/readyz`, the file routes and the web page at `/`, behind the middleware that gives every
request an id, security headers, CORS for the allowed origins, and the body size and time limits."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute

from api.errors import error_response, http_refusal
from api.exports import routes as export_routes
from api.graphql import ThememapGraphQL
from api.limits import BodyLimit, TimeLimit
from api.logs import HEADER, RequestIds, configure_logging
from api.ratelimit import FailureLimiter
from api.security import AllowedHosts, SecurityHeaders
from api.settings import Settings
from api.stores import make_store
from api.webpage import routes as webpage_routes
from graph.errors import StoreUnavailable
from graph.service import Service
from graph.store import Store

log = logging.getLogger("thememap")


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the request id wraps everything, so even a refusal carries it."""
    cors = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=settings.allowed_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept"],
                expose_headers=[HEADER],
                max_age=600,
            )
        ]
        if settings.allowed_origins
        else []
    )
    return [
        Middleware(RequestIds),
        Middleware(SecurityHeaders),
        Middleware(AllowedHosts, hosts=settings.answered_hosts),
        *cors,
        Middleware(TimeLimit, settings=settings),
        Middleware(BodyLimit, settings=settings),
    ]


SWITCH_INTERVAL = 0.001
"""Seconds a busy thread (an analysis worker, a bulk write being built) may hold the GIL while
the event loop waits for it: Python's default of 5 ms, paid at every step of a request,
added hundreds of milliseconds to light requests beside a heavy one (tests/bench/stall.py)."""


def create_app(settings: Settings | None = None, store: Store | None = None) -> Starlette:
    """Build the app. `store` overrides the one the settings name (tests pass a wrapped store)."""
    settings = settings or Settings()
    settings.refuse_unsafe_production()
    configure_logging()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        sys.setswitchinterval(SWITCH_INTERVAL)
        app.state.store = store or make_store(settings)
        app.state.service = Service(app.state.store)
        await app.state.store.open()
        try:
            app.state.local_user = await app.state.service.ensure_user(settings.local_user_id, settings.local_user_name)
            if settings.auth == "off":
                log.warning(
                    "THEMEMAP_AUTH=off: no authentication; every request acts as %r with every right",
                    settings.local_user_name,
                )
            log.info("thememap ready on the %s store (%s)", settings.store, settings.env)
            yield
        finally:
            await app.state.store.close()

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        try:
            await request.app.state.service.ping()
        except Exception as exc:  # readiness reports any failure of the store, never raises
            log.warning("store not ready: %s", exc)
            return JSONResponse({"status": "unavailable", "store": settings.store}, status_code=503)
        return JSONResponse({"status": "ready", "store": settings.store})

    async def store_unavailable(request: Request, exc: Exception) -> Response:
        """Routes outside GraphQL (downloads) answer a store outage with 503, not 500."""
        assert isinstance(exc, StoreUnavailable)
        return error_response(503, exc.code, exc.message)

    app = Starlette(
        lifespan=lifespan,
        middleware=_middleware(settings),
        exception_handlers={StoreUnavailable: store_unavailable, HTTPException: http_refusal},
    )
    app.state.settings = settings
    app.state.auth_failures = FailureLimiter(settings.auth_failure_limit, settings.auth_failure_window)
    graphql = ThememapGraphQL(app.state, settings)
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

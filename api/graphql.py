"""`/graphql` over HTTP and websockets: strawberry's ASGI view with our per-request context,
authentication (rate-limited per client address), and GraphQL over HTTP content negotiation.

A client that asks for `application/graphql-response+json` (listed before
`application/json` in its Accept header) gets that media type, and a request that could
not start executing (a parse or validation error, a variable that does not coerce, a limit
exceeded) answers with status 400 (401 when unauthenticated) and no `data` entry. Every
other client gets `application/json` with status 200 and `"data": null`, as before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.auth import authenticate, authenticate_client, bearer, client_address
from api.errors import error_response
from api.ratelimit import RateLimited
from api.security import GRAPHIQL_CSP
from api.settings import Settings
from graph.errors import StoreUnavailable
from graph.models import User
from schema.build import build_schema
from schema.context import Context
from schema.limits import Limits

GRAPHQL_RESPONSE = "application/graphql-response+json"
_SIGNED_IN = "graphql_signed_in"
"""Set on the request's state by `get_context` when its token named a user."""
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")
"""graphql-core's hints at names a schema has ("Did you mean 'deleteProject'?")."""
GRAPHIQL_PAGE = Path(__file__).parent / "graphiql.html"
"""GraphiQL with the vendored scripts of api/static/vendor, instead of strawberry's page from a CDN."""
_STATUS = "graphql_status"
"""Where `process_result` leaves the status for `run` on the request's state."""


def wants_graphql_response(accept: str | None) -> bool:
    """The first media type of the Accept header we can serve decides (as graphql-http does)."""
    for item in (accept or "").lower().split(","):
        media_type = item.split(";")[0].strip()
        if media_type == GRAPHQL_RESPONSE:
            return True
        if media_type in ("application/json", "application/*", "*/*"):
            return False
    return False


def _refusal(reason: str) -> str:
    """Strawberry's reason for refusing a request, with what to send instead."""
    return f"{reason.rstrip('.')}. Send a JSON object with a string `query` (and `variables`), as application/json."


class ThememapGraphQL(GraphQL[Context, None]):
    def __init__(self, app_state: Any, settings: Settings) -> None:
        self.limits = Limits(
            max_depth=settings.max_depth,
            max_tokens=settings.max_tokens,
            max_aliases=settings.max_aliases,
            max_page_size=settings.max_page_size,
            max_cost=settings.max_cost,
        )
        schema = build_schema(self.limits, introspection=not settings.production)
        self.shared = schema.shared
        super().__init__(
            schema,
            graphql_ide=None if settings.production else "graphiql",
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
            allowed_origins=settings.allowed_origins,
        )
        self.app_state = app_state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except RateLimited as exc:
            if scope["type"] != "http":
                raise
            await exc.response()(scope, receive, send)

    async def get_context(self, request: Any, response: Any = None) -> Context:
        state = self.app_state

        def context(user: User | None, **why: Any) -> Context:
            return Context(
                service=state.service, user=user, request=request, response=response, limits=self.limits, **why
            )

        if state.settings.auth == "off":
            return context(state.local_user, auth=False)
        token = bearer(request.headers.get("authorization"))
        try:
            user = (
                await authenticate_client(state.service, state.auth_failures, client_address(request), token)
                if token
                else None
            )
        except StoreUnavailable as exc:
            return context(None, store_problem=exc)
        if isinstance(request, Request):
            setattr(request.state, _SIGNED_IN, user is not None)
        return context(
            user, auth_problem=None if user else "Invalid or revoked token" if token else "Authentication required"
        )

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """graphql-transport-ws: the token comes in the connection_init payload, as
        `{"token": "..."}` or `{"Authorization": "Bearer ..."}`. A bad one, or any while the
        client's address is rate-limited, closes the socket with 4403 (the protocol's only
        refusal; the legacy graphql-ws protocol gets the reason)."""
        if not context.auth:
            return UNSET
        params = context.connection_params or {}
        token = params.get("token") or bearer(params.get("Authorization") or params.get("authorization"))
        try:
            user = (
                await authenticate_client(
                    context.service, self.app_state.auth_failures, client_address(context.request), str(token)
                )
                if token
                else None
            )
        except RateLimited as exc:
            raise ConnectionRejectionError({"reason": str(exc)}) from exc
        if user is None:
            raise ConnectionRejectionError({"reason": "a valid token is required"})
        service, user_id = context.service, user.id

        async def still_signed_in() -> bool:
            found = await authenticate(service, str(token))
            return found is not None and found.id == user_id

        context.user = user
        context.still_signed_in = still_signed_in
        context.reset()
        return UNSET

    def encode_json(self, data: object) -> str | bytes:
        """A shared analysis answer is encoded once for every request it answers."""
        if isinstance(data, dict):
            return self.shared.encode(data, super().encode_json)
        return super().encode_json(data)

    async def render_graphql_ide(self, request: Request) -> Response:
        html = GRAPHIQL_PAGE.read_text(encoding="utf-8")
        return HTMLResponse(html, headers={"Content-Security-Policy": GRAPHIQL_CSP})

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        if self.app_state.settings.production and not getattr(request.state, _SIGNED_IN, False):
            for error in processed.get("errors") or []:  # no map of the schema for strangers
                error["message"] = _SUGGESTION.sub("", error["message"])
        if wants_graphql_response(request.headers.get("accept")):
            not_started = result.data is None and result.errors and all(e.path is None for e in result.errors)
            if not_started:
                processed.pop("data", None)
                codes = {(e.extensions or {}).get("code") for e in result.errors or []}
                setattr(request.state, _STATUS, 401 if codes == {"UNAUTHENTICATED"} else 400)
        return processed

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        if not isinstance(request, Request):
            return await super().run(request, context, root_value)
        try:
            response = await super().run(request, context, root_value)
        except HTTPException as exc:  # strawberry's own refusals would be plain text
            return error_response(exc.status_code, "BAD_USER_INPUT", _refusal(exc.reason))
        except RecursionError:
            return error_response(400, "BAD_USER_INPUT", "The request body is nested too deeply to read.")
        if isinstance(request, Request) and response.headers.get("content-type") == "application/json":
            if wants_graphql_response(request.headers.get("accept")):
                response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
                response.status_code = getattr(request.state, _STATUS, response.status_code)
            else:
                response.headers["content-type"] = "application/json; charset=utf-8"
        return response

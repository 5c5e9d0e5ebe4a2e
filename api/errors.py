"""Error responses outside GraphQL execution (file routes, limits, rate limit, Starlette's own
refusals), shaped like GraphQL errors so that clients read every error the same way:
`errors[0].extensions.code`."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from schema.errors import request_id

CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 503: "UNAVAILABLE"}
"""The code of a refusal by its HTTP status; any other is BAD_USER_INPUT (the request is wrong)."""


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    extensions = {**extensions, "code": code}
    if (rid := request_id()) is not None:
        extensions["requestId"] = rid
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]}, status_code=status, headers=headers
    )


async def http_refusal(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (a path no route serves, a method the route does not take, a
    multipart body it cannot parse) as errors with a code, like every other, not plain text."""
    assert isinstance(exc, HTTPException)
    message = {
        404: "Nothing is served at this path: the API is /graphql, a project's files /projects/<id>/<file>.",
        405: f"{request.method} is not allowed here; use {(exc.headers or {}).get('Allow', 'another method')}.",
    }.get(exc.status_code, exc.detail)
    return error_response(exc.status_code, CODES.get(exc.status_code, "BAD_USER_INPUT"), message, headers=exc.headers)

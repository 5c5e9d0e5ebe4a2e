"""Error responses outside GraphQL execution (file routes, limits, rate limit), shaped like
GraphQL errors so that clients read every error the same way: `errors[0].extensions.code`."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from schema.errors import request_id


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extensions: Any
) -> JSONResponse:
    extensions = {**extensions, "code": code}
    if (rid := request_id()) is not None:
        extensions["requestId"] = rid
    return JSONResponse(
        {"errors": [{"message": message, "extensions": extensions}]}, status_code=status, headers=headers
    )

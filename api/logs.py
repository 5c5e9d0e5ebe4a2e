"""Structured logging: every log line is one JSON object on stderr (structlog rendering the
standard library's records too), carrying the id of the request it happened in.

`RequestIds` gives every HTTP request and websocket a fresh id, binds it for the logs,
returns it as the `X-Request-Id` header, logs one line per request, and turns an
exception that escaped the app into a masked INTERNAL error carrying the id."""

from __future__ import annotations

import logging
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from schema.errors import INTERNAL_MESSAGE

HEADER = "X-Request-Id"
_HANDLER_NAME = "thememap-json"

log = logging.getLogger("thememap.requests")


def json_formatter() -> logging.Formatter:
    """A formatter rendering any standard-library record as one JSON line."""
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.stdlib.ExtraAdder(allow=("status", "ms")),
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            # The process id tells the lines of `thememap serve --workers N`'s processes apart.
            structlog.processors.CallsiteParameterAdder({structlog.processors.CallsiteParameter.PROCESS}),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )


def configure_logging(level: int = logging.INFO) -> None:
    """Send the root logger's records to stderr as JSON; idempotent (replaces our own handler)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(handler)
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(json_formatter())
    root.addHandler(handler)
    root.setLevel(level)


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = uuid.uuid4().hex
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (HEADER.lower().encode(), rid.encode())]
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=rid):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                log.exception("unhandled error in %s %s", scope.get("method", "WEBSOCKET"), scope["path"])
                if status or scope["type"] != "http":
                    raise
                status = 500
                await error_response(500, "INTERNAL", INTERNAL_MESSAGE)(scope, receive, send_with_id)
            finally:
                log.info(
                    "%s %s %s",
                    scope.get("method", "WEBSOCKET"),
                    scope["path"],
                    status or "-",
                    extra={"status": status, "ms": round((time.perf_counter() - started) * 1000, 1)},
                )

"""Map every error to DESIGN.md's error model: `extensions.code` on each GraphQL error,
and no internals (stack traces, SQL, Cypher) in what the client sees.

Strawberry hands every operation's errors (queries, mutations, subscriptions, parse and
validation failures) to `Schema.process_errors`; `classify` rewrites them there, in
place, before they are sent."""

from __future__ import annotations

import logging

import pydantic
import structlog
from graphql import GraphQLError

from graph.errors import DomainError

log = logging.getLogger("thememap.errors")

INTERNAL_MESSAGE = "Internal server error. It has been logged; please report it, with the requestId, if it persists."


def request_id() -> str | None:
    """The id of the request being served, which its log lines carry (the API binds it per
    request with structlog's context variables), so that a report can be matched to them."""
    return structlog.contextvars.get_contextvars().get("request_id")


def _describe(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{where}: {error['msg']}")
    return "Invalid input: " + "; ".join(parts) + "."


def classify(error: GraphQLError) -> None:
    """Give `error` its client-facing message and `extensions.code`."""
    original = error.original_error
    while isinstance(original, GraphQLError) and original.original_error is not None:
        original = original.original_error
    if original is None or isinstance(original, GraphQLError):
        # Parse and validation errors, variable coercion failures: the request itself is wrong.
        code = (error.extensions or {}).get("code")
        error.extensions = {**(error.extensions or {}), "code": code or "BAD_USER_INPUT"}
    elif isinstance(original, DomainError):
        error.message = original.message
        error.extensions = {**original.extensions, "code": original.code}
    elif isinstance(original, pydantic.ValidationError):
        error.message = _describe(original)
        error.extensions = {"code": "BAD_USER_INPUT"}
    else:
        log.error("internal error at %s", error.path, exc_info=original)
        error.message = INTERNAL_MESSAGE
        error.extensions = {"code": "INTERNAL"}
        if (rid := request_id()) is not None:
            error.extensions["requestId"] = rid

"""Map every error to DESIGN.md's error model: `extensions.code` on each GraphQL error,
and no internals (stack traces, SQL, Cypher) in what the client sees."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pydantic
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph.errors import DomainError

log = logging.getLogger("thememap.errors")

INTERNAL_MESSAGE = "Internal server error. It has been logged; please report it if it persists."


def _describe(exc: pydantic.ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "input"
        parts.append(f"{where}: {error['msg']}")
    return "Invalid input: " + "; ".join(parts) + "."


def classify(error: GraphQLError) -> GraphQLError:
    """Return the client-facing form of `error`, with `extensions.code` set."""
    original = error.original_error
    if original is None:
        # Parse and validation errors, and variable coercion failures: the request itself is wrong.
        code = error.extensions.get("code") if error.extensions else None
        error.extensions = {**(error.extensions or {}), "code": code or "BAD_USER_INPUT"}
        return error
    if isinstance(original, DomainError):
        return GraphQLError(
            original.message, error.nodes, error.source, error.positions, error.path,
            original, {**original.extensions, "code": original.code},
        )
    if isinstance(original, pydantic.ValidationError):
        return GraphQLError(
            _describe(original), error.nodes, error.source, error.positions, error.path,
            original, {"code": "BAD_USER_INPUT"},
        )
    if isinstance(original, GraphQLError):
        return classify(original)
    log.error("internal error at %s", error.path, exc_info=original)
    return GraphQLError(INTERNAL_MESSAGE, error.nodes, error.source, error.positions, error.path, None, {"code": "INTERNAL"})


class ErrorCodes(SchemaExtension):
    """Rewrites the operation's errors into their client-facing form."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [classify(e) for e in result.errors]

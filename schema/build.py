"""Assemble the strawberry schema."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection
from strawberry.types import ExecutionContext

from schema.activity import Subscription, WakeSubscribers
from schema.authentication import RequireUser
from schema.errors import classify
from schema.execution import Execution
from schema.limits import Limits, limit_extensions
from schema.mutation import Mutation
from schema.query import Query
from schema.sharing import ShareAnswers, SharedAnswers
from schema.types import Code, Document, Excerpt, Link, Memo, Participant, Project, Theme

_suggestions = importlib.import_module("graphql.pyutils.suggestion_list")  # the package shadows it with the function


class _LexicalDistance(_suggestions.LexicalDistance):
    """graphql-core 3.3.2's edit distance for "Did you mean" hints sizes its rows by the input's
    length, but measures the input lower-cased, which can be longer ('İ' lower-cases to two code
    points): an unknown input field so named in a request's variables (JSON keys, not limited to
    GraphQL's ASCII names) raised IndexError, an INTERNAL error. These rows fit the lower-cased
    input; installed in graphql-core when this module is imported, for the whole process."""

    def __init__(self, input_: str) -> None:
        super().__init__(input_)
        size = len(self._input_list) + 1
        self._rows = [[0] * size, [0] * size, [0] * size]


_suggestions.LexicalDistance = _LexicalDistance


class ThememapSchema(strawberry.Schema):
    shared: SharedAnswers
    """Answers shared between requests (schema.sharing); the HTTP view encodes them once."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Give every error its code and client-facing message (instead of strawberry's
        default, which logs each one with a traceback: bad input is no server fault)."""
        for error in errors:
            classify(error)


def build_schema(limits: Limits | None = None, introspection: bool = True) -> ThememapSchema:
    """The schema, refusing operations past `limits`; without introspection in production."""
    extensions: list[Callable[[], Any]] = [RequireUser, WakeSubscribers, *limit_extensions(limits or Limits())]
    if not introspection:
        extensions.append(DisableIntrospection)
    shared = SharedAnswers()
    extensions.append(lambda: ShareAnswers(shared))  # last: after what refuses requests
    schema = ThememapSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Project, Participant, Document, Excerpt, Code, Theme, Link, Memo],
        extensions=extensions,
        execution_context_class=Execution,
    )
    schema.shared = shared
    return schema

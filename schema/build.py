"""Assemble the strawberry schema."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.authentication import RequireUser
from schema.errors import classify
from schema.activity import Subscription, WakeSubscribers
from schema.mutation import Mutation
from schema.query import Query
from schema.types import Code, Document, Excerpt, Link, Memo, Participant, Project, Theme


class ThememapSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Give every error its code and client-facing message (instead of strawberry's
        default, which logs each one with a traceback: bad input is no server fault)."""
        for error in errors:
            classify(error)


def build_schema() -> strawberry.Schema:
    return ThememapSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[Project, Participant, Document, Excerpt, Code, Theme, Link, Memo],
        extensions=[RequireUser, WakeSubscribers],
    )

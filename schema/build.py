"""Assemble the strawberry schema."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from schema.authentication import RequireUser
from schema.errors import ErrorCodes
from schema.mutation import Mutation
from schema.query import Query
from schema.types import Code, Document, Excerpt, Link, Memo, Participant, Project, Theme


class ThememapSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Strawberry logs every error with its traceback; bad input is not a server
        fault, and internal errors are logged once where they are classified
        (`schema.errors.classify`)."""


def build_schema() -> strawberry.Schema:
    return ThememapSchema(
        query=Query,
        mutation=Mutation,
        types=[Project, Participant, Document, Excerpt, Code, Theme, Link, Memo],
        extensions=[RequireUser, ErrorCodes],
    )

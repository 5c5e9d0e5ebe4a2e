"""Limits on what one GraphQL operation may ask: nesting depth, tokens, aliases (strawberry's
security extensions) and page size. Each refusal is a GraphQL error with
`extensions.code` LIMIT_EXCEEDED, naming the limit and its value in the message and in
`extensions.limit` / `extensions.maximum`.

The values come from the API's settings (README "Operations and security"); the schema
layer only receives them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from graphql import GraphQLError, GraphQLSyntaxError, ValidationContext, ValidationRule
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter, SchemaExtension

from graph.errors import BadInput, DomainError


@dataclass(frozen=True)
class Limits:
    max_depth: int = 15
    max_tokens: int = 5000
    max_aliases: int = 50
    max_page_size: int = 500


class LimitExceeded(DomainError):
    code = "LIMIT_EXCEEDED"

    def __init__(self, message: str, limit: str, maximum: int) -> None:
        super().__init__(f"{message} (limit {limit} = {maximum}).", limit=limit, maximum=maximum)


def check_page_size(first: int, limits: Limits) -> None:
    """The one check of a paginated field's `first`."""
    if first < 0:
        raise BadInput("first must be 0 or more.")
    if first > limits.max_page_size:
        raise LimitExceeded(f"first is {first}, more than one page may hold", "maxPageSize", limits.max_page_size)


def _labelled(rule: type[ValidationRule], limit: str, maximum: int) -> type[ValidationRule]:
    """`rule`, with the errors it reports carrying LIMIT_EXCEEDED and the limit's name and value.
    Strawberry's limiters report from their constructor, through the validation context."""

    class Labelled(rule):  # type: ignore[valid-type, misc]
        def __init__(self, context: ValidationContext) -> None:
            report = context.report_error

            def labelled(error: GraphQLError) -> None:
                report(
                    GraphQLError(
                        f"{error.message} (limit {limit} = {maximum}).",
                        error.nodes,
                        extensions={"code": "LIMIT_EXCEEDED", "limit": limit, "maximum": maximum},
                    )
                )

            context.report_error = labelled  # type: ignore[method-assign]
            try:
                super().__init__(context)
            finally:
                context.report_error = report  # type: ignore[method-assign]

    return Labelled


class _DepthLimit(QueryDepthLimiter):
    def __init__(self, max_depth: int) -> None:
        super().__init__(max_depth=max_depth)
        self.validation_rules = [_labelled(r, "maxDepth", max_depth) for r in self.validation_rules]


class _AliasLimit(MaxAliasesLimiter):
    def __init__(self, max_alias_count: int) -> None:
        super().__init__(max_alias_count=max_alias_count)
        self.validation_rules = [_labelled(r, "maxAliases", max_alias_count) for r in self.validation_rules]


class _TokenLimit(MaxTokensLimiter):
    """graphql-core's parser enforces the count; its syntax error gets our code here."""

    def on_parse(self) -> Iterator[None]:
        yield
        for error in self.execution_context.pre_execution_errors or []:
            if isinstance(error, GraphQLSyntaxError) and f"more than {self.max_token_count} tokens" in error.message:
                error.message = f"{error.message} (limit maxTokens = {self.max_token_count})."
                error.extensions = {"code": "LIMIT_EXCEEDED", "limit": "maxTokens", "maximum": self.max_token_count}


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories, so that every operation gets fresh extension instances (strawberry keeps
    per-operation state on them)."""
    return [
        lambda: _DepthLimit(limits.max_depth),
        lambda: _TokenLimit(limits.max_tokens),
        lambda: _AliasLimit(limits.max_aliases),
    ]

"""Limits on what one GraphQL operation may ask: nesting depth, tokens, aliases (strawberry's
security extensions) and page size. Each refusal is a GraphQL error with
`extensions.code` LIMIT_EXCEEDED, naming the limit and its value in the message and in
`extensions.limit` / `extensions.maximum`.

The values come from the API's settings (README "Operations and security"); the schema
layer only receives them."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    parse,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from graph.errors import BadInput, LimitExceeded


@dataclass(frozen=True)
class Limits:
    max_depth: int = 15
    max_tokens: int = 5000
    max_aliases: int = 50
    max_page_size: int = 500
    max_cost: int = 100_000


VALIDATED = 256
"""Documents whose validation is remembered: a page asks the same few questions again and again."""


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


def _rules(limits: Limits) -> list[type[ValidationRule]]:
    """The depth and alias limits' validation rules, made once per schema, so that a document
    validated once is known valid (strawberry's ValidationCache keys on the rules too)."""
    depth = QueryDepthLimiter(max_depth=limits.max_depth).validation_rules
    aliases = MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules
    return [
        *(_labelled(r, "maxDepth", limits.max_depth) for r in depth),
        *(_labelled(r, "maxAliases", limits.max_aliases) for r in aliases),
    ]


_parse = lru_cache(maxsize=VALIDATED)(parse)
"""graphql-core's parser, remembering the documents it parsed (which nothing modifies)."""


class _TokenLimit(MaxTokensLimiter):
    """graphql-core's parser enforces the count; its syntax error gets our code here. A text
    parsed before is not parsed again."""

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None:
            with contextlib.suppress(GraphQLError):  # strawberry parses it again, and reports why it cannot
                context.graphql_document = _parse(context.query, **context.parse_options)
        yield
        for error in self.execution_context.pre_execution_errors or []:
            if isinstance(error, GraphQLSyntaxError) and f"more than {self.max_token_count} tokens" in error.message:
                error.message = f"{error.message} (limit maxTokens = {self.max_token_count})."
                error.extensions = {"code": "LIMIT_EXCEEDED", "limit": "maxTokens", "maximum": self.max_token_count}


def estimated_cost(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict[str, Any]
) -> int:
    """How many field values an operation may resolve at most: every field counts once for each
    item of the pages above it, a page holding its `first` (given, or the argument's default).
    Plain lists (a project's codes, an excerpt's codings) count as one: they are small."""
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation else None
    if operation is None or root is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}

    def cost(selections: SelectionSetNode, parent: GraphQLNamedType | None, items: int) -> int:
        total = 0
        for node in selections.selections:
            if isinstance(node, FieldNode):
                field = (
                    parent.fields.get(node.name.value)
                    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
                    else None
                )
                if field is None:
                    continue
                total += items
                if node.selection_set is not None:
                    total += cost(node.selection_set, get_named_type(field.type), items * _page(node, field, variables))
            elif isinstance(node, InlineFragmentNode):
                condition = schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += cost(node.selection_set, condition, items)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments:
                fragment = fragments[node.name.value]
                total += cost(fragment.selection_set, schema.get_type(fragment.type_condition.name.value), items)
        return total

    return cost(operation.selection_set, root, 1)


def _page(node: FieldNode, field: GraphQLField, variables: dict[str, Any]) -> int:
    """The `first` a field is asked for (its default when not given), or 1 for fields without one."""
    argument = field.args.get("first")
    if argument is None:
        return 1
    given = next((a.value for a in node.arguments or () if a.name.value == "first"), None)
    if isinstance(given, IntValueNode):
        value: Any = int(given.value)
    elif isinstance(given, VariableNode):
        value = variables.get(given.name.value, argument.default_value)
    else:
        value = argument.default_value
    return max(value, 1) if isinstance(value, int) else 1


class _CostLimit(SchemaExtension):
    """Refuses, before it runs, an operation whose estimated cost is over the limit."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is not None and context.result is None:
            estimate = estimated_cost(
                context.schema._schema, context.graphql_document, context.operation_name, context.variables or {}
            )
            if estimate > self.max_cost:
                refusal = LimitExceeded(
                    f"This operation could resolve about {estimate:,} values; ask for smaller pages or fewer nested "
                    "lists",
                    "maxCost",
                    self.max_cost,
                    estimate=estimate,
                )
                context.result = ExecutionResult(
                    data=None,
                    errors=[GraphQLError(refusal.message, extensions={**refusal.extensions, "code": refusal.code})],
                )
        yield


def limit_extensions(limits: Limits) -> list[Callable[[], SchemaExtension]]:
    """Factories, so that every operation gets fresh extension instances (strawberry keeps
    per-operation state on them)."""
    rules = _rules(limits)
    return [
        lambda: AddValidationRules(rules),
        lambda: ValidationCache(maxsize=VALIDATED),
        lambda: _TokenLimit(limits.max_tokens),
        lambda: _CostLimit(limits.max_cost),
    ]

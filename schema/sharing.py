"""Analysis answers shared between requests that ask the same question of the same view.

When a team codes together, every change reaches each open page, and each page asks for
its theme map again: sixteen viewers ask sixteen times for one answer. The snapshot
beneath already answers once per revision, but turning the answer into a GraphQL
response costs its fields one by one (20-35 ms for a 340-node map), so sixteen requests
cost sixteen times that. This extension answers such requests once: the first computes,
those asking meanwhile wait for it, and later ones get it while the project's revision
stands.

A request is shared only when the service layer says what its actor is shown of each
project it asks about (`Reader.project_view`: non-members and refusals take the ordinary
path and get their ordinary errors), its text is one query whose root fields are the
analysis questions below, and every field beneath them reads a plain value of the
answer (no resolver, so nothing read from the store at another revision or about
users). Answers with errors are never kept, nor very large ones."""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableNode,
    Visitor,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.field import StrawberryField

from graph.errors import DomainError

QUESTIONS = frozenset(
    {
        "themeMap",
        "cooccurrence",
        "cooccurrenceTable",
        "caseMatrix",
        "compareGroups",
        "findExcerpts",
        "participantsMatching",
        "sequences",
        "conceptPaths",
        "saturation",
        "conceptNetwork",
        "search",
        "mapPositions",
    }
)
"""Root fields whose answer depends only on the project as the actor is shown it and on the
arguments (each takes `projectId`)."""
KEPT = 16
"""Answers kept, the most recently used."""
LARGEST = 10_000
"""Answers with more list items than this are not kept (waiting requests still share them)."""
DOCUMENTS = 256
"""Query texts whose shape is remembered."""


@dataclass
class SharedAnswers:
    """One app's shared answers (every request's extension reaches the same one)."""

    kept: OrderedDict[Hashable, ExecutionResult] = field(default_factory=OrderedDict)
    running: dict[Hashable, asyncio.Future[ExecutionResult | None]] = field(default_factory=dict)
    shapes: OrderedDict[str, tuple[str, ...] | None] = field(default_factory=OrderedDict)
    """Query text -> the `projectId` argument of each root field, each a variable's name
    ("$name") or a literal, or None when the text is not a shareable question."""

    encoded: dict[int, str | bytes] = field(default_factory=dict)
    """id(a kept answer's data) -> its response body, once encoded (it lives while the answer is kept)."""

    def keep(self, key: Hashable, result: ExecutionResult) -> None:
        if (replaced := self.kept.pop(key, None)) is not None:
            self.encoded.pop(id(replaced.data), None)
        self.kept[key] = result
        while len(self.kept) > KEPT:
            _, dropped = self.kept.popitem(last=False)
            self.encoded.pop(id(dropped.data), None)

    def encode(self, response: dict[str, Any], encode: Callable[[object], str | bytes]) -> str | bytes:
        """`encode(response)`, encoded once for all requests when it is a kept answer alone."""
        data = response.get("data")
        if response.keys() != {"data"} or data is None:
            return encode(response)
        found = self.encoded.get(id(data))
        if found is None:
            found = encode(response)
            if any(result.data is data for result in self.kept.values()):
                self.encoded[id(data)] = found
        return found

    def shape(self, schema: GraphQLSchema, query: str, document: DocumentNode) -> tuple[str, ...] | None:
        if query in self.shapes:
            self.shapes.move_to_end(query)
            return self.shapes[query]
        found = self.shapes[query] = _shape(schema, document)
        while len(self.shapes) > DOCUMENTS:
            self.shapes.popitem(last=False)
        return found


def _shape(schema: GraphQLSchema, document: DocumentNode) -> tuple[str, ...] | None:
    """Where each root field's project comes from, if the document only asks analysis
    questions and reads plain values of their answers."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
        return None
    projects = []
    for selection in operations[0].selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.name.value not in QUESTIONS:
            return None
        argument = next((a.value for a in selection.arguments or () if a.name.value == "projectId"), None)
        if isinstance(argument, VariableNode):
            projects.append(f"${argument.name.value}")
        elif isinstance(argument, StringValueNode):
            projects.append(argument.value)
        else:
            return None
    plain = _PlainReads(TypeInfo(schema))
    visit(document, TypeInfoVisitor(plain.type_info, plain))
    return tuple(projects) if plain.only else None


class _PlainReads(Visitor):
    """Whether every field below the root ones reads a plain value (or is `__typename`)."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.only = True
        self._depth = 0

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self._depth += 1
        if self._depth == 1 or node.name.value == "__typename":
            return
        definition = self.type_info.get_field_def()
        strawberry_field = definition.extensions.get("strawberry-definition") if definition else None
        if not isinstance(strawberry_field, StrawberryField) or not strawberry_field.is_basic_field:
            self.only = False

    def leave_field(self, *_: Any) -> None:
        self._depth -= 1

    def enter_fragment_definition(self, *_: Any) -> None:
        self._depth += 1  # a fragment's fields lie below a root field

    def leave_fragment_definition(self, *_: Any) -> None:
        self._depth -= 1


def _items(data: Any) -> int:
    """List items in a response's data, counting the lists of its root fields and of their
    fields (the answers' large parts: nodes, edges, pairs, rows) without reading the items."""
    total = 0
    for answer in (data or {}).values():
        parts = answer.values() if isinstance(answer, dict) else [answer]
        total += sum(len(part) for part in parts if isinstance(part, list))
    return total


class ShareAnswers(SchemaExtension):
    """Placed last among the schema's extensions, so that authentication and the limits have
    refused what they refuse before an answer is shared."""

    def __init__(self, shared: SharedAnswers) -> None:
        self.shared = shared

    async def on_execute(self) -> AsyncIterator[None]:
        key = None if self.execution_context.result is not None else await self._key()
        if key is None:
            yield
            return
        found = self.shared.kept.get(key)
        if found is not None:
            self.shared.kept.move_to_end(key)
        while found is None and (running := self.shared.running.get(key)) is not None:
            found = await asyncio.shield(running)  # None: it failed, so this request works it out
        if found is not None:
            self.execution_context.result = found
            yield
            return
        done: asyncio.Future[ExecutionResult | None] = asyncio.get_running_loop().create_future()
        self.shared.running[key] = done
        answer = None
        try:
            yield
            result = self.execution_context.result
            if isinstance(result, ExecutionResult) and not result.errors:
                answer = result
                if _items(result.data) <= LARGEST:
                    self.shared.keep(key, result)
        finally:
            del self.shared.running[key]
            done.set_result(answer)

    async def _key(self) -> Hashable | None:
        context = self.execution_context
        schema = context.schema._schema
        if context.query is None or context.graphql_document is None or getattr(context.context, "user", None) is None:
            return None
        shape = self.shared.shape(schema, context.query, context.graphql_document)
        if shape is None:
            return None
        variables = context.variables or {}
        projects = [variables.get(p[1:]) if p.startswith("$") else p for p in shape]
        if not all(isinstance(p, str) for p in projects):
            return None
        try:
            views = [await context.context.reader.project_view(p) for p in projects]
        except DomainError:
            return None  # refused: the ordinary path says why
        return (context.query, context.operation_name, json.dumps(variables, sort_keys=True, default=str), tuple(views))

"""Field execution with a short path for plain values.

graphql-core runs every field through the same machinery: a `GraphQLResolveInfo`, the
resolver, then value completion. For a strawberry field without a resolver or arguments
whose type is a scalar or an enum, all that amounts to reading an attribute and
serialising it, yet it costs several microseconds: a 340-node theme map has about 6,500
such fields. This execution context reads those fields directly and leaves everything
else (resolvers, objects, lists, a null where a value is required, a value that does not
serialise) to graphql-core, so answers and errors stay exactly as they were.

Likewise for a union or interface whose value is an instance of one of its strawberry
object types: that type is the runtime type, found once per Python class instead of
strawberry's search through the schema for every value (3,600 pairs name 7,200 concepts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLAbstractType,
    GraphQLField,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    is_leaf_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField


class _Plain(NamedTuple):
    attribute: str
    leaf: GraphQLLeafType
    nullable: bool


def _plain(field_def: GraphQLField) -> _Plain | None:
    """How to read the field directly, or None when it needs graphql-core's whole path."""
    definition = field_def.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field or not definition.python_name:
        return None  # a resolver, or field extensions to run
    if not getattr(field_def.resolve, "_is_default", False) or field_def.args:
        return None  # not strawberry's attribute read
    field_type, nullable = field_def.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not is_leaf_type(field_type):
        return None
    return _Plain(definition.python_name, field_type, nullable)  # type: ignore[arg-type]


@dataclass
class _Learned:
    """What one schema's execution has worked out, kept as long as the schema lives."""

    plain_fields: dict[int, _Plain | None] = field(default_factory=dict)
    """id(GraphQLField) -> what `_plain` said."""
    runtime_types: dict[tuple[type, int], GraphQLObjectType | None] = field(default_factory=dict)
    """(Python class, id(abstract type)) -> the object type its instances are, if one of the abstract type's."""


_learned: WeakKeyDictionary[GraphQLSchema, _Learned] = WeakKeyDictionary()


class Execution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._wrapped = bool(manager and manager.middlewares)
        """Whether a schema extension wraps every resolver (then each field takes the whole path)."""
        self._learned = _learned.setdefault(self.schema, _Learned())

    def complete_abstract_value(
        self,
        return_type: GraphQLAbstractType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        key = (type(result), id(return_type))
        try:
            runtime_type = self._learned.runtime_types[key]
        except KeyError:
            runtime_type = self._learned.runtime_types[key] = self._runtime_type(type(result), return_type)
        if runtime_type is None:
            return super().complete_abstract_value(
                return_type, field_details_list, info, path, result, position_context
            )
        return self.complete_object_value(runtime_type, field_details_list, info, path, result, position_context)

    def _runtime_type(self, cls: type, abstract: GraphQLAbstractType) -> GraphQLObjectType | None:
        definition = getattr(cls, "__strawberry_definition__", None)
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_graphql_generic:
            return None
        for possible in self.schema.get_possible_types(abstract):
            if possible.name == definition.name:
                return possible
        return None

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        node = field_details_list[0].node
        field_def = self.schema.get_field(parent_type, node.name.value)
        if field_def is not None and not node.arguments and not self._wrapped:
            key = id(field_def)
            try:
                plain = self._learned.plain_fields[key]
            except KeyError:
                plain = self._learned.plain_fields[key] = _plain(field_def)
            if plain is not None:
                value = getattr(source, plain.attribute, Undefined)
                if value is None:
                    if plain.nullable:
                        return None
                elif value is not Undefined:
                    try:
                        coerced = plain.leaf.coerce_output_value(value)
                    except Exception:  # noqa: BLE001 - graphql-core's path reports it, located
                        coerced = None
                    if coerced is not None and coerced is not Undefined:
                        return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

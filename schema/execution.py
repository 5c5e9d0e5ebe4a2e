"""Execution with a short path for plain values.

graphql-core runs every field through the same machinery: a `GraphQLResolveInfo`, the
resolver, then value completion. For a strawberry field without a resolver or arguments,
all that amounts to reading an attribute, yet it costs several microseconds: a 340-node
theme map has about 6,500 such fields, 3,600 co-occurring pairs about 18,000. This
execution context reads them directly:

- an object whose selected fields are all plain (scalars, enums, `__typename`, and
  objects, unions or interfaces whose own selected fields are plain) is built as a dict
  in one go, following the selection graphql-core has collected for it;
- any other plain scalar or enum field is read and serialised directly;
- a union or interface whose value is an instance of one of its strawberry object types
  has that type, found once per Python class instead of strawberry's search through the
  schema for every value.

Everything else (resolvers, lists inside an object, arguments, field extensions, a null
where a value is required, a value that does not serialise) takes graphql-core's whole
path, so answers and errors stay exactly as they were: when a short path meets such a
value it gives up, and the whole path runs from the start of that object (reading plain
attributes has no side effects)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

from graphql import (
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    is_abstract_type,
    is_leaf_type,
    is_object_type,
)
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField


class _Plain(NamedTuple):
    """How to read a plain field: its attribute, its type without non-null, and for a scalar
    or an enum how to serialise a value (`_serialiser`)."""

    attribute: str
    type: GraphQLOutputType
    nullable: bool
    serialise: Callable[[Any], Any] | None


_INT = range(-(2**31), 2**31)


def _serialiser(leaf: GraphQLLeafType) -> Callable[[Any], Any]:
    """`leaf.coerce_output_value`, with the common values of the built-in scalars passed through
    and enum values' names remembered: the same results, without graphql-core's checks for
    values of the expected Python type (or its strawberry wrapper for enums)."""
    general = leaf.coerce_output_value
    if leaf is GraphQLString or leaf is GraphQLID:
        return lambda value: value if type(value) is str else general(value)
    if leaf is GraphQLInt:
        return lambda value: value if type(value) is int and value in _INT else general(value)
    if leaf is GraphQLFloat:
        return lambda value: value if type(value) is float and math.isfinite(value) else general(value)
    if leaf is GraphQLBoolean:
        return lambda value: value if type(value) is bool else general(value)
    if isinstance(leaf, GraphQLEnumType):
        names: dict[Any, Any] = {}

        def name_of(value: Any) -> Any:
            try:
                return names[value]
            except KeyError:
                found = names[value] = general(value)  # raises for a value of no member, and is not kept
                return found
            except TypeError:  # unhashable: no member of the enum
                return general(value)

        return name_of
    return general


def _plain(field_def: GraphQLField) -> _Plain | None:
    """How to read the field directly (a scalar, enum, object, union or interface held in an
    attribute), or None when it needs graphql-core's whole path."""
    definition = field_def.extensions.get("strawberry-definition")
    if not isinstance(definition, StrawberryField) or not definition.is_basic_field or not definition.python_name:
        return None  # a resolver, or field extensions to run
    if not getattr(field_def.resolve, "_is_default", False) or field_def.args:
        return None  # not strawberry's attribute read
    field_type, nullable = field_def.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not (is_leaf_type(field_type) or is_object_type(field_type) or is_abstract_type(field_type)):
        return None  # a list
    serialise = _serialiser(field_type) if is_leaf_type(field_type) else None  # type: ignore[arg-type]
    return _Plain(definition.python_name, field_type, nullable, serialise)


class _Entry(NamedTuple):
    """One response key of an object built in one go."""

    key: str
    plain: _Plain | None
    """None: `__typename`."""
    details: Any
    """The field's FieldDetailsList, for an object's own selection."""


@dataclass
class _Learned:
    """What one schema's execution has worked out, kept as long as the schema lives."""

    plain_fields: dict[int, _Plain | None] = field(default_factory=dict)
    """id(GraphQLField) -> what `_plain` said."""
    runtime_types: dict[tuple[type, int], GraphQLObjectType | None] = field(default_factory=dict)
    """(Python class, id(output type)) -> the object type its instances are, if the output type allows it."""


_learned: WeakKeyDictionary[GraphQLSchema, _Learned] = WeakKeyDictionary()


class Execution(StrawberryGraphQLCoreExecutionContext):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        self._wrapped = bool(manager and manager.middlewares)
        """Whether a schema extension wraps every resolver (then each field takes the whole path)."""
        self._learned = _learned.setdefault(self.schema, _Learned())
        self._plans: dict[tuple[str, int], tuple[Any, list[_Entry] | None]] = {}
        """(object type, id(FieldDetailsList)) -> (the list, kept so its id is not reused; the plan).
        Per operation, as the selection collected depends on its variables (@skip, @include)."""

    # -- reading plain fields ---------------------------------------------------------------
    def _plain_field(self, field_def: GraphQLField) -> _Plain | None:
        key = id(field_def)
        try:
            return self._learned.plain_fields[key]
        except KeyError:
            found = self._learned.plain_fields[key] = None if self._wrapped else _plain(field_def)
            return found

    def _object_type(self, value: Any, output: GraphQLOutputType) -> GraphQLObjectType | None:
        """The object type `value` is, when its class is a strawberry type `output` allows."""
        key = (type(value), id(output))
        try:
            return self._learned.runtime_types[key]
        except KeyError:
            pass
        found = None
        definition = getattr(type(value), "__strawberry_definition__", None)
        if isinstance(definition, StrawberryObjectDefinition) and not definition.is_graphql_generic:
            if isinstance(output, GraphQLObjectType):
                found = output if output.name == definition.name else None
            elif is_abstract_type(output):
                possible = self.schema.get_possible_types(output)  # type: ignore[arg-type]
                found = next((t for t in possible if t.name == definition.name), None)
        self._learned.runtime_types[key] = found
        return found

    def _plan(self, object_type: GraphQLObjectType, details: Any) -> list[_Entry] | None:
        """The object's selection as plain reads, or None when some field needs the whole path."""
        key = (object_type.name, id(details))
        if (kept := self._plans.get(key)) is None:
            grouped, deferred, *_ = self.collect_subfields(object_type, details)
            kept = self._plans[key] = (details, None if deferred else self._entries(object_type, grouped))
        return kept[1]

    def _entries(self, object_type: GraphQLObjectType, grouped: dict[str, Any]) -> list[_Entry] | None:
        entries = []
        for response_key, field_details in grouped.items():
            node = field_details[0].node
            name = node.name.value
            if node.arguments:
                return None
            if name == "__typename":
                entries.append(_Entry(response_key, None, field_details))
                continue
            field_def = None if name.startswith("__") else object_type.fields.get(name)
            plain = None if field_def is None else self._plain_field(field_def)
            if plain is None:
                return None
            entries.append(_Entry(response_key, plain, field_details))
        return entries

    def _build(self, object_type: GraphQLObjectType, details: Any, source: Any) -> dict[str, Any] | None:
        """The object's response, or None when a value needs the whole path."""
        plan = self._plan(object_type, details)
        if plan is None:
            return None
        built: dict[str, Any] = {}
        for entry in plan:
            plain = entry.plain
            if plain is None:
                built[entry.key] = object_type.name
                continue
            value = getattr(source, plain.attribute, Undefined)
            if value is None:
                if not plain.nullable:
                    return None
                built[entry.key] = None
            elif value is Undefined:
                return None
            elif (serialise := plain.serialise) is not None:
                try:
                    coerced = serialise(value)
                except Exception:  # noqa: BLE001 - the whole path reports it, located
                    return None
                if coerced is None or coerced is Undefined:
                    return None
                built[entry.key] = coerced
            else:
                runtime = self._object_type(value, plain.type)
                inner = None if runtime is None else self._build(runtime, entry.details, value)
                if inner is None:
                    return None
                built[entry.key] = inner
        return built

    # -- graphql-core's hooks ----------------------------------------------------------------
    def collect_and_execute_subfields(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        built = self._build(return_type, field_details_list, result)
        if built is not None:
            return built
        return super().collect_and_execute_subfields(return_type, field_details_list, path, result, position_context)

    def complete_abstract_value(
        self,
        return_type: GraphQLAbstractType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        runtime_type = self._object_type(result, return_type)
        if runtime_type is None:
            return super().complete_abstract_value(
                return_type, field_details_list, info, path, result, position_context
            )
        # graphql-core would ask the type's `is_type_of` again: the class has just said so.
        return self.collect_and_execute_subfields(runtime_type, field_details_list, path, result, position_context)

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
        plain = self._plain_field(field_def) if field_def is not None and not node.arguments else None
        if plain is not None and (serialise := plain.serialise) is not None:
            value = getattr(source, plain.attribute, Undefined)
            if value is None:
                if plain.nullable:
                    return None
            elif value is not Undefined:
                try:
                    coerced = serialise(value)
                except Exception:  # noqa: BLE001 - graphql-core's path reports it, located
                    coerced = None
                if coerced is not None and coerced is not Undefined:
                    return coerced
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

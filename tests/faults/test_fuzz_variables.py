"""Generated operations whose arguments all come as variables, against a real server holding
the demo study, as its owner: whatever the values, the answer is never a 5xx and never
INTERNAL, and every error has a code (test_fuzz covers inline values; hypothesis-graphql 0.13
writes no variables).

Each operation calls one root field (every query and mutation but deleteProject, which would
leave nothing to find), passing each argument it passes as a variable of the argument's own
type, and selects `__typename` and the leaf fields of what it returns. The `variables` object
is generated from the argument types: ids mostly of the study and of the kind the argument
names, text of any code point JSON carries (control characters, very long, cursor-like),
extreme floats, JSON nested up to and past the server's recursion limit, input objects with
optional fields present or not, long lists, a single value for a list. A third of the
operations are careless on purpose, at any depth: values of a wrong type (null for a non-null,
a string for an Int, an object for a String), Ints past 32 bits, invalid enum names, required
fields or variables missing, unknown fields, nulls in lists; these must be refused like any bad
request. THEMEMAP_FUZZ_EXAMPLES operations per adapter (default 120).
"""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
    is_required_argument,
    is_required_input_field,
    is_union_type,
)
from hypothesis import given
from hypothesis import strategies as st

from tests.faults.conftest import Demo
from tests.faults.fuzzing import EXAMPLES, SCHEMA, check, fuzz_settings, study_ids_by_kind, weighted

FIELDS = [
    (kind, name, field)
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type))
    if root is not None
    for name, field in root.fields.items()
    if name != "deleteProject"
]


@dataclass(frozen=True)
class Nested:
    """A JSON array `depth` levels deep: deeper than the json module (recursive) can write, so
    `encode` writes it as text."""

    depth: int


MARK = f"nested-{uuid.uuid4().hex}-"
"""How `encode` first writes a Nested, its depth after it (no generated text holds this)."""
MARKED = re.compile(f'"{MARK}(\\d+)"')


def encode(body: dict[str, Any]) -> bytes:
    """`body` as JSON, with each Nested written out in place (one pass: they may be many)."""
    text = json.dumps(body, default=lambda nested: f"{MARK}{nested.depth}", allow_nan=False)
    return MARKED.sub(lambda m: "[" * int(m[1]) + "0" + "]" * int(m[1]), text).encode()


FINITE = st.floats(allow_nan=False, allow_infinity=False)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FINITE | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
"""Any JSON value: the JSON scalar's values, and every wrong-typed value."""
TEXT = weighted(
    (6, st.text(max_size=40)),
    (1, st.tuples(st.characters(), st.integers(400, 110_000)).map(lambda c: c[0] * c[1])),
    (
        1,  # what a cursor looks like, holding the wrong things (keys of other lengths, ints past 64 bits)
        st.lists(st.text(max_size=10) | st.integers() | st.integers(2**63 - 2, 2**70), max_size=5).map(
            lambda key: base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
        ),
    ),
)
"""Text of any code point JSON can carry (not lone surrogates), sometimes very long or cursor-like."""
INT = st.integers(-(2**80), 2**80)
"""Integers past GraphQL's 32 bits, and past 64 (careless values)."""
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": TEXT,
    "Int": weighted((3, st.integers(-3, 50)), (2, st.integers(-(2**31), 2**31 - 1))),
    "Float": weighted(
        (2, st.floats(-1000, 1000)),
        (2, FINITE),
        (1, st.sampled_from([1.7976931348623157e308, -1.7976931348623157e308, 5e-324, -0.0])),
        (1, st.integers(-(10**6), 10**6)),
    ),
    "Boolean": st.booleans(),
    "JSON": weighted(
        (4, ANY_JSON),
        (1, st.integers(1, 50).map(Nested)),
        (2, st.integers(900, 1000).map(Nested)),  # about the recursion limit, where parsers give up
        (1, st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8), min_size=50, max_size=300)),
    ),
    "DateTime": weighted(
        (2, st.datetimes().map(lambda d: d.isoformat())),
        (1, st.sampled_from(["2024-02-30T00:00:00", "0000-01-01", "9999-12-31T23:59:59+14:00", ""])),
        (1, st.text(max_size=30)),
    ),
}
"""Values of the schema's scalars (IDs come from the study, Ints past 32 bits only when careless);
every scalar of the schema has some, whether or not an argument takes it today (none takes a DateTime)."""
assert {n for n, t in SCHEMA.type_map.items() if isinstance(t, GraphQLScalarType)} - {"ID"} <= set(SCALARS), (
    "a scalar without values to generate"
)


KINDS = ("project", "participant", "document", "excerpt", "evidence", "code", "theme", "user", "coder", "actor")
"""What an argument or input field names, by the words in its name (the field's, then its owner's)."""


def kind_of(owner: str, name: str) -> str | None:
    """The kind of node an ID named `name` of `owner` (a root field or input type) stands for."""
    for words in (name.lower(), owner.lower()):
        for kind in KINDS:
            if kind in words:
                return {"evidence": "excerpt", "coder": "user", "actor": "user"}.get(kind, kind)
    return None


class Variables:
    """Strategies for the value of a variable of each input type, ids drawn from the study (of
    the kind the argument names, mostly). Careless values break the rules of the types now and
    then, at any depth: a wrong type, null for a non-null, an invalid enum name, a required
    field missing, unknown fields, Ints past 32 bits; the others are valid as far as GraphQL can
    tell (whether the service takes them is what the test is about)."""

    def __init__(self, ids: dict[str, list[str]], careless: bool) -> None:
        self.careless = careless
        self.cache: dict[tuple[str, str | None], st.SearchStrategy[Any]] = {}
        every = [id for some in ids.values() for id in some]
        self.ids = {
            kind: weighted(
                (6, st.sampled_from(ids.get(kind or "") or every)),
                (1, st.sampled_from(every)),
                (1, st.sampled_from(every).map(str.upper)),
                (1, st.text(max_size=40)),
                (1, st.integers()),  # GraphQL takes an Int for an ID
            )
            for kind in (None, *ids)
        }
        self.scalars = {**SCALARS, "Int": weighted((5, SCALARS["Int"]), (1, INT))} if careless else SCALARS

    def of(self, type_: GraphQLInputType, owner: str, name: str) -> st.SearchStrategy[Any]:
        """Values of `type_` for the argument or input field `name` of `owner`."""
        key = (str(type_), kind_of(owner, name))
        if key not in self.cache:
            if isinstance(type_, GraphQLNonNull):
                right = self._plain(type_.of_type, owner, name)
            else:
                right = weighted((9, self._plain(type_, owner, name)), (1, st.none()))
            self.cache[key] = weighted((19, right), (1, ANY_JSON)) if self.careless else right
        return self.cache[key]

    def _plain(self, type_: GraphQLInputType, owner: str, name: str) -> st.SearchStrategy[Any]:
        if isinstance(type_, GraphQLList):
            item = self.of(type_.of_type, owner, name)
            leaves = is_leaf_type(get_named_type(type_.of_type))  # long lists of objects would be too big to send
            return weighted(
                (4, st.lists(item, max_size=4)),
                (int(self.careless), st.lists(item | st.none(), min_size=1, max_size=4)),
                (int(leaves), st.tuples(item, st.integers(20, 500)).map(lambda p: [p[0]] * p[1])),
                (1, item),  # a single value stands for a list of one
            )
        if isinstance(type_, GraphQLEnumType):
            names = list(type_.values)
            return weighted(
                (10, st.sampled_from(names)),
                (int(self.careless), st.sampled_from(names).map(str.lower)),
                (int(self.careless), st.text(max_size=12)),
            )
        if isinstance(type_, GraphQLInputObjectType):
            return self._object(type_)
        if type_.name == "ID":
            return self.ids[kind_of(owner, name)]
        return self.scalars[type_.name]

    def _object(self, type_: GraphQLInputObjectType) -> st.SearchStrategy[dict[str, Any]]:
        """Each optional field present or not; careless ones miss a required field one time in
        twenty and sometimes carry unknown fields."""
        required = weighted((19, st.just(True)), (int(self.careless), st.just(False)))

        @st.composite
        def draw_object(draw: st.DrawFn) -> dict[str, Any]:
            out = {}
            for name, field in type_.fields.items():
                if draw(required if is_required_input_field(field) else st.booleans()):
                    out[name] = draw(self.of(field.type, type_.name, name))
            if self.careless and draw(st.integers(0, 9)) == 0:
                out.update(draw(st.dictionaries(st.from_regex(r"[A-Za-z_]\w{0,10}", fullmatch=True), ANY_JSON)))
            return out

        return draw_object()


def selection(type_: GraphQLOutputType) -> str:
    """`__typename` and the leaf fields that need no argument, for what is not a leaf itself."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    fields = {} if is_union_type(named) else named.fields
    leaves = [
        name
        for name, field in fields.items()
        if is_leaf_type(get_named_type(field.type)) and not any(map(is_required_argument, field.args.values()))
    ]
    return " { " + " ".join(["__typename", *leaves]) + " }"


def call(kind: str, name: str, field: GraphQLField, arguments: list[str]) -> str:
    """The operation calling `name` with `arguments`, each as the variable of the same name."""
    declared = ", ".join(f"${a}: {field.args[a].type}" for a in arguments)
    passed = ", ".join(f"{a}: ${a}" for a in arguments)
    return (
        f"{kind} Fuzz{f'({declared})' if declared else ''} "
        f"{{ {name}{f'({passed})' if passed else ''}{selection(field.type)} }}"
    )


ACCEPT = ["application/json", "application/graphql-response+json"]
"""Both media types the API answers in (the second with 4xx for requests that cannot start)."""


@st.composite
def requests(draw: st.DrawFn, strict: Variables, careless: Variables) -> tuple[str, dict[str, Any]]:
    """An operation and its variables (careless ones a third of the time): required arguments
    always passed, optional ones sometimes; a variable that may be null left out now and then
    (a careless one, rarely, one the type requires)."""
    kind, name, field = draw(st.sampled_from(FIELDS))
    values = draw(weighted((2, st.just(strict)), (1, st.just(careless))))
    arguments = [a for a, arg in field.args.items() if is_required_argument(arg) or draw(st.booleans())]
    variables = {}
    for a in arguments:
        required = is_non_null_type(field.args[a].type)
        if (values.careless or not required) and draw(st.integers(0, 29 if required else 9)) == 0:
            continue  # left out of `variables`
        variables[a] = draw(values.of(field.args[a].type, name, a))
    return call(kind, name, field, arguments), variables


def test_generated_variables_never_fail_internally(demo_server: Demo) -> None:
    ids = study_ids_by_kind(demo_server)
    outcomes: Counter[str] = Counter()
    with httpx.Client(
        base_url=demo_server.url,
        timeout=60,
        headers={"Authorization": f"Bearer {demo_server.token}", "Content-Type": "application/json"},
    ) as http:

        @fuzz_settings(EXAMPLES)
        @given(requests(Variables(ids, careless=False), Variables(ids, careless=True)), st.sampled_from(ACCEPT))
        def fuzz(request: tuple[str, dict[str, Any]], accept: str) -> None:
            operation, variables = request
            body = encode({"query": operation, "variables": variables})
            response = http.post("/graphql", content=body, headers={"Accept": accept})
            codes = check(response, f"{operation}\nvariables: {json.dumps(variables, default=repr)[:2000]}")
            outcomes.update(set(codes) or {"ok"})

        fuzz()
    print(f"fuzz variables[{demo_server.adapter}]: {sum(outcomes.values())} operations, outcomes {dict(outcomes)}")
    assert outcomes["ok"] > 0, outcomes

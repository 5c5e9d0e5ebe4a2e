"""The short path for plain fields and union members (schema/execution.py) must answer
exactly as graphql-core's whole path does: the same data and the same errors, whatever
the values; so a toy schema runs the same operations both ways and compares."""

from __future__ import annotations

import enum
from typing import Annotated, Any

import pytest
import strawberry
from strawberry.extensions import FieldExtension, SchemaExtension

from schema.execution import Execution


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"


@strawberry.type
class Leaf:
    name: str
    maybe: str | None
    count: int
    colour: Colour
    ratio: float


class Shout(FieldExtension):
    """A field extension: its field has no resolver, yet must still run through it."""

    def resolve(self, next_: Any, source: Any, info: Any, **kwargs: Any) -> Any:
        return str(next_(source, info, **kwargs)).upper()


@strawberry.type
class Other:
    name: str
    loud: str = strawberry.field(extensions=[Shout()], default="")


Either = Annotated[Leaf | Other, strawberry.union("Either")]


@strawberry.type
class Pair:
    """Plain fields holding objects: a pair is built in one go unless something needs more."""

    a: Either
    b: Leaf | None
    tags: list[str]

    @strawberry.field
    def shout(self, suffix: str = "!") -> str:
        return "pair" + suffix


@strawberry.type
class Query:
    @strawberry.field
    def leaves(self) -> list[Leaf | None]:
        # Each value a plain field may meet: good ones, a null where one is allowed, a null
        # where one is not, and values that do not serialise as their type (each bad one
        # nulls only its own item).
        good = Leaf(name="a", maybe=None, count=1, colour=Colour.RED, ratio=0.5)
        no_name = Leaf(name=None, maybe="x", count=2, colour=Colour.RED, ratio=1.0)  # type: ignore[arg-type]
        bad_count = Leaf(name="c", maybe="y", count="many", colour=Colour.RED, ratio=2.0)  # type: ignore[arg-type]
        bad_colour = Leaf(name="d", maybe=None, count=3, colour="blue", ratio=float("nan"))  # type: ignore[arg-type]
        not_finite = Leaf(name="e", maybe=None, count=4, colour=Colour.RED, ratio=float("inf"))
        too_big = Leaf(name="f", maybe=None, count=2**31, colour=Colour.RED, ratio=1.0)
        a_bool = Leaf(name="g", maybe=None, count=True, colour=Colour.RED, ratio=1)  # type: ignore[arg-type]
        return [good, no_name, bad_count, bad_colour, not_finite, too_big, a_bool]

    @strawberry.field
    def either(self) -> list[Either]:
        return [Leaf(name="l", maybe=None, count=0, colour=Colour.RED, ratio=0.0), Other(name="o", loud="hi")]

    @strawberry.field
    def pairs(self) -> list[Pair | None]:
        leaf = Leaf(name="p", maybe="m", count=5, colour=Colour.RED, ratio=0.25)
        nameless = Leaf(name=None, maybe=None, count=6, colour=Colour.RED, ratio=0.0)  # type: ignore[arg-type]
        return [
            Pair(a=leaf, b=None, tags=["x"]),
            Pair(a=Other(name="q", loud="yes"), b=leaf, tags=[]),
            Pair(a=nameless, b=leaf, tags=[]),  # the error is found inside a nested object
            Pair(a=leaf, b=nameless, tags=[]),  # and inside a nullable one
            Pair(a="not a concept", b=None, tags=[]),  # type: ignore[arg-type]
        ]


class Upper(SchemaExtension):
    """A schema extension wrapping every resolver: then no field may skip its resolver."""

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        value = _next(root, info, *args, **kwargs)
        return value.upper() if isinstance(value, str) else value


QUERY = """query($more: Boolean!) {
  leaves { name maybe count colour ratio alias: name }
  either { __typename ... on Leaf { name count } ... on Other { name loud } }
  pairs { a { __typename ... on Leaf { name colour } ... on Other { name } } b { name count @include(if: $more) } }
  more: pairs { b { ratio } tags @include(if: $more) shout(suffix: "?") }
}"""


def _answer(schema: strawberry.Schema, more: bool = True) -> tuple[Any, list[tuple[str, Any]]]:
    result = schema.execute_sync(QUERY, variable_values={"more": more})
    return result.data, sorted((e.message, str(e.path)) for e in result.errors or [])


def name_of(extensions: list[Any], name: str) -> str:
    return name.upper() if extensions else name


@pytest.mark.parametrize("extensions", [[], [Upper]], ids=["plain", "wrapped"])
def test_the_short_path_answers_and_fails_exactly_as_graphql_core_does(extensions: list[Any]) -> None:
    stock = strawberry.Schema(query=Query, extensions=extensions)
    short = strawberry.Schema(query=Query, extensions=extensions, execution_context_class=Execution)
    for more in (True, False, True):  # again from what the first time learned; a variable changes the selection
        assert _answer(short, more) == _answer(stock, more)
    data, errors = _answer(short)
    assert len(errors) == 5 + 3  # a null name, a count, a colour, an infinite ratio and a count past 32 bits
    # that do not serialise; in pairs, two null names and a value of no type of the union
    assert data["pairs"][:2] == [
        {
            "a": {"__typename": name_of(extensions, "Leaf"), "name": name_of(extensions, "p"), "colour": "RED"},
            "b": None,
        },
        {
            "a": {"__typename": name_of(extensions, "Other"), "name": name_of(extensions, "q")},
            "b": {"name": name_of(extensions, "p"), "count": 5},
        },
    ]
    assert data["pairs"][2:] == [None, {"a": data["pairs"][0]["a"], "b": None}, None]
    assert data["more"][1] == {"b": {"ratio": 0.25}, "tags": [], "shout": "PAIR?" if extensions else "pair?"}
    name = "A" if extensions else "a"  # the schema extension ran on every field
    assert data["leaves"][0] == {"name": name, "maybe": None, "count": 1, "colour": "RED", "ratio": 0.5, "alias": name}
    assert data["leaves"][1:6] == [None] * 5
    assert data["leaves"][6]["count"] == 1 and data["leaves"][6]["ratio"] == 1.0  # as graphql-core serialises them
    assert data["either"][1]["loud"] == "HI"  # the field extension ran

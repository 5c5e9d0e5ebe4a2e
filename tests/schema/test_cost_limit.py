"""A small query can ask for a great deal: pages multiply through nesting. Such an operation is
refused before it runs, with its estimate (a 242-byte query once took 25 s and held up others)."""

from __future__ import annotations

from tests.schema.conftest import World

NESTED = """query($p: ID!, $n: Int) { project(id: $p) { codes { excerpts(first: 500) { edges { node {
  codings { code { excerpts(first: $n) { edges { node { codings { code { name } } } } } } } } } } } } }"""


async def test_pages_multiplied_through_nesting_are_refused_with_the_estimate(world: World) -> None:
    before = await world.snapshot()
    error = await world.owner.error(NESTED, p=world.ids["project"], n=500)
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED" and error["extensions"]["limit"] == "maxCost"
    assert error["extensions"]["estimate"] > error["extensions"]["maximum"] == 100_000
    assert f"{error['extensions']['estimate']:,}" in error["message"]
    assert await world.snapshot() == before
    small = await world.owner.ok(NESTED, p=world.ids["project"], n=5)
    assert small["project"]["codes"], "the same shape with small pages is answered"


async def test_a_defaulted_page_counts_at_its_default(world: World) -> None:
    """`excerpts` without `first` takes its default page (20): 20 x 500 x ... still counts."""
    query = NESTED.replace("excerpts(first: $n)", "excerpts").replace(", $n: Int", "")
    query = query.replace("codings { code { name } }", "codings { code { excerpts(first: 500) { edges { cursor } } } }")
    error = await world.owner.error(query, p=world.ids["project"])
    assert error["extensions"].get("limit") == "maxCost", error

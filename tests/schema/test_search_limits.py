"""Search takes a question, not a document: its text and its number of terms are capped, with
LIMIT_EXCEEDED naming the limit (a search of 180,000 words once held the server for minutes)."""

from __future__ import annotations

from tests.schema.conftest import World

SEARCH = "query($p: ID!, $t: String!) { search(projectId: $p, text: $t) { edges { node { text } } } }"


async def test_search_text_and_terms_are_capped(world: World) -> None:
    p = world.ids["project"]
    too_long = await world.owner.error(SEARCH, p=p, t="scared " * 200)
    assert too_long["extensions"]["code"] == "LIMIT_EXCEEDED"
    assert too_long["extensions"]["limit"] == "maxSearchChars" and too_long["extensions"]["maximum"] == 1000
    too_many = await world.owner.error(SEARCH, p=p, t=" ".join(f"w{i}" for i in range(33)))
    assert too_many["extensions"]["code"] == "LIMIT_EXCEEDED" and too_many["extensions"]["limit"] == "maxSearchTerms"
    found = await world.owner.ok(SEARCH, p=p, t="scared " + " ".join("scared" for _ in range(31)))
    assert [e["node"]["text"] for e in found["search"]["edges"]] == ["scared"]

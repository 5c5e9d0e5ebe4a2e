"""Moving an excerpt's boundaries over HTTP, on both adapters: the span rules, the policy, the history."""

from __future__ import annotations

from tests.schema.conftest import TEXT, World

MOVE = """mutation($id: ID!, $s: Int!, $e: Int!) {
  updateExcerpt(id: $id, start: $s, end: $e) { id start end text codes { name } }
}"""
HISTORY = """query($p: ID!, $t: ID!) { activity(projectId: $p, targetId: $t, first: 1) {
  edges { node { id type summary before after } } } }"""


async def test_an_excerpt_moved_keeps_its_codings_and_its_history_says_from_where(world: World) -> None:
    ids = world.ids
    moved = (await world.owner.ok(MOVE, id=ids["excerpt"], s=2, e=24))["updateExcerpt"]
    assert moved == {"id": ids["excerpt"], "start": 2, "end": 24, "text": TEXT[2:24], "codes": [{"name": "Fear"}]}
    read = await world.owner.ok("query($id: ID!) { excerpt(id: $id) { start end text } }", id=ids["excerpt"])
    assert read["excerpt"] == {"start": 2, "end": 24, "text": TEXT[2:24]}
    [entry] = (await world.owner.ok(HISTORY, p=ids["project"], t=ids["excerpt"]))["activity"]["edges"]
    assert entry["node"]["type"] == "excerpt.updated"
    assert (entry["node"]["before"]["start"], entry["node"]["before"]["end"]) == (0, 5)
    assert (entry["node"]["after"]["start"], entry["node"]["after"]["end"], entry["node"]["after"]["text"]) == (
        2,
        24,
        TEXT[2:24],
    )
    undone = await world.owner.ok(
        "mutation($id: ID!) { revert(activityId: $id) { type reverts } }", id=entry["node"]["id"]
    )
    assert undone["revert"] == {"type": "excerpt.updated", "reverts": entry["node"]["id"]}
    read = await world.owner.ok("query($id: ID!) { excerpt(id: $id) { start end text } }", id=ids["excerpt"])
    assert read["excerpt"] == {"start": 0, "end": 5, "text": TEXT[0:5]}


async def test_bad_spans_and_other_peoples_excerpts_change_nothing(world: World) -> None:
    ids = world.ids
    other = (
        await world.owner.ok(
            "mutation($d: ID!) { createExcerpt(input: {documentId: $d, start: 40, end: 50}) { id } }",
            d=ids["document"],
        )
    )["createExcerpt"]["id"]
    analyst, _ = await world.user("Analyst", "ANALYST")
    before = await world.snapshot()
    for start, end, needle in [(5, 5, "start < end"), (0, len(TEXT) + 1, "length"), (40, 50, other)]:
        error = await world.owner.error(MOVE, id=ids["excerpt"], s=start, e=end)
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and needle in error["message"], error
    error = await analyst.error(MOVE, id=ids["excerpt"], s=0, e=9)
    assert error["extensions"]["code"] == "FORBIDDEN" and "OWNER" in error["message"]
    assert (await analyst.error(MOVE, id="missing", s=0, e=9))["extensions"]["code"] == "NOT_FOUND"
    assert await world.snapshot() == before

    mine = (
        await analyst.ok(
            "mutation($d: ID!, $c: ID!) { codeText(input: {documentId: $d, start: 60, end: 70, codeIds: [$c]}) { id } }",
            d=ids["document"],
            c=ids["code2"],
        )
    )["codeText"]["id"]
    assert (await analyst.ok(MOVE, id=mine, s=58, e=70))["updateExcerpt"]["text"] == TEXT[58:70]

"""The theme map's saved node positions through GraphQL over HTTP, on both adapters: saved by
an analyst for the whole team, read back by any member, bad input refused with nothing stored."""

from __future__ import annotations

from tests.schema.conftest import World

SAVE = """mutation($p: ID!, $at: [NodePositionInput!]!) {
  saveMapPositions(projectId: $p, positions: $at) { nodeId x y } }"""
READ = "query($p: ID!) { mapPositions(projectId: $p) { nodeId x y } }"


async def test_positions_saved_by_one_member_are_what_every_member_reads(world: World) -> None:
    ids = world.ids
    analyst, _ = await world.user("Analyst", "ANALYST")
    viewer, _ = await world.user("Viewer", "VIEWER")
    assert (await viewer.ok(READ, p=ids["project"]))["mapPositions"] == []

    at = [{"nodeId": ids["theme"], "x": 120.5, "y": -40}, {"nodeId": ids["code"], "x": 0, "y": 80}]
    saved = (await analyst.ok(SAVE, p=ids["project"], at=at))["saveMapPositions"]
    assert saved == [{"nodeId": ids["theme"], "x": 120.5, "y": -40.0}, {"nodeId": ids["code"], "x": 0.0, "y": 80.0}]
    await analyst.ok(SAVE, p=ids["project"], at=[{"nodeId": ids["code"], "x": 5, "y": 6}])
    expected = sorted(
        [{"nodeId": ids["theme"], "x": 120.5, "y": -40.0}, {"nodeId": ids["code"], "x": 5.0, "y": 6.0}],
        key=lambda p: p["nodeId"],
    )
    assert (await viewer.ok(READ, p=ids["project"]))["mapPositions"] == expected
    newest = await world.owner.ok(
        "query($p: ID!) { activity(projectId: $p, first: 1) { edges { node { type summary actor { name } } } } }",
        p=ids["project"],
    )
    assert newest["activity"]["edges"][0]["node"] == {
        "type": "map.arranged",
        "summary": "moved 1 node on the map",
        "actor": {"name": "Analyst"},
    }


async def test_positions_of_other_nodes_or_out_of_range_are_refused_and_nothing_saved(world: World) -> None:
    ids = world.ids
    for at, code in (
        ([{"nodeId": ids["code"], "x": 1, "y": 1}, {"nodeId": ids["excerpt"], "x": 1, "y": 1}], "NOT_FOUND"),
        ([{"nodeId": ids["code"], "x": 1, "y": 1}, {"nodeId": "missing", "x": 1, "y": 1}], "NOT_FOUND"),
        ([{"nodeId": ids["code"], "x": 1e7, "y": 1}], "BAD_USER_INPUT"),
        ([], "BAD_USER_INPUT"),
    ):
        body = await world.owner.post(SAVE, p=ids["project"], at=at)
        assert body["errors"][0]["extensions"]["code"] == code, body
    assert (await world.owner.ok(READ, p=ids["project"]))["mapPositions"] == []

"""The activity history through GraphQL over HTTP, on both adapters."""

from __future__ import annotations

from tests.schema.conftest import World

ACTIVITY = """query($p: ID!, $n: Int!, $after: String, $actor: ID, $target: ID) {
  activity(projectId: $p, first: $n, after: $after, actorId: $actor, targetId: $target) {
    edges { node { type summary targetIds at actor { name } before after } }
    pageInfo { hasNextPage endCursor } } }"""


async def test_activity_pages_and_filters(world: World) -> None:
    ids = world.ids
    analyst, analyst_id = await world.user("Analyst", "ANALYST")
    await analyst.ok(
        'mutation($c: ID!) { updateCode(input: {id: $c, expectedVersion: 1, name: "Fear of removal"}) { version } }',
        c=ids["code"],
    )
    newest = (await world.owner.ok(ACTIVITY, p=ids["project"], n=2))["activity"]
    first, second = (e["node"] for e in newest["edges"])
    assert (first["type"], first["actor"], first["targetIds"]) == ("code.updated", {"name": "Analyst"}, [ids["code"]])
    assert (first["before"]["name"], first["after"]["name"]) == ("Fear", "Fear of removal")
    assert second["type"] == "member.added" and second["after"]["role"] == "ANALYST"
    assert first["at"] >= second["at"] and newest["pageInfo"]["hasNextPage"]

    everything, after = [], None
    while True:
        page = (await world.owner.ok(ACTIVITY, p=ids["project"], n=4, after=after))["activity"]
        everything += [e["node"]["type"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert everything[-1] == "project.created" and len(everything) == 12

    by_analyst = (await world.owner.ok(ACTIVITY, p=ids["project"], n=50, actor=analyst_id))["activity"]["edges"]
    assert [e["node"]["type"] for e in by_analyst] == ["code.updated"]
    about_code = (await world.owner.ok(ACTIVITY, p=ids["project"], n=50, target=ids["code"]))["activity"]["edges"]
    assert [e["node"]["type"] for e in about_code] == [
        "code.updated",
        "memo.created",
        "link.created",
        "theme.code_added",
        "excerpt.coded",
        "code.created",
    ]
    outsider, _ = await world.user("Outsider")
    error = await outsider.error(ACTIVITY, p=ids["project"], n=5)
    assert error["extensions"]["code"] == "NOT_FOUND"

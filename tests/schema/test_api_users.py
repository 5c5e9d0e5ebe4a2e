"""Finding users to add to a project, and the checks on who and what is added, over HTTP on both
adapters."""

from __future__ import annotations

from tests.schema.conftest import World

USERS = """query($s: String!, $n: Int, $a: String) {
  users(search: $s, first: $n, after: $a) { edges { cursor node { id name email } } pageInfo { hasNextPage endCursor } }
}"""


async def test_an_owner_finds_a_user_by_name_or_email_and_adds_them(world: World) -> None:
    await world.service.create_user("Priya Natarajan", "priya@example.org")
    await world.service.create_user("Priyanka Rao")
    await world.service.create_user("Pat Doyle")
    owner = world.owner
    first = (await owner.ok(USERS, s="pri", n=1))["users"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Priya Natarajan"] and first["pageInfo"]["hasNextPage"]
    rest = (await owner.ok(USERS, s="pri", n=1, a=first["pageInfo"]["endCursor"]))["users"]
    assert [e["node"]["name"] for e in rest["edges"]] == ["Priyanka Rao"] and not rest["pageInfo"]["hasNextPage"]
    by_email = (await owner.ok(USERS, s=" PRIYA@example.org "))["users"]["edges"]
    assert [(e["node"]["name"], e["node"]["email"]) for e in by_email] == [("Priya Natarajan", None)], (
        "an email is matched, never shown to anyone but its holder"
    )
    priya = by_email[0]["node"]["id"]
    added = await owner.ok(
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: ANALYST) { user { name } } }",
        p=world.ids["project"],
        u=priya,
    )
    assert added["addMember"]["user"]["name"] == "Priya Natarajan"


async def test_any_signed_in_user_may_search_but_must_search_for_something(world: World) -> None:
    outsider, _ = await world.user("Outsider")
    found = (await outsider.ok(USERS, s="outs"))["users"]["edges"]
    assert [(e["node"]["name"], e["node"]["email"]) for e in found] == [("Outsider", None)]
    for blank in ("", "   "):
        error = await outsider.error(USERS, s=blank)
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "start of a name" in error["message"]
    error = await outsider.error(USERS, s="o", a="not-a-cursor")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    anonymous = await world.client(None).post(USERS, s="o")
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


ADD = "mutation($p: ID!, $n: String!) { addParticipant(input: {projectId: $p, pseudonym: $n}) { id pseudonym } }"
RENAME = "mutation($id: ID!, $n: String!) { updateParticipant(input: {id: $id, pseudonym: $n}) { pseudonym } }"


async def test_a_pseudonym_names_one_participant_per_project(world: World) -> None:
    owner, project = world.owner, world.ids["project"]
    before = await world.snapshot()
    clash = await owner.error(ADD, p=project, n=" amira ")
    assert clash["extensions"]["code"] == "CONFLICT" and "'amira'" in clash["message"], clash
    assert clash["extensions"]["existingId"] == world.ids["participant"]
    assert await world.snapshot() == before
    bea = (await owner.ok(ADD, p=project, n="Bea"))["addParticipant"]
    clash = await owner.error(RENAME, id=bea["id"], n="AMIRA")
    assert clash["extensions"]["code"] == "CONFLICT", clash
    assert (await owner.ok(RENAME, id=world.ids["participant"], n="AMIRA"))["updateParticipant"] == {
        "pseudonym": "AMIRA"
    }, "a participant may change the case of their own pseudonym"
    other = (await owner.ok('mutation { createProject(input: {name: "B"}) { id } }'))["createProject"]["id"]
    assert (await owner.ok(ADD, p=other, n="Amira"))["addParticipant"]["pseudonym"] == "Amira", "per project"
    blank = await owner.error(ADD, p=project, n="  ")
    assert blank["extensions"]["code"] == "BAD_USER_INPUT"

"""Pinned quotes over HTTP, on both adapters: pinQuote and unpinQuote, Code.pinnedQuotes and
Theme.pinnedQuotes, their refusals (changing nothing) and their history entries."""

from __future__ import annotations

from tests.schema.conftest import World

PIN = """mutation($t: ID!, $e: ID!, $at: Int) { pinQuote(targetId: $t, excerptId: $e, position: $at) {
  __typename ... on Theme { id pinnedQuotes { id text } } ... on Code { id pinnedQuotes { id text } } } }"""
UNPIN = "mutation($t: ID!, $e: ID!) { unpinQuote(targetId: $t, excerptId: $e) { __typename } }"
PINNED = """query($t: ID!, $c: ID!) { theme(id: $t) { pinnedQuotes { id text participant { pseudonym } } }
  code(id: $c) { pinnedQuotes { id } } }"""


async def test_pin_reorder_and_unpin_quotes(world: World) -> None:
    ids, ok = world.ids, world.owner.ok
    second = (
        await ok(
            "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 39, end: 61, codeIds: $c}) { id } }",
            d=ids["document"],
            c=[ids["code"]],
        )
    )["codeText"]["id"]
    first = ids["excerpt"]
    pinned = (await ok(PIN, t=ids["theme"], e=first))["pinQuote"]
    assert pinned["__typename"] == "Theme" and [q["id"] for q in pinned["pinnedQuotes"]] == [first]
    await ok(PIN, t=ids["theme"], e=second, at=0)
    on_code = (await ok(PIN, t=ids["code"], e=second))["pinQuote"]
    assert on_code["__typename"] == "Code" and [q["id"] for q in on_code["pinnedQuotes"]] == [second]
    read = await ok(PINNED, t=ids["theme"], c=ids["code"])
    assert [q["id"] for q in read["theme"]["pinnedQuotes"]] == [second, first]
    assert read["theme"]["pinnedQuotes"][1] == {"id": first, "text": "Inter", "participant": {"pseudonym": "Amira"}}
    assert [q["id"] for q in read["code"]["pinnedQuotes"]] == [second]

    before = await world.snapshot()
    refusals = [
        (PIN, {"t": ids["theme"], "e": first, "at": 2}, "BAD_USER_INPUT", "position"),
        (PIN, {"t": ids["theme"], "e": "no-such-excerpt"}, "NOT_FOUND", "no-such-excerpt"),
        (PIN, {"t": ids["memo"], "e": first}, "NOT_FOUND", ids["memo"]),
        (UNPIN, {"t": ids["code2"], "e": first}, "NOT_FOUND", first),
    ]
    for query, variables, code, named in refusals:
        body = await world.owner.post(query, **variables)
        [error] = body["errors"]
        assert error["extensions"]["code"] == code and named in (error["message"] + str(error["extensions"])), body
    assert await world.snapshot() == before
    assert [q["id"] for q in (await ok(PINNED, t=ids["theme"], c=ids["code"]))["theme"]["pinnedQuotes"]] == [
        second,
        first,
    ]

    await ok(PIN, t=ids["theme"], e=first, at=0)
    assert (await ok(UNPIN, t=ids["theme"], e=second))["unpinQuote"]["__typename"] == "Theme"
    assert [q["id"] for q in (await ok(PINNED, t=ids["theme"], c=ids["code"]))["theme"]["pinnedQuotes"]] == [first]
    history = await ok(
        "query($p: ID!, $t: ID!) { activity(projectId: $p, targetId: $t, first: 20) { edges { node { type summary } } } }",
        p=ids["project"],
        t=ids["theme"],
    )
    entries = [e["node"] for e in history["activity"]["edges"]]
    assert [e["type"] for e in entries[:4]] == [
        "excerpt.unpinned",
        "excerpt.pinned",
        "excerpt.pinned",
        "excerpt.pinned",
    ]
    assert entries[0]["summary"] == "unpinned quote \"scared they'd take her\" from theme 'T'"


REVERT = "mutation($a: ID!) { revert(activityId: $a) { type reverts summary } }"
LATEST = "query($p: ID!) { activity(projectId: $p, first: 1) { edges { node { id type } } } }"


async def test_pins_and_unpins_revert(world: World) -> None:
    ids, ok = world.ids, world.owner.ok

    async def latest() -> dict[str, str]:
        return (await ok(LATEST, p=ids["project"]))["activity"]["edges"][0]["node"]

    async def pinned() -> list[str]:
        return [q["id"] for q in (await ok(PINNED, t=ids["theme"], c=ids["code"]))["theme"]["pinnedQuotes"]]

    await ok(PIN, t=ids["theme"], e=ids["excerpt"])
    entry = await latest()
    undone = (await ok(REVERT, a=entry["id"]))["revert"]
    assert undone["type"] == "excerpt.unpinned" and undone["reverts"] == entry["id"] and await pinned() == []
    await ok(PIN, t=ids["theme"], e=ids["excerpt"])
    await ok(UNPIN, t=ids["theme"], e=ids["excerpt"])
    assert (await ok(REVERT, a=(await latest())["id"]))["revert"]["type"] == "excerpt.pinned"
    assert await pinned() == [ids["excerpt"]]

    entry = await latest()
    await ok(UNPIN, t=ids["theme"], e=ids["excerpt"])  # changed since: the revert is refused, nothing changes
    error = await world.owner.error(REVERT, a=entry["id"])
    assert error["extensions"]["code"] == "CONFLICT" and "changed since" in error["message"]
    assert await pinned() == []

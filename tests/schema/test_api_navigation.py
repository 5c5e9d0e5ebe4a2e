"""Navigation over HTTP, on both adapters: a theme's excerpts and the memos about a node."""

from __future__ import annotations

from tests.schema.conftest import World

THEME_EXCERPTS = """query($t: ID!, $first: Int, $after: String) {
  theme(id: $t) { excerptCount excerpts(first: $first, after: $after) {
    edges { cursor node { id start end } } pageInfo { hasNextPage endCursor } } }
}"""
MEMOS = """query($id: ID!, $first: Int, $after: String) {
  node(id: $id) { __typename
    ... on Code { memos(first: $first, after: $after) { ...page } }
    ... on Theme { memos(first: $first, after: $after) { ...page } }
    ... on Excerpt { memos(first: $first, after: $after) { ...page } }
    ... on Document { memos(first: $first, after: $after) { ...page } }
    ... on Participant { memos(first: $first, after: $after) { ...page } }
    ... on Link { memos(first: $first, after: $after) { ...page } }
  }
}
fragment page on MemoConnection { edges { cursor node { title target { id } } } pageInfo { hasNextPage endCursor } }"""


async def code_text(world: World, start: int, end: int, code: str, client: object = None) -> str:
    api = client or world.owner
    found = await api.ok(  # type: ignore[attr-defined]
        "mutation($d: ID!, $s: Int!, $e: Int!, $c: ID!) "
        "{ codeText(input: {documentId: $d, start: $s, end: $e, codeIds: [$c]}) { id } }",
        d=world.ids["document"],
        s=start,
        e=end,
        c=code,
    )
    return str(found["codeText"]["id"])


async def test_a_theme_lists_the_excerpts_of_its_codes_and_subthemes_page_by_page(world: World) -> None:
    ids = world.ids
    sub = (
        await world.owner.ok(
            'mutation($p: ID!, $t: ID!) { createTheme(input: {projectId: $p, name: "Sub", parentId: $t}) { id } }',
            p=ids["project"],
            t=ids["theme"],
        )
    )["createTheme"]["id"]
    await world.owner.ok(
        "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=ids["code2"], t=sub
    )
    later = await code_text(world, 30, 40, ids["code2"])
    await code_text(world, 10, 20, ids["code2"])
    earlier = (await world.owner.ok(THEME_EXCERPTS, t=ids["theme"], first=10))["theme"]
    assert earlier["excerptCount"] == 3
    listed = [e["node"]["start"] for e in earlier["excerpts"]["edges"]]
    assert listed == [0, 10, 30]

    seen, after = [], None
    while True:
        page = (await world.owner.ok(THEME_EXCERPTS, t=ids["theme"], first=2, after=after))["theme"]["excerpts"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [e["node"]["id"] for e in earlier["excerpts"]["edges"]] and seen[-1] == later

    sub_page = (await world.owner.ok(THEME_EXCERPTS, t=sub, first=10))["theme"]["excerpts"]["edges"]
    assert [e["node"]["start"] for e in sub_page] == [10, 30]
    error = await world.owner.error(THEME_EXCERPTS, t=ids["theme"], first=2, after="nope")
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Cursor" in error["message"]
    error = await world.owner.error(THEME_EXCERPTS, t=ids["theme"], first=100_000)
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


async def test_a_blind_analyst_sees_only_the_theme_excerpts_they_coded(world: World) -> None:
    ids = world.ids
    analyst, _ = await world.user("Blind", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=ids["project"]
    )
    assert (await analyst.ok(THEME_EXCERPTS, t=ids["theme"], first=10))["theme"]["excerpts"]["edges"] == []
    mine = await code_text(world, 30, 40, ids["code"], analyst)
    page = (await analyst.ok(THEME_EXCERPTS, t=ids["theme"], first=10))["theme"]
    assert [e["node"]["id"] for e in page["excerpts"]["edges"]] == [mine] and page["excerptCount"] == 1
    owners = (await world.owner.ok(THEME_EXCERPTS, t=ids["theme"], first=10))["theme"]["excerpts"]["edges"]
    assert len(owners) == 2


async def test_memos_are_reached_from_the_nodes_they_are_about(world: World) -> None:
    ids = world.ids
    for kind in ("theme", "excerpt", "document", "participant", "link"):
        for n in (1, 2):
            await world.owner.ok(
                "mutation($t: ID!, $title: String!) { addMemo(input: {targetId: $t, title: $title}) { id } }",
                t=ids[kind],
                title=f"{kind} {n}",
            )
    await world.owner.ok('mutation($t: ID!) { addMemo(input: {targetId: $t, title: "m2"}) { id } }', t=ids["code"])
    for kind, titles in [("code", ["m", "m2"])] + [
        (k, [f"{k} 1", f"{k} 2"]) for k in ("theme", "excerpt", "document", "participant", "link")
    ]:
        whole = (await world.owner.ok(MEMOS, id=ids[kind], first=5))["node"]["memos"]
        assert [e["node"]["title"] for e in whole["edges"]] == titles, kind
        assert {e["node"]["target"]["id"] for e in whole["edges"]} == {ids[kind]}
        assert not whole["pageInfo"]["hasNextPage"]
        first = (await world.owner.ok(MEMOS, id=ids[kind], first=1))["node"]["memos"]
        assert [e["node"]["title"] for e in first["edges"]] == titles[:1] and first["pageInfo"]["hasNextPage"]
        rest = (await world.owner.ok(MEMOS, id=ids[kind], first=1, after=first["pageInfo"]["endCursor"]))["node"]
        assert [e["node"]["title"] for e in rest["memos"]["edges"]] == titles[1:], kind
    assert (await world.owner.error(MEMOS, id=ids["code"], first=-1))["extensions"]["code"] == "BAD_USER_INPUT"

    outsider, _ = await world.user("Outsider")
    assert (await outsider.post(MEMOS, id=ids["code"], first=5))["data"]["node"] is None
    viewer, _ = await world.user("Viewer", "VIEWER")
    assert len((await viewer.ok(MEMOS, id=ids["code"], first=5))["node"]["memos"]["edges"]) == 2


COUNTS = """query($p: ID!, $c: ID!, $t: ID!) {
  code(id: $c) { excerptCount participantCount
    total: excerptCount(withDescendants: true) people: participantCount(withDescendants: true) }
  theme(id: $t) { excerptCount total: excerptCount(withDescendants: true) people: participantCount(withDescendants: true) }
  themeMap(projectId: $p, withDescendants: true) { nodes { id excerptCount participantCount } }
  plain: themeMap(projectId: $p) { nodes { id excerptCount } }
}"""


async def test_a_parent_code_counts_its_descendants_when_asked(world: World) -> None:
    ids = world.ids
    parent = (
        await world.owner.ok(
            'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Feelings", codable: false}) { id } }',
            p=ids["project"],
        )
    )["createCode"]["id"]
    for code in (ids["code"], ids["code2"]):
        await world.owner.ok(
            "mutation($c: ID!, $p: ID!) { updateCode(input: {id: $c, parentId: $p}) { id } }", c=code, p=parent
        )
    await code_text(world, 0, 5, ids["code2"])  # the excerpt coded Fear already: counted once
    await code_text(world, 30, 40, ids["code2"])
    theme = (
        await world.owner.ok(
            'mutation($p: ID!) { createTheme(input: {projectId: $p, name: "Feelings overall"}) { id } }',
            p=ids["project"],
        )
    )["createTheme"]["id"]
    await world.owner.ok(
        "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=parent, t=theme
    )
    found = await world.owner.ok(COUNTS, p=ids["project"], c=parent, t=theme)
    assert found["code"] == {"excerptCount": 0, "participantCount": 0, "total": 2, "people": 1}
    assert found["theme"] == {"excerptCount": 0, "total": 2, "people": 1}
    assert {"id": parent, "excerptCount": 2, "participantCount": 1} in found["themeMap"]["nodes"]
    assert {"id": parent, "excerptCount": 0} in found["plain"]["nodes"]

    analyst, _ = await world.user("Blind", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=ids["project"]
    )
    await code_text(world, 50, 60, ids["code"], analyst)
    theirs = await analyst.ok(COUNTS, p=ids["project"], c=parent, t=theme)
    assert theirs["code"] == {"excerptCount": 0, "participantCount": 0, "total": 1, "people": 1}
    assert theirs["theme"] == {"excerptCount": 0, "total": 1, "people": 1}

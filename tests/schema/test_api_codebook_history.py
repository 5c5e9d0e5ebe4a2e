"""The codebook as it was and the codebook diff, through GraphQL over HTTP on both adapters,
against answers worked by hand from the changes each test makes."""

from __future__ import annotations

from typing import Any

from tests.schema.conftest import World
from tests.schema.test_api_revert import LATEST, REVERT, latest

CODEBOOK_AT = """query($p: ID!, $at: HistoryPoint) { codebookAt(projectId: $p, point: $at) {
  at complete codes { id name description parentId } themes { id name status parentId codeIds } } }"""
DIFF = """query($p: ID!, $from: HistoryPoint!, $to: HistoryPoint) { codebookDiff(projectId: $p, from: $from, to: $to) {
  codes { id changes before { name } after { name parentId } mergedInto }
  themes { id changes before { name } after { name status } codesAdded codesRemoved }
  markdown } }"""
NOW = """query($p: ID!) { project(id: $p) { codes { id name parent { id } } themes { id name codes { id } } } }"""


async def make(world: World, kind: str, name: str, parent: str | None = None) -> str:
    field = "createCode" if kind == "code" else "createTheme"
    made = await world.owner.ok(
        f'mutation($p: ID!, $parent: ID) {{ {field}(input: {{projectId: $p, name: "{name}", parentId: $parent}}) {{ id }} }}',
        p=world.ids["project"],
        parent=parent,
    )
    return str(made[field]["id"])


async def book(world: World, point: dict[str, Any] | None = None) -> dict[str, Any]:
    return (await world.owner.ok(CODEBOOK_AT, p=world.ids["project"], at=point))["codebookAt"]


async def test_the_codebook_then_and_what_changed_since(world: World) -> None:
    ids = world.ids
    fear, hope, t = ids["code"], ids["code2"], ids["theme"]
    temp, sub, worry = (
        await make(world, "code", "Temp"),
        await make(world, "code", "Sub"),
        await make(world, "code", "Worry"),
    )
    x = await make(world, "theme", "X")
    then = (await latest(world))["id"]
    ok = world.owner.ok
    await ok('mutation($c: ID!) { updateCode(input: {id: $c, name: "Fear of judgement"}) { id } }', c=fear)
    await ok('mutation($c: ID!) { updateCode(input: {id: $c, description: "hoping"}) { id } }', c=hope)
    await ok("mutation($c: ID!, $h: ID!) { updateCode(input: {id: $c, parentId: $h}) { id } }", c=sub, h=hope)
    await ok("mutation($s: ID!, $t: ID!) { mergeCodes(sourceId: $s, targetId: $t) { id } }", s=worry, t=fear)
    await ok("mutation($c: ID!) { deleteCode(id: $c) }", c=temp)
    added = await make(world, "code", "Added")
    await ok("mutation($c: ID!) { deleteCode(id: $c) }", c=await make(world, "code", "Gone"))
    new = await make(world, "theme", "New")
    await ok('mutation($t: ID!) { updateTheme(input: {id: $t, name: "T2", status: DEFINED}) { id } }', t=t)
    await ok("mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=hope, t=t)
    await ok("mutation($t: ID!) { deleteTheme(id: $t) }", t=x)

    past = await book(world, {"entryId": then})
    assert past["complete"] and past["at"] is not None
    assert [(c["name"], c["parentId"]) for c in past["codes"]] == [
        ("Fear", None),
        ("Hope", None),
        ("Temp", None),
        ("Sub", None),
        ("Worry", None),
    ]
    assert [(th["name"], th["status"], th["codeIds"]) for th in past["themes"]] == [
        ("T", "CANDIDATE", [fear]),
        ("X", "CANDIDATE", []),
    ]
    assert await book(world, {"at": "2000-01-01T00:00:00Z"}) == {
        "at": None,
        "complete": True,
        "codes": [],
        "themes": [],
    }

    diff = (await ok(DIFF, p=ids["project"], **{"from": {"entryId": then}}))["codebookDiff"]
    codes = {c["id"]: c for c in diff["codes"]}
    assert {id: c["changes"] for id, c in codes.items()} == {
        fear: ["RENAMED"],
        hope: ["REDEFINED"],
        temp: ["DELETED"],
        sub: ["MOVED"],
        worry: ["MERGED"],
        added: ["ADDED"],
    }
    assert codes[worry]["mergedInto"] == fear and codes[worry]["after"] is None
    assert codes[sub]["after"]["parentId"] == hope and codes[added]["before"] is None
    themes = {th["id"]: th for th in diff["themes"]}
    assert {id: th["changes"] for id, th in themes.items()} == {
        t: ["RENAMED", "STATUS_CHANGED", "CODES_CHANGED"],
        x: ["DELETED"],
        new: ["ADDED"],
    }
    assert (themes[t]["codesAdded"], themes[t]["codesRemoved"]) == ([hope], [])
    markdown = diff["markdown"]
    for line in (
        "- Renamed **Fear** to **Fear of judgement**",
        "- Redefined **Hope**: (no definition) became “hoping”",
        "- Moved **Sub** from under the top level to under **Hope**",
        "- Merged **Worry** into **Fear of judgement**",
        "- Deleted **Temp**",
        "- Added **Added** under the top level",
        "- Codes of **T2**: added **Hope**; removed none",
        "- Status of **T2**: CANDIDATE became DEFINED",
        "- Deleted **X**",
    ):
        assert line in markdown.splitlines(), line

    same = (await ok(DIFF, p=ids["project"], **{"from": {"entryId": then}, "to": {"entryId": then}}))["codebookDiff"]
    assert (same["codes"], same["themes"]) == ([], [])
    assert "No changes." in same["markdown"]


async def test_the_codebook_now_matches_the_project_after_merges_deletions_and_reverts(world: World) -> None:
    ids = world.ids
    ok = world.owner.ok
    child = await make(world, "code", "Child", ids["code"])
    await make(world, "theme", "Sub", ids["theme"])
    await ok("mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=child, t=ids["theme"])
    await ok(
        "mutation($s: ID!, $t: ID!) { mergeCodes(sourceId: $s, targetId: $t) { id } }", s=ids["code"], t=ids["code2"]
    )
    merged = await latest(world)
    await ok(REVERT, a=merged["id"])
    await ok("mutation($c: ID!) { deleteCode(id: $c) }", c=ids["code"])
    await ok(REVERT, a=(await latest(world))["id"])
    await ok("mutation($t: ID!) { deleteTheme(id: $t) }", t=ids["theme"])
    await ok(REVERT, a=(await latest(world))["id"])
    await ok("mutation($s: ID!, $t: ID!) { mergeCodes(sourceId: $s, targetId: $t) { id } }", s=child, t=ids["code2"])
    now = (await ok(NOW, p=ids["project"]))["project"]
    replayed = await book(world)
    assert replayed["complete"]
    assert sorted((c["id"], c["name"], c["parentId"]) for c in replayed["codes"]) == sorted(
        (c["id"], c["name"], c["parent"] and c["parent"]["id"]) for c in now["codes"]
    )
    assert sorted((t["id"], t["name"], sorted(t["codeIds"])) for t in replayed["themes"]) == sorted(
        (t["id"], t["name"], sorted(c["id"] for c in t["codes"])) for t in now["themes"]
    )


async def test_points_must_be_one_thing_the_caller_may_see(world: World) -> None:
    ids = world.ids
    error = await world.owner.error(CODEBOOK_AT, p=ids["project"], at={"at": "2000-01-01T00:00:00Z", "entryId": "x"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "exactly one" in error["message"]
    error = await world.owner.error(CODEBOOK_AT, p=ids["project"], at={"entryId": "no-such-entry"})
    assert error["extensions"]["code"] == "NOT_FOUND"
    analyst, _ = await world.user("Analyst", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=ids["project"]
    )
    await world.owner.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=ids["excerpt"], c=ids["code2"]
    )
    others = (await world.owner.ok(LATEST, p=ids["project"]))["activity"]["edges"][0]["node"]
    assert others["type"] == "excerpt.coded"
    error = await analyst.error(CODEBOOK_AT, p=ids["project"], at={"entryId": others["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"  # as if it did not exist, like the history they are shown
    other_project = await world.owner.ok('mutation { createProject(input: {name: "B"}) { id } }')
    error = await world.owner.error(
        CODEBOOK_AT, p=other_project["createProject"]["id"], at={"entryId": (await latest(world))["id"]}
    )
    assert error["extensions"]["code"] == "NOT_FOUND"

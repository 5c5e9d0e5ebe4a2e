"""Blind coding over HTTP, on both adapters: while it is on, each ANALYST sees only their
own codings, everywhere they could show; the OWNER sees everything; turning it off
reveals all."""

from __future__ import annotations

from tests.schema.conftest import World

CODE_TEXT = (
    "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, end: $e, "
    "codeIds: $c}) { id } }"
)
LOOK = """query($p: ID!, $d: ID!, $c: ID!) {
  document(id: $d) { excerpts { id codings { coder { name } code { name } } } }
  code(id: $c) { excerptCount excerpts(first: 10) { edges { node { id } } } }
  caseMatrix(projectId: $p, columnIds: [$c]) { rows { cells { count } } }
  findExcerpts(projectId: $p, where: {anyOf: [$c]}) { edges { node { id } } }
  activity(projectId: $p, first: 50) { edges { node { type actor { name } } } }
}"""


async def test_blind_coding_keeps_analysts_apart(world: World) -> None:
    ids = world.ids
    first, first_id = await world.user("First", "ANALYST")
    second, second_id = await world.user("Second", "ANALYST")
    on = await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { blindCoding } }", p=ids["project"]
    )
    assert on["updateProject"]["blindCoding"] is True
    mine = (await first.ok(CODE_TEXT, d=ids["document"], s=10, e=20, c=[ids["code"]]))["codeText"]["id"]
    theirs = (await second.ok(CODE_TEXT, d=ids["document"], s=30, e=40, c=[ids["code"]]))["codeText"]["id"]
    shared = (await second.ok(CODE_TEXT, d=ids["document"], s=10, e=20, c=[ids["code2"]]))["codeText"]["id"]
    assert shared == mine, "the same span is one excerpt; the codings on it stay apart"

    seen = await first.ok(LOOK, p=ids["project"], d=ids["document"], c=ids["code"])
    excerpts = {e["id"]: e["codings"] for e in seen["document"]["excerpts"]}
    assert theirs not in excerpts
    assert excerpts[mine] == [{"coder": {"name": "First"}, "code": {"name": "Fear"}}]
    assert seen["code"]["excerptCount"] == 1
    assert [e["node"]["id"] for e in seen["code"]["excerpts"]["edges"]] == [mine]
    assert [c["count"] for r in seen["caseMatrix"]["rows"] for c in r["cells"]] == [1]
    assert [e["node"]["id"] for e in seen["findExcerpts"]["edges"]] == [mine]
    actors = {(e["node"]["type"], e["node"]["actor"]["name"]) for e in seen["activity"]["edges"]}
    assert ("excerpt.coded", "First") in actors and ("excerpt.coded", "Second") not in actors
    ask_by_coder = (
        "query($p: ID!, $c: ID!, $u: ID!) { findExcerpts(projectId: $p, where: "
        "{anyOf: [$c], coders: [$u]}) { edges { node { id } } } }"
    )
    own = await first.ok(ask_by_coder, p=ids["project"], c=ids["code"], u=first_id)
    assert [e["node"]["id"] for e in own["findExcerpts"]["edges"]] == [mine]
    # naming another coder is refused exactly as naming no one: the answer tells nothing about them
    theirs_refused = await first.error(ask_by_coder, p=ids["project"], c=ids["code"], u=second_id)
    nobody_refused = await first.error(ask_by_coder, p=ids["project"], c=ids["code"], u="nobody")
    assert theirs_refused["extensions"]["code"] == nobody_refused["extensions"]["code"] == "BAD_USER_INPUT"
    assert theirs_refused["message"] == nobody_refused["message"].replace("'nobody'", repr(second_id))
    error = await first.error(
        "query($p: ID!, $a: [ID!]!) { agreement(projectId: $p, coders: $a) { overall { units } } }",
        p=ids["project"],
        a=[ids["user"], second_id],
    )
    assert error["extensions"]["code"] == "FORBIDDEN"

    owner_view = await world.owner.ok(LOOK, p=ids["project"], d=ids["document"], c=ids["code"])
    assert owner_view["code"]["excerptCount"] == 3  # the owner's, First's and Second's
    await world.owner.ok(
        "query($p: ID!, $a: [ID!]!) { agreement(projectId: $p, coders: $a) { overall { units } } }",
        p=ids["project"],
        a=[ids["user"], second_id],
    )

    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: false}) { id } }", p=ids["project"]
    )
    revealed = await first.ok(LOOK, p=ids["project"], d=ids["document"], c=ids["code"])
    assert revealed["code"]["excerptCount"] == 3
    assert {e["id"] for e in revealed["document"]["excerpts"]} >= {mine, theirs}

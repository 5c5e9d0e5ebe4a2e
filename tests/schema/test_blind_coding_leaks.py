"""The ways blind coding used to leak, each tried over HTTP on both adapters: under blind
coding an ANALYST must learn nothing of another coder's codings, from any answer, any
provenance, or any cursor."""

from __future__ import annotations

import base64
import json

from tests.schema.conftest import World
from tests.schema.test_api_blind_coding import CODE_TEXT


async def blind_pair(world: World) -> tuple:
    """Two ANALYSTs under blind coding; the second has coded a span with code2 that the first never saw."""
    first, first_id = await world.user("First", "ANALYST")
    second, second_id = await world.user("Second", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=world.ids["project"]
    )
    theirs = (await second.ok(CODE_TEXT, d=world.ids["document"], s=30, e=40, c=[world.ids["code2"]]))["codeText"]["id"]
    return first, first_id, second, second_id, theirs


async def test_find_excerpts_and_participants_matching_show_only_own_codings(world: World) -> None:
    first, _, _, _, theirs = await blind_pair(world)
    p = world.ids["project"]
    found = await first.ok(
        "query($p: ID!) { findExcerpts(projectId: $p, where: {}) { edges { node { id } } } "
        "participantsMatching(projectId: $p, where: {}) { excerpts { id } } }",
        p=p,
    )
    assert theirs not in [e["node"]["id"] for e in found["findExcerpts"]["edges"]]
    assert theirs not in [e["id"] for m in found["participantsMatching"] for e in m["excerpts"]]


async def test_coding_another_coders_span_does_not_reveal_who_marked_it(world: World) -> None:
    first, first_id, _, second_id, theirs = await blind_pair(world)
    got = (
        await first.ok(
            "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 30, end: 40, "
            "codeIds: $c}) { id createdBy { id } updatedBy { id } createdAt codings { coder { id } } } }",
            d=world.ids["document"],
            c=[world.ids["code"]],
        )
    )["codeText"]
    assert got["id"] == theirs, "one excerpt per span, as always"
    assert got["createdBy"]["id"] == got["updatedBy"]["id"] == first_id != second_id
    assert [c["coder"]["id"] for c in got["codings"]] == [first_id]
    marked = (await world.owner.ok("query($e: ID!) { excerpt(id: $e) { createdAt } }", e=theirs))["excerpt"]
    assert got["createdAt"] != marked["createdAt"], "not even when someone else marked it"
    again = (await first.ok("query($e: ID!) { excerpt(id: $e) { createdBy { id } createdAt } }", e=theirs))["excerpt"]
    assert again["createdBy"]["id"] == first_id and again["createdAt"] != marked["createdAt"]


def decoded(cursor: str) -> list:
    return json.loads(base64.urlsafe_b64decode(cursor.encode()))


async def test_activity_pages_and_cursors_reveal_no_hidden_event(world: World) -> None:
    first, _, _, second_id, theirs = await blind_pair(world)
    p = world.ids["project"]
    hidden = (
        await world.owner.ok(
            "query($p: ID!, $a: ID!) { activity(projectId: $p, first: 50, actorId: $a) "
            "{ edges { node { id type } } } }",
            p=p,
            a=second_id,
        )
    )["activity"]["edges"]
    hidden_ids = {e["node"]["id"] for e in hidden if e["node"]["type"].startswith("excerpt.")}
    assert hidden_ids, "the owner sees the second coder's coding"
    for args in ({"actorId": second_id}, {"targetId": world.ids["code2"]}, {"targetId": theirs}, {}):
        after, seen = None, []
        while True:
            page = (
                await first.ok(
                    "query($p: ID!, $a: ID, $t: ID, $after: String) { activity(projectId: $p, first: 1, after: $after, "
                    "actorId: $a, targetId: $t) { edges { cursor node { id type } } pageInfo { hasNextPage endCursor } } }",
                    p=p,
                    a=args.get("actorId"),
                    t=args.get("targetId"),
                    after=after,
                )
            )["activity"]
            assert page["edges"] or not page["pageInfo"]["hasNextPage"], "no empty page that still goes on"
            seen += page["edges"]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = page["pageInfo"]["endCursor"]
        assert not hidden_ids & {e["node"]["id"] for e in seen}, args
        assert not hidden_ids & {decoded(e["cursor"])[1] for e in seen}, args

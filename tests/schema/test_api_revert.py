"""Reverting history entries through GraphQL over HTTP, on both adapters: every kind of change
undone and the project checked to be as it was, the conflicting cases, and who may."""

from __future__ import annotations

from typing import Any

import pytest

from graph import activity
from graph.inputs import CodedPassage, NewExcerpt
from graph.policy import Actor
from tests.schema.conftest import World
from tests.support import GraphQLClient

STATE = """query($p: ID!) { project(id: $p) {
  name description blindCoding members { role user { id } }
  participants { id pseudonym attributes documents { id } }
  documents { id title groups participant { id } turns { speaker role }
    excerpts { id start end codings { code { id } coder { id } } } }
  codes { id name description color parent { id } themes { id } }
  themes { id name description status parent { id } codes { id } }
  links { id kind label note source { ... on Code { id } ... on Theme { id } }
    target { ... on Code { id } ... on Theme { id } } evidence { id } }
  memos { id title body target { id } }
} }"""
ACTIVITY = "query($p: ID!) { activity(projectId: $p, first: 1) { edges { node { id type before reverts } } } }"
LATEST = "query($p: ID!) { activity(projectId: $p, first: 1) { edges { node { id type } } } }"
REVERT = "mutation($a: ID!) { revert(activityId: $a) { id type reverts summary before after } }"


async def state(world: World) -> dict[str, Any]:
    return await world.owner.ok(STATE, p=world.ids["project"])


async def latest(world: World) -> dict[str, str]:
    edges = (await world.owner.ok(LATEST, p=world.ids["project"]))["activity"]["edges"]
    return edges[0]["node"]


async def revert(client: GraphQLClient, entry: dict[str, str]) -> dict[str, Any]:
    return (await client.ok(REVERT, a=entry["id"]))["revert"]


async def undone(world: World, change: str, kind: str, **variables: Any) -> dict[str, Any]:
    """Make a change, check the history records it as `kind`, revert it, and check the project is as before."""
    before = await state(world)
    await world.owner.ok(change, **variables)
    entry = await latest(world)
    assert entry["type"] == kind
    made = await revert(world.owner, entry)
    assert made["reverts"] == entry["id"] and (await latest(world))["id"] == made["id"]
    after = await state(world)
    for part, was in before["project"].items():  # part by part, so that a failure says which
        assert after["project"][part] == was, (kind, part)
    return made


async def test_every_kind_of_change_is_undone(world: World) -> None:
    ids = world.ids
    p = ids["project"]
    # creations
    await undone(
        world, 'mutation($p: ID!) { createCode(input: {projectId: $p, name: "New"}) { id } }', "code.created", p=p
    )
    await undone(
        world, 'mutation($p: ID!) { createTheme(input: {projectId: $p, name: "N"}) { id } }', "theme.created", p=p
    )
    await undone(
        world,
        'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "B"}) { id } }',
        "participant.created",
        p=p,
    )
    await undone(
        world,
        'mutation($p: ID!) { addDocument(input: {projectId: $p, title: "D", text: "hello"}) { id } }',
        "document.created",
        p=p,
    )
    await undone(
        world,
        "mutation($d: ID!) { createExcerpt(input: {documentId: $d, start: 6, end: 9}) { id } }",
        "excerpt.created",
        d=ids["document"],
    )
    await undone(
        world,
        "mutation($a: ID!, $b: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: CONTRADICTS}) { id } }",
        "link.created",
        a=ids["code2"],
        b=ids["theme"],
    )
    await undone(
        world, 'mutation($t: ID!) { addMemo(input: {targetId: $t, title: "x"}) { id } }', "memo.created", t=ids["theme"]
    )
    # updates
    await undone(
        world,
        'mutation($c: ID!, $d: ID!) { updateCode(input: {id: $c, name: "Dread", parentId: $d, description: "d"}) { id } }',
        "code.updated",
        c=ids["code"],
        d=ids["code2"],
    )
    await undone(
        world,
        'mutation($t: ID!) { updateTheme(input: {id: $t, name: "U", status: DEFINED}) { id } }',
        "theme.updated",
        t=ids["theme"],
    )
    await undone(
        world,
        'mutation($l: ID!, $e: [ID!]) { updateLink(input: {id: $l, kind: OTHER, label: "l", evidenceExcerptIds: $e}) { id } }',
        "link.updated",
        l=ids["link"],
        e=[ids["excerpt"]],
    )
    await undone(
        world, 'mutation($m: ID!) { updateMemo(input: {id: $m, body: "b"}) { id } }', "memo.updated", m=ids["memo"]
    )
    await undone(
        world,
        'mutation($w: ID!) { updateParticipant(input: {id: $w, pseudonym: "Z", attributes: {age: 3}}) { id } }',
        "participant.updated",
        w=ids["participant"],
    )
    await undone(
        world,
        'mutation($d: ID!) { setDocumentGroups(documentId: $d, groups: ["g"]) { id } }',
        "document.updated",
        d=ids["document"],
    )
    await undone(
        world, "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", "project.updated", p=p
    )
    await undone(
        world,
        'mutation($d: ID!) { setSpeakerRole(documentId: $d, speaker: "Amira", role: PARTICIPANT) { id } }',
        "document.speaker_role_set",
        d=ids["document"],
    )
    # relations
    await undone(
        world,
        "mutation($e: ID!, $c: ID!) { uncodeExcerpt(excerptId: $e, codeId: $c) { id } }",
        "excerpt.uncoded",
        e=ids["excerpt"],
        c=ids["code"],
    )
    await undone(
        world,
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }",
        "excerpt.coded",
        e=ids["excerpt"],
        c=ids["code2"],
    )
    await undone(
        world,
        "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }",
        "theme.code_added",
        c=ids["code2"],
        t=ids["theme"],
    )
    await undone(
        world,
        "mutation($c: ID!, $t: ID!) { removeCodeFromTheme(codeId: $c, themeId: $t) { id } }",
        "theme.code_removed",
        c=ids["code"],
        t=ids["theme"],
    )
    # members
    _, ada = await world.user("Ada")
    await undone(
        world,
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: VIEWER) { role } }",
        "member.added",
        p=p,
        u=ada,
    )
    _, bo = await world.user("Bo", "ANALYST")
    await undone(
        world,
        "mutation($p: ID!, $u: ID!) { changeRole(projectId: $p, userId: $u, role: OWNER) { role } }",
        "member.changed",
        p=p,
        u=bo,
    )
    await undone(
        world, "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }", "member.removed", p=p, u=bo
    )


async def test_deletions_come_back_with_their_ids_and_relations(world: World) -> None:
    ids = world.ids
    p = ids["project"]
    child = await world.owner.ok(
        'mutation($p: ID!, $c: ID!) { createCode(input: {projectId: $p, name: "child", parentId: $c}) { id } }',
        p=p,
        c=ids["code"],
    )
    sub = await world.owner.ok(
        'mutation($p: ID!, $t: ID!) { createTheme(input: {projectId: $p, name: "Sub", parentId: $t}) { id } }',
        p=p,
        t=ids["theme"],
    )
    await world.owner.ok(
        "mutation($l: ID!, $e: [ID!]) { updateLink(input: {id: $l, evidenceExcerptIds: $e}) { id } }",
        l=ids["link"],
        e=[ids["excerpt"]],
    )
    await world.owner.ok('mutation($t: ID!) { addMemo(input: {targetId: $t, title: "on link"}) { id } }', t=ids["link"])
    await world.owner.ok('mutation($t: ID!) { addMemo(input: {targetId: $t, title: "on e"}) { id } }', t=ids["excerpt"])
    await world.owner.ok(
        "mutation($a: ID!, $b: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: PART_OF}) { id } }",
        a=ids["code2"],
        b=ids["theme"],
    )
    assert child and sub
    await undone(world, "mutation($c: ID!) { deleteCode(id: $c) }", "code.deleted", c=ids["code"])
    await undone(world, "mutation($t: ID!) { deleteTheme(id: $t) }", "theme.deleted", t=ids["theme"])
    await undone(world, "mutation($e: ID!) { deleteExcerpt(id: $e) }", "excerpt.deleted", e=ids["excerpt"])
    await undone(world, "mutation($l: ID!) { unlink(id: $l) }", "link.deleted", l=ids["link"])
    await undone(world, "mutation($m: ID!) { deleteMemo(id: $m) }", "memo.deleted", m=ids["memo"])
    await undone(world, "mutation($w: ID!) { deleteParticipant(id: $w) }", "participant.deleted", w=ids["participant"])
    await world.owner.ok(  # the target of the merge has the source's coding already: it keeps it
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=ids["excerpt"], c=ids["code2"]
    )
    await world.owner.ok(
        "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=ids["code2"], t=ids["theme"]
    )
    await undone(
        world,
        "mutation($s: ID!, $t: ID!) { mergeCodes(sourceId: $s, targetId: $t) { id } }",
        "code.merged",
        s=ids["code"],
        t=ids["code2"],
    )
    # a revert is itself reverted like any change: the restored code goes again, with what came back with it
    before = await state(world)
    await world.owner.ok("mutation($c: ID!) { deleteCode(id: $c) }", c=ids["code"])
    deleted = await state(world)
    restored = await revert(world.owner, await latest(world))
    assert restored["type"] == "code.restored" and await state(world) == before
    again = await revert(world.owner, restored)
    assert again["type"] == "code.deleted" and await state(world) == deleted


async def test_changes_that_later_work_depends_on_answer_conflict(world: World) -> None:
    ids = world.ids
    p = ids["project"]
    made = await world.owner.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Later"}) { id } }', p=p)
    created = await latest(world)
    coded = await world.owner.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }",
        e=ids["excerpt"],
        c=made["createCode"]["id"],
    )
    assert coded
    recoded = await latest(world)
    before = await state(world)
    error = await world.owner.error(REVERT, a=created["id"])
    assert error["extensions"]["code"] == "CONFLICT", error
    assert [c["id"] for c in error["extensions"]["conflicts"]] == [recoded["id"]]
    assert error["extensions"]["conflicts"][0]["type"] == "excerpt.coded"
    assert await state(world) == before

    await world.owner.ok(
        "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=ids["code2"], t=ids["theme"]
    )
    added = await latest(world)
    await world.owner.ok("mutation($t: ID!) { deleteTheme(id: $t) }", t=ids["theme"])
    gone = await latest(world)
    error = await world.owner.error(REVERT, a=added["id"])
    assert error["extensions"]["code"] == "CONFLICT"
    assert [c["id"] for c in error["extensions"]["conflicts"]] == [gone["id"]]

    await world.owner.ok('mutation($c: ID!) { updateCode(input: {id: $c, name: "One"}) { id } }', c=ids["code2"])
    first = await latest(world)
    await world.owner.ok('mutation($c: ID!) { updateCode(input: {id: $c, description: "two"}) { id } }', c=ids["code2"])
    second = await latest(world)
    before = await state(world)
    error = await world.owner.error(REVERT, a=first["id"])
    assert error["extensions"]["code"] == "CONFLICT" and "changed again" in error["message"]
    assert [c["id"] for c in error["extensions"]["conflicts"]] == [second["id"]]
    assert await state(world) == before

    await world.owner.ok("mutation($c: ID!) { deleteCode(id: $c) }", c=ids["code2"])
    deleted = await latest(world)
    await world.owner.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "One"}) { id } }', p=p)
    error = await world.owner.error(REVERT, a=deleted["id"])  # its name is taken since
    assert error["extensions"]["code"] == "CONFLICT" and "already exists" in error["message"]


async def test_entries_without_an_inverse_are_refused(world: World) -> None:
    ids = world.ids
    p = ids["project"]
    history = await world.owner.ok(
        "query($p: ID!) { activity(projectId: $p, first: 100) { edges { node { id type } } } }", p=p
    )
    created = history["activity"]["edges"][-1]["node"]
    assert created["type"] == "project.created"
    error = await world.owner.error(REVERT, a=created["id"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "deleteProject" in error["message"]
    passage = CodedPassage(
        coder_id=ids["user"], code_ids=(ids["code2"],), excerpt=NewExcerpt(document_id=ids["document"], start=1, end=4)
    )
    await world.service.code_passages(Actor(ids["user"]), p, [passage])
    error = await world.owner.error(REVERT, a=(await latest(world))["id"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "bulk" in error["message"]
    await world.owner.ok("mutation($d: ID!) { deleteDocument(id: $d) }", d=ids["document"])
    error = await world.owner.error(REVERT, a=(await latest(world))["id"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "import the document again" in error["message"]
    error = await world.owner.error(REVERT, a="no-such-entry")
    assert error["extensions"]["code"] == "NOT_FOUND"
    # an entry from before deletions kept what went with the node: read as it was, not restorable
    code = (await world.service.store.get_codes([ids["code2"]]))[ids["code2"]]
    legacy = activity.deleted(ids["user"], code)
    await world.service.store.write(lambda tx: tx.append([legacy]))
    shown = (await world.owner.ok(ACTIVITY, p=p))["activity"]["edges"][0]["node"]
    assert shown["type"] == "code.deleted" and shown["before"]["name"] == "Hope" and shown["reverts"] is None
    error = await world.owner.error(REVERT, a=legacy.id)
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "recorded before" in error["message"]


async def test_blind_analysts_read_only_their_own_codings_in_deletions(world: World) -> None:
    ids = world.ids
    p = ids["project"]
    analyst, analyst_id = await world.user("Analyst", "ANALYST")
    await analyst.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=ids["excerpt"], c=ids["code"]
    )
    await world.owner.ok("mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=p)
    await world.owner.ok("mutation($c: ID!) { deleteCode(id: $c) }", c=ids["code"])
    entry = (await world.owner.ok(ACTIVITY, p=p))["activity"]["edges"][0]["node"]
    coders = {c["coder_id"] for c in entry["before"]["removed"]["codings"]}
    assert coders == {ids["user"], analyst_id}
    seen = (await analyst.ok(ACTIVITY, p=p))["activity"]["edges"][0]["node"]
    assert seen["id"] == entry["id"]
    assert [c["coder_id"] for c in seen["before"]["removed"]["codings"]] == [analyst_id]
    error = await analyst.error(REVERT, a=entry["id"])  # restoring the OWNER's coding needs an OWNER
    assert error["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("blind", [False, True])
async def test_who_may_revert(world: World, blind: bool) -> None:
    ids = world.ids
    p = ids["project"]
    analyst, analyst_id = await world.user("Analyst", "ANALYST")
    viewer, _ = await world.user("Viewer", "VIEWER")
    outsider, _ = await world.user("Outsider")
    if blind:
        await world.owner.ok("mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=p)
    await world.owner.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=ids["excerpt"], c=ids["code2"]
    )
    owners_coding = await latest(world)
    for client, code in (
        (outsider, "NOT_FOUND"),
        (viewer, "FORBIDDEN"),
        (analyst, "NOT_FOUND" if blind else "FORBIDDEN"),
    ):
        error = await client.error(REVERT, a=owners_coding["id"])
        assert error["extensions"]["code"] == code, error
    await analyst.ok('mutation($c: ID!) { updateCode(input: {id: $c, name: "Mine"}) { id } }', c=ids["code2"])
    mine = await latest(world)
    made = await revert(analyst, mine)
    assert made["type"] == "code.updated" and made["after"]["name"] == "Hope"
    await analyst.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=ids["excerpt"], c=ids["code"]
    )
    my_coding = await latest(world)
    assert (await revert(analyst, my_coding))["type"] == "excerpt.uncoded"
    undo = await world.owner.ok(REVERT, a=owners_coding["id"])
    assert undo["revert"]["before"] == {"coder": ids["user"], "code_ids": [ids["code2"]]}
    assert analyst_id

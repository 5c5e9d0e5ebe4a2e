"""The access policy, entry point by entry point, for every kind of caller, on both adapters.

`POLICY` names what every GraphQL field, subscription and HTTP route needs. The tests
enumerate the schema and the app's routes: a field or route without an entry fails, so a
new entry point cannot ship without a decision. Each entry is then tried (with the probes
of test_api_access, which name project A's nodes) by an outsider, a member removed from
the project, a VIEWER, an ANALYST under blind coding, an ANALYST and the OWNER, in that
order, and the answer must match the role table of graph/policy.py (and the README).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import httpx
import pytest
from starlette.routing import Mount, Route, WebSocketRoute

from api.app import create_app
from api.settings import Settings
from tests.schema.conftest import TEXT, World
from tests.schema.test_api_access import INTROSPECT, Arguments, operation


class Needs(Enum):
    OPEN = "any signed-in user"
    READ = "VIEWER"
    READ_SEEING_CODERS = "VIEWER, and not blind to other coders"
    EDIT = "ANALYST"
    REMOVE_OTHERS_WORK = "OWNER (the probe removes the OWNER's work)"
    ADMIN = "OWNER"


POLICY: dict[str, Needs] = {
    # queries
    "Query.me": Needs.OPEN,
    "Query.projects": Needs.OPEN,
    "Query.users": Needs.OPEN,  # a search only; names, never emails (see the README)
    **{
        f"Query.{f}": Needs.READ
        for f in (
            "project",
            "participant",
            "document",
            "excerpt",
            "code",
            "theme",
            "link",
            "memo",
            "node",
            "themeMap",
            "cooccurrence",
            "cooccurrenceTable",
            "caseMatrix",
            "compareGroups",
            "findExcerpts",
            "participantsMatching",
            "sequences",
            "conceptPaths",
            "search",
            "activity",
            "codebookAt",
            "codebookDiff",
            "saturation",
            "conceptNetwork",
            "mapPositions",
        )
    },
    "Query.agreement": Needs.READ_SEEING_CODERS,
    # mutations
    "Mutation.createProject": Needs.OPEN,
    **{
        f"Mutation.{f}": Needs.ADMIN
        for f in ("addMember", "changeRole", "removeMember", "updateProject", "deleteProject")
    },
    **{
        f"Mutation.{f}": Needs.EDIT
        for f in (
            "addParticipant",
            "updateParticipant",
            "addDocument",
            "setSpeakerRole",
            "setDocumentGroups",
            "createExcerpt",
            "codeExcerpt",
            "codeText",
            "createCode",
            "updateCode",
            "createTheme",
            "updateTheme",
            "addCodeToTheme",
            "removeCodeFromTheme",
            "linkConcepts",
            "updateLink",
            "addMemo",
            "updateMemo",
            "pinQuote",
            "unpinQuote",
            "saveMapPositions",
        )
    },
    **{
        f"Mutation.{f}": Needs.REMOVE_OTHERS_WORK
        for f in (
            "deleteParticipant",
            "deleteDocument",
            "deleteExcerpt",
            "deleteCode",
            "mergeCodes",
            "deleteTheme",
            "unlink",
            "deleteMemo",
            "uncodeExcerpt",
            "revert",
            "updateExcerpt",
        )
    },  # the uncodeExcerpt probe names another coder (coderId); the revert probe undoes the OWNER's memo; the
    # updateExcerpt probe moves the OWNER's excerpt
    # subscriptions
    "Subscription.projectEvents": Needs.READ,
    # HTTP routes
    "GET /projects/{project_id}/{what}": Needs.READ,
    "POST /projects/{project_id}/import": Needs.EDIT,
    "GET /graphql": Needs.OPEN,
    "POST /graphql": Needs.OPEN,
    "WS /graphql": Needs.OPEN,
    "GET /healthz": Needs.OPEN,
    "GET /readyz": Needs.OPEN,
    "GET /": Needs.OPEN,
    "GET /static": Needs.OPEN,
}
"""What each entry point needs of the caller in the project it names."""

CALLERS = ("outsider", "removed", "viewer", "blind analyst", "analyst", "owner")
ROLE_OF = {"viewer": "VIEWER", "blind analyst": "ANALYST", "analyst": "ANALYST", "owner": "OWNER"}
RANK = {"VIEWER": 0, "ANALYST": 1, "OWNER": 2}
NEEDED = {
    Needs.READ: "VIEWER",
    Needs.READ_SEEING_CODERS: "VIEWER",
    Needs.EDIT: "ANALYST",
    Needs.REMOVE_OTHERS_WORK: "OWNER",
    Needs.ADMIN: "OWNER",
}


def allowed(caller: str, needs: Needs) -> bool:
    if needs is Needs.OPEN:
        return True
    if caller not in ROLE_OF:
        return False
    if needs is Needs.READ_SEEING_CODERS and caller == "blind analyst":
        return False
    return RANK[ROLE_OF[caller]] >= RANK[NEEDED[needs]]


def app_routes(settings: Settings) -> set[str]:
    """Every route of the app, as METHOD PATH (WS for websockets, GET for mounted static files)."""
    out = set()
    for route in create_app(settings).routes:
        if isinstance(route, WebSocketRoute):
            out.add(f"WS {route.path}")
        elif isinstance(route, Mount):
            out.add(f"GET {route.path}")
        elif isinstance(route, Route):
            out |= {f"{m} {route.path}" for m in (route.methods or ()) if m != "HEAD"}
    return out


async def test_every_entry_point_has_a_policy_entry(world: World, settings: Settings) -> None:
    schema = (await world.owner.ok(INTROSPECT + " "))["__schema"]
    fields = {
        f"{kind.capitalize()}.{f['name']}" for kind in ("query", "mutation") for f in schema[f"{kind}Type"]["fields"]
    }
    subscriptions = await world.owner.ok("{ __schema { subscriptionType { fields { name } } } }")
    fields |= {f"Subscription.{f['name']}" for f in subscriptions["__schema"]["subscriptionType"]["fields"]}
    entry_points = fields | app_routes(settings)
    assert entry_points - set(POLICY) == set(), "give each new entry point its line in POLICY (and the README)"
    assert set(POLICY) - entry_points == set(), "POLICY names entry points that no longer exist"


async def callers(world: World) -> dict[str, tuple[Any, str]]:
    """A client for each kind of caller (the removed member was an ANALYST until just now)."""
    out = {"owner": (world.owner, world.ids["user"])}
    out["outsider"] = await world.user("Outsider")
    for caller in ("viewer", "blind analyst", "analyst"):
        out[caller] = await world.user(caller.title(), ROLE_OF[caller])
    out["removed"] = await world.user("Removed", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }",
        p=world.ids["project"],
        u=out["removed"][1],
    )
    return out


async def set_blind(world: World, on: bool) -> None:
    await world.owner.ok(
        "mutation($p: ID!, $b: Boolean) { updateProject(input: {id: $p, blindCoding: $b}) { id } }",
        p=world.ids["project"],
        b=on,
    )


def outcome(body: dict, name: str) -> tuple[set[str], Any]:
    codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
    return codes, (body.get("data") or {}).get(name)


async def test_graphql_fields_follow_the_policy_for_every_caller(world: World) -> None:
    schema = (await world.owner.ok(INTROSPECT))["__schema"]
    clients = await callers(world)
    world.ids["coder"] = clients["analyst"][1]  # agreement's second coder
    args = Arguments(schema, world.ids)
    probes = [
        (kind, f["name"], *operation(kind, f, args))
        for kind in ("query", "mutation")
        for f in schema[f"{kind}Type"]["fields"]
    ]
    probes.sort(key=lambda p: p[1] == "deleteProject")  # the owner deletes the project last
    for caller in CALLERS:
        await set_blind(world, caller == "blind analyst")
        client, _ = clients[caller]
        for kind, name, query, variables in probes:
            needs = POLICY[f"{kind.capitalize()}.{name}"]
            codes, data = outcome(await client.post(query, **variables), name)
            where = (caller, name, codes, data)
            assert "UNAUTHENTICATED" not in codes, where
            if allowed(caller, needs):
                assert "FORBIDDEN" not in codes, where
                if kind == "query":
                    assert not codes, where
            elif caller in ("outsider", "removed"):
                assert codes <= {"NOT_FOUND", "LIMIT_EXCEEDED"} and data in (None, []), where
                assert codes or kind == "query", where
            else:
                assert codes == {"FORBIDDEN"}, where


async def test_file_routes_follow_the_policy_for_every_caller(world: World) -> None:
    clients = await callers(world)
    project = world.ids["project"]
    export = (await world.owner.http.get(f"/projects/{project}/export.qdpx")).content
    for caller in CALLERS:
        await set_blind(world, caller == "blind analyst")
        http: httpx.AsyncClient = clients[caller][0].http
        for what in ("export.qdpx", "codebook.qdc", "report.md", "report.docx", "case-matrix.csv", "cooccurrence.csv"):
            response = await http.get(f"/projects/{project}/{what}")
            expected = 200 if allowed(caller, POLICY["GET /projects/{project_id}/{what}"]) else 404
            assert response.status_code == expected, (caller, what, response.text)
        needs = POLICY["POST /projects/{project_id}/import"]
        expected = 200 if allowed(caller, needs) else 404 if caller in ("outsider", "removed") else 403
        for name, data in (("a.qdpx", export), ("a.vtt", CAPTIONS)):
            response = await http.post(f"/projects/{project}/import", files={"file": (name, data)})
            assert response.status_code == expected, (caller, name, response.text)


CAPTIONS = b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Amira>I was scared.\n"
TURNS = """query($d: ID!, $p: ID!) {
  document(id: $d) { turns { speaker start end text role } }
  findExcerpts(projectId: $p, where: {spokenBy: PARTICIPANT}) { edges { node { id } } }
  participantsMatching(projectId: $p, where: {spokenBy: PARTICIPANT}) { participant { id } }
  search(projectId: $p, text: "scared", spokenBy: PARTICIPANT) { edges { node { text } } }
}"""


async def test_speaker_turns_follow_the_policy_for_every_caller(world: World) -> None:
    """Turns are read as their document is, and keeping to what speakers with a role say is a
    question like any other: a VIEWER (blind or not) gets the same answer as the OWNER, anyone else
    none; marking a speaker is an edit (the probes of the test above try it)."""
    ids = world.ids
    await world.owner.ok(
        'mutation($d: ID!) { setSpeakerRole(documentId: $d, speaker: "Amira", role: PARTICIPANT) { id } }',
        d=ids["document"],
    )
    await world.owner.ok(
        "mutation($d: ID!, $s: Int!, $e: Int!, $c: ID!) "
        "{ codeText(input: {documentId: $d, start: $s, end: $e, codeIds: [$c]}) { id } }",
        d=ids["document"],
        s=TEXT.index("scared"),
        e=TEXT.index("scared") + len("scared"),
        c=ids["code"],
    )
    expected = await world.owner.ok(TURNS, d=ids["document"], p=ids["project"])
    assert [t["speaker"] for t in expected["document"]["turns"]] == ["Interviewer", "Amira"]
    assert expected["search"]["edges"] == [{"node": {"text": "scared"}}]
    clients = await callers(world)
    for caller in CALLERS:
        await set_blind(world, caller == "blind analyst")
        body = await clients[caller][0].post(TURNS, d=ids["document"], p=ids["project"])
        if allowed(caller, Needs.READ):
            assert "errors" not in body, (caller, body)
            assert body["data"]["document"] == expected["document"], caller
            assert body["data"]["search"] == expected["search"], caller
        else:
            assert {e["extensions"]["code"] for e in body["errors"]} == {"NOT_FOUND"}, (caller, body)
            assert (body.get("data") or {}).get("document") is None, caller


@pytest.mark.parametrize("caller", ["outsider", "removed", "viewer"])
async def test_open_routes_need_no_role(world: World, caller: str) -> None:
    clients = await callers(world)
    http: httpx.AsyncClient = clients[caller][0].http
    for path in ("/healthz", "/readyz", "/"):
        assert (await http.get(path)).status_code == 200, path


async def test_an_analyst_cannot_remove_another_coders_work_through_their_own_nodes(world: World) -> None:
    """The ANALYST made the participant, document, excerpt and code; a colleague coded with them.
    Every delete or merge that would take the colleague's codings with it needs an OWNER."""
    mine, _ = await world.user("Mine", "ANALYST")
    colleague, _ = await world.user("Colleague", "ANALYST")
    p = world.ids["project"]
    who = (await mine.ok('mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "Bea"}) { id } }', p=p))[
        "addParticipant"
    ]["id"]
    doc = (
        await mine.ok(
            'mutation($p: ID!, $w: ID!) { addDocument(input: {projectId: $p, participantId: $w, title: "B", '
            'text: "Bea: it was hard, then it got better."}) { id } }',
            p=p,
            w=who,
        )
    )["addDocument"]["id"]
    code = (await mine.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Hard"}) { id } }', p=p))[
        "createCode"
    ]["id"]
    other = (await mine.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Better"}) { id } }', p=p))[
        "createCode"
    ]["id"]
    excerpt = (
        await mine.ok(
            "mutation($d: ID!) { createExcerpt(input: {documentId: $d, start: 0, end: 10}) { id } }",
            d=doc,
        )
    )["createExcerpt"]["id"]
    await colleague.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }",
        e=excerpt,
        c=code,
    )
    before = await world.snapshot()
    for query, variables in [
        ("mutation($id: ID!) { deleteExcerpt(id: $id) }", {"id": excerpt}),
        ("mutation($id: ID!) { deleteDocument(id: $id) }", {"id": doc}),
        ("mutation($id: ID!) { deleteCode(id: $id) }", {"id": code}),
        ("mutation($a: ID!, $b: ID!) { mergeCodes(sourceId: $a, targetId: $b) { id } }", {"a": code, "b": other}),
    ]:
        error = await mine.error(query, **variables)
        assert error["extensions"]["code"] == "FORBIDDEN" and "OWNER" in error["message"], (query, error)
    assert await world.snapshot() == before
    assert "deleteParticipant" in (await mine.ok("mutation($id: ID!) { deleteParticipant(id: $id) }", id=who))
    await world.owner.ok("mutation($id: ID!) { deleteCode(id: $id) }", id=code)

"""Identity and access over HTTP, on both adapters: tokens, roles, isolation.

The isolation tests enumerate every query and mutation field from introspection, build
valid arguments naming project A's nodes, and check that an outsider learns and
changes nothing, and that a VIEWER changes nothing."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from api.auth import issue_token
from api.settings import Settings
from tests.schema.conftest import World, populate
from tests.support import new_user, serve_in_process


async def test_requests_without_a_valid_token_are_unauthenticated(world: World) -> None:
    for token in (None, "tm_not-a-token"):
        error = await world.client(token).error("{ projects { id } }")
        assert error["extensions"]["code"] == "UNAUTHENTICATED" and "Bearer" in error["message"]
    user, token = await new_user(world.service, "Revoked")
    assert (await world.client(token).ok("{ me { name } }"))["me"] == {"name": "Revoked"}
    await world.service.set_token_hash(user.id, None)
    assert (await world.client(token).error("{ me { name } }"))["extensions"]["code"] == "UNAUTHENTICATED"
    fresh = await issue_token(world.service, user.id)
    assert (await world.client(fresh).ok("{ me { name } }"))["me"] == {"name": "Revoked"}
    schema = await world.client(None).ok("{ __schema { queryType { name } } }")
    assert schema == {"__schema": {"queryType": {"name": "Query"}}}, "introspection needs no token"


def _unwrap(t: dict) -> dict:
    while t["kind"] in ("NON_NULL", "LIST"):
        t = t["ofType"]
    return t


INTROSPECT = """{ __schema { types { name kind inputFields { name type { ...T } } enumValues { name } }
  queryType { fields { name args { name type { ...T } } type { ...T } } }
  mutationType { fields { name args { name type { ...T } } type { ...T } } } } }
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"""

ID_BY_FIELD = {
    "projectId": "project",
    "documentId": "document",
    "excerptId": "excerpt",
    "codeId": "code",
    "themeId": "theme",
    "participantId": "participant",
    "sourceId": "code",
    "targetId": "code2",
    "userId": "user",
    "activityId": "activity",
    "entryId": "activity",
    "from": "code",
    "to": "code2",
    "first": "code",
    "then": "code2",
}
ID_LISTS = {
    "codeIds": "code",
    "themeIds": "theme",
    "documentIds": "document",
    "evidenceExcerptIds": "excerpt",
    "columnIds": "code",
    "coders": "user",
    "participantIds": "participant",
    "allOf": "code",
}


class Arguments:
    """Valid arguments for any field, naming project A's nodes."""

    def __init__(self, schema: dict, ids: dict[str, str]) -> None:
        self.types = {t["name"]: t for t in schema["types"]}
        self.ids = ids

    def value(self, field: str, name: str, type_: dict, owner: str) -> Any:
        required = type_["kind"] == "NON_NULL"
        is_list = (
            _unwrap(type_) is not type_ and (type_.get("ofType") or {}).get("kind") == "LIST" or type_["kind"] == "LIST"
        )
        base = _unwrap(type_)
        if name == "coders":  # optional coders would name others, whom blind coding hides from an ANALYST
            return [self.ids["user"], self.ids["coder"]] if required else None
        if name == "speaker":
            return "Amira"  # a speaker of the document's turns
        if name in ID_LISTS:
            return [self.ids[ID_LISTS[name]]]
        if base["name"] == "ID":
            if name == "id":
                return self.ids[self._kind_of(owner or field)]
            return self.ids.get(ID_BY_FIELD.get(name, ""), self.ids["code"])
        if base["kind"] == "INPUT_OBJECT":
            fields = self.types[base["name"]]["inputFields"]
            built = {
                f["name"]: self.value(field, f["name"], f["type"], base["name"])
                for f in fields
                if f["type"]["kind"] == "NON_NULL" or f["name"] in ("start", "end", "codeIds", "entryId")
            }
            return [built] if is_list else built
        if not required and name not in ("attribute", "text"):
            return None
        scalar = {"String": "social", "Int": 1, "Float": 1.0, "Boolean": True, "JSON": {}}.get(base["name"])
        if base["kind"] == "ENUM":
            scalar = self.types[base["name"]]["enumValues"][0]["name"]
        if name == "end":
            scalar = 5
        if name == "start":
            scalar = 0
        return [scalar] if is_list else scalar

    @staticmethod
    def _kind_of(name: str) -> str:
        lowered = name.lower()
        for kind in ("participant", "document", "excerpt", "memo", "link", "theme", "project", "code"):
            if kind in lowered:
                return kind
        return "code2" if lowered in ("unlink",) else "code"


def operation(kind: str, field: dict, args: Arguments) -> tuple[str, dict]:
    variables, params, passed = {}, [], []
    for a in field["args"]:
        value = args.value(field["name"], a["name"], a["type"], field["name"])
        if value is None:
            continue
        variables[a["name"]] = value
        params.append(f"${a['name']}: {type_text(a['type'])}")
        passed.append(f"{a['name']}: ${a['name']}")
    base = _unwrap(field["type"])
    selection = " { __typename }" if base["kind"] in ("OBJECT", "INTERFACE", "UNION") else ""
    head = f"{kind} Probe({', '.join(params)})" if params else kind
    call = f"{field['name']}({', '.join(passed)})" if passed else field["name"]
    return f"{head} {{ {call}{selection} }}", variables


def type_text(t: dict) -> str:
    if t["kind"] == "NON_NULL":
        return type_text(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return f"[{type_text(t['ofType'])}]"
    return t["name"]


@pytest.fixture
async def probes(world: World) -> dict[str, list[tuple[str, str, dict]]]:
    schema = (await world.owner.ok(INTROSPECT))["__schema"]
    _, world.ids["coder"] = await world.user("Second coder", "ANALYST")  # agreement needs two coders
    args = Arguments(schema, world.ids)
    return {
        kind: [(f["name"], *operation(kind, f, args)) for f in schema[f"{kind}Type"]["fields"]]
        for kind in ("query", "mutation")
    }


async def test_every_probe_is_a_valid_operation_for_the_owner(world: World, probes: dict) -> None:
    """The probes themselves are right: the owner's queries answer without errors."""
    for name, query, variables in probes["query"]:
        body = await world.owner.post(query, **variables)
        assert "errors" not in body, (name, query, variables, body)


async def test_an_outsider_sees_nothing_and_changes_nothing(world: World, probes: dict) -> None:
    outsider, _ = await world.user("Outsider")
    before = await world.snapshot()
    for kind in ("query", "mutation"):
        for name, query, variables in probes[kind]:
            if name in ("me", "users", "createProject"):  # open to anyone signed in
                continue
            body = await outsider.post(query, **variables)
            data = (body.get("data") or {}).get(name)
            codes = {e["extensions"]["code"] for e in body.get("errors", [])}
            assert data in (None, []), (name, body)
            assert codes <= {"FORBIDDEN", "NOT_FOUND"}, (name, body)
            assert codes or kind == "query", (name, body)
    assert await world.snapshot() == before


async def test_a_viewer_reads_but_changes_nothing(world: World, probes: dict) -> None:
    viewer, _ = await world.user("Viewer", "VIEWER")
    before = await world.snapshot()
    for name, query, variables in probes["query"]:
        body = await viewer.post(query, **variables)
        assert "errors" not in body, (name, body)
    for name, query, variables in probes["mutation"]:
        if name == "createProject":
            continue
        body = await viewer.post(query, **variables)
        assert {e["extensions"]["code"] for e in body.get("errors", [])} == {"FORBIDDEN"}, (name, body)
    assert await world.snapshot() == before


async def test_roles_and_membership(world: World) -> None:
    analyst, analyst_id = await world.user("Analyst", "ANALYST")
    ids = world.ids
    coded = await analyst.ok(
        "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 6, end: 11, "
        "codeIds: $c}) { codings { coder { name } } } }",
        d=ids["document"],
        c=[ids["code"]],
    )
    assert coded["codeText"]["codings"] == [{"coder": {"name": "Analyst"}}]
    for forbidden in (
        "mutation($p: ID!) { deleteProject(id: $p) }",
        'mutation($p: ID!) { updateProject(input: {id: $p, name: "x"}) { id } }',
        "mutation($p: ID!, $u: ID!) { changeRole(projectId: $p, userId: $u, role: OWNER) { role } }",
    ):
        error = await analyst.error(forbidden, p=ids["project"], u=analyst_id)
        assert error["extensions"] == {"code": "FORBIDDEN", "role": "ANALYST", "needed": "OWNER"}
    error = await analyst.error(
        "mutation($e: ID!, $c: ID!, $u: ID!) { uncodeExcerpt(excerptId: $e, codeId: $c, coderId: $u) { id } }",
        e=ids["excerpt"],
        c=ids["code"],
        u=ids["user"],
    )
    assert error["extensions"]["code"] == "FORBIDDEN"

    members = await world.owner.ok(
        "query($p: ID!) { project(id: $p) { myRole members { user { name } role } } }", p=ids["project"]
    )
    assert members["project"]["myRole"] == "OWNER"
    assert {m["user"]["name"]: m["role"] for m in members["project"]["members"]}["Analyst"] == "ANALYST"
    mine = await analyst.ok("{ projects { name myRole } }")
    assert mine["projects"] == [{"name": "A", "myRole": "ANALYST"}]
    error = await world.owner.error(
        "mutation($p: ID!, $u: ID!) { changeRole(projectId: $p, userId: $u, role: VIEWER) { role } }",
        p=ids["project"],
        u=ids["user"],
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "OWNER" in error["message"]
    await world.owner.ok(
        "mutation($p: ID!, $u: ID!) { changeRole(projectId: $p, userId: $u, role: OWNER) { role } }",
        p=ids["project"],
        u=analyst_id,
    )
    await analyst.ok(
        "mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }", p=ids["project"], u=ids["user"]
    )
    assert (await world.owner.ok("{ projects { id } }"))["projects"] == []
    assert (await world.owner.ok("query($c: ID!) { code(id: $c) { id } }", c=ids["code"]))["code"] is None


async def test_ids_of_one_project_cannot_be_used_in_another(world: World) -> None:
    other = await populate(world.owner)  # the owner owns both
    error = await world.owner.error(
        "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 0, end: 3, codeIds: $c}) { id } }",
        d=other["document"],
        c=[world.ids["code"]],
    )
    assert error["extensions"]["code"] == "NOT_FOUND"
    stranger, _ = await world.user("Stranger")
    mine = await populate(stranger)  # a project of their own, and nothing in A
    for query, variables in [
        (
            "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 0, end: 3, codeIds: $c}) { id } }",
            {"d": mine["document"], "c": [world.ids["code"]]},
        ),
        (
            "mutation($a: ID!, $b: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: CAUSES}) { id } }",
            {"a": mine["code"], "b": world.ids["code"]},
        ),
        (
            "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }",
            {"c": world.ids["code"], "t": mine["theme"]},
        ),
        (
            "mutation($t: ID!, $c: ID!, $e: ID!) { linkConcepts(input: {sourceId: $t, targetId: $c, kind: CAUSES, "
            "evidenceExcerptIds: [$e]}) { id } }",
            {"t": mine["theme"], "c": mine["code"], "e": world.ids["excerpt"]},
        ),
    ]:
        error = await stranger.error(query, **variables)
        nowhere = await stranger.error(
            query,
            **{
                k: (["no-such-id"] if isinstance(v, list) else v)
                if v in (world.ids["code"], [world.ids["code"]], world.ids["excerpt"])
                else v
                for k, v in variables.items()
            },
        )
        assert error["extensions"]["code"] == "NOT_FOUND", (query, error)
        assert error["message"].replace(str(error["extensions"]["id"]), "ID") == nowhere["message"].replace(
            str(nowhere["extensions"]["id"]), "ID"
        ), "no existence oracle"


async def test_two_concurrent_clients_lose_no_update(world: World) -> None:
    second, _ = await world.user("Second", "ANALYST")
    update = (
        "mutation($c: ID!, $n: String!) { updateCode(input: {id: $c, expectedVersion: 1, name: $n}) { name version } }"
    )
    answers = await asyncio.gather(
        world.owner.post(update, c=world.ids["code"], n="Fear of removal"),
        second.post(update, c=world.ids["code"], n="Fear of judgement"),
    )
    won = [a for a in answers if "errors" not in a]
    lost = [a for a in answers if "errors" in a]
    assert len(won) == 1 and len(lost) == 1
    assert lost[0]["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert lost[0]["errors"][0]["extensions"]["currentVersion"] == 2
    now = await world.owner.ok("query($c: ID!) { code(id: $c) { name version } }", c=world.ids["code"])
    assert now["code"] == won[0]["data"]["updateCode"]


async def test_auth_off_acts_as_the_local_user(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(data_dir=tmp_path / "off", auth="off", _env_file=None)  # type: ignore[call-arg]
    with caplog.at_level("WARNING"):
        async with serve_in_process(settings) as api:
            me = await api.ok("{ me { id name } }")
            assert me["me"] == {"id": "local", "name": "Local analyst"}
            await api.ok('mutation { createProject(input: {name: "Solo"}) { id } }')
    assert any("THEMEMAP_AUTH=off" in r.message for r in caplog.records)


async def test_email_addresses_are_shown_only_to_their_owner(world: World) -> None:
    await world.service.create_user("Mailer", "mailer@example.org")
    mailer = await world.service.user_named("Mailer")
    assert mailer is not None
    await world.owner.ok(
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: ANALYST) { role } }",
        p=world.ids["project"],
        u=mailer.id,
    )
    members = await world.owner.ok(
        "query($p: ID!) { project(id: $p) { members { user { name email } } } }", p=world.ids["project"]
    )
    assert {"name": "Mailer", "email": None} in [m["user"] for m in members["project"]["members"]]
    token = await issue_token(world.service, mailer.id)
    assert (await world.client(token).ok("{ me { email } }"))["me"] == {"email": "mailer@example.org"}

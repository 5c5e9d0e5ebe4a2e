"""Values that would break a client or an export never get in, and crafted cursors are bad
input rather than internal errors; over HTTP, on both adapters."""

from __future__ import annotations

import base64
import json

import pydantic
import pytest

from graph.analysis.filters import AttributeCondition
from graph.errors import BadInput
from graph.inputs import NewParticipant
from tests.schema.conftest import World


@pytest.mark.parametrize("name", ["nul\u0000name", "bell\u0007", "lone \ud800 surrogate", "not a char \uffff"])
async def test_text_xml_cannot_carry_is_refused_naming_the_field(world: World, name: str) -> None:
    before = await world.snapshot()
    payload = {
        "query": "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
        "variables": {"p": world.ids["project"], "n": name},
    }
    body = json.dumps(payload)  # escaped as \\uXXXX: a lone surrogate cannot be sent as UTF-8
    response = await world.owner.http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "name" in error["message"], error  # with the character and where (pydantic refuses surrogates itself)
    assert await world.snapshot() == before
    export = await world.owner.http.get(f"/projects/{world.ids['project']}/export.qdpx")
    assert export.status_code == 200


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_attributes_must_be_finite_numbers(world: World, number: str) -> None:
    query = (
        'mutation($p: ID!, $a: JSON!) { addParticipant(input: {projectId: $p, pseudonym: "X", attributes: $a}) { id } }'
    )
    body = '{"query": %s, "variables": {"p": %s, "a": {"x": %s}}}' % (
        json.dumps(query),
        json.dumps(world.ids["project"]),
        number,
    )
    response = await world.owner.http.post("/graphql", content=body, headers={"Content-Type": "application/json"})
    errors = response.json().get("errors") or []
    assert [e["extensions"]["code"] for e in errors] == ["BAD_USER_INPUT"], response.text
    assert "finite" in errors[0]["message"]
    participants = await world.owner.ok(
        "query($p: ID!) { project(id: $p) { participants { pseudonym } } }", p=world.ids["project"]
    )
    assert "X" not in [p["pseudonym"] for p in participants["project"]["participants"]]


def crafted(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


@pytest.mark.parametrize("cursor", [crafted([{"a": 1}, "x"]), crafted(["x", 1]), crafted([1, 2, 3, 4]), "%%%"])
async def test_crafted_cursors_are_bad_input(world: World, cursor: str) -> None:
    p, c = world.ids["project"], world.ids["code"]
    for query in (
        "query($p: ID!, $a: String) { activity(projectId: $p, after: $a) { edges { cursor } } }",
        "query($p: ID!, $c: ID!, $a: String) { code(id: $c) { excerpts(first: 2, after: $a) { edges { cursor } } } }",
        "query($p: ID!, $c: ID!, $a: String) { findExcerpts(projectId: $p, where: {anyOf: [$c]}, after: $a) "
        "{ edges { cursor } } }",
        'query($p: ID!, $a: String) { search(projectId: $p, text: "scared", after: $a) { edges { cursor } } }',
    ):
        variables = {"p": p, "c": c, "a": cursor} if "$c" in query else {"p": p, "a": cursor}
        error = await world.owner.error(query, **variables)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", (query, error)


async def test_user_names_are_held_to_the_same_rule(world: World) -> None:
    with pytest.raises(BadInput, match="U\\+0000"):
        await world.service.create_user("Nul\u0000")


def test_json_nested_past_the_stack_is_bad_input() -> None:
    """The checks every input runs walk a JSON value in a loop: nested past the interpreter's
    recursion limit, it is refused as invalid, not an internal error."""
    deep: object = 0
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(pydantic.ValidationError):
        NewParticipant(project_id="p", pseudonym="X", attributes={"a": deep})
    with pytest.raises(pydantic.ValidationError):
        AttributeCondition(name="a", equals=deep)

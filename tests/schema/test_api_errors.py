"""Bad input gets a GraphQL error with extensions.code and changes nothing."""

from __future__ import annotations

import pytest

from tests.schema.test_api_flow import TEXT, make_project
from tests.support import GraphQLClient

SNAPSHOT = """query($p: ID!) { project(id: $p) {
  name description participants { pseudonym attributes } documents { title turns { speaker start end role } excerpts { start end codings { code { id } } } }
  codes { id name version color parent { id } themes { id } } themes { id name version status parent { id } codes { id } }
  links { id kind label evidence { id } } memos { id title body }
} }"""


async def snapshot(api: GraphQLClient, pid: str) -> dict:
    return await api.ok(SNAPSHOT, p=pid)


@pytest.fixture
async def ids(api: GraphQLClient) -> dict[str, str]:
    ids = await make_project(api)
    theme = await api.ok(
        'mutation($p: ID!) { createTheme(input: {projectId: $p, name: "T"}) { id } }', p=ids["project"]
    )
    sub = await api.ok(
        'mutation($p: ID!, $t: ID!) { createTheme(input: {projectId: $p, name: "Sub", parentId: $t}) { id } }',
        p=ids["project"],
        t=theme["createTheme"]["id"],
    )
    child = await api.ok(
        'mutation($p: ID!, $c: ID!) { createCode(input: {projectId: $p, name: "child", parentId: $c}) { id } }',
        p=ids["project"],
        c=ids["fear"],
    )
    other = await make_project(api)
    return {
        **ids,
        "theme": theme["createTheme"]["id"],
        "sub": sub["createTheme"]["id"],
        "child": child["createCode"]["id"],
        "other_code": other["fear"],
        "other_doc": other["document"],
    }


CASES = [
    (
        "span past the end",
        "BAD_USER_INPUT",
        "mutation($d: ID!) { createExcerpt(input: {documentId: $d, start: 5, end: %d}) { id } }" % (len(TEXT) + 1),
    ),
    (
        "start equals end",
        "BAD_USER_INPUT",
        "mutation($d: ID!) { codeText(input: {documentId: $d, start: 5, end: 5, codeIds: []}) { id } }",
    ),
    (
        "negative start",
        "BAD_USER_INPUT",
        "mutation($d: ID!, $f: ID!) { codeText(input: {documentId: $d, start: -1, end: 5, codeIds: [$f]}) { id } }",
    ),
    (
        "unknown document",
        "NOT_FOUND",
        'mutation { createExcerpt(input: {documentId: "nope", start: 0, end: 1}) { id } }',
    ),
    (
        "unknown code in codeText",
        "NOT_FOUND",
        'mutation($d: ID!, $f: ID!) { codeText(input: {documentId: $d, start: 0, end: 5, codeIds: [$f, "nope"]}) { id } }',
    ),
    (
        "code made its own ancestor",
        "BAD_USER_INPUT",
        "mutation($f: ID!, $c: ID!) { updateCode(input: {id: $f, parentId: $c}) { id } }",
    ),
    ("code its own parent", "BAD_USER_INPUT", "mutation($f: ID!) { updateCode(input: {id: $f, parentId: $f}) { id } }"),
    (
        "theme made its own ancestor",
        "BAD_USER_INPUT",
        "mutation($t: ID!, $s: ID!) { updateTheme(input: {id: $t, parentId: $s}) { id } }",
    ),
    (
        "code from another project",
        "NOT_FOUND",
        "mutation($d: ID!, $o: ID!) { codeText(input: {documentId: $d, start: 0, end: 5, codeIds: [$o]}) { id } }",
    ),
    (
        "link into another project",
        "NOT_FOUND",
        "mutation($f: ID!, $o: ID!) { linkConcepts(input: {sourceId: $f, targetId: $o, kind: CAUSES}) { id } }",
    ),
    (
        "theme membership across projects",
        "NOT_FOUND",
        "mutation($o: ID!, $t: ID!) { addCodeToTheme(codeId: $o, themeId: $t) { id } }",
    ),
    (
        "stale expectedVersion",
        "CONFLICT",
        'mutation($f: ID!) { updateCode(input: {id: $f, expectedVersion: 7, name: "x"}) { id } }',
    ),
    (
        "empty code name",
        "BAD_USER_INPUT",
        'mutation($p: ID!) { createCode(input: {projectId: $p, name: "   "}) { id } }',
    ),
    (
        "duplicate code name under one parent",
        "BAD_USER_INPUT",
        'mutation($p: ID!) { createCode(input: {projectId: $p, name: "fear of REMOVAL"}) { id } }',
    ),
    (
        "duplicate theme name",
        "BAD_USER_INPUT",
        'mutation($p: ID!) { createTheme(input: {projectId: $p, name: "t"}) { id } }',
    ),
    (
        "rename a theme onto another's name",
        "BAD_USER_INPUT",
        'mutation($s: ID!) { updateTheme(input: {id: $s, name: "T"}) { id } }',
    ),
    (
        "bad colour",
        "BAD_USER_INPUT",
        'mutation($p: ID!) { createCode(input: {projectId: $p, name: "c", color: "red"}) { id } }',
    ),
    (
        "nested attribute value",
        "BAD_USER_INPUT",
        'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "X", attributes: {a: {b: 1}}}) { id } }',
    ),
    ("unknown memo target", "NOT_FOUND", 'mutation { addMemo(input: {targetId: "nope", title: "x"}) { id } }'),
    ("merge into itself", "BAD_USER_INPUT", "mutation($f: ID!) { mergeCodes(sourceId: $f, targetId: $f) { id } }"),
    (
        "uncode what was never coded",
        "NOT_FOUND",
        'mutation($f: ID!) { uncodeExcerpt(excerptId: "nope", codeId: $f) { id } }',
    ),
    (
        "page too large",
        "LIMIT_EXCEEDED",
        "query($f: ID!) { code(id: $f) { excerpts(first: 100000) { edges { cursor } } } }",
    ),
    (
        "bad cursor",
        "BAD_USER_INPUT",
        'query($f: ID!) { code(id: $f) { excerpts(first: 1, after: "zzz") { edges { cursor } } } }',
    ),
    ("unknown field", "BAD_USER_INPUT", "{ projects { nosuchfield } }"),
    (
        "wrong variable type",
        "BAD_USER_INPUT",
        'mutation { createExcerpt(input: {documentId: "x", start: "a", end: 2}) { id } }',
    ),
]

VARIABLES = {
    "$d": "document",
    "$f": "fear",
    "$c": "child",
    "$t": "theme",
    "$s": "sub",
    "$o": "other_code",
    "$p": "project",
}


@pytest.mark.parametrize(("case", "code", "operation"), CASES, ids=[c[0] for c in CASES])
async def test_error_has_code_and_changes_nothing(
    api: GraphQLClient, ids: dict[str, str], case: str, code: str, operation: str
) -> None:
    variables = {name[1:]: ids[key] for name, key in VARIABLES.items() if name + ":" in operation}
    before = await snapshot(api, ids["project"])
    error = await api.error(operation, **variables)
    assert error["extensions"]["code"] == code, error
    assert "Traceback" not in error["message"] and "SELECT" not in error["message"]
    assert await snapshot(api, ids["project"]) == before


async def test_conflict_reports_the_current_version(api: GraphQLClient, ids: dict[str, str]) -> None:
    await api.ok(
        'mutation($f: ID!) { updateCode(input: {id: $f, expectedVersion: 1, name: "a"}) { version } }', f=ids["fear"]
    )
    error = await api.error(
        'mutation($f: ID!) { updateCode(input: {id: $f, expectedVersion: 1, name: "b"}) { version } }', f=ids["fear"]
    )
    assert error["extensions"] == {"code": "CONFLICT", "currentVersion": 2, "expectedVersion": 1}
    assert "version 2" in error["message"]


async def test_unknown_ids_read_as_null(api: GraphQLClient) -> None:
    data = await api.ok(
        '{ project(id: "x") { id } code(id: "x") { id } theme(id: "x") { id } excerpt(id: "x") { id } '
        'document(id: "x") { id } participant(id: "x") { id } node(id: "x") { id } }'
    )
    assert set(data.values()) == {None}


@pytest.mark.parametrize("name", ["\u0130", "nam\u0130", "\u0130\u0130d"])
async def test_an_unknown_input_field_is_bad_input_whatever_its_name(api: GraphQLClient, name: str) -> None:
    """Variables may name fields as no document can ('İ' lower-cases to two code points, which once
    crashed graphql-core's "Did you mean" hint): still BAD_USER_INPUT, with the hint."""
    error = await api.error(
        "mutation($i: CreateCodeInput!) { createCode(input: $i) { id } }", i={"projectId": "x", "name": "c", name: 1}
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert f"unknown field '{name}'" in error["message"], error

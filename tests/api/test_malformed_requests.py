"""Every malformed request answers a JSON error with `extensions.code`, and none can cause a 500,
whether it carries a token or not."""

from __future__ import annotations

import pytest

from tests.support import GraphQLClient

BODIES = [
    ("{not json", "application/json"),
    ("{}", "application/json"),
    ('{"query": 5}', "application/json"),
    ("query { me { name } }", "text/plain"),
    ("[" * 100_000 + "]" * 100_000, "application/json"),
]


@pytest.mark.parametrize("signed_in", [True, False])
@pytest.mark.parametrize(
    ("body", "content_type"), BODIES, ids=["bad json", "empty", "query not a string", "text", "deep"]
)
async def test_malformed_bodies_get_a_json_error_with_a_code(
    api: GraphQLClient, body: str, content_type: str, signed_in: bool
) -> None:
    headers = {"Content-Type": content_type}
    if not signed_in:
        headers["Authorization"] = ""
    response = await api.http.post("/graphql", content=body, headers=headers)
    assert 400 <= response.status_code < 500, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["message"], error


REFUSED_BY_STARLETTE = {
    "no such route": ("GET", "/projects/a%2Fb/export.qdpx", {}, 404, "NOT_FOUND"),
    "method not allowed": ("POST", "/projects/p/export.qdpx", {}, 405, "BAD_USER_INPUT"),
    "two files": (
        "POST",
        "/projects/p/import",
        {"files": [("file", ("a", b"1")), ("file", ("b", b"2"))]},
        400,
        "BAD_USER_INPUT",
    ),
    "too many fields": (
        "POST",
        "/projects/p/import",
        {"files": {"file": ("a", b"1")}, "data": {f"f{i}": "x" for i in range(11)}},
        400,
        "BAD_USER_INPUT",
    ),
    "no boundary": (
        "POST",
        "/projects/p/import",
        {"content": b"--x", "headers": {"Content-Type": "multipart/form-data"}},
        400,
        "BAD_USER_INPUT",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED_BY_STARLETTE))
async def test_refusals_outside_graphql_are_json_with_a_code(api: GraphQLClient, case: str) -> None:
    """What Starlette itself refuses (routing, multipart parsing) answers like every other error,
    not in plain text."""
    method, path, sent, status, code = REFUSED_BY_STARLETTE[case]
    response = await api.http.request(method, path, **sent)
    assert response.status_code == status, response.text
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == code and error["message"], error

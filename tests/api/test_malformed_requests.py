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

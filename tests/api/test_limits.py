"""Each limit on a request refuses it with a clear error naming the limit and its value,
over HTTP, and is set by its THEMEMAP_ setting."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from tests.support import serve_in_process


def limited(tmp_path: Path, **limits: object) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **limits)  # type: ignore[call-arg]


async def _error(http: httpx.AsyncClient, query: str, **variables: object) -> dict:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    [error] = response.json()["errors"]
    return error


async def test_depth_limit(tmp_path: Path) -> None:
    async with serve_in_process(limited(tmp_path, max_depth=2)) as api:
        assert await api.ok("{ projects { codes { id } } }")  # depth 2: strawberry counts from 0
        error = await _error(api.http, "{ projects { codes { parent { id } } } }")
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "maxDepth", "maximum": 2}
    assert "depth of 2" in error["message"] and "maxDepth = 2" in error["message"]


async def test_alias_limit(tmp_path: Path) -> None:
    async with serve_in_process(limited(tmp_path, max_aliases=2)) as api:
        assert await api.ok("{ a: projects { id } b: projects { id } }")
        error = await _error(api.http, "{ a: projects { id } b: projects { id } c: projects { id } }")
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "maxAliases", "maximum": 2}
    assert "Allowed: 2" in error["message"]


async def test_token_limit(tmp_path: Path) -> None:
    async with serve_in_process(limited(tmp_path, max_tokens=20)) as api:
        assert await api.ok("{ projects { id name } }")
        error = await _error(
            api.http,
            "{ projects { id name description codes { id name color description } themes { id name color } } }",
        )  # 21 tokens
    assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "maxTokens", "maximum": 20}
    assert "more than 20 tokens" in error["message"]


async def test_page_size_limit_on_every_paginated_field(tmp_path: Path) -> None:
    async with serve_in_process(limited(tmp_path, max_page_size=7)) as api:
        project = (await api.ok('mutation { createProject(input: {name: "P"}) { id } }'))["createProject"]["id"]
        code = (await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "c"}) { id } }', p=project))[
            "createCode"
        ]["id"]
        fields = {
            "Code.excerpts": (
                "query($c: ID!, $n: Int!) { code(id: $c) { excerpts(first: $n) { edges { cursor } } } }",
                {"c": code},
            ),
            "activity": (
                "query($p: ID!, $n: Int!) { activity(projectId: $p, first: $n) { edges { cursor } } }",
                {"p": project},
            ),
            "search": (
                'query($p: ID!, $n: Int!) { search(projectId: $p, text: "x", first: $n) { edges { cursor } } }',
                {"p": project},
            ),
        }
        for name, (query, variables) in fields.items():
            assert "errors" not in await api.post(query, n=7, **variables), name
            error = await _error(api.http, query, n=8, **variables)
            assert error["extensions"] == {"code": "LIMIT_EXCEEDED", "limit": "maxPageSize", "maximum": 7}, name
            assert "first is 8" in error["message"] and "maxPageSize = 7" in error["message"], name
            assert (await _error(api.http, query, n=-1, **variables))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_body_size_limit_on_graphql_and_on_import(tmp_path: Path) -> None:
    async with serve_in_process(limited(tmp_path, max_body_bytes=2048, max_upload_bytes=4096)) as api:
        padding = " " * 3000
        big = await api.http.post("/graphql", json={"query": "{ projects { id } }" + padding})
        assert big.status_code == 413
        [error] = big.json()["errors"]
        assert error["extensions"]["code"] == "LIMIT_EXCEEDED" and error["extensions"]["maximum"] == 2048
        assert "2048 bytes (THEMEMAP_MAX_BODY_BYTES)" in error["message"]
        assert error["extensions"]["requestId"] == big.headers["x-request-id"]

        async def chunks() -> object:  # no Content-Length: the limit counts the bytes as they come
            for _ in range(4):
                yield b'{"query": "' + b" " * 1000

        streamed = await api.http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413 and "THEMEMAP_MAX_BODY_BYTES" in streamed.text

        project = (await api.ok('mutation { createProject(input: {name: "P"}) { id } }'))["createProject"]["id"]
        upload = await api.http.post(f"/projects/{project}/import", files={"file": ("x.qdpx", b"x" * 5000)})
        assert upload.status_code == 413 and "4096 bytes (THEMEMAP_MAX_UPLOAD_BYTES)" in upload.text
        small = await api.http.post(f"/projects/{project}/import", files={"file": ("x.qdpx", b"x" * 3000)})
        assert small.status_code == 400  # under the upload limit, over the GraphQL one: read, and refused as no archive
        assert small.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_time_limit(tmp_path: Path) -> None:
    # Any operation that reads the store waits on it at least once; a limit shorter than
    # one wait stops every such request there, deterministically.
    async with serve_in_process(limited(tmp_path, request_timeout=1e-6)) as api:
        response = await api.http.post("/graphql", json={"query": "{ projects { id } }"})
        # Imports are exempt (they must not stop halfway): this one is answered (no such project), not stopped.
        upload = await api.http.post("/projects/x/import", files={"file": ("x.qdpx", b"junk")})
        assert upload.status_code == 404 and upload.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert response.status_code == 503
    [error] = response.json()["errors"]
    assert error["extensions"] == {
        "code": "TIMEOUT",
        "limit": "requestTimeout",
        "maximum": 1e-6,
        "requestId": response.headers["x-request-id"],
    }
    assert "limit of 1e-06 s (THEMEMAP_REQUEST_TIMEOUT)" in error["message"]


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "MAX_DEPTH": "4",
        "MAX_TOKENS": "99",
        "MAX_ALIASES": "3",
        "MAX_PAGE_SIZE": "10",
        "MAX_BODY_BYTES": "5000",
        "MAX_UPLOAD_BYTES": "9000",
        "REQUEST_TIMEOUT": "2.5",
    }.items():
        monkeypatch.setenv(f"THEMEMAP_{name}", value)
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert (
        s.max_depth,
        s.max_tokens,
        s.max_aliases,
        s.max_page_size,
        s.max_body_bytes,
        s.max_upload_bytes,
        s.request_timeout,
    ) == (4, 99, 3, 10, 5000, 9000, 2.5)

"""THEMEMAP_ENV=production: no GraphiQL, no introspection, authentication required, and no
start with default secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.app import create_app
from api.settings import Settings, UnsafeSettings
from tests.servers import free_port
from tests.support import serve_in_process


def production(tmp_path: Path, **values: object) -> Settings:
    return Settings(env="production", data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"auth": "off"}, "THEMEMAP_AUTH=off"),
        ({"store": "neo4j"}, "NEO4J_PASSWORD is the development default"),
        ({"store": "neo4j", "neo4j_password": ""}, "NEO4J_PASSWORD is the development default"),
        ({"allowed_origins": "*"}, "THEMEMAP_ALLOWED_ORIGINS=*"),
    ],
)
def test_refuses_unsafe_settings(tmp_path: Path, values: dict, named: str) -> None:
    with pytest.raises(UnsafeSettings) as refused:
        create_app(production(tmp_path, **values))
    message = str(refused.value)
    assert "\n" not in message and message.startswith("thememap: refusing to start with THEMEMAP_ENV=production")
    assert named in message
    create_app(Settings(data_dir=tmp_path, _env_file=None, **values))  # type: ignore[call-arg]  # fine in development


def test_a_real_process_stops_with_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "THEMEMAP_ENV": "production", "THEMEMAP_AUTH": "off", "THEMEMAP_DATA_DIR": str(tmp_path)}
    for command in (
        ["-m", "api.cli", "serve", "--port", str(free_port())],
        ["-m", "uvicorn", "api.app:create_app", "--factory", "--port", str(free_port())],
    ):
        done = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr
        assert done.stderr.strip().splitlines()[-1] == (
            "thememap: refusing to start with THEMEMAP_ENV=production: "
            "THEMEMAP_AUTH=off (production requires authentication)."
        )


async def test_no_graphiql_and_no_introspection(tmp_path: Path) -> None:
    async with serve_in_process(production(tmp_path)) as api:
        assert (await api.http.get("/graphql", headers={"accept": "text/html"})).status_code == 404
        body = await api.post("{ __schema { queryType { name } } }")
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "introspection has been disabled" in error["message"]
        assert (await api.error('{ __type(name: "Project") { name } }'))["extensions"]["code"] == "BAD_USER_INPUT"
        assert await api.ok("{ __typename projects { id } }") == {"__typename": "Query", "projects": []}
        api.http.headers.pop("authorization")
        assert (await api.error("{ projects { id } }"))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_development_keeps_graphiql_and_introspection(settings: Settings) -> None:
    async with serve_in_process(settings) as api:
        assert (await api.http.get("/graphql", headers={"accept": "text/html"})).status_code == 200
        assert await api.ok("{ __schema { queryType { name } } }") == {"__schema": {"queryType": {"name": "Query"}}}


async def test_strangers_get_no_hints_at_the_schema(tmp_path: Path) -> None:
    async with serve_in_process(production(tmp_path)) as api:
        signed_in = await api.error("mutation { deleteProjectt(id: 1) }")
        assert "Did you mean" in signed_in["message"], "members may be helped"
        api.http.headers.pop("authorization")
        for query in ("mutation { deleteProjectt(id: 1) }", "{ projectz { id } }"):
            error = await api.error(query)
            assert error["extensions"]["code"] == "BAD_USER_INPUT", error
            assert "Did you mean" not in error["message"] and "deleteProject'" not in error["message"], error

"""The `thememap` command line."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.auth import authenticate
from api.cli import app
from graph.embedded import EmbeddedStore
from schema import build_schema
from tests.bolt.server import BoltServer
from tests.conftest import _wipe

runner = CliRunner()


@pytest.mark.parametrize("command", [[], ["serve"], ["seed"], ["export-schema"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_seed_without_a_name_lists_the_datasets() -> None:
    result = runner.invoke(app, ["seed"])
    assert result.exit_code == 0 and "perinatal-social-work" in result.output


def test_seed_is_idempotent_and_replace_rebuilds(tmp_path: Path) -> None:
    args = ["seed", "perinatal-social-work", "--data-dir", str(tmp_path)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "Loaded" in first.output, first.output
    second = runner.invoke(app, args)
    assert second.exit_code == 0 and "already loaded" in second.output
    third = runner.invoke(app, [*args, "--replace"])
    assert third.exit_code == 0 and "Loaded" in third.output


def test_unknown_dataset_fails_clearly() -> None:
    result = runner.invoke(app, ["seed", "nope"])
    assert result.exit_code == 2 and "No dataset named 'nope'" in result.output


def test_export_schema(tmp_path: Path) -> None:
    out = tmp_path / "s.graphql"
    result = runner.invoke(app, ["export-schema", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text() == build_schema().as_str() + "\n"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("command", [["serve"], ["seed", "perinatal-social-work"]])
def test_unreachable_neo4j_fails_fast_with_one_clear_line(command: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    uri = f"bolt://127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("NEO4J_URI", uri)
    result = runner.invoke(app, [*command, "--store", "neo4j"])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and uri in lines[0] and "NEO4J_URI" in lines[0], result.output


def test_wrong_neo4j_password_fails_fast(bolt_server: BoltServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {**bolt_server.env(), "NEO4J_PASSWORD": "wrong"}.items():
        monkeypatch.setenv(key, value)
    result = runner.invoke(app, ["seed", "perinatal-social-work", "--store", "neo4j"])
    assert result.exit_code == 1
    assert "NEO4J_PASSWORD" in result.output and bolt_server.uri in result.output, result.output


def test_seed_on_neo4j(bolt_server: BoltServer, monkeypatch: pytest.MonkeyPatch) -> None:
    _wipe(bolt_server)
    for key, value in bolt_server.env().items():
        monkeypatch.setenv(key, value)
    first = runner.invoke(app, ["seed", "perinatal-social-work", "--store", "neo4j"])
    assert first.exit_code == 0 and "Loaded" in first.output, first.output
    again = runner.invoke(app, ["seed", "perinatal-social-work", "--store", "neo4j"])
    assert again.exit_code == 0 and "already loaded" in again.output


def _token(output: str) -> str:
    return next(line.strip() for line in output.splitlines() if line.startswith("tm_"))


def _holder(data_dir: Path, token: str) -> str | None:
    """Whose token this is, asked of the store the CLI wrote to."""

    async def ask() -> str | None:
        store = EmbeddedStore(data_dir)
        await store.open()
        try:
            user = await authenticate(store, token)
            return user.name if user else None
        finally:
            await store.close()

    return asyncio.run(ask())


def test_user_add_token_and_revoke(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path)]
    added = runner.invoke(app, ["user", "add", "Ada", "--email", "ada@example.org", *where])
    assert added.exit_code == 0, added.output
    first = _token(added.output)
    assert _holder(tmp_path, first) == "Ada"
    assert runner.invoke(app, ["user", "add", "ADA", *where]).exit_code == 2
    renewed = runner.invoke(app, ["user", "token", "ada", *where])
    assert renewed.exit_code == 0
    second = _token(renewed.output)
    assert _holder(tmp_path, first) is None and _holder(tmp_path, second) == "Ada"
    assert runner.invoke(app, ["user", "revoke", "Ada", *where]).exit_code == 0
    assert _holder(tmp_path, second) is None
    unknown = runner.invoke(app, ["user", "token", "Nobody", *where])
    assert unknown.exit_code == 2 and "user add" in unknown.output


def test_refusals_are_one_line_without_a_traceback(tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path)]
    seeded = runner.invoke(app, ["seed", "perinatal-social-work", *data])
    assert seeded.exit_code == 0, seeded.output
    project = seeded.output.split("as project ")[1].strip().rstrip(".")
    for args, says in [
        (["export", project, "--out", str(tmp_path / "no-such-folder" / "x.qdpx"), *data], "cannot write"),
        (["export", "no-such-project", "--out", str(tmp_path / "x.qdpx"), *data], "No project"),
        (["user", "add", "Nul\u0000", *data], "U+0000"),
        (["user", "token", "Nobody", *data], "no user named"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert says in result.output and "Traceback" not in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, (args, result.output)

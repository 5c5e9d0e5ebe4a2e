"""The `thememap` command line."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import typer
import typer.main
import typer.rich_utils
from typer.testing import CliRunner

from api.auth import authenticate
from api.cli import app
from graph.embedded import EmbeddedStore
from schema.build import build_schema
from tests.bolt.server import BoltServer
from tests.conftest import _wipe
from tests.servers import free_port

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


def _commands(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every command of the CLI (typer's own click objects), with the words that invoke it."""
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_every_option_help_is_shown_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich reads `[...]` as markup and drops it, so each help text's `[env ..., default ...]` is
    escaped as `\\[`; every option's and argument's help must come out in `--help` as written."""
    monkeypatch.setattr(typer.rich_utils, "MAX_WIDTH", 400)  # one line per option: nothing wrapped
    checked = 0
    for path, command in _commands(typer.main.get_command(app)):
        shown = " ".join(runner.invoke(app, [*path, "--help"]).output.split())
        for param in command.params:
            written = getattr(param, "help", None)
            if written:
                assert " ".join(written.replace("\\[", "[").split()) in shown, (path, param.name, shown)
                checked += 1
    assert checked > 20


def test_serve_names_the_web_page_and_graphiql_where_it_listens(tmp_path: Path) -> None:
    port = free_port()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli", "serve", "--port", str(port), "--data-dir", str(tmp_path)],
            env={**os.environ, "COLUMNS": "60"},  # narrow: the addresses must still come out whole
            stdout=out,
            stderr=subprocess.DEVNULL,
        )
        try:
            page = _first_answer(f"http://127.0.0.1:{port}/", process)
            assert page.status_code == 200 and "<html" in page.text.lower()
            out.seek(0)
            said = out.read().decode()
        finally:
            process.kill()
            process.wait(timeout=10)
    assert f"  web page  http://127.0.0.1:{port}/  " in said, said
    assert f"  GraphiQL  http://127.0.0.1:{port}/graphql\n" in said, said


def _first_answer(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    """The first answer of a server that is starting, or a failure if it exits first."""
    while True:
        try:
            return httpx.get(url, timeout=1)
        except httpx.TransportError:
            assert process.poll() is None, "the server exited"
            time.sleep(0.1)


@pytest.mark.parametrize("port", ["0", "99999", "-1"])
def test_serve_refuses_a_port_out_of_range(port: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--port", port, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and "--port" in result.output, result.output
    assert ("65535" if port == "99999" else "1") in result.output, result.output
    outside = runner.invoke(app, ["serve", "--data-dir", str(tmp_path)], env={"THEMEMAP_PORT": port})
    assert outside.exit_code == 2 and "Invalid settings" in outside.output and "port" in outside.output


def test_user_list_and_token_print_the_id_that_add_member_needs(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path)]
    added = runner.invoke(app, ["user", "add", "Ada Lovelace", "--email", "ada@example.org", *where])
    assert added.exit_code == 0, added.output
    ada_id = added.output.split("User id: ")[1].split()[0]
    assert runner.invoke(app, ["user", "add", "Bo", *where]).exit_code == 0
    listed = runner.invoke(app, ["user", "list", *where])
    assert listed.exit_code == 0, listed.output
    assert ada_id in listed.output and "ada@example.org" in listed.output and "Bo" in listed.output
    assert listed.output.index("Ada Lovelace") < listed.output.index("Bo")
    searched = runner.invoke(app, ["user", "list", "--search", "ADA@example.org", *where])
    assert "Ada Lovelace" in searched.output and "Bo" not in searched.output
    none = runner.invoke(app, ["user", "list", "--search", "zz", *where])
    assert none.exit_code == 0 and "No user's name starts with 'zz'" in none.output
    renewed = runner.invoke(app, ["user", "token", "ada lovelace", *where])
    assert renewed.exit_code == 0 and f"User id: {ada_id}" in renewed.output


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["user", "add", ""], "not blank"),
        (["user", "add", "   "], "not blank"),
        (["user", "add", "Cy", "--email", "cy"], "is not valid"),
        (["user", "add", "Cy", "--email", "cy@localhost"], "is not valid"),
    ],
)
def test_blank_names_and_malformed_emails_are_refused(tmp_path: Path, args: list[str], says: str) -> None:
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2 and says in result.output, result.output
    listed = runner.invoke(app, ["user", "list", "--data-dir", str(tmp_path)])
    assert "Cy" not in listed.output, "nothing was stored"

"""The `thememap` command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from schema import build_schema

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

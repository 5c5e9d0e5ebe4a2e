"""Every Cypher statement of the Neo4j adapter passes Neo4j's own analyser.

The statements are checked without a database, so a syntax error, a semantic error or a
deprecated construct fails `make test` rather than a request against a live server.
The analyser is the npm package in tests/cypher_lint (`make test` installs it).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graph.neo4j import cypher

LINT_DIR = Path(__file__).resolve().parents[1] / "cypher_lint"
PACKAGE = LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support"

Findings = dict[str, list[dict[str, Any]]]
Lint = Callable[[dict[str, str]], Findings]


def _missing_prerequisite() -> str | None:
    """Why the linter cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "`node` is not on PATH (install Node.js 20 or later)"
    if not PACKAGE.is_dir():
        return f"{PACKAGE.relative_to(LINT_DIR.parents[1])} is not installed"
    return None


@pytest.fixture(scope="module")
def lint() -> Lint:
    """Lint statements in one node process. Missing tools fail under CI, so the check
    cannot vanish there, and skip elsewhere with the way to install them."""
    missing = _missing_prerequisite()
    if missing is not None:
        how = "run `make test` (it runs `npm ci --prefix tests/cypher_lint`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Cypher grammar check cannot run in CI: {missing}; {how}.", pytrace=False)
        pytest.skip(f"Cypher grammar check skipped: {missing}; {how}.")

    def run(statements: dict[str, str]) -> Findings:
        done = subprocess.run(
            ["node", str(LINT_DIR / "lint.mjs")],
            input=json.dumps(statements),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"lint.mjs exited {done.returncode}:\n{done.stderr}"
        findings: Findings = json.loads(done.stdout)
        assert set(findings) == set(statements), "lint.mjs did not answer for every statement"
        return findings

    return run


def test_the_adapter_has_statements() -> None:
    assert cypher.statements(), "graph.neo4j.cypher.statements() is empty: nothing would be checked"


def test_every_statement_passes_the_cypher_analyser(lint: Lint) -> None:
    statements = cypher.statements()
    findings = lint(statements)
    offending = {name: found for name, found in findings.items() if found}
    report = "\n\n".join(
        f"{name}:\n{textwrap.indent(statements[name], '  ')}\n"
        + "\n".join(
            f"  {d['severity']} at line {d['position']['line']}, column {d['position']['column']}: {d['message']}"
            for d in found
        )
        for name, found in sorted(offending.items())
    )
    assert not offending, f"{len(offending)} Cypher statement(s) have errors or warnings:\n\n{report}"


def test_the_analyser_catches_known_faults(lint: Lint) -> None:
    """Guards against a check that passes because the analyser stopped reporting:
    one fault each from the parser, the semantic analysis and the deprecations."""
    findings = lint(
        {
            "syntax": "MATCH (n RETURN n",
            "semantic": "MATCH (n) RETURN m",
            "deprecated": "MATCH (n) RETURN id(n) AS i",
            "clean": "MATCH (n:Project {id: $id}) RETURN n.name AS name",
        }
    )
    assert [d["severity"] for d in findings["syntax"]] == ["error"], findings["syntax"]
    assert [d["severity"] for d in findings["semantic"]] == ["error"], findings["semantic"]
    assert [d["severity"] for d in findings["deprecated"]] == ["warning"], findings["deprecated"]
    assert findings["clean"] == [], findings["clean"]

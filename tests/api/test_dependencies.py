"""`make run` installs pyproject's runtime `dependencies` only, and the test extra holds what only
the tests need: the packages thememap ships must import with nothing of the test extra installed."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "graph", "schema", "seeds")


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _closure(requirements: list[str]) -> set[str]:
    """The distributions these requirements install, with what they require in turn (as installed here)."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in seen:
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement whose marker leaves it out on this platform
        seen.add(name)
        for text in distribution.requires or []:
            nested = Requirement(text)
            extras = requirement.extras or {""}
            if nested.marker is None or any(nested.marker.evaluate({"extra": extra}) for extra in extras):
                todo.append(nested)
    return seen


def _test_only() -> set[str]:
    project = _project()
    return _closure(project["optional-dependencies"]["test"]) - _closure(project["dependencies"])


def test_the_runtime_dependencies_name_nothing_of_the_test_extra() -> None:
    """No package is both a runtime dependency and a test one, and the heavy test tools (a browser
    driver, ArcadeDB with its Java runtime, scikit-learn, the linters) are not installed by `make run`."""
    project = _project()
    runtime = {canonicalize_name(Requirement(r).name) for r in project["dependencies"]}
    test = {canonicalize_name(Requirement(r).name) for r in project["optional-dependencies"]["test"]}
    assert runtime and test and not runtime & test, runtime & test
    heavy = {"pytest", "playwright", "arcadedb-embedded", "scikit-learn", "hypothesis", "ruff", "mypy"}
    assert heavy <= _test_only(), heavy - _test_only()


def test_the_shipped_packages_import_without_the_test_extra() -> None:
    """Every module of api, graph, schema and seeds imports in a fresh interpreter that refuses the
    modules of the test-only distributions, as a venv made by `make run` would."""
    test_only = _test_only()
    refused = sorted(
        module
        for module, owners in metadata.packages_distributions().items()
        if {canonicalize_name(owner) for owner in owners} <= test_only
    )
    assert "playwright" in refused and "pytest" in refused
    script = f"""
import importlib, importlib.abc, pkgutil, sys
REFUSED = set({refused!r})
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in REFUSED:
            raise ModuleNotFoundError(f"{{name}} belongs to the test extra", name=name)
        return None
sys.meta_path.insert(0, Refuse())
for package in {PACKAGES!r}:
    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(module.name)
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-3000:]

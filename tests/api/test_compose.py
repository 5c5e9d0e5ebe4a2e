"""docker-compose.yml and the Dockerfile agree with the app.

Docker is not needed: the files are read as text and YAML, so a pin dropped, an env var
the app never reads, or a missing health dependency fails here instead of at `compose up`.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices

from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
# An exact release: 5.26.31 (semantic versions) or 2025.01.0 (calendar versions).
PINNED_NEO4J = re.compile(r"^(5\.\d+\.\d+|20\d\d\.\d\d\.\d+)(-community|-enterprise)?(-[a-z0-9]+)?$")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    compose = yaml.safe_load(COMPOSE.read_text())
    return compose["services"]


def app_env_vars() -> set[str]:
    """Every environment variable Settings reads: its validation aliases, else prefix + field name."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: set[str] = set()
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names.update(choice for choice in alias.choices if isinstance(choice, str))
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{field_name}")
    return {name.upper() for name in names}


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as KEY=VALUE items."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_neo4j_image_is_pinned(services: dict[str, Any]) -> None:
    image = services["neo4j"]["image"]
    name, _, tag = image.partition(":")
    assert name in {"neo4j", "docker.io/neo4j", "docker.io/library/neo4j"}, image
    assert tag and "latest" not in tag and PINNED_NEO4J.match(tag.split("@")[0]), f"{image} is not pinned to a release"


def test_neo4j_has_a_healthcheck_and_a_named_data_volume(services: dict[str, Any]) -> None:
    neo4j = services["neo4j"]
    assert neo4j.get("healthcheck", {}).get("test"), "neo4j needs a healthcheck for the api to wait on"
    named = set(yaml.safe_load(COMPOSE.read_text()).get("volumes") or {})
    mounts = [str(v).split(":") for v in neo4j.get("volumes", [])]
    assert any(len(m) >= 2 and m[0] in named and m[1] == "/data" for m in mounts), "no named volume on /data"


def test_ports_are_bound_to_loopback(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this machine"


def test_api_builds_from_the_repo_dockerfile(services: dict[str, Any]) -> None:
    build = services["api"]["build"]
    context, dockerfile = (
        (build, "Dockerfile") if isinstance(build, str) else (build["context"], build.get("dockerfile", "Dockerfile"))
    )
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE


def test_api_waits_for_a_healthy_neo4j(services: dict[str, Any]) -> None:
    depends = services["api"]["depends_on"]
    assert isinstance(depends, dict), "depends_on must be a mapping to carry `condition: service_healthy`"
    assert depends["neo4j"]["condition"] == "service_healthy"


def test_api_sets_only_variables_the_app_reads(services: dict[str, Any]) -> None:
    env = environment(services["api"])
    unknown = set(env) - app_env_vars()
    assert not unknown, f"api sets variables the app never reads: {sorted(unknown)}"
    assert env["THEMEMAP_STORE"] == "neo4j"
    assert env["NEO4J_URI"].startswith(("bolt://neo4j:", "neo4j://neo4j:"))
    # Community has only the default database; the app's own default (`thememap`) would not exist.
    assert env["NEO4J_DATABASE"] == "neo4j"


def _instruction(text: str, keyword: str) -> list[str]:
    """The argv of the last `keyword` instruction (exec or shell form), or [] when absent."""
    lines = re.findall(rf"^\s*{keyword}\s+(.+)$", text.replace("\\\n", " "), flags=re.MULTILINE | re.IGNORECASE)
    if not lines:
        return []
    value = lines[-1].strip()
    return list(json.loads(value)) if value.startswith("[") else shlex.split(value)


def test_dockerfile_runs_thememap_serve() -> None:
    text = DOCKERFILE.read_text()
    argv = _instruction(text, "ENTRYPOINT") + _instruction(text, "CMD")
    runs_serve = any(argv[i : i + 2] == ["thememap", "serve"] for i in range(len(argv)))
    assert runs_serve, f"the image runs {argv}, not `thememap serve`"
    assert re.search(r"^\s*HEALTHCHECK\s", text, flags=re.MULTILINE), "the image has no HEALTHCHECK"
    assert re.search(r"^\s*USER\s+(?!root\b|0\b)\S+", text, flags=re.MULTILINE), "the image runs as root"

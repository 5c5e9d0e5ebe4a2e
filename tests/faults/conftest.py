"""A real server process over the demo study, per adapter, with a token of its owner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ADAPTERS, _wipe
from tests.servers import demo_owner, server


@dataclass
class Demo:
    adapter: str
    url: str
    token: str
    env: dict[str, str]


def demo_env(adapter: str, tmp: Path, request: pytest.FixtureRequest) -> dict[str, str]:
    """Settings for a server of `adapter` on an empty store (the shared Bolt server, wiped)."""
    if adapter == "embedded":
        return {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(tmp)}
    bolt = request.getfixturevalue("bolt_server")
    _wipe(bolt)
    return {"THEMEMAP_STORE": "neo4j", **bolt.env()}


@pytest.fixture(params=ADAPTERS)
def demo_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Demo]:
    """uvicorn serving the demo study on the adapter under test; stopped afterwards."""
    env = demo_env(str(request.param), tmp_path, request)
    token = demo_owner(env)
    with server(env) as (_, url):
        yield Demo(str(request.param), url, token, env)

"""32 concurrent clients, four members of the demo study reading and coding at once,
against a real server on each adapter: zero errors, and every acknowledged write is
there afterwards. Prints throughput and p50/p99 (see tests/bench/load.py); the short
run is always in the suite, the long one with `-m slow`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bench.load import measure
from tests.conftest import ADAPTERS
from tests.faults.conftest import demo_env

CLIENTS = 32


def check(adapter: str, tmp_path: Path, request: pytest.FixtureRequest, seconds: float) -> None:
    result = measure(demo_env(adapter, tmp_path, request), CLIENTS, seconds, users=4)
    print(result.summary(adapter))
    assert not result.errors, result.errors[:5]
    assert not result.lost, f"acknowledged writes missing (code: acknowledged, found): {result.lost}"
    assert result.writes > 0 and len(result.latencies) > result.writes


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_concurrent_members_lose_nothing(adapter: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    check(adapter, tmp_path, request, seconds=4)


@pytest.mark.slow
@pytest.mark.parametrize("adapter", ADAPTERS)
def test_concurrent_members_lose_nothing_for_a_minute(
    adapter: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    check(adapter, tmp_path, request, seconds=60)

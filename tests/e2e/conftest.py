"""The browser: Debian's chromium, or a skip with the reason (a failure under CI=true,
as for the Bolt server in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.conftest import IN_CI
from tests.e2e.browser import CHROMIUM, Site, demo_site, launch


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} not found: run `make browser-deps` (installs Debian's chromium; needs root or sudo)"
        if IN_CI:
            pytest.fail(f"CI needs the browser test: {reason}")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with demo_site(tmp_path / "data") as s:
        yield s

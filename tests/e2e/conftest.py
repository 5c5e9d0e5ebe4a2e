"""The browser: Debian's chromium, or a skip with the reason (a failure under CI=true,
as for the Bolt server in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

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


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[[], Page]]:
    """A factory of pages, each in its own browser context (a separate visitor). At the end
    the test fails if any page logged an error or threw (a script error, a refused
    Content-Security-Policy, a failed load)."""
    contexts: list[BrowserContext] = []
    problems: list[str] = []

    def new_page() -> Page:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error {e}"))
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert problems == []

"""An accessibility audit of the page with axe-core (from npm, installed by `make test` in
tests/e2e/axe), run in the same headless Chromium as the other browser tests: the signed-out
page, the map with a node's panel, the transcript view with its coding form, and the analysis
views (saturation, the concept network, the history) have no violation axe rates serious or
critical."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import Site, sign_in

AXE = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SEVERE = {"serious", "critical"}


def severe_violations(page: Page) -> list[str]:
    """What axe finds serious or critical on the page as it stands, one line per rule and element."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    found = page.evaluate("() => axe.run(document, { resultTypes: ['violations'] })")
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {node['target']}"
        for v in found["violations"]
        if v["impact"] in SEVERE
        for node in v["nodes"]
    ]


@pytest.fixture
def audited_page(browser: Browser) -> Iterator[Page]:
    """A page whose context lets the test add axe's script (the page's policy refuses scripts
    it does not serve itself); the page's own scripts are the same. Fails on any page error."""
    if not AXE.exists():
        how = "run `make test` (it runs `npm ci --prefix tests/e2e/axe`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the accessibility audit cannot run in CI: {AXE} is not installed; {how}.", pytrace=False)
        pytest.skip(f"accessibility audit skipped: {AXE} is not installed; {how}.")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert errors == []


def test_the_page_has_no_serious_accessibility_violation(site: Site, audited_page: Page) -> None:
    page = audited_page
    page.goto(site.url + "/")
    expect(page.get_by_label("API token")).to_be_visible()
    assert severe_violations(page) == [], "signed out"

    sign_in(page, site.url, site.token)
    page.locator("#list-view summary").click()
    page.locator("#list-codes button", has_text="Feeling watched").click()
    expect(page.locator("#panel-title")).to_have_text("Feeling watched")
    assert severe_violations(page) == [], "the map and a code's panel"

    page.locator("#excerpts .excerpt").first.click()
    expect(page.locator("#current-excerpt")).to_be_visible()
    expect(page.get_by_role("form", name="Code the selected passage")).to_be_visible()
    assert severe_violations(page) == [], "the transcript view"

    for view in ("saturation", "network", "history"):
        page.locator(f"#{view} summary").click()
    expect(page.locator("#saturation-curve")).to_be_visible()
    expect(page.locator("#communities > li").first).to_be_visible()
    expect(page.locator("#history-list > li").first).to_be_visible()
    page.get_by_label("Size codes by centrality").check()
    expect(page.locator("#map")).to_have_attribute("data-sized-by", "betweenness")
    assert severe_violations(page) == [], "the saturation, network and history views"

"""Measure how long the web page takes to show the demo study's theme map: from the
start of navigation to the map drawn (the page's `map-rendered` performance mark, set
once the layout has stopped). Cold loads use a new browser context each (empty cache);
warm loads reload the same one. Prints the median and the range of each.

    .venv/bin/python -m tests.bench.page_load [--loads 9]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

from tests.e2e.browser import demo_site, launch

RENDERED = "() => performance.getEntriesByName('map-rendered')[0]?.startTime"


def signed_in_page(browser: Browser, token: str) -> Page:
    """A page in a new context whose session already holds the token, so loading it draws the map."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(f"sessionStorage.setItem('thememap-token', {json.dumps(token)})")
    return context.new_page()


def time_to_map(page: Page, load: Callable[[], object]) -> float:
    load()
    page.wait_for_function(RENDERED)  # a function, not a string: the page's policy forbids eval
    return float(page.evaluate(RENDERED))


def report(name: str, times: list[float]) -> None:
    print(
        f"{name:>5}: median {statistics.median(times):6.0f} ms  (min {min(times):.0f}, max {max(times):.0f}, "
        f"n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9)
    loads = parser.parse_args().loads
    with tempfile.TemporaryDirectory() as data, demo_site(Path(data)) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        cold = []
        for _ in range(loads):
            page = signed_in_page(browser, site.token)
            cold.append(time_to_map(page, partial(page.goto, site.url + "/")))
            page.context.close()
        page = signed_in_page(browser, site.token)
        page.goto(site.url + "/")
        warm = [time_to_map(page, page.reload) for _ in range(loads)]
        nodes, edges = page.evaluate("[window.thememap.cy.nodes().length, window.thememap.cy.edges().length]")
        browser.close()
    print(f"Navigation start to the demo study's theme map drawn ({nodes} nodes, {edges} edges), headless Chromium:")
    report("cold", cold)
    report("warm", warm)


if __name__ == "__main__":
    main()

"""Regenerate the README's picture of the demo study's theme map (`make screenshot`):
the demo seeded into a temporary data dir, served, signed in to in headless Chromium,
a theme opened in the side panel.

    .venv/bin/python -m tests.e2e.screenshot docs/theme-map.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.e2e.browser import demo_site, launch, node_point, sign_in

THEME = "Fear of judgement and of losing the baby"


def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as data, demo_site(Path(data)) as site, sync_playwright() as playwright:
        browser = launch(playwright)
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        sign_in(page, site.url, site.token)
        page.mouse.click(*node_point(page, THEME))
        page.locator("#panel-title").wait_for()
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=out)
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/theme-map.png"))

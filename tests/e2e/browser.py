"""Headless Chromium for the browser tests, the screenshot and the page-load measure.

Debian's `chromium` (installed by `make browser-deps`) driven by Playwright's Python
client with `executable_path`: no browser download. Playwright starts each browser with
a fresh temporary profile (`--user-data-dir`) and deletes it afterwards. The flags keep
Chromium off the network: on a machine with no outside access its background
connections are refused and slow it down."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, Playwright

from tests.servers import DEMO_PROJECT, add_user, demo_owner, server

CHROMIUM = Path(os.environ.get("THEMEMAP_CHROMIUM", "/usr/bin/chromium"))
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "build" / "e2e"


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)


@dataclass
class Site:
    """A real server process with the demo study, and a token for its owner."""

    url: str
    env: dict[str, str]
    token: str

    def add_member(self, name: str, role: str = "ANALYST") -> tuple[str, str]:
        """A new user (via the CLI) made a member of the demo project (via GraphQL); their id and token."""
        user_id, token = add_user(self.env, name)
        body = httpx.post(
            f"{self.url}/graphql",
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=10,
            json={
                "query": "mutation($p: ID!, $u: ID!, $r: Role!) { addMember(projectId: $p, userId: $u, role: $r) "
                "{ role } }",
                "variables": {"p": DEMO_PROJECT, "u": user_id, "r": role},
            },
        ).json()
        assert "errors" not in body, body
        return user_id, token


@contextmanager
def demo_site(data_dir: Path) -> Iterator[Site]:
    """Seed the demo study into `data_dir` (embedded store) and serve it."""
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(data_dir)}
    token = demo_owner(env)
    with server(env) as (_, url):
        yield Site(url, env, token)


def sign_in(page: Page, url: str, token: str) -> None:
    """Open the page, sign in, and wait until the map is drawn."""
    page.goto(url + "/")
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("#map[data-loads]")


def node_point(page: Page, name: str) -> tuple[float, float]:
    """Where the node named `name` is drawn, in page coordinates."""
    return page.evaluate(
        """name => {
        const node = window.thememap.cy.nodes().filter((n) => n.data('name') === name).first();
        const box = document.querySelector('#map').getBoundingClientRect();
        const at = node.renderedPosition();
        return [box.left + at.x, box.top + at.y];
    }""",
        name,
    )


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=path)
    print(f"screenshot: {path}")
    return path

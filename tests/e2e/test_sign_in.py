"""The signed-out page says where a token comes from, and the project picker tells apart two
projects with the same name (in headless Chromium against a real server with the demo study)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.browser import DEMO_PROJECT, Site, sign_in

DEMO_NAME = "Perinatal mental health and social work (synthetic demo)"


def test_the_signed_out_page_says_where_tokens_come_from(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    page.goto(site.url + "/")
    hint = page.locator("#token-hint")
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("make run")
    expect(hint).to_contain_text("thememap user token NAME")


def test_two_projects_with_one_name_are_told_apart(site: Site, open_page: Callable[[], Page]) -> None:
    created = httpx.post(
        f"{site.url}/graphql",
        headers={"Authorization": f"Bearer {site.token}"},
        timeout=10,
        json={
            "query": "mutation($n: String!) { createProject(input: {name: $n}) { id createdAt } }",
            "variables": {"n": DEMO_NAME},
        },
    ).json()["data"]["createProject"]
    page = open_page()
    sign_in(page, site.url, site.token)
    options = dict(
        page.locator("#project option").evaluate_all("(options) => options.map((o) => [o.value, o.textContent])")
    )
    assert set(options) == {DEMO_PROJECT, created["id"]}
    assert len(set(options.values())) == 2, options
    assert options[created["id"]] == f"{DEMO_NAME} (created {created['createdAt'][:10]}, id {created['id'][:8]})"
    assert all(label.startswith(DEMO_NAME) for label in options.values())
    expect(page.locator("#token-hint")).to_be_hidden()

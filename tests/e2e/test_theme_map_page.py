"""The web page in headless Chromium against a real server with the demo study: sign in,
the demo's themes on the map, filters, a node's excerpts and transcript, edits by mouse
and keyboard, and a second analyst's browser receiving them live. Each check compares
the page with what the GraphQL API answers for the same question."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.browser import DEMO_PROJECT, Site, node_point, screenshot, sign_in

MAP = """query($p: ID!, $f: CaseFilter, $c: [ID!], $m: Int) { themeMap(projectId: $p, filter: $f, coders: $c,
  cooccurrenceMin: $m) { nodes { id kind label participantCount } edges { source target kind } } }"""
CHILD_PROTECTION = {"attributes": [{"name": "involvement", "equals": "child protection plan"}]}
SAM = "7d06304d-7301-59b3-8e7c-226c626ca3af"  # Sam Whitfield, the demo's second coder


def gql(site: Site, query: str, token: str | None = None, **variables: Any) -> dict:
    body = httpx.post(
        f"{site.url}/graphql",
        json={"query": query, "variables": variables},
        timeout=10,
        headers={"Authorization": f"Bearer {token or site.token}"},
    ).json()
    assert "errors" not in body, body
    return body["data"]


def theme_map(site: Site, **variables: Any) -> dict:
    return gql(site, MAP, p=DEMO_PROJECT, **variables)["themeMap"]


def participants_by_theme(themes: dict) -> dict[str, int]:
    return {n["label"]: n["participantCount"] for n in themes["nodes"] if n["kind"] == "THEME"}


def listed_themes(page: Page) -> dict[str, int]:
    """The list view's themes with their participant counts."""
    listed = {}
    for item in page.locator("#list-themes li").all():
        text = item.text_content() or ""  # the list may be folded away: its text, not what is visible
        count = re.search(r"(\d+) participants?", text)
        assert count, text
        listed[item.locator("button").text_content() or ""] = int(count.group(1))
    return listed


def drawn_themes(page: Page) -> dict[str, str]:
    """The themes drawn on the map (cytoscape's nodes): name -> label with its count."""
    return page.evaluate("""() => Object.fromEntries(window.thememap.cy.nodes("[kind = 'THEME']")
        .map((n) => [n.data('name'), n.data('label')]))""")


def reloaded(page: Page, change: Any) -> None:
    """Do `change()` and wait until the page has drawn the map again."""
    before = page.locator("#map").get_attribute("data-loads")
    change()
    page.wait_for_function("n => document.querySelector('#map').dataset.loads !== n", arg=before)


def node_id(themes: dict, label: str) -> str:
    return next(n["id"] for n in themes["nodes"] if n["label"] == label)


def test_the_demo_map_shows_its_themes_and_follows_the_filters(open_page: Callable[[], Page], site: Site) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    everyone = participants_by_theme(theme_map(site))
    assert len(everyone) == 10
    assert listed_themes(page) == everyone
    assert drawn_themes(page) == {name: f"{name} ({n})" for name, n in everyone.items()}
    expect(page.locator("#who")).to_have_text("Signed in as demo")
    screenshot(page, "map-everyone")

    reloaded(page, lambda: page.get_by_label("Attribute").select_option("involvement"))
    reloaded(page, lambda: page.get_by_label("Value").select_option(label="child protection plan"))
    on_plans = participants_by_theme(theme_map(site, f=CHILD_PROTECTION))
    assert listed_themes(page) == on_plans != everyone
    assert drawn_themes(page) == {name: f"{name} ({n})" for name, n in on_plans.items()}
    screenshot(page, "map-child-protection-plan")

    reloaded(page, lambda: page.get_by_label("Codings by").select_option(label="Sam Whitfield"))
    by_sam = participants_by_theme(theme_map(site, f=CHILD_PROTECTION, c=[SAM]))
    assert listed_themes(page) == by_sam != on_plans
    screenshot(page, "map-child-protection-plan-sam")

    def cooccurrence_edges(minimum: int) -> int:
        edges = theme_map(site, f=CHILD_PROTECTION, c=[SAM], m=minimum)["edges"]
        return sum(e["kind"] == "COOCCURS" for e in edges)

    reloaded(page, lambda: page.get_by_label("Show co-occurring codes").check())
    listed = page.locator("#list-edges li[data-kind='COOCCURS']")
    assert listed.count() == cooccurrence_edges(3) > 0
    reloaded(page, lambda: page.get_by_label("at least").press("ArrowLeft"))  # the slider, by keyboard
    assert listed.count() == cooccurrence_edges(2) > cooccurrence_edges(3)


def test_a_node_opens_its_excerpts_and_an_excerpt_its_transcript(open_page: Callable[[], Page], site: Site) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    name = "Fear of judgement and of losing the baby"
    themes = theme_map(site)
    theme = gql(
        site,
        """query($id: ID!, $p: ID!) { theme(id: $id) { description participantCount }
        findExcerpts(projectId: $p, where: {anyOf: [$id]}, first: 500) { edges { node {
          text participant { pseudonym } document { title } } } } }""",
        id=node_id(themes, name),
        p=DEMO_PROJECT,
    )
    page.mouse.click(*node_point(page, name))  # a click on the drawing

    panel = page.get_by_role("complementary", name="Selected concept")
    expect(panel.locator("#panel-title")).to_have_text(name)
    expect(panel.locator("#definition")).to_have_text(theme["theme"]["description"])
    expect(panel).not_to_contain_text(re.compile(r"\b(null|undefined)\b"))
    expect(panel.locator("#prevalence")).to_contain_text(f"{theme['theme']['participantCount']} of 18 participants")
    excerpts = [e["node"] for e in theme["findExcerpts"]["edges"]]
    assert len(excerpts) > 20, "enough for a second page"
    expect(panel.locator(".excerpt")).to_have_count(20)  # the first page
    for shown in range(40, len(excerpts) + 20, 20):  # page by page, as a reader would
        panel.get_by_role("button", name="More excerpts").click()
        expect(panel.locator(".excerpt")).to_have_count(min(len(excerpts), shown))
    expect(panel.get_by_role("button", name="More excerpts")).to_have_count(0)
    assert panel.locator(".excerpt-list .who").all_inner_texts() == [e["participant"]["pseudonym"] for e in excerpts]

    excerpt = excerpts[1]
    panel.locator(".excerpt").nth(1).click()
    expect(panel.locator("#current-excerpt")).to_have_text(excerpt["text"])
    expect(panel.locator("#transcript-title")).to_have_text(
        f"{excerpt['document']['title']} ({excerpt['participant']['pseudonym']})"
    )
    expect(panel.locator("#current-excerpt")).to_be_focused()
    screenshot(page, "excerpt-in-transcript")


def test_edits_by_mouse_and_keyboard_reach_another_analyst_live(open_page: Callable[[], Page], site: Site) -> None:
    _, priya_token = site.add_member("Priya Nair")
    owner, analyst = open_page(), open_page()
    for page, token in ((owner, site.token), (analyst, priya_token)):
        sign_in(page, site.url, token)
        page.wait_for_selector("body[data-live='on']")
        page.locator("#list-view summary").click()
    time.sleep(1)  # the subscriptions have taken their starting point on the server

    code, theme = "Feeling watched", "Collaboration between professionals"
    themes = theme_map(site)
    code_id, theme_id = node_id(themes, code), node_id(themes, theme)
    assert not any(e["source"] == code_id and e["target"] == theme_id for e in themes["edges"])

    # The owner drags the code onto the theme with the mouse.
    def drag() -> None:
        owner.mouse.move(*node_point(owner, code))
        owner.mouse.down()
        owner.mouse.move(*node_point(owner, theme), steps=15)
        owner.mouse.up()

    reloaded(owner, drag)
    membership = f"{code} is in theme {theme}"
    expect(owner.locator("#status")).to_have_text(f"Added “{code}” to “{theme}”.")
    expect(analyst.locator("#list-edges li", has_text=membership)).to_have_count(1, timeout=5000)
    expect(analyst.locator("#status")).to_contain_text(f"demo: added code '{code}' to theme '{theme}'")
    assert any(
        e["source"] == code_id and e["target"] == theme_id and e["kind"] == "MEMBER_OF"
        for e in theme_map(site)["edges"]
    )
    screenshot(owner, "live-owner-after-drag")
    screenshot(analyst, "live-analyst-sees-drag")

    # The analyst links the code to the theme: opens the code from the list with the keyboard,
    # picks the target on the drawing, chooses the kind and submits with Enter.
    analyst.locator("#list-codes button", has_text=code).focus()
    analyst.keyboard.press("Enter")
    expect(analyst.locator("#panel-title")).to_have_text(code)
    expect(analyst.get_by_role("form", name="Edit this code")).to_have_count(1)
    analyst.get_by_role("button", name="Pick on the map").click()
    analyst.mouse.click(*node_point(analyst, theme))
    expect(analyst.get_by_label("Link to")).to_have_value(theme_id)
    analyst.get_by_label("Kind").select_option("CONTRADICTS")
    analyst.get_by_label("Label").fill("watched, not helped")
    analyst.get_by_label("Label").press("Enter")
    link = f'{code} contradicts {theme} ("watched, not helped")'
    expect(analyst.locator("#list-edges li", has_text=link)).to_have_count(1)
    expect(owner.locator("#list-edges li", has_text=link)).to_have_count(1, timeout=5000)
    expect(owner.locator("#status")).to_contain_text("Priya Nair: ")
    screenshot(analyst, "live-analyst-after-link")
    screenshot(owner, "live-owner-sees-link")


def test_a_viewer_can_look_but_not_edit(open_page: Callable[[], Page], site: Site) -> None:
    _, token = site.add_member("Vic Viewer", role="VIEWER")
    page = open_page()
    sign_in(page, site.url, token)
    page.locator("#list-view summary").click()
    page.locator("#list-codes button", has_text="Feeling watched").click()
    expect(page.locator("#panel-title")).to_have_text("Feeling watched")
    expect(page.locator("#excerpts .excerpt").first).to_be_visible()
    panel = page.locator("#panel")
    expect(panel.get_by_role("form")).to_have_count(0)
    page.locator("#excerpts .excerpt").first.click()
    expect(panel.locator("#current-excerpt")).to_be_visible()
    expect(panel.locator("#codings li").first).to_be_visible()
    expect(panel.get_by_role("form")).to_have_count(0)  # no coding in the transcript either
    expect(panel.get_by_role("button", name=re.compile("^Uncode"))).to_have_count(0)


def test_a_wrong_token_is_refused_with_a_message(open_page: Callable[[], Page], site: Site) -> None:
    page = open_page()
    page.goto(site.url + "/")
    page.get_by_label("API token").fill("tm_not-a-token")
    page.get_by_label("API token").press("Enter")
    expect(page.locator("#status")).to_have_class(re.compile("error"))
    expect(page.locator("#status")).not_to_be_empty()
    expect(page.locator("#workspace")).to_be_hidden()

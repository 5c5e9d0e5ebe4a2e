"""The analysis views under the map, in headless Chromium against a real server with the demo
study: saturation (its point and parameters as the API answers them), codes sized by centrality
with the communities listed (one made into a theme), and the history (a revert refused with its
CONFLICT and the later change named, then a revert that undoes a rename, and the codebook diff).
A viewer gets no revert button. Each check compares the page with what the GraphQL API answers."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from tests.e2e.browser import DEMO_PROJECT, Site, sign_in
from tests.e2e.test_theme_map_page import gql, node_id, theme_map

SATURATION = """query($p: ID!, $b: Int!, $r: Int!, $t: Float!) {
  saturation(projectId: $p, baseSize: $b, runLength: $r, threshold: $t) {
    status interviewsNeeded baseCodes point { first last newCodes } curve { cumulative } } }"""
NETWORK = """query($p: ID!) { conceptNetwork(projectId: $p) {
  nodes { codeId betweenness weightedDegree } communities { acrossThemes codes { id name } } } }"""
RENAME = """mutation($id: ID!, $v: Int!, $name: String!) {
  updateCode(input: {id: $id, expectedVersion: $v, name: $name}) { version } }"""
HISTORY = "query($p: ID!) { activity(projectId: $p, first: 20) { edges { node { id type summary } } } }"
DIFF = "query($p: ID!, $e: ID!) { codebookDiff(projectId: $p, from: {entryId: $e}) { markdown } }"
WATCHED = "Feeling watched"


def code_name(site: Site, code_id: str) -> str:
    return gql(site, "query($id: ID!) { code(id: $id) { name } }", id=code_id)["code"]["name"]


def code_size(page: Page, code_id: str) -> float:
    return page.evaluate("id => window.thememap.cy.getElementById(id).data('size')", code_id)


def test_saturation_is_drawn_with_its_point_and_parameters(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    page.locator("#saturation summary").click()
    expected = gql(site, SATURATION, p=DEMO_PROJECT, b=4, r=2, t=0.05)["saturation"]
    assert expected["status"] == "REACHED"
    status = page.locator("#saturation-status")
    expect(status).to_have_attribute("data-status", "REACHED")
    point = expected["point"]
    expect(status).to_contain_text(f"after {expected['interviewsNeeded']} interviews")
    expect(status).to_contain_text(f"interviews {point['first']} to {point['last']}")
    expect(status).to_contain_text(f"of the base's {expected['baseCodes']}")
    expect(page.locator("#saturation-parameters")).to_contain_text("Base 4 interviews, runs of 2, threshold 5 %")
    curve = page.locator("#saturation-curve")
    expect(curve).to_have_attribute("data-needed", str(expected["interviewsNeeded"]))
    expect(curve.locator("circle")).to_have_count(len(expected["curve"]))

    # Other parameters: a base of 1 and a threshold of 0 % (the page's answer is the API's).
    page.get_by_label("Base size").fill("1")
    page.get_by_label("New-information threshold (%)").fill("0")
    page.get_by_role("button", name="Show saturation").click()
    other = gql(site, SATURATION, p=DEMO_PROJECT, b=1, r=2, t=0.0)["saturation"]
    expect(page.locator("#saturation-parameters")).to_contain_text("Base 1 interview, runs of 2, threshold 0 %")
    expect(status).to_have_attribute("data-status", other["status"])
    expect(curve).to_have_attribute("data-needed", str(other["interviewsNeeded"] or ""))


def test_codes_are_sized_by_centrality_and_a_community_becomes_a_theme(
    site: Site, open_page: Callable[[], Page]
) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    network = gql(site, NETWORK, p=DEMO_PROJECT)["conceptNetwork"]
    bridge = max(network["nodes"], key=lambda n: n["betweenness"])
    loosest = min(network["nodes"], key=lambda n: n["betweenness"])
    by_participants = code_size(page, bridge["codeId"])

    page.get_by_label("Size codes by centrality").check()
    expect(page.locator("#map")).to_have_attribute("data-sized-by", "betweenness")
    assert code_size(page, bridge["codeId"]) == 70  # the largest betweenness: the largest node
    assert code_size(page, loosest["codeId"]) < 70
    page.get_by_label("using").select_option("weightedDegree")
    expect(page.locator("#map")).to_have_attribute("data-sized-by", "weightedDegree")
    heaviest = max(network["nodes"], key=lambda n: n["weightedDegree"])
    assert code_size(page, heaviest["codeId"]) == 70
    page.get_by_label("Size codes by centrality").uncheck()
    expect(page.locator("#map")).to_have_attribute("data-sized-by", "participants")
    assert code_size(page, bridge["codeId"]) == by_participants

    page.locator("#network summary").click()
    items = page.locator("#communities > li")
    expect(items).to_have_count(len(network["communities"]))
    across = [c for c in network["communities"] if c["acrossThemes"]]
    assert across, "the demo has communities across themes"
    expect(page.locator("#communities > li[data-across=yes]")).to_have_count(len(across))
    first = across[0]
    suggestion = page.locator("#communities > li[data-across=yes]").first
    expect(suggestion).to_contain_text(", ".join(c["name"] for c in first["codes"]))
    suggestion.get_by_label("Theme name").fill("Working together across services")
    suggestion.get_by_role("button", name="Make a theme of these codes").click()
    expect(page.locator("#status")).to_have_text(
        f"Made the theme “Working together across services” of {len(first['codes'])} codes."
    )
    made = gql(site, "query($p: ID!) { project(id: $p) { themes { name codes { id } } } }", p=DEMO_PROJECT)
    theme = next(t for t in made["project"]["themes"] if t["name"] == "Working together across services")
    assert sorted(c["id"] for c in theme["codes"]) == sorted(c["id"] for c in first["codes"])


def test_the_history_reverts_a_rename_and_names_what_blocks_a_revert(site: Site, open_page: Callable[[], Page]) -> None:
    watched = node_id(theme_map(site), WATCHED)
    version = gql(site, "query($id: ID!) { code(id: $id) { version } }", id=watched)["code"]["version"]
    version = gql(site, RENAME, id=watched, v=version, name="Watched")["updateCode"]["version"]
    gql(site, RENAME, id=watched, v=version, name="Watched all the time")
    _, viewer_token = site.add_member("vera", "VIEWER")
    history = [e["node"] for e in gql(site, HISTORY, p=DEMO_PROJECT)["activity"]["edges"]]
    second, first = (n for n, e in enumerate(history) if e["type"] == "code.updated")
    page = open_page()

    def entry(n: int) -> Locator:
        return page.locator(f"#history-list > li[data-entry='{history[n]['id']}']")

    sign_in(page, site.url, site.token)
    page.locator("#history summary").click()
    expect(page.locator("#history-list > li")).to_have_count(len(history))  # a page, newest first
    expect(page.locator("#history-list > li").first).to_contain_text(history[0]["summary"])

    # The first rename is refused: the second depends on it, and the page names it.
    entry(first).get_by_role("button", name="Revert").click()
    expect(page.locator("#history-message")).to_contain_text("Not reverted (CONFLICT)")
    expect(page.locator("#revert-conflicts li")).to_contain_text([history[second]["summary"]])
    assert code_name(site, watched) == "Watched all the time"

    # The newest rename is reverted: the name goes back, in the API, on the map and in the history.
    entry(second).get_by_role("button", name="Revert").click()
    expect(page.locator("#history-message")).to_contain_text(f"Reverted “{history[second]['summary']}”")
    assert code_name(site, watched) == "Watched"
    expect(page.locator("#list-codes button", has_text="Watched")).to_have_text(["Watched"])
    expect(page.locator("#history-list > li").first).to_have_attribute("data-type", "code.updated")

    # The codebook since the first rename: unchanged (renamed again, then back); since the entry
    # before it: that rename.
    entry(first).get_by_role("button", name="Codebook changes since").click()
    expect(page.locator("#codebook-diff-text")).to_have_text("No change to the codebook since then.")
    entry(first + 1).get_by_role("button", name="Codebook changes since").click()
    diff = gql(site, DIFF, p=DEMO_PROJECT, e=history[first + 1]["id"])["codebookDiff"]["markdown"]
    assert f"Renamed **{WATCHED}** to **Watched**" in diff
    expect(page.locator("#codebook-diff-text")).to_contain_text(f"Renamed **{WATCHED}** to **Watched**")
    assert page.locator("#codebook-diff-text").text_content() == diff

    # A viewer reads the history but has no revert button.
    viewer = open_page()
    sign_in(viewer, site.url, viewer_token)
    viewer.locator("#history summary").click()
    expect(viewer.locator("#history-list > li")).to_have_count(min(len(history) + 1, 20))  # with the revert
    expect(viewer.get_by_role("button", name="Revert")).to_have_count(0)

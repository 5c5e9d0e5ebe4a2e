"""The page as a workbench, in headless Chromium against a real server with the demo study: the
owner codes a passage selected with the mouse, renames and redefines a code, removes a code from
a theme, deletes a link and drags a node (whose saved position survives a reload), while a second
analyst's page receives each change live without losing the memo she is half-way through or the
transcript she is reading. Then the map's legibility, finding and focusing a node, combined
filters, and exports. Each check compares the page with what the GraphQL API answers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
from playwright.sync_api import Page, expect

from tests.e2e.browser import DEMO_PROJECT, Site, node_point, screenshot, sign_in
from tests.e2e.test_theme_map_page import gql, listed_themes, node_id, participants_by_theme, reloaded, theme_map

WATCHED = "Feeling watched"
PRESSURE = "Intervention intensifying pressure"
RESPECT = "Being treated with respect"
HELP = "Practical help"
FEAR_REMOVAL, AVOIDING = "Fear of the baby being taken away", "Reluctance to seek help"

DOCUMENT = """query($id: ID!) { document(id: $id) { excerpts { id text start end
  codings { code { name } coder { name } } } } }"""
POSITIONS = "query($p: ID!) { mapPositions(projectId: $p) { nodeId x y } }"


def open_concept(page: Page, name: str) -> None:
    """Open a concept in the panel from the list (folded open first)."""
    if not page.locator("#list-view[open]").count():
        page.locator("#list-view summary").click()
    page.locator("#list-codes button, #list-themes button").filter(has_text=re.compile(f"^{re.escape(name)}$")).click()
    expect(page.locator("#panel-title")).to_have_text(name)


def select_passage(page: Page, skip: int, length: int) -> str:
    """Select with the mouse `length` characters of the first long uncoded stretch of the open
    transcript, starting `skip` characters in; the text selected."""
    where = page.evaluate(
        """([skip, length]) => {
        const body = document.querySelector('#transcript-text');
        const plain = [...body.childNodes].find((n) => n.nodeType === Node.TEXT_NODE
          && n.textContent.length > skip + length + 10 && /^[\\x20-\\x7e]+$/.test(n.textContent.slice(skip, skip + length)));
        const rect = (i) => { const r = document.createRange(); r.setStart(plain, i); r.setEnd(plain, i + 1);
          return r.getBoundingClientRect(); };
        body.scrollIntoView({ block: 'center' });  // the transcript in view, then the passage in it
        body.scrollTop += rect(skip).top - body.getBoundingClientRect().top - 20;
        const [a, b] = [rect(skip), rect(skip + length - 1)];
        return { from: [a.left + 1, a.top + a.height / 2], to: [b.right - 1, b.top + b.height / 2],
          text: plain.textContent.slice(skip, skip + length) };
    }""",
        [skip, length],
    )
    page.mouse.move(*where["from"])
    page.mouse.down()
    page.mouse.move(*where["to"], steps=8)
    page.mouse.up()
    return where["text"]


def empty_point(page: Page) -> tuple[float, float]:
    """A point of the drawing (page coordinates) at least 90 px from every node."""
    return page.evaluate(
        """() => {
        const cy = window.thememap.cy, box = document.querySelector('#map').getBoundingClientRect();
        for (let y = 60; y < box.height - 40; y += 20) for (let x = 60; x < box.width - 40; x += 20) {
          const clear = cy.nodes().every((n) => { const b = n.renderedBoundingBox();
            return x < b.x1 - 90 || x > b.x2 + 90 || y < b.y1 - 90 || y > b.y2 + 90; });
          if (clear) return [box.left + x, box.top + y];
        }
        return null;
    }"""
    )


def drawn_at(page: Page, id: str) -> tuple[float, float]:
    return tuple(
        page.evaluate("id => { const p = window.thememap.cy.getElementById(id).position(); return [p.x, p.y]; }", id)
    )


def test_a_team_codes_edits_and_arranges_the_map_together(site: Site, open_page: Callable[[], Page]) -> None:
    _, priya_token = site.add_member("Priya Nair")
    owner, priya = open_page(), open_page()
    for page, token in ((owner, site.token), (priya, priya_token)):
        sign_in(page, site.url, token)
        page.wait_for_selector("body[data-live='on']")
    time.sleep(1)  # the subscriptions have taken their starting point on the server
    themes = theme_map(site)

    # Both read the same transcript from "Feeling watched"; Priya starts a memo and leaves it half-written.
    for page in (owner, priya):
        open_concept(page, WATCHED)
        page.locator("#excerpts .excerpt").first.click()
        expect(page.locator("#current-excerpt")).to_be_visible()
    priya.get_by_role("textbox", name="Memo title").fill("Watched at home")
    priya.get_by_role("textbox", name="Memo text").fill("Several mothers describe visits as inspections, half-written")

    def priya_kept_her_work() -> None:
        expect(priya.get_by_role("textbox", name="Memo title")).to_have_value("Watched at home")
        expect(priya.get_by_role("textbox", name="Memo text")).to_have_value(
            "Several mothers describe visits as inspections, half-written"
        )
        expect(priya.locator("#transcript-title")).to_be_visible()

    # 1. The owner codes a passage selected with the mouse, with an existing and a new code.
    passage = select_passage(owner, 4, 30)
    expect(owner.locator("#selected-text")).to_have_text(f"“{passage}”")
    owner.get_by_label("Codes", exact=True).select_option(label=WATCHED)
    owner.get_by_label("New code").fill("Visits as inspections")
    owner.get_by_role("button", name="Code the passage").click()
    expect(owner.locator("#status")).to_have_text(f"Coded the passage with “{WATCHED}”, “Visits as inspections”.")
    document_id = gql(
        site,
        """query($p: ID!, $c: ID!) { findExcerpts(projectId: $p, where: {anyOf: [$c]}, first: 1) {
        edges { node { document { id } } } } }""",
        p=DEMO_PROJECT,
        c=node_id(themes, WATCHED),
    )["findExcerpts"]["edges"][0]["node"]["document"]["id"]
    excerpts = gql(site, DOCUMENT, id=document_id)["document"]["excerpts"]
    coded = next(e for e in excerpts if e["text"] == passage)
    assert sorted((c["code"]["name"], c["coder"]["name"]) for c in coded["codings"]) == [
        (WATCHED, "demo"),
        ("Visits as inspections", "demo"),
    ]
    for page in (owner, priya):  # the highlight's codings, here and live in Priya's open transcript
        expect(page.locator("#codings li", has_text=passage)).to_contain_text("Visits as inspections by demo")
    expect(priya.locator("#list-codes button", has_text="Visits as inspections")).to_have_count(1)
    priya_kept_her_work()
    screenshot(owner, "workbench-owner-coded")

    # ... and adjusts that excerpt's boundaries: selects the new extent, moves the excerpt there.
    wider = select_passage(owner, 2, 50)
    owner.get_by_role("button", name=f"Move “{passage[:40]}” to the selected passage").click()
    expect(owner.locator("#status")).to_have_text(
        f"Moved “{WATCHED}”, “Visits as inspections” to the selected passage."
    )
    excerpts = gql(site, DOCUMENT, id=document_id)["document"]["excerpts"]
    assert not [e for e in excerpts if e["text"] == passage], "nothing left at the old extent"
    moved = next(e for e in excerpts if e["text"] == wider)
    assert moved["id"] == coded["id"], "the same excerpt, moved (updateExcerpt)"
    assert sorted(c["code"]["name"] for c in moved["codings"]) == [WATCHED, "Visits as inspections"]
    expect(priya.locator("#codings li", has_text=wider)).to_contain_text("Visits as inspections by demo")
    priya_kept_her_work()

    # 2. The owner renames and redefines a code.
    open_concept(owner, RESPECT)
    owner.get_by_label("Name", exact=True).fill("Treated with respect")
    owner.get_by_label("Definition").fill("She was spoken to as a capable adult and a mother.")
    owner.get_by_role("button", name="Save", exact=True).click()
    expect(owner.locator("#panel-title")).to_have_text("Treated with respect")
    code = gql(site, "query($id: ID!) { code(id: $id) { name description version } }", id=node_id(themes, RESPECT))
    assert code["code"] == {
        "name": "Treated with respect",
        "description": "She was spoken to as a capable adult and a mother.",
        "version": 2,
    }
    expect(priya.locator("#list-codes button", has_text="Treated with respect")).to_have_count(1)
    priya_kept_her_work()

    # 3. The owner removes "Feeling watched" from a theme: Priya's open panel says so at once.
    expect(priya.locator("#memberships")).to_contain_text(PRESSURE)
    open_concept(owner, PRESSURE)
    owner.get_by_role("button", name=f"Remove “{WATCHED}” from “{PRESSURE}”").click()
    expect(owner.locator("#status")).to_have_text(f"Removed “{WATCHED}” from “{PRESSURE}”.")
    assert not any(
        e["kind"] == "MEMBER_OF"
        and e["source"] == node_id(themes, WATCHED)
        and e["target"] == node_id(themes, PRESSURE)
        for e in theme_map(site)["edges"]
    )
    expect(priya.locator("#memberships")).not_to_contain_text(PRESSURE)
    priya_kept_her_work()

    # 4. The owner deletes a link.
    link = f"{FEAR_REMOVAL} causes {AVOIDING}"
    expect(priya.locator("#list-edges li", has_text=link)).to_have_count(1)
    open_concept(owner, FEAR_REMOVAL)
    owner.get_by_role("button", name=f"Delete link: {link}", exact=False).click()
    expect(owner.locator("#status")).to_contain_text(f"Deleted the link: {link}")
    ends = (node_id(themes, FEAR_REMOVAL), node_id(themes, AVOIDING))
    assert not [e for e in theme_map(site)["edges"] if e["kind"] == "LINK" and (e["source"], e["target"]) == ends]
    expect(priya.locator("#list-edges li", has_text=link)).to_have_count(0)
    priya_kept_her_work()

    # 5. The owner drags a node to an empty place: the whole map's positions are saved for everyone.
    help_id = node_id(themes, HELP)
    saves = owner.locator("#map").get_attribute("data-saved")
    owner.mouse.move(*node_point(owner, HELP))
    owner.mouse.down()
    owner.mouse.move(*empty_point(owner), steps=12)
    owner.mouse.up()
    owner.wait_for_function("n => document.querySelector('#map').dataset.saved !== n", arg=saves)
    saved = {p["nodeId"]: (p["x"], p["y"]) for p in gql(site, POSITIONS, p=DEMO_PROJECT)["mapPositions"]}
    assert set(saved) == {n["id"] for n in theme_map(site)["nodes"]}, "the first save keeps the whole shape"
    assert drawn_at(owner, help_id) == saved[help_id]
    priya.wait_for_function(
        "([id, x, y]) => { const p = window.thememap.cy.getElementById(id).position(); return p.x === x && p.y === y; }",
        arg=[help_id, *saved[help_id]],
    )
    priya_kept_her_work()
    screenshot(priya, "workbench-priya-after-everything")

    owner.reload()
    owner.wait_for_selector("#map[data-loads]")
    assert {id: drawn_at(owner, id) for id in saved} == saved, "the reloaded map has the saved shape"

    # Priya's memo, untouched by all of the above, is saved as she wrote it.
    priya.get_by_role("button", name="Add memo").click()
    memos = gql(
        site,
        "query($p: ID!) { project(id: $p) { memos { title body target { id } author { name } } } }",
        p=DEMO_PROJECT,
    )["project"]["memos"]
    assert {
        "title": "Watched at home",
        "body": "Several mothers describe visits as inspections, half-written",
        "target": {"id": node_id(themes, WATCHED)},
        "author": {"name": "Priya Nair"},
    } in memos


def test_an_edit_over_someone_elses_is_refused_with_a_message_and_keeps_the_input(
    site: Site, open_page: Callable[[], Page]
) -> None:
    _, priya_token = site.add_member("Priya Nair")
    page = open_page()
    sign_in(page, site.url, site.token)
    page.wait_for_selector("body[data-live='on']")
    time.sleep(1)
    code_id = node_id(theme_map(site), RESPECT)
    open_concept(page, RESPECT)
    page.get_by_label("Definition").fill("My definition, typed before Priya's change arrived.")

    gql(
        site,
        'mutation($id: ID!) { updateCode(input: {id: $id, expectedVersion: 1, name: "Respected"}) { version } }',
        token=priya_token,
        id=code_id,
    )
    expect(page.locator("#panel-title")).to_have_text("Respected")  # the live change arrives...
    expect(page.get_by_label("Definition")).to_have_value("My definition, typed before Priya's change arrived.")
    page.get_by_role("button", name="Save", exact=True).click()  # ...and the stale edit is refused
    expect(page.locator("#status")).to_contain_text("Someone else changed “Being treated with respect” since you")
    expect(page.locator("#status")).to_contain_text("(CONFLICT)")
    expect(page.get_by_label("Definition")).to_have_value("My definition, typed before Priya's change arrived.")
    code = gql(site, "query($id: ID!) { code(id: $id) { name description } }", id=code_id)["code"]
    assert code["name"] == "Respected" and "typed before" not in code["description"]

    open_concept(page, "Respected")  # choosing it again shows the current version
    expect(page.get_by_label("Name", exact=True)).to_have_value("Respected")


LABELS = """() => {
    const cy = window.thememap.cy, zoom = cy.zoom();
    const shown = cy.elements().filter((e) => e.data('label') && e.visible() && !e.hasClass('quiet')
      && !e.hasClass('faded'));
    const boxes = shown.map((e) => e.renderedBoundingBox({ includeNodes: false, includeEdges: false,
      includeLabels: true }));
    let overlaps = 0;
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach((b) => {
      if (a.x1 < b.x2 && a.x2 > b.x1 && a.y1 < b.y2 && a.y2 > b.y1) overlaps += 1; }));
    return { overlaps, smallestPx: Math.min(...shown.map((e) => parseFloat(e.style('font-size')) * zoom)),
      themes: shown.filter((e) => e.data('kind') === 'THEME').length, codes: shown.filter((e) => e.data('kind') === 'CODE').length };
}"""


def test_the_map_is_legible_and_a_node_can_be_found_and_focused(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    labels = page.evaluate(LABELS)
    assert labels["overlaps"] == 0, labels
    assert labels["smallestPx"] >= 11, labels
    assert labels["themes"] > 0, labels  # the others are named as one zooms in

    tidied = page.locator("#map").get_attribute("data-tidied")
    page.evaluate(  # zoom in on the middle, as the mouse wheel does: more codes are named, still without overlaps
        """() => { const cy = window.thememap.cy;
        cy.zoom({ level: cy.zoom() * 2, renderedPosition: { x: cy.width() / 2, y: cy.height() / 2 } }); }"""
    )
    page.wait_for_function("n => document.querySelector('#map').dataset.tidied !== n", arg=tidied)
    closer = page.evaluate(LABELS)
    assert closer["overlaps"] == 0 and closer["smallestPx"] >= 11, closer
    assert closer["themes"] + closer["codes"] >= labels["themes"] + labels["codes"], (labels, closer)

    tidied = page.locator("#map").get_attribute("data-tidied")
    page.get_by_label("Find", exact=True).fill("practical")
    page.get_by_label("Find", exact=True).press("Enter")
    expect(page.locator("#panel-title")).to_have_text(HELP)
    help_id = node_id(theme_map(site), HELP)
    found = (
        "id => { const n = window.thememap.cy.getElementById(id); return [n.hasClass('found'), n.hasClass('quiet')]; }"
    )
    page.wait_for_function("n => document.querySelector('#map').dataset.tidied !== n", arg=tidied)
    assert page.evaluate(found, help_id) == [True, False], "found, and named whatever its neighbours"

    page.get_by_label("Focus on the selected node").check()
    focus = page.evaluate(
        """id => { const cy = window.thememap.cy, near = cy.getElementById(id).closedNeighborhood();
        return [near.filter('.faded').length, cy.elements().difference(near).not('.faded').length,
                cy.getElementById(id).hasClass('quiet')]; }""",
        help_id,
    )
    assert focus == [0, 0, False], "the node and its neighbours only, the node named"
    page.get_by_label("Focus on the selected node").uncheck()
    assert page.evaluate("() => window.thememap.cy.elements('.faded').length") == 0


def test_filters_combine_conditions_and_coders(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    page.locator("#list-view summary").click()
    reloaded(page, lambda: page.get_by_label("Attribute", exact=True).select_option("involvement"))
    reloaded(page, lambda: page.get_by_label("Value", exact=True).select_option(label="child protection plan"))
    page.get_by_role("button", name="Add a condition").click()
    reloaded(page, lambda: page.get_by_label("Attribute 2").select_option("firstBaby"))
    reloaded(page, lambda: page.get_by_label("Value 2").select_option(label="true"))
    reloaded(page, lambda: page.get_by_label("Codings by").select_option(label=["Hannah Okafor", "Sam Whitfield"]))
    coders = [
        m["user"]["id"]
        for m in gql(site, "query($p: ID!) { project(id: $p) { members { user { id name } } } }", p=DEMO_PROJECT)[
            "project"
        ]["members"]
        if m["user"]["name"] != "demo"
    ]
    both = {
        "attributes": [
            {"name": "involvement", "equals": "child protection plan"},
            {"name": "firstBaby", "equals": True},
        ]
    }
    expected = participants_by_theme(theme_map(site, f=both, c=coders))
    assert listed_themes(page) == expected != participants_by_theme(theme_map(site))
    page.locator("#list-codes button", has_text="Feeling watched").click()
    in_view = len(
        gql(
            site,
            "query($p: ID!, $f: CaseFilter) { caseMatrix(projectId: $p, filter: $f) { rows { participant { id } } } }",
            p=DEMO_PROJECT,
            f=both,
        )["caseMatrix"]["rows"]
    )
    expect(page.locator("#prevalence")).to_contain_text(f"of {in_view} participant")


def test_the_map_and_the_apis_downloads_are_exported_from_the_page(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    sign_in(page, site.url, site.token)
    page.locator("#exports summary").click()
    with page.expect_download() as svg:
        page.get_by_role("button", name="Map as SVG").click()
    drawing = Path(svg.value.path()).read_text()
    assert drawing.startswith("<svg") and svg.value.suggested_filename.endswith("-map.svg")
    for name in participants_by_theme(theme_map(site)):
        assert escape(name) in drawing
    with page.expect_download() as png:
        page.get_by_role("button", name="Map as PNG").click()
    assert Path(png.value.path()).read_bytes().startswith(b"\x89PNG")

    for what in ("case-matrix.csv", "report.md", "export.qdpx"):
        page.get_by_label("Download", exact=True).select_option(what)
        with page.expect_download() as file:
            page.get_by_role("button", name="Download", exact=True).click()
        assert file.value.suggested_filename.endswith(what)
        if what != "export.qdpx":  # a zip holds the time it was made
            served = httpx.get(
                f"{site.url}/projects/{DEMO_PROJECT}/{what}",
                timeout=30,
                headers={"Authorization": f"Bearer {site.token}"},
            )
            assert Path(file.value.path()).read_bytes() == served.content
        else:
            assert Path(file.value.path()).read_bytes().startswith(b"PK")
    expect(page.locator("#status")).to_have_text("Downloaded REFI-QDA project (.qdpx).")

"""Measure how long the web page takes to show a theme map: from the start of navigation to
the map drawn (the page's `map-rendered` performance mark, set once the layout has stopped and
the labels are tidied), for the demo study and for the synthetic study of size M (300 codes,
40 themes). Cold loads use a new browser context each (empty cache); "laid out" ones find no
saved positions and run the layout, "saved" ones draw the positions saved for the project; warm
loads reload the same context. Prints the median and the range of each.

    .venv/bin/python -m tests.bench.page_load [--loads 9] [--sizes demo,M]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page, sync_playwright

from seeds.synthetic import SyntheticDataset
from tests.e2e.browser import DEMO_PROJECT, demo_site, launch
from tests.servers import server, thememap

RENDERED = "() => performance.getEntriesByName('map-rendered')[0]?.startTime"
SAVE = (
    """mutation($p: ID!, $at: [NodePositionInput!]!) { saveMapPositions(projectId: $p, positions: $at) { nodeId } }"""
)


@contextmanager
def synthetic_site(data_dir: Path, size: str) -> Iterator[tuple[str, str, str]]:
    """The synthetic study of `size` seeded and served; its URL, its lead's token and its project id."""
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(data_dir)}
    thememap(env, "seed", "synthetic", "--size", size)
    study = SyntheticDataset(size, 1)
    lead = f"Coder 1 ({size}1)"
    token = next(line.strip() for line in thememap(env, "user", "token", lead).splitlines() if line.startswith("tm_"))
    with server(env) as (_, url):
        yield url, token, study.project_id


def signed_in_page(browser: Browser, token: str, project_id: str) -> Page:
    """A page in a new context whose session already holds the token and the project, so loading it draws the map."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_init_script(
        f"sessionStorage.setItem('thememap-token', {json.dumps(token)});"
        f"sessionStorage.setItem('thememap-project', {json.dumps(project_id)});"
    )
    return context.new_page()


def time_to_map(page: Page, load: Callable[[], object]) -> float:
    load()
    page.wait_for_function(RENDERED)  # a function, not a string: the page's policy forbids eval
    return float(page.evaluate(RENDERED))


def cold_loads(browser: Browser, url: str, token: str, project_id: str, loads: int) -> tuple[list[float], Page]:
    """`loads` first visits, each in a fresh context; the last page is kept open."""
    times, page = [], None
    for _ in range(loads):
        if page:
            page.context.close()
        page = signed_in_page(browser, token, project_id)
        times.append(time_to_map(page, partial(page.goto, url + "/")))
    assert page is not None
    return times, page


def measure(browser: Browser, url: str, token: str, project_id: str, loads: int) -> dict[str, object]:
    laid_out, page = cold_loads(browser, url, token, project_id, loads)
    nodes, edges = page.evaluate("[window.thememap.cy.nodes().length, window.thememap.cy.edges().length]")
    named = page.evaluate("window.thememap.cy.nodes().not('.quiet').length")
    positions = page.evaluate(
        "window.thememap.cy.nodes().map((n) => ({ nodeId: n.id(), x: n.position('x'), y: n.position('y') }))"
    )
    page.context.close()
    body = httpx.post(
        f"{url}/graphql",
        json={"query": SAVE, "variables": {"p": project_id, "at": positions}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=60,
    ).json()
    assert "errors" not in body, body
    saved, page = cold_loads(browser, url, token, project_id, loads)
    warm = [time_to_map(page, page.reload) for _ in range(loads)]
    page.context.close()
    return {
        "nodes": nodes,
        "edges": edges,
        "named": named,
        "cold, laid out": laid_out,
        "cold, saved": saved,
        "warm": warm,
    }


def report(name: str, times: list[float]) -> None:
    print(
        f"{name:>15}: median {statistics.median(times):6.0f} ms  (min {min(times):.0f}, max {max(times):.0f}, "
        f"n={len(times)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=9)
    parser.add_argument("--sizes", default="demo,M", help="comma-separated: demo and/or a synthetic size (S, M, L)")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        with tempfile.TemporaryDirectory() as data, ExitStack() as stack, sync_playwright() as playwright:
            if size == "demo":
                demo = stack.enter_context(demo_site(Path(data)))
                url, token, project_id = demo.url, demo.token, DEMO_PROJECT
            else:
                url, token, project_id = stack.enter_context(synthetic_site(Path(data), size))
            browser = launch(playwright)
            found = measure(browser, url, token, project_id, args.loads)
            browser.close()
        study = "the demo study" if size == "demo" else f"the synthetic study of size {size}"
        print(
            f"Navigation start to {study}'s theme map drawn ({found['nodes']} nodes, {found['edges']} edges, "
            f"{found['named']} nodes named at first sight), headless Chromium:"
        )
        for name in ("cold, laid out", "cold, saved", "warm"):
            report(name, found[name])  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

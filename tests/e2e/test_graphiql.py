"""GraphiQL with the network cut: in headless Chromium against a real server, every request to
another host is blocked, and GraphiQL still draws its editor and runs a query (its scripts and
styles are vendored in api/static/vendor and its policy names no other host)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route, expect

from tests.e2e.browser import DEMO_PROJECT, Site

QUERY = "{ projects { id name } }"


def test_graphiql_renders_and_runs_a_query_offline(site: Site, open_page: Callable[[], Page]) -> None:
    page = open_page()
    here = urlsplit(site.url).netloc
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if urlsplit(route.request.url).netloc == here or route.request.url.startswith("data:"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.route("**/*", only_this_server)
    loaded: list[str] = []
    page.on("requestfinished", lambda request: loaded.append(urlsplit(request.url).path))
    response = page.goto(site.url + "/graphql")
    assert response is not None and response.ok
    policy = response.headers["content-security-policy"]
    assert "http" not in policy and "'unsafe-eval'" not in policy, policy

    editor = page.locator(".graphiql-query-editor .CodeMirror")
    expect(editor).to_be_visible(timeout=20_000)
    editor.evaluate("(element, query) => element.CodeMirror.setValue(query)", QUERY)
    page.get_by_role("button", name="Headers").click()
    headers = page.locator(".graphiql-editor-tool .CodeMirror").last
    expect(headers).to_be_visible()
    headers.evaluate(
        "(element, token) => element.CodeMirror.setValue(JSON.stringify({Authorization: `Bearer ${token}`}))",
        site.token,
    )
    page.locator(".graphiql-execute-button").click()
    result = page.locator(".graphiql-response .CodeMirror")
    expect(result).to_contain_text(DEMO_PROJECT, timeout=20_000)
    expect(result).to_contain_text("Perinatal mental health and social work")

    assert elsewhere == []
    assert {"/static/vendor/graphiql.min.js", "/static/vendor/react.production.min.js", "/static/graphiql.js"} <= set(
        loaded
    ), loaded

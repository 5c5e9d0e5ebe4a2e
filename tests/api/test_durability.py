"""A real server process takes writes over HTTP, is killed with SIGKILL, restarts on the
same data directory, and every acknowledged write is there."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.servers import add_user, server

TOKEN: dict[str, str] = {}


def gql(url: str, query: str, **variables: object) -> dict:
    body = httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        timeout=10,
        headers={"Authorization": f"Bearer {TOKEN['value']}"},
    ).json()
    assert "errors" not in body, body
    return body["data"]


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    text = "Interviewer: And then?\n\nBecky: Then they stepped it down. I could breathe again. 😀"
    env = {"THEMEMAP_DATA_DIR": str(tmp_path), "THEMEMAP_STORE": "embedded"}
    TOKEN["value"] = add_user(env, "durable")[1]
    with server(env) as (process, url):
        pid = gql(url, 'mutation { createProject(input: {name: "Durable"}) { id } }')["createProject"]["id"]
        doc = gql(
            url,
            'mutation($p: ID!, $t: String!) { addDocument(input: {projectId: $p, title: "d", text: $t}) { id } }',
            p=pid,
            t=text,
        )["addDocument"]["id"]
        code_ids = []
        excerpt_ids = []
        for i in range(20):
            code = gql(
                url,
                "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                p=pid,
                n=f"code {i}",
            )["createCode"]["id"]
            excerpt = gql(
                url,
                "mutation($d: ID!, $s: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, "
                "end: 80, codeIds: $c}) { id } }",
                d=doc,
                s=i,
                c=[code],
            )["codeText"]["id"]
            code_ids.append(code)
            excerpt_ids.append(excerpt)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    with server(env) as (_, url):
        data = gql(
            url,
            "query($p: ID!) { project(id: $p) { codes { id excerptCount } documents { excerpts { id text } } } }",
            p=pid,
        )["project"]
        assert sorted(c["id"] for c in data["codes"]) == sorted(code_ids)
        assert all(c["excerptCount"] == 1 for c in data["codes"])
        excerpts = data["documents"][0]["excerpts"]
        assert sorted(e["id"] for e in excerpts) == sorted(excerpt_ids)
        assert all(e["text"] == text[i:80] for i, e in enumerate(excerpts))

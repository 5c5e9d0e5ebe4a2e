"""A real server process takes writes over HTTP, is killed with SIGKILL, restarts on the
same data directory, and every acknowledged write is there."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server(data_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = _free_port()
    env = {**os.environ, "THEMEMAP_DATA_DIR": str(data_dir), "THEMEMAP_STORE": "embedded"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            assert time.monotonic() < deadline, "server did not become ready"
            time.sleep(0.1)
        yield process, url
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def add_user(data_dir: Path, name: str) -> str:
    """`thememap user add`, as an administrator would run it; returns the printed token."""
    out = subprocess.run(
        [sys.executable, "-m", "api.cli", "user", "add", name, "--data-dir", str(data_dir)],
        capture_output=True, text=True, check=True, env={**os.environ, "COLUMNS": "200"},
    ).stdout
    return next(line.strip() for line in out.splitlines() if line.startswith("tm_"))


TOKEN: dict[str, str] = {}


def gql(url: str, query: str, **variables: object) -> dict:
    body = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables}, timeout=10,
                      headers={"Authorization": f"Bearer {TOKEN['value']}"}).json()
    assert "errors" not in body, body
    return body["data"]


def test_acknowledged_writes_survive_sigkill(tmp_path: Path) -> None:
    text = "Interviewer: And then?\n\nBecky: Then they stepped it down. I could breathe again. 😀"
    TOKEN["value"] = add_user(tmp_path, "durable")
    with server(tmp_path) as (process, url):
        pid = gql(url, 'mutation { createProject(input: {name: "Durable"}) { id } }')["createProject"]["id"]
        doc = gql(url, 'mutation($p: ID!, $t: String!) { addDocument(input: {projectId: $p, title: "d", text: $t}) { id } }',
                  p=pid, t=text)["addDocument"]["id"]
        code_ids = []
        excerpt_ids = []
        for i in range(20):
            code = gql(url, 'mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }',
                       p=pid, n=f"code {i}")["createCode"]["id"]
            excerpt = gql(url, "mutation($d: ID!, $s: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, "
                               "end: 80, codeIds: $c}) { id } }", d=doc, s=i, c=[code])["codeText"]["id"]
            code_ids.append(code)
            excerpt_ids.append(excerpt)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    with server(tmp_path) as (_, url):
        data = gql(url, "query($p: ID!) { project(id: $p) { codes { id excerptCount } documents { excerpts { id text } } } }",
                   p=pid)["project"]
        assert sorted(c["id"] for c in data["codes"]) == sorted(code_ids)
        assert all(c["excerptCount"] == 1 for c in data["codes"])
        excerpts = data["documents"][0]["excerpts"]
        assert sorted(e["id"] for e in excerpts) == sorted(excerpt_ids)
        assert all(e["text"] == text[i:80] for i, e in enumerate(excerpts))

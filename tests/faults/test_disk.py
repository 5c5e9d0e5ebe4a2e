"""The embedded store's disk fills up, or its data directory is read-only: a clear
UNAVAILABLE error naming the directory, nothing half-written (`PRAGMA integrity_check`
passes and earlier data is intact), and the service works again once the space or the
permission is back.

A full disk is the kernel's own: the server runs with a file size limit (RLIMIT_FSIZE,
SIGXFSZ ignored), so SQLite's writes past it fail with EFBIG as they would with ENOSPC;
raising the limit from outside (`prlimit`) gives the space back. A read-only directory is
a chmod; as root, which ignores file modes, the server is started without the
capabilities that let root do so (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: dropped from
its bounding set before exec), so the kernel refuses it as it refuses any other user."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx

from graph.embedded.ddl import fold
from tests.servers import DEMO_PROJECT, demo_owner, server

ADD = 'mutation($p: ID!, $t: String!) { addDocument(input: {projectId: $p, title: "big", text: $t}) { id length } }'
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def integrity(data_dir: Path) -> str:
    with sqlite3.connect(data_dir / "thememap.sqlite3") as db:
        db.create_function("fold", 1, fold, deterministic=True)  # the indexes on names use it
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])


def documents(data_dir: Path) -> dict[str, int]:
    with sqlite3.connect(data_dir / "thememap.sqlite3") as db:
        return dict(db.execute("SELECT id, length(text) FROM documents"))


def test_a_full_disk_answers_unavailable_corrupts_nothing_and_recovers(tmp_path: Path) -> None:
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(tmp_path)}
    token = demo_owner(env)
    limit = (tmp_path / "thememap.sqlite3").stat().st_size + 2**20  # room for ~1 MiB of write-ahead log

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # else the kernel kills the writer instead of failing the write
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))

    text = "I kept a diary of every visit. " * 8000  # 248,000 code points per document
    added: list[str] = []
    with (
        server(env, preexec_fn=small_disk) as (process, url),
        httpx.Client(base_url=url, timeout=60, headers={"Authorization": f"Bearer {token}"}) as http,
    ):

        def add() -> dict:
            return http.post("/graphql", json={"query": ADD, "variables": {"p": DEMO_PROJECT, "t": text}}).json()

        for _ in range(40):
            body = add()
            if "errors" in body:
                break
            added.append(body["data"]["addDocument"]["id"])
        else:
            raise AssertionError("the size limit was never reached")
        [error] = body["errors"]
        assert error["extensions"]["code"] == "UNAVAILABLE", error
        assert str(tmp_path) in error["message"] and "disk" in error["message"], error
        read = http.post(
            "/graphql",
            json={"query": "query($p: ID!) { project(id: $p) { documents { id } } }", "variables": {"p": DEMO_PROJECT}},
        ).json()
        assert set(added) <= {d["id"] for d in read["data"]["project"]["documents"]}
        assert http.get("/readyz").status_code == 200  # reads still work

        resource.prlimit(process.pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        again = add()
        assert "errors" not in again, again
        added.append(again["data"]["addDocument"]["id"])
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    print(f"disk full: {len(added) - 1} documents written before the limit, 1 after it was lifted")
    assert integrity(tmp_path) == "ok"
    stored = documents(tmp_path)
    assert all(stored[id] == len(text) for id in added) and len(stored) == 18 + len(added)


def _without_root_file_access() -> None:
    """Make the child obey file modes even as root (see the module docstring)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def test_a_read_only_data_directory_is_refused_clearly_and_works_once_writable(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(data)}
    token = demo_owner(env)
    before = documents(data)
    files = [data, *data.iterdir()]
    for path in files:
        path.chmod(0o555 if path.is_dir() else 0o444)
    try:
        serve = subprocess.run(
            [sys.executable, "-m", "api.cli", "serve", "--port", "9"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=60,
            preexec_fn=_without_root_file_access,
        )
    finally:
        for path in files:
            path.chmod(0o755 if path.is_dir() else 0o644)
    assert serve.returncode == 1, serve.stdout + serve.stderr
    message = " ".join(serve.stderr.split())
    assert str(data) in message and "THEMEMAP_DATA_DIR" in message and "Traceback" not in message, message
    assert integrity(data) == "ok" and documents(data) == before
    with server(env) as (_, url):
        created = httpx.post(
            f"{url}/graphql",
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
            json={"query": 'mutation { createProject(input: {name: "Writable again"}) { id } }'},
        ).json()
        assert "errors" not in created, created

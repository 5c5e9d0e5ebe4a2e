"""Real server processes for end-to-end tests: uvicorn on a free loopback port, and the
`thememap` command run as an administrator would."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


DEMO = "perinatal-social-work"
DEMO_PROJECT = "1a6c493d-0a0b-5a74-9aae-21d1aec186e8"


@contextmanager
def server(
    env: dict[str, str],
    port: int | None = None,
    preexec_fn: Callable[[], None] | None = None,
    serve: Sequence[str] | None = None,
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A server process with `env` added to the environment (on `port`, or a free one;
    `preexec_fn` runs in the child before exec); yields it and its URL. By default uvicorn
    serving the app; with `serve`, the `thememap serve` command with those options (for
    example `--workers 2`), in a process group of its own so that its workers end with it."""
    port = port or free_port()
    log = tempfile.TemporaryFile()  # not a pipe: a busy server's log lines would fill it and stall the server
    command = (
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port), *serve]
        if serve is not None
        else [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-proxy-headers",  # as `thememap serve`: the app reads forwarded headers itself
        ]
    )
    process = subprocess.Popen(
        command,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=log,
        preexec_fn=preexec_fn,
        start_new_session=serve is not None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # `thememap serve` checks the store, then starts its workers
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                state = "exited" if process.poll() is not None else "did not become ready"
                raise AssertionError(f"server {state}: {log.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield process, url
    finally:
        if serve is not None:
            _end_group(process)
        elif process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        log.close()


def _end_group(process: subprocess.Popen[bytes]) -> None:
    """Stop `thememap serve` and its worker processes: SIGTERM to its process group (uvicorn
    ends its workers), SIGKILL to what is left after 10 s."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    except ProcessLookupError:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def thememap(env: dict[str, str], *args: str) -> str:
    """Run the `thememap` command; return what it printed."""
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "200", **env},
    ).stdout


def add_user(env: dict[str, str], name: str) -> tuple[str, str]:
    """`thememap user add NAME`; returns the user's id and token."""
    out = thememap(env, "user", "add", name)
    token = next(line.strip() for line in out.splitlines() if line.startswith("tm_"))
    user_id = next(line.split(":", 1)[1].strip() for line in out.splitlines() if line.startswith("User id:"))
    return user_id, token


def demo_owner(env: dict[str, str]) -> str:
    """Load the demo study (`thememap seed`) and return a token of its owner, `demo`.

    An embedded store whose data directory is empty or absent gets a copy of a store seeded
    this way once per test process, and that store's token: the same file, without two more
    runs of the command for every test that starts from the demo (the seeding itself is
    tested in tests/seeds/ and tests/api/test_cli.py)."""
    data_dir = Path(env["THEMEMAP_DATA_DIR"]) if env.get("THEMEMAP_STORE") == "embedded" else None
    if data_dir is not None and not (data_dir.exists() and any(data_dir.iterdir())):
        seeded, token = _seeded_demo()
        shutil.copytree(seeded, data_dir, dirs_exist_ok=True)
        return token
    return _seed_demo(env)


def _seed_demo(env: dict[str, str]) -> str:
    thememap(env, "seed", DEMO)
    return next(line.strip() for line in thememap(env, "user", "token", "demo").splitlines() if line.startswith("tm_"))


@functools.cache
def _seeded_demo() -> tuple[Path, str]:
    """An embedded store with the demo seeded by `thememap seed`, removed when the process
    ends, and its owner's token."""
    data_dir = Path(tempfile.mkdtemp(prefix="thememap-demo-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    return data_dir, _seed_demo({"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(data_dir)})

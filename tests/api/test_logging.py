"""Internal errors: masked for the client, logged as JSON with the request id the client
also gets (in `extensions.requestId` and the X-Request-Id header)."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from api.logs import json_formatter
from api.settings import Settings
from graph.store import Store
from tests.servers import free_port
from tests.support import CountingStore, serve_in_process


class BrokenStore(CountingStore):
    """The one way to make a resolver fail unexpectedly: a store that raises what a broken
    driver would, with a query in its message that must not reach the client."""

    async def list_projects(self) -> list[object]:
        raise RuntimeError("MATCH (secret:Project) RETURN internals")

    async def get_projects(self, ids: list[str]) -> dict[str, object]:
        raise RuntimeError("SELECT secret FROM project")


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the app logs, rendered by its own JSON formatter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    logging.getLogger().addHandler(handler)
    try:
        yield stream
    finally:
        logging.getLogger().removeHandler(handler)


async def test_internal_error_is_masked_and_logged_with_its_request_id(
    settings: Settings, new_store: Callable[[], Store], json_log: io.StringIO
) -> None:
    async with serve_in_process(settings, BrokenStore(new_store())) as api:  # type: ignore[arg-type]
        response = await api.http.post("/graphql", json={"query": "{ projects { id } }"})
    body = response.json()
    [error] = body["errors"]
    request_id = response.headers["x-request-id"]
    assert error["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    for leak in ("secret", "MATCH", "Traceback", "RuntimeError", ".py"):
        assert leak not in response.text
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    [logged] = [line for line in lines if line.get("logger") == "thememap.errors"]
    assert logged["request_id"] == request_id and logged["level"] == "error"
    assert "MATCH (secret:Project)" in logged["exception"]  # the details are in the log, for the operator
    [access] = [line for line in lines if line.get("logger") == "thememap.requests"]
    assert access["request_id"] == request_id and access["status"] == 200


async def test_internal_error_outside_graphql_is_masked_too(
    settings: Settings, new_store: Callable[[], Store], json_log: io.StringIO
) -> None:
    broken = BrokenStore(new_store())
    async with serve_in_process(settings.model_copy(update={"auth": "off"}), broken) as api:  # type: ignore[arg-type]
        response = await api.http.get("/projects/p/report.md")
    request_id = response.headers["x-request-id"]
    assert response.status_code == 500
    assert response.json()["errors"][0]["extensions"] == {"code": "INTERNAL", "requestId": request_id}
    assert "SELECT" not in response.text and "secret" not in response.text
    [logged] = [json.loads(line) for line in json_log.getvalue().splitlines() if '"level": "error"' in line]
    assert logged["request_id"] == request_id and "SELECT secret FROM project" in logged["exception"]
    assert logged["event"] == "unhandled error in GET /projects/p/report.md"


async def test_every_response_has_its_own_request_id(settings: Settings) -> None:
    async with serve_in_process(settings) as api:
        ids = {(await api.http.get("/healthz")).headers["x-request-id"] for _ in range(3)}
        ids.add((await api.http.post("/graphql", json={"query": "{ __typename }"})).headers["x-request-id"])
    assert len(ids) == 4 and all(len(i) == 32 for i in ids)


def test_the_served_process_logs_json_lines_with_request_ids(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "THEMEMAP_DATA_DIR": str(tmp_path), "THEMEMAP_AUTH": "off"}
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": "{ __typename }"}, timeout=1)
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=20)
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is JSON
    [served] = [line for line in lines if line.get("request_id") == response.headers["x-request-id"]]
    assert served["event"] == "POST /graphql 200" and served["status"] == 200 and "timestamp" in served
    assert served["process"] == process.pid  # one process: uvicorn serves in the command's own
    assert any("Uvicorn running" in line["event"] for line in lines)

"""Downloads of a project over HTTP: REFI-QDA (.qdpx, .qdc) and the write-up exports
(report.md, CSV tables), with the same authorization as GraphQL: a valid token and
membership of the project (outsiders get 404, as for an unknown id)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate, bearer
from graph.errors import BadInput, NotFound
from graph.store import Store
from seeds import reports
from seeds.refi.export import export


@dataclass(frozen=True)
class Download:
    suffix: str
    media_type: str
    make: Callable[[Store, str], Awaitable[bytes]]


async def _text(produce: Callable[[Store, str], Awaitable[str]], store: Store, project_id: str) -> bytes:
    return (await produce(store, project_id)).encode("utf-8")


DOWNLOADS = {
    "export.qdpx": Download(".qdpx", "application/zip", lambda s, p: export(s, p, "qdpx")),
    "codebook.qdc": Download("-codebook.qdc", "application/xml", lambda s, p: export(s, p, "qdc")),
    "report.md": Download("-report.md", "text/markdown; charset=utf-8",
                          lambda s, p: _text(reports.report_markdown, s, p)),
    "case-matrix.csv": Download("-case-matrix.csv", "text/csv; charset=utf-8",
                                lambda s, p: _text(reports.case_matrix_csv, s, p)),
    "cooccurrence.csv": Download("-cooccurrence.csv", "text/csv; charset=utf-8",
                                 lambda s, p: _text(reports.cooccurrence_csv, s, p)),
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def download(request: Request) -> Response:
    state = request.app.state
    project_id, what = request.path_params["project_id"], request.path_params["what"]
    if what not in DOWNLOADS:
        return _error(404, "NOT_FOUND", f"Nothing to download as {what!r}; try one of {', '.join(DOWNLOADS)}.")
    if state.settings.auth == "on":
        token = bearer(request.headers.get("authorization"))
        user = await authenticate(state.store, token) if token else None
        if user is None:
            return _error(401, "UNAUTHENTICATED", "Send a header 'Authorization: Bearer <token>' with a valid token.")
        if not await state.store.roles(user.id, [project_id]):
            return _error(404, "NOT_FOUND", f"No project with id {project_id!r} exists; check the id.")
    item = DOWNLOADS[what]
    try:
        data = await item.make(state.store, project_id)
    except NotFound as exc:
        return _error(404, "NOT_FOUND", exc.message)
    except BadInput as exc:
        return _error(400, "BAD_USER_INPUT", exc.message)
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", project_id) + item.suffix
    return Response(data, media_type=item.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


routes = [Route("/projects/{project_id}/{what}", download)]

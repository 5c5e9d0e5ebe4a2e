"""A project's files over HTTP: REFI-QDA downloads (.qdpx, .qdc), the write-up exports
(report.md, CSV tables) and REFI-QDA import, with the same authorization as GraphQL: a
valid token and membership of the project (outsiders get 404, as for an unknown id;
importing needs ANALYST or above)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate_client, bearer, client_address
from api.errors import error_response
from api.ratelimit import RateLimited
from graph.errors import BadInput, DomainError, NotFound
from graph.models import Role
from graph.store import Store
from seeds import reports
from schema.permissions import RANK
from seeds.refi.export import export
from seeds.refi.imports import import_file
from seeds.refi.read import MAX_BYTES


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


async def _authorize(request: Request, project_id: str, needed: Role) -> tuple[str, JSONResponse | None]:
    """The acting user's id, or the error response to send instead."""
    state = request.app.state
    if state.settings.auth == "off":
        return state.local_user.id, None
    token = bearer(request.headers.get("authorization"))
    try:
        user = await authenticate_client(state.store, state.auth_failures, client_address(request), token) \
            if token else None
    except RateLimited as exc:
        return "", exc.response()
    if user is None:
        return "", error_response(401, "UNAUTHENTICATED",
                                  "Send a header 'Authorization: Bearer <token>' with a valid token.")
    role = (await state.store.roles(user.id, [project_id])).get(project_id)
    if role is None:
        return "", error_response(404, "NOT_FOUND", f"No project with id {project_id!r} exists; check the id.")
    if RANK[role] < RANK[needed]:
        return "", error_response(403, "FORBIDDEN",
                                  f"Your role in this project is {role.value}; this needs {needed.value}.")
    return user.id, None


async def download(request: Request) -> Response:
    state = request.app.state
    project_id, what = request.path_params["project_id"], request.path_params["what"]
    if what not in DOWNLOADS:
        return error_response(404, "NOT_FOUND", f"Nothing to download as {what!r}; try one of {', '.join(DOWNLOADS)}.")
    _, refused = await _authorize(request, project_id, Role.VIEWER)
    if refused:
        return refused
    item = DOWNLOADS[what]
    try:
        data = await item.make(state.store, project_id)
    except NotFound as exc:
        return error_response(404, "NOT_FOUND", exc.message)
    except BadInput as exc:
        return error_response(400, "BAD_USER_INPUT", exc.message)
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", project_id) + item.suffix
    return Response(data, media_type=item.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def upload(request: Request) -> Response:
    """`POST /projects/{id}/import` with a multipart field `file`: merge a REFI-QDA file by GUID."""
    project_id = request.path_params["project_id"]
    actor, refused = await _authorize(request, project_id, Role.ANALYST)
    if refused:
        return refused
    async with request.form(max_files=1, max_fields=10) as form:
        file = form.get("file")
        if file is None or isinstance(file, str):
            return error_response(400, "BAD_USER_INPUT", "Send the file as the multipart field 'file'.")
        data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return error_response(400, "BAD_USER_INPUT", "The file is larger than this service accepts.")
    try:
        summary = await import_file(request.app.state.store, actor, data, project_id)
    except DomainError as exc:
        return error_response(400 if exc.code == "BAD_USER_INPUT" else 404, exc.code, exc.message)
    return JSONResponse({"projectId": summary.project_id, "summary": summary.lines()})


routes = [
    Route("/projects/{project_id}/import", upload, methods=["POST"]),
    Route("/projects/{project_id}/{what}", download),
]

"""Download a project in REFI-QDA form over HTTP, with the same authorization as GraphQL:
a valid token, and membership of the project (outsiders get 404, as for an unknown id)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate, bearer
from graph.errors import NotFound
from seeds.refi.export import export

_MEDIA = {"qdpx": "application/zip", "qdc": "application/xml"}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": code}}]}, status_code=status)


async def download(request: Request) -> Response:
    state = request.app.state
    project_id, format = request.path_params["project_id"], request.path_params["format"]
    if state.settings.auth == "on":
        token = bearer(request.headers.get("authorization"))
        user = await authenticate(state.store, token) if token else None
        if user is None:
            return _error(401, "UNAUTHENTICATED", "Send a header 'Authorization: Bearer <token>' with a valid token.")
        if not await state.store.roles(user.id, [project_id]):
            return _error(404, "NOT_FOUND", f"No project with id {project_id!r} exists; check the id.")
    try:
        data = await export(state.store, project_id, format)
    except NotFound as exc:
        return _error(404, "NOT_FOUND", exc.message)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", project_id)
    filename = f"{name}.qdpx" if format == "qdpx" else f"{name}-codebook.qdc"
    return Response(data, media_type=_MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def project_qdpx(request: Request) -> Response:
    request.path_params["format"] = "qdpx"
    return await download(request)


async def codebook_qdc(request: Request) -> Response:
    request.path_params["format"] = "qdc"
    return await download(request)


routes = [
    Route("/projects/{project_id}/export.qdpx", project_qdpx),
    Route("/projects/{project_id}/codebook.qdc", codebook_qdc),
]

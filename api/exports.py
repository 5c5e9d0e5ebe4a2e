"""A project's files over HTTP: REFI-QDA downloads (.qdpx, .qdc), the write-up exports
(report.md, CSV tables) and REFI-QDA import. The routes only say who is asking (a valid
token, or the local user with THEMEMAP_AUTH=off); the service decides what they may do,
as for GraphQL: downloads read through the asker's reader (outsiders get 404, as for an
unknown id; under blind coding an ANALYST gets their own codings only) and an import is a
use case of the service (ANALYST or above)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate_client, bearer, client_address
from api.errors import error_response
from api.ratelimit import RateLimited
from graph.errors import DomainError
from graph.policy import Actor
from graph.service.reading import Reader
from seeds import reports
from seeds.refi.export import export
from seeds.refi.imports import import_file
from seeds.refi.read import MAX_BYTES

STATUS = {
    "BAD_USER_INPUT": 400,
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "CONFLICT": 409,
    "UNAVAILABLE": 503,
}
"""The HTTP status of each domain error code (anything else is a 500)."""


@dataclass(frozen=True)
class Download:
    suffix: str
    media_type: str
    make: Callable[[Reader, str], Awaitable[bytes]]


def _text(produce: Callable[[Reader, str], Awaitable[str]]) -> Callable[[Reader, str], Awaitable[bytes]]:
    async def make(reader: Reader, project_id: str) -> bytes:
        return (await produce(reader, project_id)).encode("utf-8")

    return make


DOWNLOADS = {
    "export.qdpx": Download(".qdpx", "application/zip", lambda r, p: export(r, p, "qdpx")),
    "codebook.qdc": Download("-codebook.qdc", "application/xml", lambda r, p: export(r, p, "qdc")),
    "report.md": Download("-report.md", "text/markdown; charset=utf-8", _text(reports.report_markdown)),
    "case-matrix.csv": Download("-case-matrix.csv", "text/csv; charset=utf-8", _text(reports.case_matrix_csv)),
    "cooccurrence.csv": Download("-cooccurrence.csv", "text/csv; charset=utf-8", _text(reports.cooccurrence_csv)),
}


async def _actor(request: Request) -> Actor | Response:
    """Who is asking, or the response to send instead (no token, a bad one, too many bad ones)."""
    state = request.app.state
    if state.settings.auth == "off":
        return Actor(state.settings.local_user_id, trusted=True)
    token = bearer(request.headers.get("authorization"))
    try:
        user = (
            await authenticate_client(state.service, state.auth_failures, client_address(request), token)
            if token
            else None
        )
    except RateLimited as exc:
        return exc.response()
    if user is None:
        return error_response(
            401, "UNAUTHENTICATED", "Send a header 'Authorization: Bearer <token>' with a valid token."
        )
    return Actor(user.id)


def _refused(exc: DomainError) -> Response:
    return error_response(STATUS.get(exc.code, 500), exc.code, exc.message)


async def download(request: Request) -> Response:
    project_id, what = request.path_params["project_id"], request.path_params["what"]
    if what not in DOWNLOADS:
        return error_response(404, "NOT_FOUND", f"Nothing to download as {what!r}; try one of {', '.join(DOWNLOADS)}.")
    actor = await _actor(request)
    if isinstance(actor, Response):
        return actor
    item = DOWNLOADS[what]
    try:
        data = await item.make(request.app.state.service.reader(actor), project_id)
    except DomainError as exc:
        return _refused(exc)
    filename = re.sub(r"[^A-Za-z0-9_.-]+", "-", project_id) + item.suffix
    return Response(
        data, media_type=item.media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


async def upload(request: Request) -> Response:
    """`POST /projects/{id}/import` with a multipart field `file`: merge a REFI-QDA file by GUID.
    An optional field `users`, a JSON object, maps the file's users (GUIDs) to members whose
    codings theirs are (OWNER only)."""
    actor = await _actor(request)
    if isinstance(actor, Response):
        return actor
    async with request.form(max_files=1, max_fields=10) as form:
        file, users = form.get("file"), form.get("users")
        if file is None or isinstance(file, str):
            return error_response(400, "BAD_USER_INPUT", "Send the file as the multipart field 'file'.")
        data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        return error_response(400, "BAD_USER_INPUT", "The file is larger than this service accepts.")
    mapping = _user_mapping(users)
    if isinstance(mapping, Response):
        return mapping
    try:
        summary = await import_file(
            request.app.state.service, actor, data, request.path_params["project_id"], users=mapping
        )
    except DomainError as exc:
        return _refused(exc)
    return JSONResponse({"projectId": summary.project_id, "summary": summary.lines()})


def _user_mapping(field: object) -> dict[str, str] | Response:
    """The `users` field: a JSON object of file user GUIDs to member ids (none if the field is absent)."""
    if field is None:
        return {}
    try:
        mapping = json.loads(field) if isinstance(field, str) else None
    except json.JSONDecodeError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        return error_response(
            400,
            "BAD_USER_INPUT",
            "The field 'users' must be a JSON object of the file's user "
            'GUIDs to member ids, such as {"<guid>": "<user id>"}.',
        )
    return mapping


routes = [
    Route("/projects/{project_id}/import", upload, methods=["POST"]),
    Route("/projects/{project_id}/{what}", download),
]

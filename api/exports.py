"""A project's files over HTTP: REFI-QDA downloads (.qdpx, .qdc), the write-up exports
(report.md, report.docx, CSV tables) and imports (REFI-QDA files and transcripts). The routes only say who
is asking (a valid token, or the local user with THEMEMAP_AUTH=off); the service decides what
they may do, as for GraphQL: downloads read through the asker's reader (outsiders get 404, as
for an unknown id; under blind coding an ANALYST gets their own codings only) and an import is
a use case of the service (ANALYST or above)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.auth import authenticate_client, bearer, client_address
from api.errors import error_response
from api.ratelimit import RateLimited
from graph.errors import BadInput, DomainError
from graph.policy import Actor
from graph.service.reading import Reader
from seeds import reports
from seeds.refi.content import Offsets
from seeds.refi.export import export
from seeds.refi.read import MAX_BYTES
from seeds.transcripts.imports import Options
from seeds.uploads import ImportOptions, import_upload

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
    "report.docx": Download(
        "-report.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        reports.report_docx,
    ),
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
    """`POST /projects/{id}/import` with a multipart field `file`: a REFI-QDA file merges by GUID,
    a transcript becomes a document of the project. Optional fields (`_options`): `users`, a JSON
    object mapping the file's users (GUIDs) to members whose codings theirs are (OWNER only);
    `matchUsers=true`, to map those whose GUID or name is a member's (OWNER only); `offsets`
    (codepoints, utf16 or auto, the default), the unit of the file's selection positions; a
    transcript's `participant`, `participantSpeaker` and `interviewer`; and `preview=true`, to
    say what the import would do, writing nothing."""
    actor = await _actor(request)
    if isinstance(actor, Response):
        return actor
    try:
        async with request.form(max_files=1, max_fields=20) as form:
            file = form.get("file")
            if file is None or isinstance(file, str):
                raise BadInput("Send the file as the multipart field 'file'.")
            data = await file.read(MAX_BYTES + 1)
            options = _options(form)
        if len(data) > MAX_BYTES:
            raise BadInput("The file is larger than this service accepts.")
        done = await import_upload(
            request.app.state.service, actor, data, file.filename, request.path_params["project_id"], options
        )
    except DomainError as exc:
        return _refused(exc)
    document = {"documentId": done.document_id} if done.document_id else {}
    return JSONResponse({"projectId": done.project_id, **document, "summary": done.lines})


def _options(form: FormData) -> ImportOptions:
    """The upload's optional fields, each checked (BadInput naming the field)."""
    try:
        offsets = Offsets(form.get("offsets") or Offsets.AUTO)
    except ValueError:
        choices = ", ".join(o.value for o in Offsets)
        raise BadInput(f"The field 'offsets' must be one of {choices}: the unit of the file's positions.") from None
    participant = form.get("participant")
    return ImportOptions(
        users=_user_mapping(form.get("users")),
        match_users=_flag(form, "matchUsers"),
        offsets=offsets,
        transcript=Options(
            participant_id=participant if isinstance(participant, str) and participant else None,
            participant_speakers=tuple(v for v in form.getlist("participantSpeaker") if isinstance(v, str)),
            interviewers=tuple(v for v in form.getlist("interviewer") if isinstance(v, str)),
        ),
        preview=_flag(form, "preview"),
    )


def _flag(form: FormData, name: str) -> bool:
    """An optional true/false field (absent: false)."""
    value = form.get(name)
    if value is None or value in ("false", "0", ""):
        return False
    if value in ("true", "1"):
        return True
    raise BadInput(f"The field {name!r} must be true or false.")


def _user_mapping(field: object) -> dict[str, str]:
    """The `users` field: a JSON object of file user GUIDs to member ids (none if the field is absent)."""
    if field is None:
        return {}
    try:
        mapping = json.loads(field) if isinstance(field, str) else None
    except json.JSONDecodeError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
        raise BadInput(
            "The field 'users' must be a JSON object of the file's user "
            'GUIDs to member ids, such as {"<guid>": "<user id>"}.'
        )
    return mapping


routes = [
    Route("/projects/{project_id}/import", upload, methods=["POST"]),
    Route("/projects/{project_id}/{what}", download),
]

"""Limits on every HTTP request: body size (HTTP 413) and time (HTTP 503), both answered
with a GraphQL-shaped error whose `extensions.code` is LIMIT_EXCEEDED or TIMEOUT and whose
message names the limit, its value and its setting."""

from __future__ import annotations

import asyncio
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response
from api.settings import Settings

UPLOAD_PATH = re.compile(r"^/projects/[^/]+/import$")
"""The REFI-QDA import route, which takes files up to THEMEMAP_MAX_UPLOAD_BYTES."""


class _TooLarge(Exception):
    pass


class BodyLimit:
    """Refuses a body over the limit: at once when Content-Length says so, else as soon as
    the bytes read pass it (chunked uploads)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        upload = bool(UPLOAD_PATH.match(scope["path"]))
        maximum = self.settings.max_upload_bytes if upload else self.settings.max_body_bytes
        setting = "THEMEMAP_MAX_UPLOAD_BYTES" if upload else "THEMEMAP_MAX_BODY_BYTES"
        refusal = error_response(
            413,
            "LIMIT_EXCEEDED",
            f"The request body is larger than the limit of {maximum} bytes ({setting}).",
            limit="maxUploadBytes" if upload else "maxBodyBytes",
            maximum=maximum,
        )
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > maximum:
            await refusal(scope, receive, send)
            return
        received, started = 0, False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > maximum:
                raise _TooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if started:
                raise
            await refusal(scope, receive, send)


class TimeLimit:
    """Stops an HTTP request still running after THEMEMAP_REQUEST_TIMEOUT seconds. A mutation
    stopped this way may still have been applied in full (never in part): read before retrying.
    REFI-QDA imports are exempt: one runs as several store calls and must not stop halfway;
    the upload size bounds them instead."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or UPLOAD_PATH.match(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        seconds = self.settings.request_timeout
        timeout = asyncio.timeout(seconds)
        try:
            async with timeout:
                await self.app(scope, receive, tracked_send)
        except TimeoutError:
            if started or not timeout.expired():
                raise
            await error_response(
                503,
                "TIMEOUT",
                f"The request took longer than the limit of {seconds:g} s (THEMEMAP_REQUEST_TIMEOUT) and was stopped. "
                "Ask for less (a smaller page, a narrower filter); a mutation may have been applied, so read before "
                "retrying it.",
                limit="requestTimeout",
                maximum=seconds,
            )(scope, receive, send)

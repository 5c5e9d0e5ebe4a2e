"""Browser-facing protections: security headers on every response, one Content-Security-Policy
for the API (and the web page served from it), and one for GraphiQL in development, whose
scripts and styles are vendored in api/static/vendor. Adjust the policies here, nowhere else."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import error_response

CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""Everything from this origin only, no inline scripts, never framed."""

GRAPHIQL_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # GraphiQL's editor and popups set styles at run time
        "font-src 'self' data:",  # its fonts are inlined in its stylesheet
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""GraphiQL's page: every script and style from this origin (no CDN, no inline script)."""


HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "content-security-policy": CSP,
}


class AllowedHosts:
    """Answers only requests whose Host header names this server (Settings.answered_hosts): a web
    page whose own name has been rebound to 127.0.0.1 cannot reach a local API or its websocket."""

    def __init__(self, app: ASGIApp, hosts: set[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or "*" in self.hosts:
            await self.app(scope, receive, send)
            return
        host = _host_name(Headers(scope=scope).get("host", ""))
        if host in self.hosts:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 4403})
        else:
            refusal = error_response(
                400,
                "BAD_USER_INPUT",
                f"This server does not answer to the host name {host!r}; "
                "an operator can add it to THEMEMAP_ALLOWED_HOSTS.",
            )
            await refusal(scope, receive, send)


def _host_name(header: str) -> str:
    """The name in a Host header, without its port ('[::1]:8000' is '::1')."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].split("]", 1)[0]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class SecurityHeaders:
    """Adds HEADERS to every HTTP response, keeping any a route set itself (GraphiQL's CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend((k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

"""The theme-map web page: `GET /` and the static files it loads, shipped inside the package.

The page is plain HTML, CSS and JavaScript modules under `api/static/` (the graph
drawing library is vendored there with its licence), so serving it needs no build step
and no network. Everything the page shows or changes goes through `/graphql`."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


async def index(request: Request) -> FileResponse:
    return FileResponse(STATIC / "index.html")


routes: list[BaseRoute] = [
    Route("/", index, methods=["GET", "HEAD"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
]

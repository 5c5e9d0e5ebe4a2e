"""The service layer: every use case, written once, with the access policy asked first.

Entry points (GraphQL resolvers, HTTP routes, websockets, the CLI, seeds and imports) call
`Service` with an `Actor`; writes run as one unit of work of the store, reads go through a
per-request `Reader`. Nothing outside `graph/` touches the store.
"""

from __future__ import annotations

from graph.policy import Actor
from graph.service.arranging import Arranging
from graph.service.history import History
from graph.service.imports import Imports
from graph.service.reading import Reader


class Service(History, Imports, Arranging):
    """All use cases over one store."""

    def reader(self, actor: Actor) -> Reader:
        """The reads one actor may make, for one request (or one websocket operation)."""
        return Reader(self.store, actor)

    async def ping(self) -> None:
        """Raise if the store cannot be reached (readiness)."""
        await self.store.ping()


__all__ = ["Actor", "Reader", "Service"]

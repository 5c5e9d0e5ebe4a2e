"""What every resolver gets: the service, who the request acts as, and this request's reader and loaders."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import strawberry

from graph.errors import Forbidden, StoreUnavailable
from graph.models import User
from graph.policy import Actor
from graph.service import Reader, Service
from schema.limits import Limits
from schema.loaders import Loaders


@dataclass
class Context:
    service: Service
    user: User | None
    """Who the request acts as; None when it carried no valid token (auth on)."""
    auth: bool = True
    """False only with THEMEMAP_AUTH=off: every request acts as the local user, with every right."""
    auth_problem: str | None = None
    """Why `user` is None, for the UNAUTHENTICATED error."""
    store_problem: StoreUnavailable | None = None
    """Set when the store failed while checking the token: the operation answers UNAVAILABLE."""
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    """The graphql-transport-ws connection_init payload (websockets only)."""
    still_signed_in: Callable[[], Awaitable[bool]] | None = None
    """Over a websocket: whether the token it connected with still names its user, asked again
    before each operation and each poll for events."""
    limits: Limits = field(default_factory=Limits)
    reader: Reader = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    @property
    def actor(self) -> Actor:
        """The actor use cases run as (the extension in schema.authentication guarantees a user)."""
        assert self.user is not None
        return Actor(self.user.id, trusted=not self.auth)

    async def token_valid(self) -> bool:
        """Whether a websocket's token still names its user (revocation ends the connection)."""
        return self.still_signed_in is None or await self.still_signed_in()

    async def refuse(self) -> NoReturn:
        """Close a websocket with 4403, graphql-transport-ws's refusal, and end the operation."""
        with contextlib.suppress(RuntimeError):  # already closed by the client
            await self.request.close(code=4403)
        raise Forbidden("This connection's token was revoked or you left the project; connect again.")

    def reset(self) -> None:
        """A fresh reader and loaders: per request over HTTP, per operation over a websocket."""
        self.reader = self.service.reader(self.actor if self.user else Actor(""))
        self.loaders = Loaders(self.reader)


Info = strawberry.Info[Context, None]

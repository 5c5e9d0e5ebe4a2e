"""What every resolver gets: the store port, the current user and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from graph.models import Role, User
from graph.store import Store
from schema.limits import Limits
from schema.loaders import Loaders


@dataclass
class Context:
    store: Store
    user: User | None
    """Who the request acts as; None when it carried no valid token (auth on)."""
    auth: bool = True
    """False only with THEMEMAP_AUTH=off: every request acts as the local user, with every right."""
    auth_problem: str | None = None
    """Why `user` is None, for the UNAUTHENTICATED error."""
    request: Any = None
    response: Any = None
    connection_params: dict[str, Any] | None = None
    """The graphql-transport-ws connection_init payload (websockets only)."""
    limits: Limits = field(default_factory=Limits)
    loaders: Loaders = field(init=False)
    roles: DataLoader[str, Role | None] = field(init=False)
    """The user's role per project id, batched."""

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        """Fresh loaders: per request over HTTP, per operation over a websocket."""
        self.loaders = Loaders(self.store)
        user_id = self.user.id if self.user else ""

        async def load(project_ids: list[str]) -> list[Role | None]:
            found = await self.store.roles(user_id, project_ids)
            return [found.get(p) for p in project_ids]

        self.roles = DataLoader(load_fn=load)


Info = strawberry.Info[Context, None]

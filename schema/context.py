"""What every resolver gets: the store port, the current user and this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from graph.models import User
from graph.store import Store
from schema.loaders import Loaders


@dataclass
class Context:
    store: Store
    user: User
    loaders: Loaders = field(init=False)
    request: Any = None
    response: Any = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.store)


Info = strawberry.Info[Context, None]

"""The datasets `thememap seed` knows, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from graph.store import Store
from seeds.study import StudyDataset

Advance = Callable[[int], None]


class Dataset(Protocol):
    name: str
    summary: str

    def steps(self) -> int:
        """How many progress steps `load` reports."""

    async def is_loaded(self, store: Store) -> bool: ...

    async def remove(self, store: Store) -> None: ...

    async def load(self, store: Store, advance: Advance) -> str:
        """Load the dataset; return its project id."""


def datasets() -> dict[str, Dataset]:
    found: list[Dataset] = [StudyDataset("perinatal_social_work")]
    return {d.name: d for d in found}

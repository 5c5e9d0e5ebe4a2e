"""The datasets `thememap seed` knows, by name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from graph.service import Service
from seeds.study import StudyDataset
from seeds.synthetic import SIZES, SyntheticDataset

Advance = Callable[[int], None]


class Dataset(Protocol):
    name: str
    summary: str

    def steps(self) -> int:
        """How many progress steps `load` reports."""

    async def is_loaded(self, service: Service) -> bool: ...

    async def remove(self, service: Service) -> None: ...

    async def load(self, service: Service, advance: Advance) -> str:
        """Load the dataset through the service, acting as its lead (trusted); return its project id."""


def datasets(size: str = "S", seed: int = 1) -> dict[str, Dataset]:
    """Every dataset by name; `size` and `seed` choose the synthetic study's shape."""
    if size not in SIZES:
        raise ValueError(f"Unknown size {size!r}; choose one of {', '.join(SIZES)}.")
    found: list[Dataset] = [StudyDataset("perinatal_social_work"), SyntheticDataset(size, seed)]
    return {d.name: d for d in found}

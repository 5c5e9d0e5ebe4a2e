"""The theme map's arrangement: where each code and theme is drawn, saved per project so that
the map a team discusses keeps its shape from one visit (and one member) to the next. Positions
are the drawing's own units; the page decides when to lay the map out afresh."""

from __future__ import annotations

from graph import activity
from graph.inputs import MapPositions
from graph.models import NodeKind
from graph.policy import Actor, Need
from graph.service.projects import Projects
from graph.transaction import Transaction


class Arranging(Projects):
    async def map_positions(self, actor: Actor, project_id: str) -> dict[str, tuple[float, float]]:
        """The saved positions of the project's codes and themes (those never placed are absent)."""

        async def work(tx: Transaction) -> dict[str, tuple[float, float]]:
            await self.in_project(tx, actor, project_id, Need.READ)
            return await tx.positions(project_id)

        return await self.store.read(work)

    async def save_map_positions(self, actor: Actor, given: MapPositions) -> dict[str, tuple[float, float]]:
        """Place codes and themes of the project (each named once at most: the last position given
        wins), for every member who opens its map; recorded in the history, so open pages follow."""

        async def work(tx: Transaction) -> dict[str, tuple[float, float]]:
            principal = await self.in_project(tx, actor, given.project_id, Need.EDIT)
            moved = {p.node_id: (p.x, p.y) for p in given.positions}
            await self.same_project(tx, principal, list(moved), NodeKind.CODE, NodeKind.THEME)
            await tx.set_positions(given.project_id, moved)
            await self.log(tx, activity.arranged(principal.user_id, given.project_id, moved))
            return moved

        return await self._write(work)

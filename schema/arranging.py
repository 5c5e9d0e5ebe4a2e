"""The theme map's saved node positions: where each code and theme is drawn, shared by the
project's members (`mapPositions`, `saveMapPositions`)."""

from __future__ import annotations

import strawberry

from graph import inputs as domain
from schema.context import Info


@strawberry.type(description="Where a code or theme is drawn on its project's map, in the drawing's units.")
class NodePosition:
    node_id: strawberry.ID = strawberry.field(description="The code or theme.")
    x: float
    y: float


@strawberry.input(description="Where to draw a code or theme of the project on its map.")
class NodePositionInput:
    node_id: strawberry.ID = strawberry.field(description="A code or theme of the project.")
    x: float = strawberry.field(description="Between -1,000,000 and 1,000,000, like y.")
    y: float


def positions_of(found: dict[str, tuple[float, float]]) -> list[NodePosition]:
    return [NodePosition(node_id=strawberry.ID(id), x=x, y=y) for id, (x, y) in found.items()]


def map_positions_input(project_id: str, positions: list[NodePositionInput]) -> domain.MapPositions:
    return domain.MapPositions(
        project_id=project_id,
        positions=tuple(domain.NodePosition(node_id=p.node_id, x=p.x, y=p.y) for p in positions),
    )


@strawberry.type
class ArrangingQuery:
    @strawberry.field(
        description="The saved positions of the project's codes and themes on its map (saveMapPositions), "
        "in node id order; nodes never placed are left out, for the client to lay out."
    )
    async def map_positions(self, info: Info, project_id: strawberry.ID) -> list[NodePosition]:
        c = info.context
        return positions_of(await c.service.map_positions(c.actor, project_id))

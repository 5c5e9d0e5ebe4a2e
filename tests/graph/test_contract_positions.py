"""Contract: the theme map's saved node positions (every adapter). The repository operations
first (`Transaction.positions`, `set_positions`), then the use cases over them
(`map_positions`, `save_map_positions`) with their policy, checks and history."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from graph.errors import BadInput, Forbidden, NotFound
from graph.inputs import MapPositions, NodePosition
from graph.models import NodeKind, Role
from graph.service import Service
from graph.store import Store
from graph.transaction import ReadOnly, Transaction
from tests.conftest import TRUSTED
from tests.graph.builders import member, small_project
from tests.graph.test_contract_transaction import given

# -- the repository operations ----------------------------------------------------------------


async def test_positions_are_saved_per_project_and_replaced_node_by_node(store: Store) -> None:
    w = await given(store)
    other = await given(store, "Other")

    async def work(tx: Transaction) -> dict[str, tuple[float, float]]:
        await tx.set_positions(w.project.id, {w.fear.id: (1.5, -2.0), w.theme.id: (300.0, 40.25)})
        await tx.set_positions(other.project.id, {other.fear.id: (9.0, 9.0)})
        return await tx.positions(w.project.id)  # the transaction sees its own writes

    assert await store.write(work) == {w.fear.id: (1.5, -2.0), w.theme.id: (300.0, 40.25)}
    await store.write(lambda tx: tx.set_positions(w.project.id, {w.fear.id: (7.0, 8.0), w.hope.id: (0.0, 0.0)}))
    assert await store.read(lambda tx: tx.positions(w.project.id)) == {
        w.fear.id: (7.0, 8.0),
        w.hope.id: (0.0, 0.0),
        w.theme.id: (300.0, 40.25),
    }
    assert await store.read(lambda tx: tx.positions(other.project.id)) == {other.fear.id: (9.0, 9.0)}


async def test_a_position_goes_with_its_node_and_its_project(store: Store) -> None:
    w = await given(store)
    kept = await given(store, "Kept")
    await store.write(lambda tx: tx.set_positions(w.project.id, {w.hope.id: (1.0, 1.0), w.theme.id: (2.0, 2.0)}))
    await store.write(lambda tx: tx.set_positions(kept.project.id, {kept.hope.id: (3.0, 3.0)}))

    await store.write(lambda tx: tx.delete(NodeKind.CODE, w.hope.id))
    assert await store.read(lambda tx: tx.positions(w.project.id)) == {w.theme.id: (2.0, 2.0)}
    await store.write(lambda tx: tx.set_positions(w.project.id, {w.theme.id: (4.0, 4.0)}))  # after a deletion
    assert await store.read(lambda tx: tx.positions(w.project.id)) == {w.theme.id: (4.0, 4.0)}
    await store.write(lambda tx: tx.delete(NodeKind.PROJECT, w.project.id))
    assert await store.read(lambda tx: tx.positions(w.project.id)) == {}
    assert await store.read(lambda tx: tx.positions(kept.project.id)) == {kept.hope.id: (3.0, 3.0)}


async def test_positions_are_written_only_in_a_write_and_rolled_back_with_it(store: Store) -> None:
    w = await given(store)
    with pytest.raises(ReadOnly):
        await store.read(lambda tx: tx.set_positions(w.project.id, {w.fear.id: (1.0, 1.0)}))

    class Boom(Exception):
        pass

    async def work(tx: Transaction) -> None:
        await tx.set_positions(w.project.id, {w.fear.id: (1.0, 1.0)})
        raise Boom

    with pytest.raises(Boom):
        await store.write(work)
    assert await store.read(lambda tx: tx.positions(w.project.id)) == {}


# -- the use cases ------------------------------------------------------------------------------


def placed(project_id: str, *positions: tuple[str, float, float]) -> MapPositions:
    return MapPositions(
        project_id=project_id, positions=tuple(NodePosition(node_id=id, x=x, y=y) for id, x, y in positions)
    )


async def test_saving_positions_follows_the_policy_and_is_recorded(store: Store, service: Service) -> None:
    s = await small_project(service)
    viewer = await member(service, s.project.id, "vera", Role.VIEWER)
    analyst = await member(service, s.project.id, "ann", Role.ANALYST)
    outsider = await member(service, (await small_project(service, "Theirs")).project.id, "otto", Role.OWNER)
    given_positions = placed(s.project.id, (s.fear.id, 10.0, 20.0), (s.theme.id, -5.0, 0.5))

    with pytest.raises(NotFound):
        await service.save_map_positions(outsider, given_positions)
    with pytest.raises(Forbidden):
        await service.save_map_positions(viewer, given_positions)
    saved = await service.save_map_positions(analyst, given_positions)
    assert saved == {s.fear.id: (10.0, 20.0), s.theme.id: (-5.0, 0.5)}
    assert await service.map_positions(viewer, s.project.id) == saved
    with pytest.raises(NotFound):
        await service.map_positions(outsider, s.project.id)

    event = (await store.activity(s.project.id, 1)).events[0]
    assert (event.type, event.actor_id, event.summary) == ("map.arranged", "ann", "moved 2 nodes on the map")
    assert event.target_ids == (s.fear.id, s.theme.id)
    assert event.after == {"positions": {s.fear.id: [10.0, 20.0], s.theme.id: [-5.0, 0.5]}}


async def test_only_the_projects_codes_and_themes_can_be_placed_and_nothing_half_saved(
    store: Store, service: Service
) -> None:
    s = await small_project(service)
    theirs = await small_project(service, "Theirs")
    revision = (await store.activity(s.project.id, 100)).events
    for wrong in (s.amira.id, theirs.fear.id, "missing"):
        with pytest.raises(NotFound):
            await service.save_map_positions(TRUSTED, placed(s.project.id, (s.fear.id, 1.0, 1.0), (wrong, 2.0, 2.0)))
    assert await service.map_positions(TRUSTED, s.project.id) == {}
    assert (await store.activity(s.project.id, 100)).events == revision
    for x in (float("nan"), float("inf"), 2e6):
        with pytest.raises(ValidationError):
            placed(s.project.id, (s.fear.id, x, 0.0))
    with pytest.raises(ValidationError):
        MapPositions(project_id=s.project.id, positions=())


async def test_arranging_the_map_is_not_reverted(store: Store, service: Service) -> None:
    s = await small_project(service)
    await service.save_map_positions(TRUSTED, placed(s.project.id, (s.fear.id, 1.0, 2.0)))
    entry = (await store.activity(s.project.id, 1)).events[0]
    with pytest.raises(BadInput, match="A map.arranged entry cannot be reverted: moving nodes on the map"):
        await service.revert(TRUSTED, entry.id)
    assert await service.map_positions(TRUSTED, s.project.id) == {s.fear.id: (1.0, 2.0)}

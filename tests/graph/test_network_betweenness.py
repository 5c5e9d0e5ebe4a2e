"""The concept network keeps each graph's betweenness by its edges: after a change that adds or
removes no edge (most codings in a dense network) it is not worked out again, and after one that
does, it is, and equals what a store without anything kept answers."""

from __future__ import annotations

from typing import Any

import igraph
import pytest

from graph.analysis import network
from graph.inputs import NewCode, NewExcerpt
from graph.service import Service
from graph.store import Store
from tests.conftest import TRUSTED
from tests.graph.builders import small_project


async def test_betweenness_is_worked_out_again_only_when_an_edge_changes(
    store: Store, service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = await small_project(service)
    p = s.project.id
    third = await service.create_code(TRUSTED, NewCode(project_id=p, name="Third"))
    worked_out = 0
    betweenness = igraph.Graph.betweenness

    def counted(graph: igraph.Graph, *args: Any, **kwargs: Any) -> Any:
        nonlocal worked_out
        worked_out += 1
        return betweenness(graph, *args, **kwargs)

    monkeypatch.setattr(igraph.Graph, "betweenness", counted)
    monkeypatch.setattr(network, "_BETWEENNESS", type(network._BETWEENNESS)())

    async def code(start: int, codes: list[str]) -> None:
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=start, end=start + 4), codes)

    async def betweenness_now() -> list[float | None]:
        found = await store.concept_network(p)
        return [n.betweenness for n in found.nodes]

    await code(0, [s.fear.id, s.hope.id])
    await code(10, [s.hope.id, third.id])
    first = await betweenness_now()
    assert worked_out == 1 and first == [0.0, 1.0, 0.0]  # Hope lies between Fear and Third

    await code(20, [s.fear.id, s.hope.id])  # Fear and Hope co-occur once more: no new edge
    assert await betweenness_now() == first
    assert worked_out == 1

    await code(30, [s.fear.id, third.id])  # a new edge: a triangle, no code between two others
    assert await betweenness_now() == [0.0, 0.0, 0.0]
    assert worked_out == 2

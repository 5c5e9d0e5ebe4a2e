"""What a REFI-QDA graph carries that the rest of the standard cannot: the theme tree.

REFI-QDA sets do not nest, so a thememap export records each subtheme as a "subtheme of"
edge in its "Theme map" graph (see `seeds.refi.export`). Reading those edges back keeps a
copied project's theme tree, and with it each parent theme's excerpts, which roll up from
its subthemes. Edges between things that are not sets of the file, a second parent, and a
parent that would close a cycle are ignored: the sets then stay flat, as without a graph."""

from __future__ import annotations

from lxml import etree

from graph.service.imports import PlannedSet
from seeds.refi.read import child, children, guid_of

SUBTHEME_OF = "subtheme of"


def with_theme_tree(root: etree._Element, sets: list[PlannedSet]) -> list[PlannedSet]:
    """The sets with the parents the file's graphs give them, parents before their subthemes."""
    ids = {s.theme.id for s in sets}
    parents: dict[str, str] = {}
    graphs = child(root, "Graphs")
    for graph in children(graphs, "Graph") if graphs is not None else ():
        represented = {
            v.get("guid"): guid_of(v.get("representedGUID"), "A graph vertex")
            for v in children(graph, "Vertex")
            if v.get("representedGUID")
        }
        for edge in children(graph, "Edge"):
            if (edge.get("name") or "").strip().lower() != SUBTHEME_OF:
                continue
            theme, parent = represented.get(edge.get("sourceVertex")), represented.get(edge.get("targetVertex"))
            if theme in ids and parent in ids and theme not in parents and not _reaches(parents, parent, theme):
                parents[theme] = parent
    placed = [
        PlannedSet(s.theme.model_copy(update={"parent_id": parents.get(s.theme.id or "")}), s.code_ids) for s in sets
    ]
    return sorted(placed, key=lambda s: _depth(parents, s.theme.id or ""))  # stable: siblings keep the file's order


def _depth(parents: dict[str, str], id: str) -> int:
    n = 0
    while id in parents:
        id, n = parents[id], n + 1
    return n


def _reaches(parents: dict[str, str], start: str | None, goal: str) -> bool:
    """Whether following parents from `start` arrives at `goal` (so goal -> start would close a cycle)."""
    while start is not None:
        if start == goal:
            return True
        start = parents.get(start)
    return False

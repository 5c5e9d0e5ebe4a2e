"""The network of concepts: codes as nodes; concept links and co-occurrence as weighted
edges; themes as groups of codes. It tells which codes bridge otherwise separate parts of
the analysis, and which codes cluster together whatever the themes say.

- An edge joins two codes that co-occur at EXCERPT scope at least `cooccurrence_min` times
  (weight: that count, as in `cooccurrence`), or that a concept link joins, either way
  (weight: its evidence excerpts, at least 1, as on the theme map); both add up. Links to or
  from a theme are left out: themes are the groups, not nodes.
- degree: the codes a code has an edge with; weighted degree: the sum of those edges' weights.
- betweenness (when asked for: it costs time in proportion to codes x edges, seconds at size L):
  the share of shortest paths between two other codes that pass through a code,
  counting paths by their steps (weights are strengths, not distances), normalised by
  (n-1)(n-2)/2 for n codes, as in networkx and igraph.
- communities: the codes with at least one edge, split by the Leiden algorithm (Traag, Waltman
  & van Eck, 2019) maximising weighted modularity at `resolution`, its random choices drawn from
  a generator seeded with `seed`, so that the same question gives the same answer.
- themes against communities: a community is `across_themes` when its codes that are in themes
  are not all in one theme; a theme `splits` when its own codes (not its subthemes') that have
  an edge fall into more than one community.

igraph does the graph work: at size L (a thousand codes, over a hundred thousand co-occurring
pairs) its betweenness and Leiden took a fraction of networkx's time and less than rustworkx's
betweenness, which has no modularity method (see the README's Performance section).
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import igraph
import numpy as np

from graph.analysis import matrices
from graph.analysis.results import (
    Community,
    ConceptNetwork,
    NetworkEdges,
    NetworkNode,
    ThemeCohesion,
)
from graph.analysis.snapshot import Scope
from graph.analysis.worker import stopping
from graph.errors import BadInput

MAX_RESOLUTION = 100.0
KEPT_BETWEENNESS = 4
"""Graphs whose betweenness is kept (least recently used dropped first)."""
_SEEDING = threading.Lock()
"""igraph draws from one process-wide generator: one seeded run at a time."""
_BETWEENNESS: OrderedDict[tuple[int, bytes], list[float]] = OrderedDict()
"""Betweenness by graph (its number of codes and its edges): it depends on nothing else, costs seconds
at size L, and a change of a few codings seldom adds or removes an edge of a dense network."""
_KEEPING = threading.Lock()


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    with _SEEDING:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            igraph.set_random_number_generator(random)


def _edges(scope: Scope, cooccurrence_min: int | None, links: bool) -> tuple[np.ndarray, ...]:
    """Edges (a < b, indexes in the snapshot's code order, sorted) with their co-occurrence
    counts, links and weights, as arrays: a large project has hundreds of thousands."""
    snap = scope.snapshot
    codes = tuple(c.id for c in snap.codes)
    n = len(codes)
    keys, columns = [np.zeros(0, dtype=np.int64)], [np.zeros((0, 3), dtype=np.int64)]
    if cooccurrence_min is not None:
        pairs = matrices.excerpt_pairs(scope, codes)  # shared with `cooccurrence` and the theme map
        keep = pairs.count >= cooccurrence_min
        count = pairs.count[keep]
        keys.append(pairs.a[keep] * n + pairs.b[keep])
        columns.append(np.column_stack([count, np.zeros_like(count), count]))
    if links:
        number = {c: i for i, c in enumerate(codes)}
        linked = [
            (min(i, j) * n + max(i, j), max(1, len(x.evidence_excerpt_ids)))
            for x in snap.links
            if (i := number.get(x.source_id)) is not None and (j := number.get(x.target_id)) is not None and i != j
        ]
        keys.append(np.array([k for k, _ in linked], dtype=np.int64))
        columns.append(np.array([(0, 1, w) for _, w in linked], dtype=np.int64).reshape(-1, 3))
    found, which = np.unique(np.concatenate(keys), return_inverse=True)
    summed = np.zeros((len(found), 3), dtype=np.int64)
    np.add.at(summed, which, np.concatenate(columns))
    return found // max(n, 1), found % max(n, 1), summed[:, 0], summed[:, 1], summed[:, 2]


def _betweenness(graph: igraph.Graph, a: np.ndarray, b: np.ndarray) -> list[float]:
    """The graph's betweenness (unweighted: paths by their steps), kept by its edges (a < b, sorted)."""
    key = (graph.vcount(), np.column_stack([a, b]).astype(np.int64).tobytes())
    with _KEEPING:
        kept = _BETWEENNESS.get(key)
        if kept is not None:
            _BETWEENNESS.move_to_end(key)
            return kept
    found: list[float] = graph.betweenness(directed=False)
    with _KEEPING:
        _BETWEENNESS[key] = found
        while len(_BETWEENNESS) > KEPT_BETWEENNESS:
            _BETWEENNESS.popitem(last=False)
    return found


def concept_network(
    scope: Scope, cooccurrence_min: int | None, links: bool, resolution: float, seed: int, betweenness: bool
) -> ConceptNetwork:
    if cooccurrence_min is not None and cooccurrence_min < 1:
        raise BadInput("cooccurrenceMin must be 1 or more (leave it out for links only).")
    if not 0 < resolution <= MAX_RESOLUTION:
        raise BadInput(f"resolution must be more than 0 and at most {MAX_RESOLUTION:g} (1 is plain modularity).")
    if seed < 0:
        raise BadInput("seed must be 0 or more.")
    snap = scope.snapshot
    codes = [c.id for c in snap.codes]
    n, number = len(codes), {c: i for i, c in enumerate(codes)}
    a, b, together, linked, weight = _edges(scope, cooccurrence_min, links)
    stopping()
    # Pairs made one at a time: a list of hundreds of thousands of them would set off the cycle
    # collector over everything a large project keeps (most of this question's time at size L).
    graph = igraph.Graph(n=n, edges=zip(a.tolist(), b.tolist(), strict=True))
    graph.es["weight"] = weight.tolist()
    degree = graph.degree()
    strength = graph.strength(weights="weight")
    scale = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    between = _betweenness(graph, a, b) if betweenness and len(a) else [0.0] * n
    stopping()

    connected = [i for i in range(n) if degree[i]]
    part = graph.induced_subgraph(connected)
    with _seeded(seed):
        membership = part.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=-1
        ).membership
    modularity = part.modularity(membership, weights="weight", resolution=resolution) if len(a) else None
    groups: defaultdict[int, list[int]] = defaultdict(list)
    for vertex, group in zip(connected, membership):
        groups[group].append(vertex)
    ordered = sorted(groups.values(), key=lambda members: (-len(members), members[0]))
    community_of = {v: k for k, members in enumerate(ordered) for v in members}

    themes_of: defaultdict[str, list[str]] = defaultdict(list)
    theme_order = {t.id: i for i, t in enumerate(snap.themes)}
    for c, t in sorted(snap.memberships, key=lambda m: (number.get(m[0], -1), theme_order.get(m[1], -1))):
        if c in number and t in theme_order:
            themes_of[c].append(t)
    nodes = tuple(
        NetworkNode(
            code_id=c,
            theme_ids=tuple(themes_of[c]),
            degree=degree[i],
            weighted_degree=int(strength[i]),
            betweenness=round(between[i] / scale, 6) if betweenness else None,
            community=community_of.get(i),
        )
        for i, c in enumerate(codes)
    )
    communities = tuple(_community(k, [codes[v] for v in members], themes_of) for k, members in enumerate(ordered))
    return ConceptNetwork(
        nodes=nodes,
        edges=NetworkEdges(
            a=tuple(codes[i] for i in a.tolist()),
            b=tuple(codes[i] for i in b.tolist()),
            weight=tuple(weight.tolist()),
            cooccurrence=tuple(together.tolist()),
            links=tuple(linked.tolist()),
        ),
        communities=communities,
        themes=_cohesion(scope, themes_of, community_of, number),
        modularity=None if modularity is None else round(modularity, 6),
    )


def _community(index: int, members: list[str], themes_of: dict[str, list[str]]) -> Community:
    themed = [set(themes_of[c]) for c in members if themes_of[c]]
    themes = list(dict.fromkeys(t for c in members for t in themes_of[c]))
    return Community(
        index=index,
        code_ids=tuple(members),
        theme_ids=tuple(themes),
        across_themes=bool(themed) and not set.intersection(*themed),
    )


def _cohesion(
    scope: Scope, themes_of: dict[str, list[str]], community_of: dict[int, int], number: dict[str, int]
) -> tuple[ThemeCohesion, ...]:
    out = []
    for theme in scope.snapshot.themes:
        stopping()
        members = [c for c in number if theme.id in themes_of.get(c, ()) and number[c] in community_of]
        communities = tuple(sorted({community_of[number[c]] for c in members}))
        out.append(
            ThemeCohesion(
                theme_id=theme.id, code_ids=tuple(members), communities=communities, splits=len(communities) > 1
            )
        )
    return tuple(out)

"""The network of concepts: codes as nodes; concept links and co-occurrence as weighted
edges; themes as groups of codes. It tells which codes bridge otherwise separate parts of
the analysis, and which codes cluster together whatever the themes say.

- An edge joins two codes that co-occur at EXCERPT scope at least `cooccurrence_min` times
  (weight: that count, as in `cooccurrence`), or that a concept link joins, either way
  (weight: its evidence excerpts, at least 1, as on the theme map); both add up. Links to or
  from a theme are left out: themes are the groups, not nodes.
- degree: the codes a code has an edge with; weighted degree: the sum of those edges' weights.
- betweenness: the share of shortest paths between two other codes that pass through a code,
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
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import igraph

from graph.analysis.questions import cooccurrence
from graph.analysis.results import (
    Community,
    ConceptNetwork,
    CooccurrenceScope,
    NetworkEdge,
    NetworkNode,
    ThemeCohesion,
)
from graph.analysis.snapshot import Scope
from graph.analysis.worker import stopping
from graph.errors import BadInput

MAX_RESOLUTION = 100.0
_SEEDING = threading.Lock()
"""igraph draws from one process-wide generator: one seeded run at a time."""


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    with _SEEDING:
        igraph.set_random_number_generator(random.Random(seed))
        try:
            yield
        finally:
            igraph.set_random_number_generator(random)


def _edges(scope: Scope, cooccurrence_min: int | None, links: bool) -> dict[tuple[str, str], list[int]]:
    """(a, b) in code order -> [co-occurrence count, links, weight]."""
    snap = scope.snapshot
    position = {c.id: i for i, c in enumerate(snap.codes)}
    found: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])

    def pair(a: str, b: str) -> list[int]:
        return found[(a, b) if position[a] < position[b] else (b, a)]

    if cooccurrence_min is not None:
        for p in cooccurrence(scope, CooccurrenceScope.EXCERPT, list(position), [], cooccurrence_min):
            counts = pair(p.a, p.b)
            counts[0] += p.count
            counts[2] += p.count
    if links:
        for x in snap.links:
            if x.source_id in position and x.target_id in position and x.source_id != x.target_id:
                counts = pair(x.source_id, x.target_id)
                counts[1] += 1
                counts[2] += max(1, len(x.evidence_excerpt_ids))
    return found


def concept_network(
    scope: Scope, cooccurrence_min: int | None, links: bool, resolution: float, seed: int
) -> ConceptNetwork:
    if cooccurrence_min is not None and cooccurrence_min < 1:
        raise BadInput("cooccurrenceMin must be 1 or more (leave it out for links only).")
    if not 0 < resolution <= MAX_RESOLUTION:
        raise BadInput(f"resolution must be more than 0 and at most {MAX_RESOLUTION:g} (1 is plain modularity).")
    snap = scope.snapshot
    codes = [c.id for c in snap.codes]
    number = {c: i for i, c in enumerate(codes)}
    found = _edges(scope, cooccurrence_min, links)
    stopping()
    pairs = sorted(found, key=lambda p: (number[p[0]], number[p[1]]))
    graph = igraph.Graph(n=len(codes), edges=[(number[a], number[b]) for a, b in pairs])
    graph.es["weight"] = [found[p][2] for p in pairs]
    degree = graph.degree()
    strength = graph.strength(weights="weight")
    n = len(codes)
    scale = (n - 1) * (n - 2) / 2 if n > 2 else 1.0
    betweenness = graph.betweenness(directed=False) if pairs else [0.0] * n
    stopping()

    connected = [i for i in range(n) if degree[i]]
    part = graph.induced_subgraph(connected)
    with _seeded(seed):
        membership = part.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution, n_iterations=-1
        ).membership
    modularity = part.modularity(membership, weights="weight", resolution=resolution) if pairs else None
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
            betweenness=round(betweenness[i] / scale, 6),
            community=community_of.get(i),
        )
        for i, c in enumerate(codes)
    )
    communities = tuple(_community(k, [codes[v] for v in members], themes_of) for k, members in enumerate(ordered))
    return ConceptNetwork(
        nodes=nodes,
        edges=tuple(
            NetworkEdge(a=a, b=b, cooccurrence=found[(a, b)][0], links=found[(a, b)][1], weight=found[(a, b)][2])
            for a, b in pairs
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

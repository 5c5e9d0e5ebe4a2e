"""The analytic questions, computed from a `Scope`. Definitions (also in the GraphQL
descriptions):

- a code's excerpts are the excerpts in scope that the chosen coders coded with it; a
  theme's are those coded with any code of the theme or of its subthemes, recursively;
- counts count distinct excerpts, or distinct participants of those excerpts;
- two excerpts overlap when they are of one document and share at least one code point.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Sequence
from itertools import combinations
from operator import itemgetter
from typing import Any, TypeVar, overload

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from graph import cursors
from graph.analysis import matrices
from graph.analysis.filters import Where, check_attribute
from graph.analysis.results import (
    CaseMatrix,
    Cell,
    ConceptKind,
    ConceptPath,
    CooccurrenceScope,
    EdgeKind,
    Group,
    GroupConcept,
    IdPage,
    MapEdge,
    MapNode,
    MatchOrder,
    MatrixRow,
    Paged,
    Pair,
    PairOrder,
    Pairs,
    ParticipantMatch,
    PathStep,
    Relation,
    SearchHit,
    SearchPage,
    SequenceHit,
    ThemeMap,
)
from graph.analysis.snapshot import Scope, Spoken
from graph.analysis.text import check_near, contains, find, parse_query
from graph.analysis.worker import stopping
from graph.errors import BadInput
from graph.models import AttributeValue, Code, LinkKind, Theme

T = TypeVar("T")
MAX_PATH_LENGTH = 6
MAX_PATHS = 50
CONTEXT_CHARS = 80


def theme_map(scope: Scope, cooccurrence_min: int | None, with_descendants: bool = False) -> ThemeMap:
    """Every concept with its counts (with the codes below each code, if asked) and every relation."""
    snap = scope.snapshot
    counts = scope.family_prevalence if with_descendants else scope.prevalence
    nodes = [
        MapNode(
            id=t.id,
            kind=ConceptKind.THEME,
            label=t.name,
            color=None,
            status=t.status,
            excerpt_count=counts[t.id][0],
            participant_count=counts[t.id][1],
        )
        for t in snap.themes
    ] + [
        MapNode(
            id=c.id,
            kind=ConceptKind.CODE,
            label=c.name,
            color=c.color,
            status=None,
            excerpt_count=counts[c.id][0],
            participant_count=counts[c.id][1],
        )
        for c in snap.codes
    ]
    known = scope.kinds  # see graph.analysis.matrices.Indexed.of: a row may name a node read later
    edges = [
        MapEdge(source=c, target=t, kind=EdgeKind.MEMBER_OF)
        for c, t in sorted(snap.memberships)
        if c in known and t in known
    ]
    edges += [MapEdge(source=t.id, target=t.parent_id, kind=EdgeKind.SUBTHEME_OF) for t in snap.themes if t.parent_id]
    edges += [MapEdge(source=c.id, target=c.parent_id, kind=EdgeKind.CHILD_OF) for c in snap.codes if c.parent_id]
    edges += [
        MapEdge(
            source=x.source_id,
            target=x.target_id,
            kind=EdgeKind.LINK,
            link_kind=x.kind,
            link_id=x.id,
            label=x.label,
            weight=max(1, len(x.evidence_excerpt_ids)),
        )
        for x in snap.links
        if x.source_id in known and x.target_id in known
    ]
    if cooccurrence_min is not None:
        pairs = cooccurrence(scope, CooccurrenceScope.EXCERPT, [c.id for c in snap.codes], [], max(cooccurrence_min, 1))
        edges += [MapEdge(source=p.a, target=p.b, kind=EdgeKind.COOCCURS, weight=p.count) for p in pairs]
    return ThemeMap(nodes=tuple(nodes), edges=tuple(edges))


def _concepts(scope: Scope, code_ids: Sequence[str], theme_ids: Sequence[str], default: str) -> list[str]:
    ids = [*dict.fromkeys([*code_ids, *theme_ids])]
    scope.check_concepts(ids)
    if ids:
        return ids
    source = scope.snapshot.codes if default == "CODE" else scope.snapshot.themes
    return [c.id for c in source]


def cooccurrence(
    scope: Scope, unit: CooccurrenceScope, code_ids: Sequence[str], theme_ids: Sequence[str], min_count: int
) -> Pairs:
    """Pairs of concepts that occur together, most frequent first (then in concept order).

    EXCERPT: an instance is one excerpt coded with both, or two overlapping excerpts, one
    coded with each; `count` counts instances; `jaccard` is the share of the two concepts'
    excerpts that take part in an instance. DOCUMENT and PARTICIPANT: `count` is the number
    of documents (participants) with both; `jaccard` is that over those with either.
    """
    scope.check_concepts(code_ids, "CODE")
    scope.check_concepts(theme_ids, "THEME")
    concepts = _concepts(scope, code_ids, theme_ids, "CODE")
    if unit is CooccurrenceScope.EXCERPT:
        found = matrices.excerpt_pairs(scope, tuple(concepts))
        keep = np.flatnonzero(found.count >= min_count)
        a, b, count = found.a[keep], found.b[keep], found.count[keep]
        shares = found.taking_part[keep] / found.either[keep]
    else:

        def of(e: str) -> str | None:
            fact = scope.excerpts[e]
            return fact.document_id if unit is CooccurrenceScope.DOCUMENT else fact.participant_id

        units = [{u for e in scope.concept_excerpts(c) if (u := of(e)) is not None} for c in concepts]
        pairs = []
        for i, j in combinations(range(len(concepts)), 2):
            stopping()
            if (both := len(units[i] & units[j])) >= min_count:
                pairs.append((i, j, both, both / (len(units[i]) + len(units[j]) - both)))
        a, b, count, shares = (
            (np.array(column) for column in zip(*pairs, strict=True)) if pairs else (np.array([]),) * 4
        )
    order = np.lexsort((b, a, -count))
    return Pairs(
        tuple(concepts),
        a[order].tolist(),
        b[order].tolist(),
        count[order].tolist(),
        [round(share, 6) for share in shares[order].tolist()],
    )


def case_matrix(scope: Scope, columns: str, column_ids: Sequence[str]) -> CaseMatrix:
    """Rows: participants in scope; columns: concepts; a cell's excerpts are the
    participant's excerpts coded with the concept, in document and text order."""
    ids = _concepts(scope, column_ids, [], columns)
    indexed = scope.snapshot.indexed
    matrix = scope.concept_matrix(ids)
    stopping()
    # Every (excerpt, column) of the matrix, by column, then participant, then excerpt (document and text
    # order): a cell is a run of one column and one participant.
    # One sort of a key (cell, then excerpt), a cell being (column, participant + 1 so that no one is 0).
    excerpts, people = len(indexed.excerpt_ids), len(indexed.participant_ids) + 1
    concept = np.repeat(np.arange(len(ids), dtype=np.int64), np.diff(matrix.indptr))
    cell = concept * people + indexed.participants[matrix.indices] + 1
    key = np.sort(cell * excerpts + matrix.indices)
    cell, rows = np.divmod(key, excerpts)
    starts = np.flatnonzero(np.diff(cell, prepend=-1))
    names = list(map(indexed.excerpt_ids.__getitem__, rows.tolist()))
    stopping()
    bounds = np.append(starts, len(rows)).tolist()
    column, person = np.divmod(cell[starts], people)
    cells = {
        (p, k): tuple(names[start:end])
        for p, k, start, end in zip((person - 1).tolist(), column.tolist(), bounds[:-1], bounds[1:], strict=True)
    }
    number = {p: i for i, p in enumerate(indexed.participant_ids)}
    rows_out = tuple(
        MatrixRow(
            participant_id=p.id,
            cells=tuple(
                Cell(concept_id=c, count=len(found := cells.get((number[p.id], k), ())), excerpt_ids=found)
                for k, c in enumerate(ids)
            ),
        )
        for p in scope.participants
    )
    return CaseMatrix(column_ids=tuple(ids), rows=rows_out)


def value_order(value: AttributeValue | None) -> tuple[int, str, float]:
    """Attribute values in order: booleans, numbers, text, then no value."""
    if value is None:
        return (3, "", 0.0)
    if isinstance(value, bool):
        return (0, "", float(value))
    if isinstance(value, int | float):
        return (1, "", float(value))
    return (2, value, 0.0)


def compare_groups(scope: Scope, attribute: str, columns: str, column_ids: Sequence[str]) -> list[Group]:
    """One group per value of the attribute among participants in scope (null: those
    without it): `n` participants, and per concept how many of them have at least one
    excerpt coded with it, and that as a proportion of `n`."""
    check_attribute(attribute, scope.snapshot.participants)
    ids = _concepts(scope, column_ids, [], columns)
    groups: dict[tuple[int, str, float], list[str]] = defaultdict(list)
    values: dict[tuple[int, str, float], AttributeValue | None] = {}
    for p in scope.participants:
        value = p.attributes.get(attribute)
        groups[value_order(value)].append(p.id)
        values[value_order(value)] = value
    having = {c: scope.concept_participants(c) for c in ids}
    out = []
    for key in sorted(groups):
        stopping()
        members = set(groups[key])
        out.append(
            Group(
                value=values[key],
                n=len(members),
                concepts=tuple(
                    GroupConcept(
                        concept_id=c,
                        participants=len(members & having[c]),
                        proportion=round(len(members & having[c]) / len(members), 6),
                    )
                    for c in ids
                ),
            )
        )
    return out


def matching_rows(scope: Scope, where: Where) -> np.ndarray:
    """The rows (in the snapshot's index, so in document and text order) of the excerpts in scope
    meeting `where` at excerpt level; kept with the scope, so that each page costs no second search."""
    scope.check_concepts(where.concepts)
    if where.text:
        parse_query(where.text)
    return scope.memo(("matching rows", where.model_dump_json()), lambda: _matching_rows(scope, where))


def _matching_rows(scope: Scope, where: Where) -> np.ndarray:
    found = scope.in_scope.copy()

    def coded(concepts: Sequence[str]) -> np.ndarray:
        rows = np.zeros(len(found), dtype=bool)
        for c in concepts:
            rows[scope.concept_rows(c)] = True
        return rows

    for c in where.all_of:
        found &= coded([c])
    if where.any_of:
        found &= coded(where.any_of)
    found &= ~coded(where.none_of)
    stopping()
    rows = np.flatnonzero(found)
    facts = scope.snapshot.indexed.facts
    if where.text:
        text = where.text
        rows = rows[[contains(facts[r].text or "", text) for r in rows.tolist()]]
    if where.spoken_by is not None:
        spoken = scope.spoken_by(where.spoken_by)
        rows = rows[[facts[r].id in spoken for r in rows.tolist()]]
    return rows


def paged(
    ordered: Sequence[tuple[list[Any], T]], first: int | None, after: str | None, kinds: tuple[type, ...]
) -> Paged[T]:
    """Keyset page over (sort key, item) pairs already in order of their keys (`first` None: all the rest)."""
    if first is not None and first < 0:
        raise BadInput("first must be zero or more.")
    if after:
        key = cursors.decode(after, *kinds)
        try:
            ordered = [item for item in ordered if item[0] > key]
        except TypeError as exc:
            raise BadInput(f"Cursor {after!r} is not valid; pass an endCursor from a previous page.") from exc
    chosen = ordered if first is None else ordered[:first]
    return Paged(
        items=tuple(i for _, i in chosen),
        cursors=tuple(cursors.encode(k) for k, _ in chosen),
        has_next_page=len(ordered) > len(chosen),
    )


def pairs_in_order(pairs: Pairs, order: PairOrder) -> Pairs:
    """The pairs `cooccurrence` gave (most frequent first, then in concept order) in `order`."""
    if order is PairOrder.COUNT:
        return pairs
    a, b, counts, jaccards = (np.array(column) for column in (pairs.a, pairs.b, pairs.counts, pairs.jaccards))
    chosen = np.lexsort((b, a, -jaccards)) if len(a) else np.array([], dtype=np.int64)
    return Pairs(
        pairs.concepts, a[chosen].tolist(), b[chosen].tolist(), counts[chosen].tolist(), jaccards[chosen].tolist()
    )


def pairs_page(pairs: Pairs, order: PairOrder, first: int | None, after: str | None) -> Paged[Pair]:
    """Pairs already in `order` (see `pairs_in_order`), a page at a time; a pair's key is its count (or
    jaccard), then the places of its two concepts in the question's concept list."""
    measure = pairs.counts if order is PairOrder.COUNT else pairs.jaccards

    def key(i: int) -> list[Any]:
        return [-measure[i], pairs.a[i], pairs.b[i]]

    kinds = (float if order is PairOrder.JACCARD else int, int, int)
    return numbered_page(len(pairs), pairs.__getitem__, key, kinds, first, after)


def numbered_page(
    count: int,
    item: Callable[[int], T],
    key: Callable[[int], list[Any]],
    kinds: tuple[type, ...],
    first: int | None,
    after: str | None,
) -> Paged[T]:
    """Keyset page over items 0 to `count` - 1, already in the order of their keys (`first` None: all the
    rest): the page starts where a binary search puts the cursor's key, and only the page's items are made."""
    if first is not None and first < 0:
        raise BadInput("first must be zero or more.")
    start = 0
    if after:
        start = bisect_right(range(count), cursors.decode(after, *kinds), key=key)
    end = count if first is None else min(start + first, count)
    return Paged(
        items=tuple(item(i) for i in range(start, end)),
        cursors=_Cursors(key, start, end),
        has_next_page=end < count,
    )


class _Cursors(Sequence[str]):
    """The cursors of items `start` to `end`, each encoded when read: a whole answer can hold
    hundreds of thousands of pairs, and a caller asks for the cursors of few of them."""

    def __init__(self, key: Callable[[int], list[Any]], start: int, end: int) -> None:
        self._key, self._start, self._end = key, start, end

    def __len__(self) -> int:
        return self._end - self._start

    def __eq__(self, other: object) -> bool:
        """Equal to any sequence of the same cursors, as the tuple it stands for would be."""
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(len(self))[i]]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return cursors.encode(self._key(self._start + i % len(self)))


def matches_page(
    scope: Scope, matches: list[ParticipantMatch], order: MatchOrder, first: int | None, after: str | None
) -> Paged[ParticipantMatch]:
    """The participants `participants_matching` gave, in `order`, a page at a time. Keys: (the number of
    evidence excerpts, for EVIDENCE, then) the pseudonym in lower case and the id."""
    names = {p.id: p.pseudonym.lower() for p in scope.participants}
    keyed = [([names[m.participant_id], m.participant_id], m) for m in matches]
    if order is MatchOrder.EVIDENCE:
        ranked = sorted(([-len(m.excerpt_ids), *key], m) for key, m in keyed)
        return paged(ranked, first, after, (int, str, str))
    return paged(sorted(keyed, key=lambda k: k[0]), first, after, (str, str))


def hits_page(
    scope: Scope, hits: list[SequenceHit], rows: np.ndarray, first: int | None, after: str | None
) -> Paged[SequenceHit]:
    """The hits `sequences` gave (one per passage coded `first`, in document and text order), a page at a
    time; a hit's key is its first passage's place in document and text order (`rows`: those passages'
    rows, from `sequence_rows`)."""
    facts = scope.snapshot.indexed.facts
    return numbered_page(
        len(hits), hits.__getitem__, lambda i: list(facts[rows[i]].key), cursors.EXCERPT_KEY, first, after
    )


def find_excerpts(scope: Scope, where: Where, first: int, after: str | None) -> IdPage:
    rows = matching_rows(scope, where)
    facts = scope.snapshot.indexed.facts
    found = numbered_page(
        len(rows), lambda i: facts[rows[i]].id, lambda i: list(facts[rows[i]].key), cursors.EXCERPT_KEY, first, after
    )
    return IdPage(ids=found.items, cursors=tuple(found.cursors), has_next_page=found.has_next_page)


def participants_matching(scope: Scope, where: Where) -> list[ParticipantMatch]:
    """Participants for whom, across all their excerpts in scope, each `all_of` concept
    occurs, some `any_of` concept occurs, and no `none_of` concept occurs (and, with
    `text`, some excerpt matches it). Evidence: their excerpts coded with an `all_of` or
    `any_of` concept (that match `text`, if given)."""
    scope.check_concepts(where.concepts)
    if where.text:
        parse_query(where.text)
    indexed = scope.snapshot.indexed
    facts, people = indexed.facts, indexed.participants
    mine = scope.in_scope & (people >= 0)  # per row: an excerpt in scope of a participant
    if where.spoken_by is not None:
        spoken = scope.spoken_by(where.spoken_by)
        mine[[i for i in np.flatnonzero(mine).tolist() if facts[i].id not in spoken]] = False
    stopping()

    def coded(concepts: Sequence[str]) -> np.ndarray:
        rows = np.zeros(len(mine), dtype=bool)
        for c in concepts:
            rows[scope.concept_rows(c)] = True
        return rows & mine

    def having(rows: np.ndarray) -> np.ndarray:
        """Per participant (number), whether one of `rows` is theirs."""
        found = np.zeros(len(indexed.participant_ids), dtype=bool)
        found[people[rows]] = True
        return found

    matching = np.ones(len(indexed.participant_ids), dtype=bool)
    texty = None
    if where.text:
        text = where.text
        candidates = np.flatnonzero(mine)
        texty = np.zeros(len(mine), dtype=bool)
        texty[candidates[[contains(facts[i].text or "", text) for i in candidates.tolist()]]] = True
        matching &= having(texty)
    for c in where.all_of:
        matching &= having(coded([c]))
    if where.any_of:
        matching &= having(coded(where.any_of))
    for c in where.none_of:
        matching &= ~having(coded([c]))
    wanted = (*where.all_of, *where.any_of)
    evidence = coded(wanted) if wanted else mine
    if texty is not None:
        evidence = evidence & texty
    stopping()
    rows = np.flatnonzero(evidence)  # in document and text order
    owners = people[rows]
    order = np.argsort(owners, kind="stable")
    rows, owners = rows[order], owners[order]
    starts = np.flatnonzero(np.diff(owners, prepend=-2))
    bounds = np.append(starts, len(rows)).tolist()
    ids = list(map(indexed.excerpt_ids.__getitem__, rows.tolist()))
    found = {
        owner: tuple(ids[start:end])
        for owner, start, end in zip(owners[starts].tolist(), bounds[:-1], bounds[1:], strict=True)
    }
    number = {p: i for i, p in enumerate(indexed.participant_ids)}
    return [
        ParticipantMatch(participant_id=p.id, excerpt_ids=found.get(number[p.id], ()))
        for p in scope.participants
        if matching[number[p.id]]
    ]


def sequences(scope: Scope, first: str, then: str, max_gap: int | None) -> list[SequenceHit]:
    """For each excerpt coded `first`, the nearest excerpt coded `then` that starts at or
    after its end in the same document (within `max_gap` code points, if given)."""
    facts = scope.snapshot.indexed.facts
    firsts, thens = sequence_rows(scope, first, then, max_gap)
    return [
        SequenceHit(
            document_id=x.document_id,
            participant_id=x.participant_id,
            first_excerpt_id=x.id,
            then_excerpt_id=y.id,
            gap=y.start - x.end,
        )
        for x, y in zip(map(facts.__getitem__, firsts.tolist()), map(facts.__getitem__, thens.tolist()), strict=True)
    ]


def sequence_rows(scope: Scope, first: str, then: str, max_gap: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The rows (in the snapshot's index) of each hit's two excerpts, in the order of the hits; kept
    with the scope, so that a page of hits costs no second search."""
    scope.check_concepts([first, then])
    if max_gap is not None and max_gap < 0:
        raise BadInput("maxGapChars must be zero or more.")
    return scope.memo(("sequence rows", first, then, max_gap), lambda: _sequence_rows(scope, first, then, max_gap))


def _sequence_rows(scope: Scope, first: str, then: str, max_gap: int | None) -> tuple[np.ndarray, np.ndarray]:
    # Rows are in document and text order, so a `then` excerpt's (document, start) sorts as its
    # row does: the nearest one after `x` is the first whose (document, start) is at least
    # (x's document, x's end), if it is of x's document.
    indexed = scope.snapshot.indexed
    firsts, thens = np.sort(scope.concept_rows(first)), np.sort(scope.concept_rows(then))
    stopping()
    stride = int(indexed.ends.max(initial=0)) + 1
    documents = indexed.documents
    at = np.searchsorted(
        documents[thens] * stride + indexed.starts[thens],
        documents[firsts] * stride + indexed.ends[firsts],
        side="left",
    )
    found = at < len(thens)
    firsts, nearest = firsts[found], thens[at[found]]
    keep = documents[nearest] == documents[firsts]
    if max_gap is not None:
        keep &= indexed.starts[nearest] - indexed.ends[firsts] <= max_gap
    return firsts[keep], nearest[keep]


def concept_paths(
    scope: Scope, source: str, target: str, max_length: int, via: Sequence[Relation]
) -> list[ConceptPath]:
    """Every shortest path (up to MAX_PATHS, in a stable order) from `source` to `target`
    over the chosen relations, walked in either direction; each step says which relation
    it used and whether it went along it or against it."""
    scope.check_concepts([source, target])
    if not 1 <= max_length <= MAX_PATH_LENGTH:
        raise BadInput(f"maxLength must be between 1 and {MAX_PATH_LENGTH}.")
    snap = scope.snapshot
    # A step is a tuple until it is on a path. Its first four items are its order among a node's
    # steps: target, relation, link, against the relation. Co-occurrence (hundreds of thousands of
    # pairs in a large project) stays in arrays: a node's steps are made when a path passes it.
    small: defaultdict[str, list[_Step]] = defaultdict(list)

    def edge(a: str, b: str, relation: Relation, link_id: str | None = None, kind: LinkKind | None = None) -> None:
        small[a].append((b, relation.value, link_id or "", False, relation, link_id, kind, 1))
        small[b].append((a, relation.value, link_id or "", True, relation, link_id, kind, 1))

    chosen = set(via) or set(Relation)
    if Relation.LINK in chosen:
        for x in snap.links:
            edge(x.source_id, x.target_id, Relation.LINK, x.id, x.kind)
    if Relation.MEMBERSHIP in chosen:
        for c, t in snap.memberships:
            edge(c, t, Relation.MEMBERSHIP)
    if Relation.HIERARCHY in chosen:
        concepts: list[Code | Theme] = [*snap.codes, *snap.themes]
        for concept in concepts:
            if concept.parent_id:
                edge(concept.id, concept.parent_id, Relation.HIERARCHY)
    code_ids = [c.id for c in snap.codes]
    nodes = list(dict.fromkeys([*code_ids, *(t.id for t in snap.themes), *small]))
    number = {n: i for i, n in enumerate(nodes)}
    if Relation.COOCCURRENCE in chosen:
        pairs = matrices.excerpt_pairs(scope, tuple(code_ids))  # every pair has an instance: minCount 1
        a, b, weight = pairs.a, pairs.b, pairs.count
    else:
        a = b = weight = np.empty(0, dtype=np.int64)
    stopping()
    ends = [(number[x], number[step[0]]) for x, found in small.items() for step in found]
    rows = np.array([x for x, _ in ends] + a.tolist() + b.tolist(), dtype=np.int64)
    columns = np.array([y for _, y in ends] + b.tolist() + a.tolist(), dtype=np.int64)
    graph = sparse.csr_matrix((np.ones(len(rows)), (rows, columns)), shape=(len(nodes),) * 2)
    distances = csgraph.shortest_path(graph, unweighted=True, indices=[number[source], number[target]])
    length = distances[0][number[target]]
    if length > max_length or source == target:
        return []
    to_target = distances[1]
    along = sparse.csr_matrix((weight, (a, b)), shape=(len(code_ids),) * 2)
    against = along.T.tocsr()
    kept: dict[str, list[_Step]] = {}

    def steps(node: str) -> list[_Step]:
        found = kept.get(node)
        if found is None:
            found = list(small.get(node, ()))
            i = number[node]
            if i < len(code_ids):
                for pairs, back in ((along, False), (against, True)):
                    start, end = pairs.indptr[i], pairs.indptr[i + 1]
                    found += (
                        (code_ids[j], _COOCCURRENCE, "", back, Relation.COOCCURRENCE, None, None, n)
                        for j, n in zip(pairs.indices[start:end].tolist(), pairs.data[start:end].tolist(), strict=True)
                    )
            found = kept[node] = sorted(found, key=_STEP_ORDER)
        return found

    paths: list[ConceptPath] = []

    def walk(node: str, trail: list[PathStep]) -> None:
        stopping()
        if len(paths) >= MAX_PATHS:
            return
        if node == target:
            paths.append(ConceptPath(steps=tuple(trail)))
            return
        for to, _, _, back, relation, link_id, kind, n in steps(node):
            if to_target[number[to]] == length - len(trail) - 1:
                step = PathStep(node, to, relation, not back, link_id, kind, n)
                walk(to, [*trail, step])

    walk(source, [])
    return paths


_Step = tuple[str, str, str, bool, Relation, str | None, LinkKind | None, int]
"""A step to (target, relation's name, link id or "", against the relation, relation, link id,
link kind, weight)."""
_STEP_ORDER = itemgetter(0, 1, 2, 3)
_COOCCURRENCE = Relation.COOCCURRENCE.value


def search(
    documents: list[tuple[str, str | None, str]],
    query: str,
    first: int,
    after: str | None,
    spoken: dict[str, Spoken] | None = None,
    near: int | None = None,
) -> SearchPage:
    """Matches of a search in candidate documents (id, participant, text), in document and
    text order, with some context around each; with `spoken`, only the matches lying where it
    says (documents it leaves out have none); with `near`, only those of stretches of at most
    that many words holding every term."""
    terms = parse_query(query)
    check_near(terms, near)
    if first < 0:
        raise BadInput("first must be zero or more.")
    resume = cursors.decode(after, str, int, int) if after else None
    hits: list[tuple[list[object], SearchHit]] = []
    try:  # documents are scanned in order and only until the page is full: a page costs its own documents
        for document_id, participant_id, text in sorted(documents):
            stopping()
            if resume is not None and document_id < resume[0]:
                continue
            if spoken is not None and document_id not in spoken:
                continue
            for start, end in find(text, terms, near):
                if resume is not None and [document_id, start, end] <= resume:
                    continue
                if spoken is not None and not spoken[document_id].covers(start, end):
                    continue
                lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
                hits.append(
                    (
                        [document_id, start, end],
                        SearchHit(
                            document_id=document_id,
                            participant_id=participant_id,
                            start=start,
                            end=end,
                            text=text[start:end],
                            context=text[lo:hi],
                            context_start=lo,
                        ),
                    )
                )
            if len(hits) > first:
                break
    except TypeError as exc:
        raise BadInput(f"Cursor {after!r} is not valid; pass an endCursor from a previous page.") from exc
    chosen = hits[:first]
    return SearchPage(
        hits=tuple(hit for _, hit in chosen),
        cursors=tuple(cursors.encode(k) for k, _ in chosen),
        has_next_page=len(hits) > first,
    )

"""Co-occurrence at EXCERPT scope as sparse matrix products (SciPy), so a large project
costs a few products instead of a Python loop per excerpt pair.

The definition is the one in graph.analysis.questions: an instance of a pair (a, b) is
one excerpt coded with both, or two overlapping excerpts, one coded with a and the
other with b; an excerpt takes part when it is in such an instance. With X the
excerpt x concept incidence matrix, and for overlapping pairs (x, y) the rows Sx = X[x]
and Sy = X[y], inclusion-exclusion gives, for a != b:

    instances(a, b) = (XᵀX + SxᵀSy + SyᵀSx - (Sx∘Sy)ᵀ(Sx∘Sy))[a, b]
    taking part(a, b) = (XᵀY + YᵀX - XᵀX)[a, b]   with Y = X or "overlaps an excerpt with it"
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import sparse

from graph.analysis.snapshot import Scope


class PairCounts(NamedTuple):
    a: int
    """Index into the concept list; a < b."""
    b: int
    count: int
    taking_part: int
    either: int
    """Excerpts of a or b."""


def _overlapping(starts: np.ndarray, ends: np.ndarray, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs (i < j) of excerpts of one document sharing a code point; the arrays
    are in document and text order."""
    stride = int(ends.max(initial=0)) + 1
    keys = documents * stride + starts
    first_after = np.searchsorted(keys, documents * stride + ends, side="left")
    index = np.arange(len(keys))
    counts = np.maximum(first_after - index - 1, 0)
    xs = np.repeat(index, counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return xs, xs + 1 + offsets


def excerpt_pairs(scope: Scope, concepts: Sequence[str], min_count: int) -> list[PairCounts]:
    """Pairs of `concepts` with at least `min_count` instances; kept with the scope."""
    found = scope.memo(("excerpt pairs", tuple(concepts)), lambda: _excerpt_pairs(scope, concepts))
    return [p for p in found if p.count >= min_count]


def _excerpt_pairs(scope: Scope, concepts: Sequence[str]) -> list[PairCounts]:
    sets = [scope.concept_excerpts(c) for c in concepts]
    tagged = scope.ordered(frozenset().union(*sets))
    if not tagged:
        return []
    index = {e: i for i, e in enumerate(tagged)}
    facts = [scope.excerpts[e] for e in tagged]
    document_index = {d: i for i, d in enumerate(dict.fromkeys(f.document_id for f in facts))}
    starts = np.fromiter((f.start for f in facts), dtype=np.int64, count=len(facts))
    ends = np.fromiter((f.end for f in facts), dtype=np.int64, count=len(facts))
    documents = np.fromiter((document_index[f.document_id] for f in facts), dtype=np.int64, count=len(facts))

    size = sum(len(s) for s in sets)
    rows = np.fromiter((index[e] for s in sets for e in s), dtype=np.int64, count=size)
    cols = np.repeat(np.arange(len(concepts)), [len(s) for s in sets])
    shape = (len(tagged), len(concepts))
    x = sparse.csr_matrix((np.ones(size, dtype=np.int64), (rows, cols)), shape=shape)

    xs, ys = _overlapping(starts, ends, documents)
    sx, sy = x[xs], x[ys]
    both = sx.multiply(sy)
    together = (x.T @ x).toarray()
    across = (sx.T @ sy).toarray()
    count = together + across + across.T - (both.T @ both).toarray()

    adjacency = sparse.csr_matrix((np.ones(len(xs), dtype=np.int64), (xs, ys)), shape=(len(tagged),) * 2)
    y = ((adjacency + adjacency.T) @ x + x) > 0
    xy = (x.T @ y.astype(np.int64)).toarray()
    taking_part = xy + xy.T - together

    sizes = np.diag(together)
    a, b = np.triu_indices(len(concepts), k=1)
    keep = count[a, b] > 0
    a, b = a[keep], b[keep]
    return [
        PairCounts(int(i), int(j), int(n), int(t), int(sizes[i] + sizes[j] - shared))
        for i, j, n, t, shared in zip(a, b, count[a, b], taking_part[a, b], together[a, b])
    ]

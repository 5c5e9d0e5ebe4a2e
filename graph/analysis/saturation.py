"""Thematic saturation across interviews, after Guest, Namey & Chen, "A simple method to
assess and report thematic saturation in qualitative research", PLOS ONE 15(5): e0232076
(2020).

The interviews (documents in scope) are taken in an order. The codes of the first `base`
interviews are the base. A run is `run` consecutive interviews after the base; runs slide
one interview at a time (interviews base+1..base+run, then base+2..base+run+1, ...). A
run's new information is the number of codes first seen in it (in no interview before the
run) as a share of the base's codes; the first run at or under the threshold is the
saturation point, and the interviews before it are the sample at which saturation was
reached, the run confirming it. A code counts in an interview when the chosen coders
coded an excerpt of it with the code (themes are not counted: they are built from codes).

High-frequency codes: a code's prevalence is the share of the interviews (all of them, in
this order) in which it occurs; those at or above `high_frequency` are high-frequency, and
the curve counts them too, as they first appear.

The bootstrap takes `permutations` random orders of the same interviews (NumPy's
generator seeded with `seed`, so the same question gives the same answer) and counts how
many interviews each order needed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from graph.analysis.filters import check_known
from graph.analysis.questions import value_order
from graph.analysis.results import (
    CurvePoint,
    PointCount,
    Saturation,
    SaturationBootstrap,
    SaturationRun,
    SaturationStatus,
)
from graph.analysis.snapshot import Scope
from graph.analysis.worker import stopping
from graph.errors import BadInput

MAX_PERMUTATIONS = 1_000
"""Random orders in one bootstrap: enough for a stable distribution, bounded in time."""


def interviews(scope: Scope, order_by: str | None, document_ids: Sequence[str]) -> list[str]:
    """The documents in scope in the order asked for: as listed (`document_ids`), by a
    participant attribute (`order_by`; documents whose participant lacks it go last), or
    by title (case ignored) and id, the order of Project.documents; ties keep that order."""
    snap = scope.snapshot
    in_scope = set(snap.documents)
    if scope.filter.active:
        allowed = {p.id for p in scope.participants}
        chosen = scope.documents
        in_scope = {
            d for d, f in snap.documents.items() if f.participant_id in allowed and (chosen is None or d in chosen)
        }
    if document_ids:
        if order_by is not None:
            raise BadInput("Give either documentIds or orderByAttribute, not both.")
        repeated = [d for d, n in Counter(document_ids).items() if n > 1]
        if repeated:
            raise BadInput(f"Document {repeated[0]!r} is listed twice; list each interview once.", ids=repeated)
        check_known("Document", document_ids, set(snap.documents))
        return [d for d in document_ids if d in in_scope]
    listed = sorted(in_scope, key=lambda d: (snap.documents[d].title.lower(), d))
    if order_by is None:
        return listed
    attributes = {p.id: p.attributes for p in snap.participants}

    def value(d: str) -> tuple[int, str, float]:
        about = snap.documents[d].participant_id
        return value_order(attributes.get(about or "", {}).get(order_by))

    return sorted(listed, key=value)


def _check(base: int, run: int, threshold: float, high_frequency: float, permutations: int, seed: int) -> None:
    if base < 1:
        raise BadInput("baseSize must be 1 or more.")
    if run < 1:
        raise BadInput("runLength must be 1 or more.")
    if not 0 <= threshold <= 1:
        raise BadInput("threshold is a share of the base's codes: give a number from 0 to 1 (0.05 for 5%).")
    if not 0 <= high_frequency <= 1:
        raise BadInput("highFrequency is a share of the interviews: give a number from 0 to 1.")
    if not 0 <= permutations <= MAX_PERMUTATIONS:
        raise BadInput(f"permutations must be between 0 and {MAX_PERMUTATIONS}.")
    if seed < 0:
        raise BadInput("seed must be 0 or more.")


def _incidence(scope: Scope, order: list[str]) -> tuple[np.ndarray, list[str]]:
    """Interviews (in `order`) x the codes used in them: whether the chosen coders used
    the code in the interview; and those codes' ids."""
    indexed = scope.snapshot.indexed
    codes = scope.matrix[:, : len(indexed.code_ids)].tocoo()
    rows = {d: i for i, d in enumerate(order)}
    row_of_document = np.array([rows.get(d, -1) for d in indexed.document_ids], dtype=np.int64)
    row = row_of_document[indexed.documents[codes.row]]
    keep = row >= 0
    found = np.zeros((len(order), len(indexed.code_ids)), dtype=bool)
    found[row[keep], codes.col[keep]] = True
    used = np.flatnonzero(found.any(axis=0))
    return found[:, used], [indexed.code_ids[i] for i in used.tolist()]


def _new_per_interview(found: np.ndarray) -> np.ndarray:
    """How many codes each interview (rows, in order) shows first; every column has a True."""
    if not found.shape[1]:
        return np.zeros(found.shape[0], dtype=np.int64)
    return np.bincount(found.argmax(axis=0), minlength=found.shape[0])


def _run_news(cumulative: np.ndarray, base: int, run: int) -> np.ndarray:
    """The new codes of each full run, in order (the k-th starts at interview base + k + 1)."""
    if len(cumulative) < base + run:
        return np.zeros(0, dtype=np.int64)
    news: np.ndarray = cumulative[base + run - 1 :] - cumulative[base - 1 : len(cumulative) - run]
    return news


def _point(news: np.ndarray, base_codes: int, threshold: float) -> int | None:
    """Index of the first run whose new codes are at most `threshold` of the base's codes."""
    if not base_codes:
        return None
    under = np.flatnonzero(news / base_codes <= threshold)
    return int(under[0]) if len(under) else None


def saturation(
    scope: Scope,
    order_by: str | None,
    document_ids: Sequence[str],
    base: int,
    run: int,
    threshold: float,
    high_frequency: float,
    permutations: int,
    seed: int,
) -> Saturation:
    _check(base, run, threshold, high_frequency, permutations, seed)
    order = interviews(scope, order_by, document_ids)
    stopping()
    found, code_ids = _incidence(scope, order)
    stopping()
    frequent = found.mean(axis=0) >= high_frequency if len(order) else np.zeros(len(code_ids), dtype=bool)
    new, new_frequent = _new_per_interview(found), _new_per_interview(found[:, frequent])
    cumulative, cumulative_frequent = np.cumsum(new), np.cumsum(new_frequent)
    curve = tuple(
        CurvePoint(
            position=i + 1,
            document_id=d,
            codes=n,
            new_codes=fresh,
            cumulative=total,
            cumulative_high_frequency=often,
        )
        for i, (d, n, fresh, total, often) in enumerate(
            zip(order, found.sum(axis=1).tolist(), new.tolist(), cumulative.tolist(), cumulative_frequent.tolist())
        )
    )
    base_codes = int(cumulative[base - 1]) if len(order) >= base else 0
    news = _run_news(cumulative, base, run)
    at = _point(news, base_codes, threshold)
    runs = tuple(
        SaturationRun(first=base + k + 1, last=base + k + run, new_codes=n, share=round(n / base_codes, 6))
        for k, n in enumerate(news.tolist())
        if base_codes
    )
    if not len(news):
        status = SaturationStatus.TOO_FEW_INTERVIEWS
    elif not base_codes:
        status = SaturationStatus.EMPTY_BASE
    else:
        status = SaturationStatus.NOT_REACHED if at is None else SaturationStatus.REACHED
    point = None if at is None else runs[at]
    return Saturation(
        status=status,
        document_ids=tuple(order),
        base_codes=base_codes,
        total_codes=len(code_ids),
        high_frequency_codes=tuple(c for c, often in zip(code_ids, frequent.tolist()) if often),
        runs=runs,
        point=point,
        interviews_needed=None if point is None else point.first - 1,
        curve=curve,
        bootstrap=_bootstrap(found, base, run, threshold, permutations, seed) if permutations else None,
    )


def _bootstrap(
    found: np.ndarray, base: int, run: int, threshold: float, permutations: int, seed: int
) -> SaturationBootstrap:
    """The interviews needed in `permutations` random orders; an order whose base has no
    code, or that never falls to the threshold, has not reached saturation. A code's first
    interview in an order is the least position among the interviews that have it."""
    count = found.shape[0]
    codes, rows = np.nonzero(found.T)  # by code, then interview
    starts = np.flatnonzero(np.diff(codes, prepend=-1))
    generator = np.random.default_rng(seed)
    position = np.empty(count, dtype=np.int64)
    needed: list[float] = []
    for _ in range(permutations):
        stopping()
        position[generator.permutation(count)] = np.arange(count)
        firsts = np.minimum.reduceat(position[rows], starts) if len(rows) else rows
        cumulative = np.cumsum(np.bincount(firsts, minlength=count))
        base_codes = int(cumulative[base - 1]) if count >= base else 0
        at = _point(_run_news(cumulative, base, run), base_codes, threshold)
        needed.append(float("inf") if at is None else base + at)
    reached = Counter(int(n) for n in needed if n != float("inf"))
    middle = sorted(needed)[(permutations - 1) // 2]
    return SaturationBootstrap(
        permutations=permutations,
        seed=seed,
        distribution=tuple(PointCount(interviews=n, permutations=k) for n, k in sorted(reached.items())),
        not_reached=permutations - sum(reached.values()),
        median=None if middle == float("inf") else int(middle),
    )

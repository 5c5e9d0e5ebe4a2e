"""Inter-coder agreement: percent agreement, Cohen's kappa (two coders) and
Krippendorff's alpha (nominal, two or more coders), per code and pooled over codes.

Units. CHARACTER: every character of the chosen documents is a unit, which each coder
either coded with the code or not (as ATLAS.ti and NVivo do). EXCERPT: the units are
the excerpts of the chosen documents that any of the chosen coders coded (with any
code), and a coder's value for a code is whether they coded that excerpt with it. Every coder has a value for every unit, so there is no missing data.

A tally counts units by pattern: the tuple of the coders' values (1 coded, 0 not),
weighted by how many units share it. Characters are tallied by sweeping the coders'
coverage intervals, never one by one.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from enum import Enum
from typing import Any

from graph.analysis.results import AgreementScore
from graph.analysis.snapshot import Scope
from graph.analysis.worker import stopping
from graph.errors import BadInput

Pattern = tuple[int, ...]


class AgreementUnit(str, Enum):
    EXCERPT = "EXCERPT"
    CHARACTER = "CHARACTER"


def score(tally: Counter[Pattern], coders: int) -> AgreementScore:
    """The three statistics of a tally; a statistic that is undefined (no units, or no
    variation to measure agreement against) is None."""
    units = sum(tally.values())
    if units == 0:
        return AgreementScore(units=0, percent_agreement=None, cohens_kappa=None, krippendorff_alpha=None)
    agree = sum(n for p, n in tally.items() if len(set(p)) == 1)
    return AgreementScore(
        units=units,
        percent_agreement=round(agree / units, 6),
        cohens_kappa=_kappa(tally, units) if coders == 2 else None,
        krippendorff_alpha=_alpha(tally, coders),
    )


def _kappa(tally: Counter[Pattern], units: int) -> float | None:
    observed = sum(n for p, n in tally.items() if p[0] == p[1]) / units
    first = sum(n for p, n in tally.items() if p[0]) / units
    second = sum(n for p, n in tally.items() if p[1]) / units
    expected = first * second + (1 - first) * (1 - second)
    return None if expected == 1 else round((observed - expected) / (1 - expected), 6)


def _alpha(tally: Counter[Pattern], coders: int) -> float | None:
    """Nominal alpha from the coincidence matrix of the binary values."""
    coincide = [[0.0, 0.0], [0.0, 0.0]]
    for pattern, n in tally.items():
        ones = sum(pattern)
        zeros = coders - ones
        coincide[1][1] += n * ones * (ones - 1) / (coders - 1)
        coincide[0][0] += n * zeros * (zeros - 1) / (coders - 1)
        coincide[0][1] += n * ones * zeros / (coders - 1)
        coincide[1][0] += n * ones * zeros / (coders - 1)
    n0, n1 = sum(coincide[0]), sum(coincide[1])
    total = n0 + n1
    expected = 2 * n0 * n1
    if expected == 0:
        return None
    return round(1 - (total - 1) * (coincide[0][1] + coincide[1][0]) / expected, 6)


def tallies(
    scope: Scope, coders: Sequence[str], code_ids: Sequence[str], document_ids: Sequence[str], unit: AgreementUnit
) -> dict[str, Counter[Pattern]]:
    """A tally per code."""
    if len(set(coders)) < 2:
        raise BadInput("Agreement needs at least two different coders.")
    known_documents = scope.snapshot.document_lengths
    missing = [d for d in document_ids if d not in known_documents]
    if missing:
        raise BadInput(f"Document {missing[0]!r} is not in this project; check the id.")
    scope.check_concepts(code_ids)
    if any(scope.kinds[c] != "CODE" for c in code_ids):
        raise BadInput("Agreement is measured per code: codeIds must name codes, not themes.")
    coders = list(dict.fromkeys(coders))
    codes = list(code_ids) or [c.id for c in scope.snapshot.codes]
    documents = set(document_ids) or set(known_documents)
    index = {c: i for i, c in enumerate(coders)}
    excerpts = {e.id: e for e in scope.snapshot.excerpts if e.document_id in documents}
    coded: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))  # code -> coder -> excerpts
    units: set[str] = set()
    chosen = set(codes)
    for c in scope.snapshot.codings:
        if c.excerpt_id in excerpts and c.coder_id in index:
            units.add(c.excerpt_id)
            if c.code_id in chosen:
                coded[c.code_id][c.coder_id].add(c.excerpt_id)
    out: dict[str, Counter[Pattern]] = {}
    for code in codes:
        stopping()
        if unit is AgreementUnit.EXCERPT:
            out[code] = Counter(tuple(int(x in coded[code][who]) for who in coders) for x in units)
        else:
            out[code] = _characters(coded[code], coders, excerpts, {d: known_documents[d] for d in documents})
    return out


def _characters(
    coded: dict[str, set[str]], coders: list[str], excerpts: dict[str, Any], lengths: dict[str, int]
) -> Counter[Pattern]:
    """Characters by pattern: a sweep over each document's boundaries, where coverage changes."""
    tally: Counter[Pattern] = Counter()
    events: dict[str, list[tuple[int, int, int]]] = defaultdict(list)  # document -> (position, coder, +1/-1)
    for index, coder in enumerate(coders):
        for x in coded.get(coder, ()):
            e = excerpts[x]
            events[e.document_id] += [(e.start, index, 1), (e.end, index, -1)]
    for document, length in lengths.items():
        depth = [0] * len(coders)
        position = 0
        for at, who, step in sorted(events[document]):
            if at > position:
                tally[tuple(int(d > 0) for d in depth)] += at - position
                position = at
            depth[who] += step
        if length > position:
            tally[(0,) * len(coders)] += length - position
    return tally

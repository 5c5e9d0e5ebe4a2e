"""A snapshot as NumPy arrays and SciPy sparse matrices, and co-occurrence at EXCERPT
scope as sparse products, so a large project costs a few products instead of a Python
loop per coding or per excerpt pair.

`Indexed` numbers a snapshot's excerpts in document and text order; a scope's concept
matrix X has a row per excerpt (rows of excerpts out of scope stay empty) and a column
per concept, 1 where the chosen coders coded the excerpt with the concept (a theme's
column: with any code of the theme or of its subthemes).

Co-occurrence follows the definition in graph.analysis.questions: an instance of a pair
(a, b) is one excerpt coded with both, or two overlapping excerpts, one coded with a and
the other with b; an excerpt takes part when it is in such an instance. For overlapping
pairs (x, y) with rows Sx = X[x] and Sy = X[y], inclusion-exclusion gives, for a != b:

    instances(a, b) = (XᵀX + SxᵀSy + SyᵀSx - (Sx∘Sy)ᵀ(Sx∘Sy))[a, b]
    taking part(a, b) = (XᵀY + YᵀX - XᵀX)[a, b]   with Y = X or "overlaps an excerpt with it"
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
from scipy import sparse

from graph.analysis.worker import stopping

if TYPE_CHECKING:
    from graph.analysis.snapshot import CodingFact, ExcerptFact, Scope, Snapshot


T = TypeVar("T")
FEW_ROWS = 100
"""Rows an update removes one by one; past that, it filters the whole list once."""


def _binary(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csc_matrix:
    """An incidence matrix with 1 where (row, col) occurs at least once."""
    m = sparse.csc_matrix((np.ones(len(rows), dtype=np.int64), (rows, cols)), shape=shape)
    m.data[:] = 1
    return m


@dataclass(frozen=True)
class Indexed:
    """A snapshot's excerpts (in document and text order) and codings as arrays; ids are
    numbered (documents, participants, codes, themes, coders), so arrays hold integers."""

    facts: list[ExcerptFact]
    excerpt_ids: list[str]
    documents: np.ndarray
    """Index into `document_ids`."""
    document_ids: list[str]
    """In id order, so that `documents` is in row order too."""
    starts: np.ndarray
    ends: np.ndarray
    participants: np.ndarray
    """Index into `participant_ids`, or -1 for an excerpt of a document about no one."""
    participant_ids: list[str]
    code_ids: list[str]
    theme_ids: list[str]
    coding_excerpts: np.ndarray
    coding_codes: np.ndarray
    coding_coders: np.ndarray
    """Index into `coder_ids`."""
    coder_ids: list[str]
    rollup: sparse.csr_matrix
    """Codes x themes: 1 where the code is in the theme or in one of its subthemes."""
    lineage: sparse.csr_matrix
    """Codes x codes: 1 where the column's code is the row's code or one of its ancestors, so that
    coded-with-code @ lineage is coded-with-the-code-or-a-descendant."""
    tree: tuple[tuple[tuple[str, str | None], ...], tuple[tuple[str, str | None], ...], tuple[tuple[str, str], ...]]
    """The codes and themes (id, parent) and the memberships the rollup and lineage were made from."""

    @classmethod
    def of(cls, snapshot: Snapshot) -> Indexed:
        facts = sorted(snapshot.excerpts, key=_ORDER)
        stopping()  # indexing costs time in proportion to the project
        ids, documents, people, starts, ends, _ = (list(c) for c in zip(*facts, strict=True)) if facts else ([],) * 6
        positions = {e: i for i, e in enumerate(ids)}
        document_ids = list(dict.fromkeys(documents))
        person = _numbered(p.id for p in snapshot.participants)
        stopping()
        codes = _numbered(c.id for c in snapshot.codes)
        # A store without snapshot isolation (Neo4j reads committed data statement by
        # statement) may return a coding or membership whose excerpt, code or theme was
        # created after that list was read: it is left out, as it is not in the snapshot.
        known = [c for c in snapshot.codings if c.excerpt_id in positions and c.code_id in codes]
        coded, code_of, coders = (list(c) for c in zip(*known, strict=True)) if known else ([],) * 3
        coder_ids = sorted(set(coders))
        found = cls._with_concepts(
            snapshot,
            facts=facts,
            excerpt_ids=ids,
            documents=_array(map(_numbered(document_ids).__getitem__, documents), len(ids)),
            document_ids=document_ids,
            starts=np.array(starts, dtype=np.int64),
            ends=np.array(ends, dtype=np.int64),
            participants=_array((person.get(p, -1) for p in people), len(ids)),
            coding_excerpts=_array(map(positions.__getitem__, coded), len(coded)),
            coding_codes=_array(map(codes.__getitem__, code_of), len(coded)),
            coding_coders=_array(map(_numbered(coder_ids).__getitem__, coders), len(coded)),
            coder_ids=coder_ids,
        )
        found.__dict__["positions"] = positions  # built already: keep it (see `positions`)
        return found

    @classmethod
    def _with_concepts(cls, snapshot: Snapshot, earlier: Indexed | None = None, **arrays: Any) -> Indexed:
        """The index of `snapshot` from its excerpt and coding arrays: participants, codes and
        themes (the small parts) numbered, and codes rolled up into themes and into the codes above them
        (as in `earlier`, an index updated into this one, if its codes, themes and tree were the same)."""
        tree = (
            tuple((c.id, c.parent_id) for c in snapshot.codes),
            tuple((t.id, t.parent_id) for t in snapshot.themes),
            tuple(snapshot.memberships),
        )
        if earlier is not None and earlier.tree == tree:
            return cls(
                participant_ids=[p.id for p in snapshot.participants],
                code_ids=earlier.code_ids,
                theme_ids=earlier.theme_ids,
                rollup=earlier.rollup,
                lineage=earlier.lineage,
                tree=tree,
                **arrays,
            )
        code_ids, theme_ids = [c.id for c in snapshot.codes], [t.id for t in snapshot.themes]
        codes, themes = _numbered(code_ids), _numbered(theme_ids)
        parents = {t.id: t.parent_id for t in snapshot.themes}
        rolled = [
            (codes[c], themes[a])
            for c, t in snapshot.memberships
            if c in codes and t in themes
            for a in _ancestry(t, parents)
            if a in themes
        ]
        code_parents = {c.id: c.parent_id for c in snapshot.codes}
        family = [(codes[c], codes[a]) for c in code_ids for a in _ancestry(c, code_parents) if a in codes]
        return cls(
            participant_ids=[p.id for p in snapshot.participants],
            code_ids=code_ids,
            theme_ids=theme_ids,
            rollup=sparse.csr_matrix(
                _binary(
                    np.array([c for c, _ in rolled], dtype=np.int64),
                    np.array([t for _, t in rolled], dtype=np.int64),
                    (len(code_ids), len(theme_ids)),
                )
            ),
            lineage=sparse.csr_matrix(
                _binary(
                    np.array([c for c, _ in family], dtype=np.int64),
                    np.array([a for _, a in family], dtype=np.int64),
                    (len(code_ids), len(code_ids)),
                )
            ),
            tree=tree,
            **arrays,
        )

    def updated(self, snapshot: Snapshot, change: Change) -> Update | None:
        """The index of `snapshot`, made from this one (the index of the snapshot it was
        updated from) by removing and inserting the changed excerpts' rows and codings, in
        time proportional to the rows rather than to sorting and mapping every id again,
        with this index's rows of the documents the change touched. None where that does
        not apply: a new document, or cases of documents changed."""
        added = sorted(change.excerpts, key=_ORDER)
        document_number = _numbered(self.document_ids)
        if change.moved or any(f.document_id not in document_number for f in added):
            return None
        person = _numbered(p.id for p in snapshot.participants)
        keep = np.ones(len(self.excerpt_ids), dtype=bool)
        keep[self._rows(change.gone)] = False
        facts, ids = _without(self.facts, keep), _without(self.excerpt_ids, keep)
        staying = len(facts)
        at = np.array([bisect_left(facts, _ORDER(f), key=_ORDER) for f in added], dtype=np.int64)
        for i, f in zip(reversed(at.tolist()), reversed(added)):  # from the end, so each index still holds
            facts.insert(i, f)
            ids.insert(i, f.id)
        row_of = {f.id: i + j for j, (i, f) in enumerate(zip(at.tolist(), added))}
        moved_to = np.full(len(self.excerpt_ids), -1, dtype=np.int64)
        moved_to[keep] = np.arange(staying) + np.searchsorted(at, np.arange(staying), side="right")

        # Participants and codes may be renumbered (added, removed, renamed): map the old numbers.
        people = np.append(_remap(self.participant_ids, person), -1)  # so that -1 (no one) stays -1
        codes = _numbered(c.id for c in snapshot.codes)
        code_of = _remap(self.code_ids, codes)
        rows = moved_to[self.coding_excerpts]
        codes_of = code_of[self.coding_codes]
        still = (rows >= 0) & (codes_of >= 0)
        new = [c for c in change.codings if c.excerpt_id in row_of and c.code_id in codes]
        coder_ids = sorted(set(self.coder_ids).union(c.coder_id for c in new))
        coder = _numbered(coder_ids)
        coders_of = _remap(self.coder_ids, coder)[self.coding_coders]
        found = self._with_concepts(
            snapshot,
            self,
            facts=facts,
            excerpt_ids=ids,
            documents=np.insert(self.documents[keep], at, [document_number[f.document_id] for f in added]),
            document_ids=self.document_ids,
            starts=np.insert(self.starts[keep], at, [f.start for f in added]),
            ends=np.insert(self.ends[keep], at, [f.end for f in added]),
            participants=np.insert(
                people[self.participants[keep]],
                at,
                [person.get(f.participant_id, -1) for f in added],  # type: ignore[arg-type]
            ),
            coding_excerpts=np.concatenate(
                [rows[still], np.array([row_of[c.excerpt_id] for c in new], dtype=np.int64)]
            ),
            coding_codes=np.concatenate([codes_of[still], np.array([codes[c.code_id] for c in new], dtype=np.int64)]),
            coding_coders=np.concatenate(
                [coders_of[still], np.array([coder[c.coder_id] for c in new], dtype=np.int64)]
            ),
            coder_ids=coder_ids,
        )
        alike = found.rollup is self.rollup or (
            found.code_ids == self.code_ids
            and found.theme_ids == self.theme_ids
            and (found.rollup != self.rollup).nnz == 0
        )
        touched = np.union1d(self.documents[~keep], [document_number[f.document_id] for f in added])
        return Update(found, self.region(touched) if alike else None)

    def region(self, documents: np.ndarray) -> Region:
        """The rows of `documents` (numbers into `document_ids`), with their codings."""
        inside = np.isin(self.documents, documents)
        rows = np.flatnonzero(inside)
        chosen = inside[self.coding_excerpts]
        local = np.cumsum(inside) - 1  # row -> its place among the region's rows
        return Region(
            documents=documents,
            starts=self.starts[rows],
            ends=self.ends[rows],
            of_document=self.documents[rows],
            coding_rows=local[self.coding_excerpts[chosen]],
            coding_codes=self.coding_codes[chosen],
            coding_coders=self.coding_coders[chosen],
            coder_ids=self.coder_ids,
        )

    @cached_property
    def positions(self) -> dict[str, int]:
        """Excerpt id -> its row; built when first needed (most questions never need it)."""
        return {e: i for i, e in enumerate(self.excerpt_ids)}

    def _rows(self, ids: frozenset[str]) -> list[int]:
        """The rows of those of `ids` that are excerpts here."""
        if "positions" in self.__dict__ or len(ids) > FEW_ROWS:
            return [self.positions[e] for e in ids if e in self.positions]
        count = len(self.excerpt_ids)  # a scan in C: a third of a Python loop's time over a million ids
        found: list[int] = np.flatnonzero(np.fromiter(map(ids.__contains__, self.excerpt_ids), bool, count)).tolist()
        return found

    def participant_matrix(self) -> sparse.csr_matrix:
        """Excerpts x participants."""
        about = np.flatnonzero(self.participants >= 0)
        return sparse.csr_matrix(
            _binary(about, self.participants[about], (len(self.excerpt_ids), len(self.participant_ids)))
        )


_ORDER = itemgetter(1, 3, 4, 0)
"""An excerpt fact's document and text order: (document, start, end, id)."""


def _numbered(values: Iterable[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(values)}


def _array(values: Iterable[int], count: int) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=count)


def _without(items: list[T], keep: np.ndarray) -> list[T]:
    """`items` but where `keep` is False: a copy and a few deletions when only a few go."""
    gone = np.flatnonzero(~keep)
    if len(gone) > FEW_ROWS:
        return [item for item, k in zip(items, keep.tolist()) if k]
    kept = items.copy()
    for i in reversed(gone.tolist()):
        del kept[i]
    return kept


def _remap(old: list[str], new: dict[str, int]) -> np.ndarray:
    """Per old number (index into `old`), the new number of the same id, or -1 if it is gone."""
    return np.array([new.get(id, -1) for id in old], dtype=np.int64)


@dataclass(frozen=True)
class Change:
    """What an update changed in a snapshot's large parts (graph.analysis.incremental)."""

    gone: frozenset[str]
    """Excerpts removed or read again."""
    excerpts: list[ExcerptFact]
    """Excerpts as read again (the ones still there)."""
    codings: list[CodingFact]
    """Their codings."""
    moved: bool
    """Whether some documents' cases changed (their excerpts' participants with them)."""


@dataclass(frozen=True)
class Region:
    """Some documents' rows of an index (in its order) and their codings: what those documents add
    to a sum over excerpts and overlapping excerpts, such as `PairTallies`."""

    documents: np.ndarray
    """Numbers into the index's `document_ids` (alike in an index and one updated from it)."""
    starts: np.ndarray
    ends: np.ndarray
    of_document: np.ndarray
    coding_rows: np.ndarray
    """Index into the region's rows."""
    coding_codes: np.ndarray
    coding_coders: np.ndarray
    coder_ids: list[str]

    def concept_matrix(self, indexed: Indexed, coders: set[str] | None) -> sparse.csc_matrix:
        """Rows x (codes, then themes) of `indexed` (which numbers codes and themes as the region's index did)."""
        return _coded(
            indexed,
            (len(self.starts), len(indexed.code_ids)),
            self.coding_rows,
            self.coding_codes,
            _chosen(self.coding_coders, self.coder_ids, coders),
        )


class Update(NamedTuple):
    """An index updated from another (see `Indexed.updated`)."""

    indexed: Indexed
    before: Region | None
    """The other index's rows of the documents the change touched (None if the two number codes or
    themes apart, or roll codes up into themes apart: then nothing summed over it carries over)."""


def _ancestry(node: str, parents: dict[str, str | None]) -> list[str]:
    """The node and the nodes above it in its tree, nearest first."""
    found: list[str] = []
    current: str | None = node
    while current is not None and current not in found:
        found.append(current)
        current = parents.get(current)
    return found


def concept_matrix(indexed: Indexed, in_scope: np.ndarray, coders: set[str] | None) -> sparse.csc_matrix:
    """Excerpts x (codes, then themes) for the excerpts in scope and the chosen coders."""
    keep = in_scope[indexed.coding_excerpts] & _chosen(indexed.coding_coders, indexed.coder_ids, coders)
    shape = (len(indexed.excerpt_ids), len(indexed.code_ids))
    return _coded(indexed, shape, indexed.coding_excerpts, indexed.coding_codes, keep)


def _chosen(coding_coders: np.ndarray, coder_ids: list[str], coders: set[str] | None) -> np.ndarray:
    """Per coding, whether one of `coders` made it (all, when None)."""
    if coders is None:
        return np.ones(len(coding_coders), dtype=bool)
    chosen = [i for i, c in enumerate(coder_ids) if c in coders]
    return np.isin(coding_coders, np.array(chosen, dtype=np.int64))


def _coded(
    indexed: Indexed, shape: tuple[int, int], rows: np.ndarray, codes: np.ndarray, keep: np.ndarray
) -> sparse.csc_matrix:
    """Rows x (codes, then themes) from the kept codings (row, code), codes rolled up as `indexed` does."""
    coded = _binary(rows[keep], codes[keep], shape)
    themes = (coded @ indexed.rollup).tocsc()
    themes.data[:] = 1
    return sparse.hstack([coded, themes], format="csc")


def overlapping(starts: np.ndarray, ends: np.ndarray, documents: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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


@dataclass(frozen=True)
class PairCounts:
    """Every pair (a < b, indexes into the concept list) with at least one instance."""

    a: np.ndarray
    b: np.ndarray
    count: np.ndarray
    taking_part: np.ndarray
    either: np.ndarray
    """Excerpts of a or b."""


@dataclass(frozen=True)
class PairTallies:
    """Per pair of concepts (square arrays over a concept list): excerpts coded with both, instances,
    and excerpts taking part (see the module's docstring). Each is a sum over documents (no instance
    spans two), so after a change they are updated by what the touched documents took away and added."""

    together: np.ndarray
    count: np.ndarray
    taking_part: np.ndarray

    @classmethod
    def of(cls, x: sparse.csc_matrix, starts: np.ndarray, ends: np.ndarray, documents: np.ndarray) -> PairTallies:
        """The tallies of the rows of `x` (rows x concepts), whose spans are given in document and text order."""
        together, across, both, xy = (m.toarray() for m in _sums(x, starts, ends, documents))
        count = together + across + across.T - both
        return cls(*(m.astype(np.int32) for m in (together, count, xy + xy.T - together)))

    def updated(self, gone: Sequence[Sums], added: Sums) -> PairTallies:
        """These tallies less the sums of documents as they were (`gone`: one part per set of documents),
        plus the sums of them as they are."""
        found = []
        changes = [(_tallied(*sums), -1) for sums in gone] + [(_tallied(*added), 1)]
        for i, kept in enumerate(self._parts()):
            tally = kept.copy()  # the earlier snapshot's stay as they were: a question may still be reading them
            for parts, sign in changes:
                part = parts[i]
                coo = part.tocoo()
                np.add.at(tally, (coo.row, coo.col), sign * coo.data.astype(np.int32))
            found.append(tally)
        return PairTallies(*found)

    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.together, self.count, self.taking_part


Sums = tuple[sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix, sparse.csr_matrix]
"""XᵀX, SxᵀSy, (Sx∘Sy)ᵀ(Sx∘Sy) and XᵀY of some rows (see the module's docstring)."""


def _tallied(
    together: sparse.csr_matrix, across: sparse.csr_matrix, both: sparse.csr_matrix, xy: sparse.csr_matrix
) -> tuple[sparse.csr_matrix, ...]:
    """Together, instances and taking part from the sums, kept sparse (a few documents' worth)."""
    return together, together + across + across.T - both, xy + xy.T - together


def region_sums(region: Region, x: sparse.csc_matrix) -> Sums:
    """The sums of a region's rows, `x` being their concept matrix."""
    return _sums(x, region.starts, region.ends, region.of_document)


def _sums(x: sparse.csc_matrix, starts: np.ndarray, ends: np.ndarray, documents: np.ndarray) -> Sums:
    full = x.tocsr()
    tagged = np.flatnonzero(np.diff(full.indptr) > 0)
    x = full[tagged]
    sub_x, sub_y = overlapping(starts[tagged], ends[tagged], documents[tagged])
    stopping()  # each product below costs time in proportion to the codings in scope
    sx, sy = x[sub_x], x[sub_y]
    both = sx.multiply(sy)
    together = x.T @ x
    across = sx.T @ sy
    both = both.T @ both

    stopping()
    adjacency = sparse.csr_matrix((np.ones(len(sub_x), dtype=np.int64), (sub_x, sub_y)), shape=(len(tagged),) * 2)
    y = (((adjacency + adjacency.T) @ x + x) > 0).astype(np.int64)
    return together, across, both, x.T @ y


def excerpt_pairs(scope: Scope, concepts: tuple[str, ...]) -> PairCounts:
    """Co-occurrence counts of `concepts` at EXCERPT scope; kept with the scope."""
    return scope.memo(("excerpt pairs", concepts), lambda: _pair_counts(scope.pair_tallies(concepts)))


def _pair_counts(found: PairTallies) -> PairCounts:
    count = found.count
    a, b = np.triu_indices(len(count), k=1)
    keep = count[a, b] > 0
    a, b = a[keep], b[keep]
    sizes = np.diag(found.together).astype(np.int64)
    return PairCounts(
        a,
        b,
        count[a, b].astype(np.int64),
        found.taking_part[a, b].astype(np.int64),
        sizes[a] + sizes[b] - found.together[a, b],
    )

"""What an adapter reads for an analytic question: one project's concepts, cases,
excerpt spans and codings, in one read transaction. `Scope` applies the question's
coders and case filter to it and rolls codes up into themes."""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from sys import intern
from typing import Any, NamedTuple, TypeVar

import numpy as np
from scipy import sparse

from graph.analysis.filters import CaseFilter, check_known
from graph.analysis.matrices import Change, Indexed, PairTallies, Region, Sums, concept_matrix, region_sums
from graph.errors import BadInput
from graph.models import Code, Link, Participant, Theme

KEPT_SCOPES = 16
"""Scopes (coders and case filter) kept per snapshot."""
KEPT_ANSWERS = 32
"""Intermediate answers kept per scope (see `Scope.memo`)."""
CHAIN = 16
"""Most snapshots, one updated from the next, kept for a later index update (see `Basis`)."""
TALLIES = "pair tallies"
"""What a scope keeps its pair tallies under (see `Scope.pair_tallies`)."""
T = TypeVar("T")


class ExcerptFact(NamedTuple):
    """Tuples, not models: a large project has hundreds of thousands of them, and a
    snapshot is read whole whenever the project has changed."""

    id: str
    document_id: str
    participant_id: str | None
    start: int
    end: int
    text: str | None = None

    @property
    def key(self) -> tuple[str, int, int, str]:
        """Document and text order, the order of every excerpt list."""
        return (self.document_id, self.start, self.end, self.id)


class DocumentFact(NamedTuple):
    """Whom a document is about and the document sets it is in, for case filters; its
    title, for the order in which interviews were listed (saturation)."""

    participant_id: str | None
    groups: tuple[str, ...]
    title: str = ""


class CodingFact(NamedTuple):
    excerpt_id: str
    code_id: str
    coder_id: str


class TurnFact(NamedTuple):
    """A speaker turn of a document, with its speaker's role (None: not said)."""

    document_id: str
    start: int
    end: int
    role: str | None


def excerpt_facts(found: Iterable[Sequence[Any]]) -> list[ExcerptFact]:
    """Excerpt facts from rows (id, document, participant, start, end, text), sharing one string
    per document and participant: a large project repeats each in thousands of rows."""
    return [
        ExcerptFact(id, intern(document), None if person is None else intern(person), start, end, text)
        for id, document, person, start, end, text in found
    ]


def coding_facts(found: Iterable[Sequence[Any]], excerpts: Iterable[ExcerptFact]) -> list[CodingFact]:
    """Coding facts from rows (excerpt, code, coder), sharing the excerpts' id strings and one
    string per code and coder: codings are a large project's most numerous rows."""
    same = {e.id: e.id for e in excerpts}
    return [CodingFact(same.get(excerpt, excerpt), intern(code), intern(coder)) for excerpt, code, coder in found]


class Spoken:
    """Where in one document speakers with one role speak: their turns, joined where no one
    else's turn comes between (so a passage across two turns of the participant is still theirs)."""

    def __init__(self, turns: Iterable[tuple[int, int, str | None]], role: str) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        previous: str | None = None
        for start, end, said_by in turns:  # in text order
            if said_by == role and previous == role:
                self.ends[-1] = end
            elif said_by == role:
                self.starts.append(start)
                self.ends.append(end)
            previous = said_by

    def covers(self, start: int, end: int) -> bool:
        """Whether [start, end) lies within one stretch."""
        i = bisect_right(self.starts, start) - 1
        return i >= 0 and end <= self.ends[i]


def spoken(turns: Iterable[tuple[str, int, int, str | None]], role: str) -> dict[str, Spoken]:
    """Per document with turns (document id, start, end, role, in text order), where speakers
    with `role` speak."""
    by_document: defaultdict[str, list[tuple[int, int, str | None]]] = defaultdict(list)
    for document_id, start, end, said_by in turns:
        by_document[document_id].append((start, end, said_by))
    return {d: Spoken(found, role) for d, found in by_document.items()}


@dataclass
class Basis:
    """What a snapshot's index is updated from (see `Indexed.updated`): the snapshot it was
    updated from and the change since. That one's index is built when first needed, from its
    own basis in turn: while a team codes, revisions follow one another faster than anyone
    asks, and an index is only built for the revision asked about, without reading the
    project whole again. Also its pair tallies: those of the first snapshot of the chain that had
    them, less what the documents changed since summed in it and plus what they sum in this one."""

    previous: Snapshot | None
    change: Change
    links: int = 1
    """Snapshots back to one whose index was built when this basis was made."""
    tallies: dict[tuple[Hashable, tuple[str, ...]], PairTallies] = field(default_factory=dict)
    """Pair tallies by scope key and concepts (see `Snapshot.kept_tallies`): the earlier snapshot's, or,
    when it had no index, those its own basis carried."""
    through: bool = False
    """Whether `tallies` are carried through the earlier snapshot (then of the one before it, or earlier)."""
    before: tuple[Region, ...] | None = None
    """Set once the index is updated: the rows of the documents changed since the snapshot `tallies` are
    of, as they were there (documents changed at each link of the chain, from the index before that link)."""

    @classmethod
    def after(cls, previous: Snapshot, change: Change) -> Basis:
        """The basis of a snapshot updated from `previous`; with none (a whole index built when
        needed) past CHAIN unindexed snapshots, which stay in memory until then."""
        if previous.built_index() is not None:
            return cls(previous, change, tallies=previous.kept_tallies())
        behind = previous.basis
        if behind is None or behind.previous is None or behind.links >= CHAIN:
            return cls(None, change)
        return cls(previous, change, behind.links + 1, dict(behind.tallies), through=True)


@dataclass(frozen=True)
class Snapshot:
    project_id: str
    participants: list[Participant]
    codes: list[Code]
    themes: list[Theme]
    memberships: list[tuple[str, str]]
    """(code id, theme id) pairs."""
    links: list[Link]
    excerpts: list[ExcerptFact]
    codings: list[CodingFact]
    document_lengths: dict[str, int]
    """Document id -> length of its text in code points."""
    turns: list[TurnFact]
    """The speaker turns of every document, by document and in text order."""
    revision: int = 0
    """The project's revision when read (see graph.analysis.cache)."""
    documents: dict[str, DocumentFact] = field(default_factory=dict)
    """Per document: its participant and its document sets."""
    cursor: str | None = None
    """The project's last history entry when read, where an update starts (graph.analysis.incremental)."""
    basis: Basis | None = field(default=None, compare=False, repr=False)
    """Set by an update: the index of the snapshot it was updated from, and the change."""
    _scopes: OrderedDict[tuple[object, ...], Scope] = field(
        default_factory=OrderedDict, init=False, compare=False, repr=False
    )
    _keeping: threading.Lock = field(default_factory=threading.Lock, init=False, compare=False, repr=False)
    """Guards `_scopes` and every scope's answers: questions are worked out on one worker
    thread, reports and exports on another (graph.analysis.worker)."""

    @cached_property
    def coder_ids(self) -> frozenset[str]:
        """Everyone with a coding in the project (members or not, as a seed or import coded)."""
        return frozenset(c.coder_id for c in self.codings)

    @cached_property
    def indexed(self) -> Indexed:
        """The excerpts and codings as arrays, for the questions that multiply matrices:
        updated from the index of the snapshot this one was updated from, where it can be."""
        basis, found = self.basis, None
        if basis is not None and basis.previous is not None:
            previous = basis.previous
            found = previous.indexed.updated(self, basis.change)
            basis.previous = None  # the earlier snapshot is no longer needed here
            if found is not None and found.before is not None:
                basis.before = (found.before,)
                if basis.through:  # the documents changed before this link were as they are in `previous`
                    behind = None if previous.basis is None else previous.basis.before
                    earlier = np.unique(np.concatenate([r.documents for r in behind])) if behind else None
                    basis.before = (
                        None
                        if behind is None or earlier is None
                        else (*behind, previous.indexed.region(np.setdiff1d(found.before.documents, earlier)))
                    )
        return Indexed.of(self) if found is None else found.indexed

    def release(self) -> None:
        """Forget its scopes, once it is no longer kept: a snapshot and its scopes refer to each other, so
        it would otherwise wait for the cycle collector, holding a project's worth of indexes and answers
        while the next one is built. A question still working on one of its scopes finishes as before."""
        with self._keeping:
            self._scopes.clear()

    def kept_tallies(self) -> dict[tuple[Hashable, tuple[str, ...]], PairTallies]:
        """The pair tallies its scopes have worked out, by scope key and concepts, where a snapshot updated
        from this one can update them (scopes without a case filter, on an index that was built)."""
        if self.built_index() is None:
            return {}
        with self._keeping:
            return {
                (key, memo[1]): value
                for key, scope in self._scopes.items()
                if not scope.filter.active
                for memo, value in scope._memo.items()
                if isinstance(memo, tuple) and memo[0] == TALLIES
            }

    def carried_tallies(
        self, key: Hashable, concepts: tuple[str, ...]
    ) -> tuple[PairTallies, tuple[Region, ...]] | None:
        """The earlier snapshot's pair tallies of the scope `key` and `concepts`, and the earlier index's rows
        of the documents changed since (taken: each is updated once), if this snapshot's index was updated
        from the index of one that had them (ask once the index is built)."""
        basis = self.basis
        if basis is None or basis.before is None:
            return None
        with self._keeping:
            kept = basis.tallies.pop((key, concepts), None)
        return None if kept is None else (kept, basis.before)

    def built_index(self) -> Indexed | None:
        """The index if it has been built (what an update can start from)."""
        found = self.__dict__.get("indexed")
        return found if isinstance(found, Indexed) else None

    def scope(self, coders: Sequence[str] | None, filter: CaseFilter) -> Scope:
        """The snapshot seen through `coders` and `filter`; kept, so questions asked of
        one scope between two changes share its indexes."""
        key = (None if coders is None else tuple(sorted(set(coders))), filter.model_dump_json())
        with self._keeping:
            found = self._scopes.get(key)
            if found is None:
                filter.check(self.participants)
                found = self._scopes[key] = Scope(self, coders, filter, key)
                while len(self._scopes) > KEPT_SCOPES:
                    self._scopes.popitem(last=False)
        return found


@dataclass
class Scope:
    """A snapshot seen through a question's coders and case filter."""

    snapshot: Snapshot
    coders: Sequence[str] | None = None
    filter: CaseFilter = field(default_factory=CaseFilter)
    key: Hashable = None
    """Its key among the snapshot's scopes (None: made apart from them, so nothing carries over to it)."""
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, repr=False)
    _concept_excerpts: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _concept_participants: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, kept under `key` while this scope is kept: an answer depends only
        on the snapshot, the scope and its arguments, so it is reused until the project
        changes. Callers must not modify what they get."""
        with self.snapshot._keeping:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self.snapshot._keeping:
            self._memo[key] = value
            while len(self._memo) > KEPT_ANSWERS:
                self._memo.popitem(last=False)
        return value

    @cached_property
    def documents(self) -> set[str] | None:
        """The documents in the filter's document sets (None: the filter names none)."""
        wanted = self.filter.document_groups
        if wanted is None:
            return None
        if not wanted:
            raise BadInput("documentGroups names no document set: name at least one, or leave it out.")
        known = {g for fact in self.snapshot.documents.values() for g in fact.groups}
        check_known("Document group", wanted, known)
        return {d for d, fact in self.snapshot.documents.items() if set(fact.groups) & set(wanted)}

    @cached_property
    def participants(self) -> list[Participant]:
        """The cases in scope, by pseudonym: those the filter matches (with a document in its
        document sets, if it names some)."""
        matched = [p for p in self.snapshot.participants if self.filter.matches(p)]
        if self.documents is None:
            return matched
        about = {self.snapshot.documents[d].participant_id for d in self.documents}
        return [p for p in matched if p.id in about]

    @cached_property
    def in_scope(self) -> np.ndarray:
        """Per excerpt of `snapshot.indexed`, whether it is of a case in scope (and of a document
        in the filter's document sets)."""
        indexed = self.snapshot.indexed
        if not self.filter.active:
            return np.ones(len(indexed.excerpt_ids), dtype=bool)
        allowed = {p.id for p in self.participants}
        chosen = [i for i, p in enumerate(indexed.participant_ids) if p in allowed]
        keep = np.isin(indexed.participants, np.array(chosen, dtype=np.int64))
        if self.documents is not None:
            documents = self.documents
            keep &= np.fromiter((f.document_id in documents for f in indexed.facts), dtype=bool, count=len(keep))
        return keep

    @cached_property
    def excerpts(self) -> dict[str, ExcerptFact]:
        """Excerpts in scope (of the cases in scope), in document and text order."""
        facts = self.snapshot.indexed.facts
        if not self.filter.active:
            return {e.id: e for e in facts}
        return {e.id: e for e, keep in zip(facts, self.in_scope.tolist()) if keep}

    @cached_property
    def matrix(self) -> sparse.csc_matrix:
        """Excerpts x concepts (codes, then themes): 1 where the chosen coders coded an
        excerpt in scope with the concept (see graph.analysis.matrices)."""
        return concept_matrix(self.snapshot.indexed, self.in_scope, None if self.coders is None else set(self.coders))

    @cached_property
    def columns(self) -> dict[str, int]:
        """Concept id -> its column in `matrix`."""
        indexed = self.snapshot.indexed
        return {c: i for i, c in enumerate([*indexed.code_ids, *indexed.theme_ids])}

    def concept_matrix(self, concepts: Sequence[str]) -> sparse.csc_matrix:
        return self.matrix[:, [self.columns[c] for c in concepts]]

    def pair_tallies(self, concepts: tuple[str, ...]) -> PairTallies:
        """Co-occurrence tallies of `concepts` at EXCERPT scope (see graph.analysis.matrices), kept: updated
        from the earlier snapshot's where this one was updated from it, else worked out whole."""

        def compute() -> PairTallies:
            indexed = self.snapshot.indexed
            carried = (
                None if self.key is None or self.filter.active else self.snapshot.carried_tallies(self.key, concepts)
            )
            if carried is None:
                return PairTallies.of(self.concept_matrix(concepts), indexed.starts, indexed.ends, indexed.documents)
            kept, before = carried
            after = indexed.region(np.unique(np.concatenate([r.documents for r in before])))
            columns = [self.columns[c] for c in concepts]
            coders = None if self.coders is None else set(self.coders)

            def of(region: Region) -> Sums:
                return region_sums(region, region.concept_matrix(indexed, coders)[:, columns])

            return kept.updated([of(r) for r in before], of(after))

        return self.memo((TALLIES, concepts), compute)

    @cached_property
    def prevalence(self) -> dict[str, tuple[int, int]]:
        """Concept id -> (excerpts, participants) in scope."""
        return self._counts(self.matrix, self.columns)

    @cached_property
    def family_prevalence(self) -> dict[str, tuple[int, int]]:
        """Concept id -> (excerpts, participants) in scope, a code counting the excerpts coded with it or
        with any code below it in the tree, a theme those of its codes (and its subthemes') counted so;
        each excerpt and participant once."""
        indexed = self.snapshot.indexed
        family = (self.matrix[:, : len(indexed.code_ids)] @ indexed.lineage).tocsc()
        family.data[:] = 1
        themes = (family @ indexed.rollup).tocsc()
        themes.data[:] = 1
        return self._counts(sparse.hstack([family, themes], format="csc"), self.columns)

    def _counts(self, matrix: sparse.csc_matrix, columns: dict[str, int]) -> dict[str, tuple[int, int]]:
        """Per column of an excerpts x concepts matrix: its excerpts and their distinct participants."""
        excerpts = np.diff(matrix.indptr)
        people = (self.snapshot.indexed.participant_matrix().T @ matrix).tocsc()
        people.data[:] = people.data > 0
        people.eliminate_zeros()
        participants = np.diff(people.indptr)
        return {c: (int(excerpts[i]), int(participants[i])) for c, i in columns.items()}

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Concept id -> "CODE" or "THEME"."""
        return {**{c.id: "CODE" for c in self.snapshot.codes}, **{t.id: "THEME" for t in self.snapshot.themes}}

    def concept_rows(self, concept_id: str) -> np.ndarray:
        """The rows of `matrix` (excerpts in scope) coded with the concept."""
        column = self.columns.get(concept_id)
        if column is None:
            return np.empty(0, dtype=np.int64)
        rows: np.ndarray = self.matrix.indices[self.matrix.indptr[column] : self.matrix.indptr[column + 1]]
        return rows

    def concept_excerpts(self, concept_id: str) -> frozenset[str]:
        """A code's excerpts, or a theme's: those coded with any of its codes or its subthemes' codes."""
        found = self._concept_excerpts.get(concept_id)
        if found is None:
            ids = self.snapshot.indexed.excerpt_ids
            found = self._concept_excerpts[concept_id] = frozenset(
                ids[i] for i in self.concept_rows(concept_id).tolist()
            )
        return found

    def concept_participants(self, concept_id: str) -> frozenset[str]:
        """The participants with an excerpt in scope coded with the concept."""
        found = self._concept_participants.get(concept_id)
        if found is None:
            indexed = self.snapshot.indexed
            people = np.unique(indexed.participants[self.concept_rows(concept_id)])
            found = self._concept_participants[concept_id] = frozenset(
                indexed.participant_ids[i] for i in people[people >= 0].tolist()
            )
        return found

    def spoken_by(self, role: str) -> frozenset[str]:
        """The excerpts in scope lying where speakers with `role` speak (see `Spoken`)."""

        def compute() -> frozenset[str]:
            where = spoken(self.snapshot.turns, role)
            return frozenset(
                e.id
                for e in self.excerpts.values()
                if e.document_id in where and where[e.document_id].covers(e.start, e.end)
            )

        return self.memo(("spoken_by", role), compute)

    def check_concepts(self, ids: Sequence[str], kind: str | None = None) -> None:
        """Every id names a concept of the project (a code, or a theme, when `kind` says which)."""
        if kind is None:
            check_known("Concept", ids, set(self.kinds))
        else:
            check_known(kind.title(), ids, {c for c, k in self.kinds.items() if k == kind})

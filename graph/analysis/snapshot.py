"""What an adapter reads for an analytic question: one project's concepts, cases,
excerpt spans and codings, in one read transaction. `Scope` applies the question's
coders and case filter to it and rolls codes up into themes."""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, NamedTuple, TypeVar

from graph.analysis.filters import CaseFilter, check_known
from graph.models import Code, Link, Participant, Theme


KEPT_SCOPES = 16
"""Scopes (coders and case filter) kept per snapshot."""
KEPT_ANSWERS = 32
"""Intermediate answers kept per scope (see `Scope.memo`)."""
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


class CodingFact(NamedTuple):
    excerpt_id: str
    code_id: str
    coder_id: str


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
    revision: int = 0
    """The project's revision when read (see graph.analysis.cache)."""
    _scopes: OrderedDict[tuple[object, ...], Scope] = field(default_factory=OrderedDict, compare=False, repr=False)

    def scope(self, coders: Sequence[str] | None, filter: CaseFilter) -> Scope:
        """The snapshot seen through `coders` and `filter`; kept, so questions asked of
        one scope between two changes share its indexes."""
        key = (None if coders is None else tuple(sorted(set(coders))), filter.model_dump_json())
        found = self._scopes.get(key)
        if found is None:
            found = self._scopes[key] = Scope(self, coders, filter)
            while len(self._scopes) > KEPT_SCOPES:
                self._scopes.popitem(last=False)
        return found


@dataclass
class Scope:
    """A snapshot seen through a question's coders and case filter."""

    snapshot: Snapshot
    coders: Sequence[str] | None = None
    filter: CaseFilter = field(default_factory=CaseFilter)
    _memo: OrderedDict[Hashable, Any] = field(default_factory=OrderedDict, repr=False)

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, kept under `key` while this scope is kept: an answer depends only
        on the snapshot, the scope and its arguments, so it is reused until the project
        changes. Callers must not modify what they get."""
        if key in self._memo:
            self._memo.move_to_end(key)
            return self._memo[key]  # type: ignore[no-any-return]
        value = self._memo[key] = compute()
        while len(self._memo) > KEPT_ANSWERS:
            self._memo.popitem(last=False)
        return value

    @cached_property
    def participants(self) -> list[Participant]:
        """The cases in scope, by pseudonym."""
        return [p for p in self.snapshot.participants if self.filter.matches(p)]

    @cached_property
    def excerpts(self) -> dict[str, ExcerptFact]:
        """Excerpts in scope (of the cases in scope), in document and text order."""
        facts = sorted(self.snapshot.excerpts, key=lambda e: e.key)
        if self.filter.active:
            allowed = {p.id for p in self.participants}
            facts = [e for e in facts if e.participant_id in allowed]
        return {e.id: e for e in facts}

    @cached_property
    def code_excerpts(self) -> dict[str, set[str]]:
        """Code id -> excerpts in scope that the chosen coders coded with it."""
        coders = None if self.coders is None else set(self.coders)
        out: dict[str, set[str]] = defaultdict(set)
        for c in self.snapshot.codings:
            if c.excerpt_id in self.excerpts and (coders is None or c.coder_id in coders):
                out[c.code_id].add(c.excerpt_id)
        return out

    @cached_property
    def theme_codes(self) -> dict[str, set[str]]:
        """Theme id -> the codes of the theme and of all its subthemes, recursively."""
        direct: dict[str, set[str]] = defaultdict(set)
        for code_id, theme_id in self.snapshot.memberships:
            direct[theme_id].add(code_id)
        children: dict[str, list[str]] = defaultdict(list)
        for t in self.snapshot.themes:
            if t.parent_id is not None:
                children[t.parent_id].append(t.id)

        def gather(theme_id: str) -> set[str]:
            found = set(direct[theme_id])
            for child in children[theme_id]:
                found |= gather(child)
            return found

        return {t.id: gather(t.id) for t in self.snapshot.themes}

    @cached_property
    def kinds(self) -> dict[str, str]:
        """Concept id -> "CODE" or "THEME"."""
        return {**{c.id: "CODE" for c in self.snapshot.codes}, **{t.id: "THEME" for t in self.snapshot.themes}}

    @cached_property
    def _concept_excerpts(self) -> dict[str, frozenset[str]]:
        return {}

    @cached_property
    def _concept_participants(self) -> dict[str, frozenset[str]]:
        return {}

    def concept_excerpts(self, concept_id: str) -> frozenset[str]:
        """A code's excerpts, or a theme's: those coded with any of its codes or its subthemes' codes."""
        found = self._concept_excerpts.get(concept_id)
        if found is None:
            if self.kinds.get(concept_id) == "THEME":
                found = frozenset().union(*(self.code_excerpts.get(c, ()) for c in self.theme_codes[concept_id]))
            else:
                found = frozenset(self.code_excerpts.get(concept_id, ()))
            self._concept_excerpts[concept_id] = found
        return found

    def concept_participants(self, concept_id: str) -> frozenset[str]:
        found = self._concept_participants.get(concept_id)
        if found is None:
            found = self._concept_participants[concept_id] = frozenset(
                p for e in self.concept_excerpts(concept_id) if (p := self.excerpts[e].participant_id) is not None)
        return found

    def check_concepts(self, ids: Sequence[str]) -> None:
        check_known("Concept", ids, set(self.kinds))

    @cached_property
    def positions(self) -> dict[str, int]:
        """Excerpt id -> its place in document and text order."""
        return {e: i for i, e in enumerate(self.excerpts)}

    def ordered(self, ids: Iterable[str]) -> list[str]:
        """Excerpt ids in document and text order."""
        return sorted(ids, key=self.positions.__getitem__)

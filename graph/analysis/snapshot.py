"""What an adapter reads for an analytic question: one project's concepts, cases,
excerpt spans and codings, in one read transaction. `Scope` applies the question's
coders and case filter to it and rolls codes up into themes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from graph.analysis.filters import CaseFilter, check_known
from graph.models import Code, Link, Participant, Theme


@dataclass(frozen=True)
class ExcerptFact:
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


@dataclass(frozen=True)
class CodingFact:
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


@dataclass
class Scope:
    """A snapshot seen through a question's coders and case filter."""

    snapshot: Snapshot
    coders: Sequence[str] | None = None
    filter: CaseFilter = field(default_factory=CaseFilter)

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

    def concept_excerpts(self, concept_id: str) -> set[str]:
        """A code's excerpts, or a theme's: those coded with any of its codes or its subthemes' codes."""
        if self.kinds.get(concept_id) == "THEME":
            found: set[str] = set()
            for code_id in self.theme_codes[concept_id]:
                found |= self.code_excerpts.get(code_id, set())
            return found
        return set(self.code_excerpts.get(concept_id, set()))

    def concept_participants(self, concept_id: str) -> set[str]:
        return {
            p for e in self.concept_excerpts(concept_id)
            if (p := self.excerpts[e].participant_id) is not None
        }

    def check_concepts(self, ids: Sequence[str]) -> None:
        check_known("Concept", ids, set(self.kinds))

    def ordered(self, ids: Sequence[str]) -> list[str]:
        """Excerpt ids in document and text order."""
        return sorted(ids, key=lambda i: self.excerpts[i].key)

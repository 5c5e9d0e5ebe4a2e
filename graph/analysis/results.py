"""What the analytic questions answer. Excerpts and participants are given by id; the
GraphQL layer loads them through its per-request loaders. Plain frozen dataclasses, not
pydantic models: answers are built by our own code, in the tens of thousands on a large
project, and need no validation."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar, overload

from graph.models import AttributeValue, LinkKind, ThemeStatus

T = TypeVar("T")


class ConceptKind(str, Enum):
    CODE = "CODE"
    THEME = "THEME"


class EdgeKind(str, Enum):
    MEMBER_OF = "MEMBER_OF"
    SUBTHEME_OF = "SUBTHEME_OF"
    CHILD_OF = "CHILD_OF"
    LINK = "LINK"
    COOCCURS = "COOCCURS"


class CooccurrenceScope(str, Enum):
    EXCERPT = "EXCERPT"
    DOCUMENT = "DOCUMENT"
    PARTICIPANT = "PARTICIPANT"


class Relation(str, Enum):
    LINK = "LINK"
    MEMBERSHIP = "MEMBERSHIP"
    HIERARCHY = "HIERARCHY"
    COOCCURRENCE = "COOCCURRENCE"


@dataclass(frozen=True, slots=True)
class MapNode:
    id: str
    kind: ConceptKind
    label: str
    color: str | None
    status: ThemeStatus | None
    excerpt_count: int
    participant_count: int


@dataclass(frozen=True, slots=True)
class MapEdge:
    source: str
    target: str
    kind: EdgeKind
    link_kind: LinkKind | None = None
    link_id: str | None = None
    label: str | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True)
class ThemeMap:
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]


@dataclass(frozen=True, slots=True)
class Pair:
    a: str
    b: str
    count: int
    jaccard: float


@dataclass(frozen=True)
class Pairs(Sequence[Pair]):
    """Co-occurring pairs as arrays (pair i joins `concepts[a[i]]` and `concepts[b[i]]`): an
    answer can hold hundreds of thousands, so a `Pair` is made only for the pairs read one by one."""

    concepts: tuple[str, ...]
    a: list[int]
    b: list[int]
    counts: list[int]
    jaccards: list[float]

    def __len__(self) -> int:
        return len(self.a)

    @overload
    def __getitem__(self, i: int) -> Pair: ...
    @overload
    def __getitem__(self, i: slice) -> Pairs: ...
    def __getitem__(self, i: int | slice) -> Pair | Pairs:
        if isinstance(i, slice):
            return Pairs(self.concepts, self.a[i], self.b[i], self.counts[i], self.jaccards[i])
        return Pair(self.concepts[self.a[i]], self.concepts[self.b[i]], self.counts[i], self.jaccards[i])

    def __iter__(self) -> Iterator[Pair]:
        concepts = self.concepts
        for a, b, n, share in zip(self.a, self.b, self.counts, self.jaccards):
            yield Pair(concepts[a], concepts[b], n, share)


@dataclass(frozen=True, slots=True)
class Cell:
    concept_id: str
    count: int
    excerpt_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class MatrixRow:
    participant_id: str
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class CaseMatrix:
    column_ids: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


@dataclass(frozen=True, slots=True)
class GroupConcept:
    concept_id: str
    participants: int
    proportion: float


@dataclass(frozen=True, slots=True)
class Group:
    value: AttributeValue | None
    n: int
    concepts: tuple[GroupConcept, ...]


class ConceptOrder(str, Enum):
    """How a list of codes or themes is ordered."""

    NAME = "NAME"
    """By name (the default)."""
    EXCERPTS = "EXCERPTS"
    """Most prevalent first: the most excerpts (`excerptCount`), then by name."""
    PARTICIPANTS = "PARTICIPANTS"
    """The most participants (`participantCount`) first, then by name."""
    RECENT = "RECENT"
    """Most recently changed first."""


class ParticipantOrder(str, Enum):
    """How a list of participants is ordered."""

    PSEUDONYM = "PSEUDONYM"
    """By pseudonym (the default)."""
    RECENT = "RECENT"
    """Most recently changed first."""


class ExcerptOrder(str, Enum):
    """How a code's excerpts are listed."""

    TEXT = "TEXT"
    """In document and text order (the default)."""
    RECENT = "RECENT"
    """Most recently coded with the code first (by the coders that count)."""


class PairOrder(str, Enum):
    """How co-occurring pairs are listed."""

    COUNT = "COUNT"
    """Most frequent first (the default)."""
    JACCARD = "JACCARD"
    """Strongest association first: the largest share of the two concepts' excerpts (or units) together."""


class MatchOrder(str, Enum):
    """How matching participants are listed."""

    PSEUDONYM = "PSEUDONYM"
    """By pseudonym (the default)."""
    EVIDENCE = "EVIDENCE"
    """Most evidence excerpts first, then by pseudonym."""


@dataclass(frozen=True, slots=True)
class Paged(Generic[T]):
    """One keyset page of an answer; `cursors[i]` resumes after `items[i]`."""

    items: tuple[T, ...]
    cursors: Sequence[str]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class IdPage:
    """One keyset page of ids; `cursors[i]` resumes after `ids[i]`."""

    ids: tuple[str, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class ParticipantMatch:
    participant_id: str
    excerpt_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SequenceHit:
    document_id: str
    participant_id: str | None
    first_excerpt_id: str
    then_excerpt_id: str
    gap: int


@dataclass(frozen=True, slots=True)
class PathStep:
    source: str
    target: str
    relation: Relation
    forward: bool
    """Whether the relation points from source to target (links, membership, hierarchy)."""
    link_id: str | None = None
    link_kind: LinkKind | None = None
    weight: int = 1


@dataclass(frozen=True, slots=True)
class ConceptPath:
    steps: tuple[PathStep, ...]


@dataclass(frozen=True, slots=True)
class SearchHit:
    document_id: str
    participant_id: str | None
    start: int
    end: int
    text: str
    context: str
    context_start: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: tuple[SearchHit, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


@dataclass(frozen=True, slots=True)
class AgreementScore:
    units: int
    percent_agreement: float | None
    cohens_kappa: float | None
    krippendorff_alpha: float | None


@dataclass(frozen=True, slots=True)
class CodeAgreement:
    code_id: str
    score: AgreementScore


@dataclass(frozen=True, slots=True)
class Agreement:
    coders: tuple[str, ...]
    overall: AgreementScore
    codes: tuple[CodeAgreement, ...]


class SaturationStatus(str, Enum):
    REACHED = "REACHED"
    NOT_REACHED = "NOT_REACHED"
    TOO_FEW_INTERVIEWS = "TOO_FEW_INTERVIEWS"
    """Fewer interviews than the base and one run."""
    EMPTY_BASE = "EMPTY_BASE"
    """No code in the base interviews: new information has nothing to be a share of."""


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One interview added, in the order asked for."""

    position: int
    """1-based."""
    document_id: str
    codes: int
    """Distinct codes in this interview."""
    new_codes: int
    """Codes first seen in this interview."""
    cumulative: int
    cumulative_high_frequency: int


@dataclass(frozen=True, slots=True)
class SaturationRun:
    first: int
    """Position of its first interview (1-based)."""
    last: int
    new_codes: int
    """Codes first seen in the run (in none of the interviews before it)."""
    share: float
    """new_codes over the codes of the base."""


@dataclass(frozen=True, slots=True)
class PointCount:
    interviews: int
    permutations: int


@dataclass(frozen=True, slots=True)
class SaturationBootstrap:
    permutations: int
    seed: int
    distribution: tuple[PointCount, ...]
    """How many random orders reached saturation after each number of interviews."""
    not_reached: int
    median: int | None
    """The lower median of the interviews needed, orders not reaching saturation counting as
    beyond every number (None when the median falls among them)."""


@dataclass(frozen=True, slots=True)
class Saturation:
    status: SaturationStatus
    document_ids: tuple[str, ...]
    """The interviews, in the order used."""
    base_codes: int
    total_codes: int
    high_frequency_codes: tuple[str, ...]
    runs: tuple[SaturationRun, ...]
    point: SaturationRun | None
    interviews_needed: int | None
    """The interviews before `point`: the sample at which saturation was reached, `point` confirming it."""
    curve: tuple[CurvePoint, ...]
    bootstrap: SaturationBootstrap | None


@dataclass(frozen=True, slots=True)
class NetworkNode:
    code_id: str
    theme_ids: tuple[str, ...]
    degree: int
    weighted_degree: int
    betweenness: float | None
    """None unless asked for."""
    community: int | None
    """Index into ConceptNetwork.communities; None for a code with no edge."""


@dataclass(frozen=True, slots=True)
class NetworkEdges:
    """Every edge as columns of equal length (a large project has hundreds of thousands):
    edge i joins a[i] and b[i], a before b in the project's code order."""

    a: tuple[str, ...]
    b: tuple[str, ...]
    weight: tuple[int, ...]
    cooccurrence: tuple[int, ...]
    links: tuple[int, ...]
    """Concept links between the two codes, either way."""


@dataclass(frozen=True, slots=True)
class Community:
    index: int
    code_ids: tuple[str, ...]
    theme_ids: tuple[str, ...]
    """The themes its codes are in (directly)."""
    across_themes: bool
    """Its codes that are in themes are not all in one theme."""


@dataclass(frozen=True, slots=True)
class ThemeCohesion:
    theme_id: str
    code_ids: tuple[str, ...]
    """Its own codes that have an edge."""
    communities: tuple[int, ...]
    splits: bool


@dataclass(frozen=True, slots=True)
class ConceptNetwork:
    nodes: tuple[NetworkNode, ...]
    edges: NetworkEdges
    communities: tuple[Community, ...]
    themes: tuple[ThemeCohesion, ...]
    modularity: float | None

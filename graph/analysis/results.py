"""What the analytic questions answer. Excerpts and participants are given by id; the
GraphQL layer loads them through its per-request loaders."""

from __future__ import annotations

from enum import Enum

from graph.models import AttributeValue, LinkKind, Model, ThemeStatus


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


class MapNode(Model):
    id: str
    kind: ConceptKind
    label: str
    color: str | None
    status: ThemeStatus | None
    excerpt_count: int
    participant_count: int


class MapEdge(Model):
    source: str
    target: str
    kind: EdgeKind
    link_kind: LinkKind | None = None
    link_id: str | None = None
    label: str | None = None
    weight: int = 1


class ThemeMap(Model):
    nodes: tuple[MapNode, ...]
    edges: tuple[MapEdge, ...]


class Pair(Model):
    a: str
    b: str
    count: int
    jaccard: float


class Cell(Model):
    concept_id: str
    count: int
    excerpt_ids: tuple[str, ...]


class MatrixRow(Model):
    participant_id: str
    cells: tuple[Cell, ...]


class CaseMatrix(Model):
    column_ids: tuple[str, ...]
    rows: tuple[MatrixRow, ...]


class GroupConcept(Model):
    concept_id: str
    participants: int
    proportion: float


class Group(Model):
    value: AttributeValue | None
    n: int
    concepts: tuple[GroupConcept, ...]


class IdPage(Model):
    """One keyset page of ids; `cursors[i]` resumes after `ids[i]`."""

    ids: tuple[str, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


class ParticipantMatch(Model):
    participant_id: str
    excerpt_ids: tuple[str, ...]


class SequenceHit(Model):
    document_id: str
    participant_id: str | None
    first_excerpt_id: str
    then_excerpt_id: str
    gap: int


class PathStep(Model):
    source: str
    target: str
    relation: Relation
    forward: bool
    """Whether the relation points from source to target (links, membership, hierarchy)."""
    link_id: str | None = None
    link_kind: LinkKind | None = None
    weight: int = 1


class ConceptPath(Model):
    steps: tuple[PathStep, ...]


class SearchHit(Model):
    document_id: str
    participant_id: str | None
    start: int
    end: int
    text: str
    context: str
    context_start: int


class SearchPage(Model):
    hits: tuple[SearchHit, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


class AgreementScore(Model):
    units: int
    percent_agreement: float | None
    cohens_kappa: float | None
    krippendorff_alpha: float | None


class CodeAgreement(Model):
    code_id: str
    score: AgreementScore


class Agreement(Model):
    coders: tuple[str, ...]
    overall: AgreementScore
    codes: tuple[CodeAgreement, ...]

"""GraphQL for cross-case analysis: inputs, result types and the Query fields.

Results name concepts, excerpts and participants by id; the types here resolve them
through the request's loaders, so a question is one store call plus batched loads."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Annotated, Any

import numpy as np
import strawberry
from strawberry.scalars import JSON

from graph.analysis import agreement, filters, results
from graph.models import NodeKind
from schema.context import Info
from schema.inputs import to_domain
from schema.limits import check_page_size
from schema.types import (
    Concept,
    Document,
    Excerpt,
    ExcerptConnection,
    ExcerptEdge,
    LinkKind,
    PageInfo,
    Participant,
    SpeakerRole,
    ThemeStatus,
    User,
    load_concept,
)
from schema.types import Link as LinkType

ConceptKind = strawberry.enum(results.ConceptKind, description="Codes or themes.")
MapEdgeKind = strawberry.enum(results.EdgeKind, name="MapEdgeKind", description="What a theme-map edge stands for.")
CooccurrenceScope = strawberry.enum(
    results.CooccurrenceScope,
    description="EXCERPT: in one excerpt or in two overlapping excerpts of a document; DOCUMENT: in one document; "
    "PARTICIPANT: in one participant's excerpts.",
)
AgreementUnit = strawberry.enum(
    agreement.AgreementUnit,
    description="CHARACTER: each character of the documents is a unit, coded or not with a code by each coder (as "
    "ATLAS.ti and NVivo do). EXCERPT: the units are the excerpts of the documents that any of the coders coded (with "
    "any code), and a "
    "coder's value for a code is whether they coded that excerpt with it.",
)
PathRelation = strawberry.enum(results.Relation, name="PathRelation", description="Relations a concept path may use.")
PairOrder = strawberry.enum(
    results.PairOrder,
    description="COUNT: most frequent first (the default); JACCARD: strongest association first (the largest jaccard).",
)
MatchOrder = strawberry.enum(
    results.MatchOrder,
    description="PSEUDONYM: by pseudonym (the default); EVIDENCE: most evidence excerpts first, then by pseudonym.",
)
PAGE_FIRST = (
    "At most this many (up to the page-size limit), then pass the last one's `cursor` as `after` for the next ones; "
    "without it, the whole answer."
)
PAGE_AFTER = "The `cursor` of the last one already read, to list what follows it (same other arguments)."

SPOKEN_BY = (
    "Keep to what speakers with this role say (PARTICIPANT: the participant's own words): only passages lying within "
    "their turns (Document.turns), counting consecutive turns of theirs as one; documents without such turns drop out."
)

DEFINITIONS = (
    "A code's excerpts are the excerpts (of the cases in `filter`) that the `coders` (default: everyone) coded with it; "
    "a theme's are those coded with any code of the theme or of its subthemes, recursively. Counts count distinct "
    "excerpts, or distinct participants of those excerpts."
)


@strawberry.input(
    description="A condition on one participant attribute: exactly one of equals, oneOf, or min/max "
    "(inclusive, numbers). A participant without the attribute does not match."
)
class AttributeCondition:
    name: str
    equals: JSON | None = strawberry.UNSET
    one_of: list[JSON] | None = strawberry.UNSET
    min: float | None = strawberry.UNSET
    max: float | None = strawberry.UNSET


@strawberry.input(
    description="Which participants (cases) count: those listed, if any, that meet every attribute "
    "condition. With a filter, documents about no participant are left out."
)
class CaseFilter:
    participant_ids: list[strawberry.ID] | None = strawberry.UNSET
    attributes: list[AttributeCondition] | None = strawberry.UNSET
    document_groups: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Keep to the documents in any of these document sets (Project.documentGroups), and the "
        "participants they are about.",
    )


@strawberry.input(description="Conditions on an excerpt's concepts (codes or themes, themes rolled up) and text.")
class ExcerptCondition:
    all_of: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Coded with every one.")
    any_of: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Coded with at least one."
    )
    none_of: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Coded with none.")
    text: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='Words or "quoted phrases" that must all occur (case and accents ignored, words matched '
        "by their English stem, as in `search`).",
    )
    filter: CaseFilter | None = strawberry.UNSET
    coders: list[strawberry.ID] | None = strawberry.field(default=strawberry.UNSET, description="Whose codings count.")
    spoken_by: SpeakerRole | None = strawberry.field(default=strawberry.UNSET, description=SPOKEN_BY)


def case_filter(given: CaseFilter | None) -> filters.CaseFilter | None:
    if given is None or given is strawberry.UNSET:
        return None
    conditions = tuple(to_domain(filters.AttributeCondition, c) for c in (given.attributes or []))
    ids, groups = given.participant_ids, given.document_groups
    return filters.CaseFilter(
        participant_ids=None if ids in (None, strawberry.UNSET) else tuple(ids),
        attributes=conditions,
        document_groups=None if groups in (None, strawberry.UNSET) else tuple(groups),
    )


def to_where(given: ExcerptCondition) -> filters.Where:
    return filters.Where(
        all_of=tuple(given.all_of or ()),
        any_of=tuple(given.any_of or ()),
        none_of=tuple(given.none_of or ()),
        text=given.text or None,
        filter=case_filter(given.filter) or filters.CaseFilter(),
        coders=None if given.coders in (None, strawberry.UNSET) else tuple(given.coders),
        spoken_by=given.spoken_by or None,
    )


def _coders(coders: list[strawberry.ID] | None) -> tuple[str, ...] | None:
    return None if coders is None else tuple(coders)


async def concept(info: Info, id: str) -> Any:
    ref = await info.context.loaders.node.load(id)
    return await load_concept(info, id, ref.kind if ref else NodeKind.CODE)


async def concepts(info: Info, ids: list[str]) -> list[Any]:
    """Concepts by id, loaded together (one batch per loader, not one per concept)."""
    return list(await asyncio.gather(*(concept(info, id) for id in ids)))


async def excerpts(info: Info, ids: tuple[str, ...]) -> list[Excerpt]:
    return [Excerpt.of(e) for e in await info.context.loaders.excerpt.load_many(list(ids)) if e]


async def load_link(info: Info, id: str | None) -> LinkType | None:
    found = await info.context.loaders.link.load(id) if id else None
    return LinkType.of(found) if found else None


async def participant(info: Info, id: str | None) -> Participant | None:
    found = await info.context.loaders.participant.load(id) if id else None
    return Participant.of(found) if found else None


@strawberry.type(description="A code or theme on the map. " + DEFINITIONS)
class ThemeMapNode:
    id: strawberry.ID
    kind: ConceptKind
    label: str
    color: str | None
    status: ThemeStatus | None
    excerpt_count: int
    participant_count: int

    @strawberry.field
    async def concept(self, info: Info) -> Concept:
        return await concept(info, self.id)


@strawberry.type(
    description="MEMBER_OF: code -> theme; SUBTHEME_OF: theme -> parent; CHILD_OF: code -> parent; "
    "LINK: a concept link (weight: its evidence excerpts, at least 1); COOCCURS: two codes at EXCERPT "
    "scope (weight: the co-occurrence count)."
)
class ThemeMapEdge:
    source: strawberry.ID
    target: strawberry.ID
    kind: MapEdgeKind
    link_kind: LinkKind | None
    label: str | None
    weight: int
    link_id: strawberry.Private[str | None]

    @strawberry.field(description="The concept link, for LINK edges.")
    async def link(self, info: Info) -> LinkType | None:
        return await load_link(info, self.link_id)


@strawberry.type(description="Everything needed to draw a project's theme map.")
class ThemeMap:
    nodes: list[ThemeMapNode]
    edges: list[ThemeMapEdge]


@strawberry.type(
    description="Two concepts that occur together. EXCERPT scope: `count` counts instances (one "
    "excerpt coded with both, or two overlapping excerpts, one coded with each) and `jaccard` is the share "
    "of the two concepts' excerpts that take part in one. DOCUMENT/PARTICIPANT scope: `count` is the "
    "number of documents (participants) with both, `jaccard` that over those with either."
)
class CooccurrencePair:
    """The concepts come loaded with the list (tens of thousands of pairs name a few
    hundred concepts) and are plain values, so reading them costs no resolver per pair."""

    a_id: strawberry.ID
    b_id: strawberry.ID
    a: Concept
    b: Concept
    count: int
    jaccard: float
    cursors: strawberry.Private[Sequence[str]]
    """The page's cursors, encoded only when asked for (see `cursor`)."""
    index: strawberry.Private[int]

    @strawberry.field(description="Pass it as `after` (with the same arguments) to list what follows this one.")
    def cursor(self) -> str:
        return self.cursors[self.index]


@strawberry.type(
    description="Every co-occurring pair at once, compactly: the concepts once, and the pairs as four arrays "
    "of equal length in one JSON value, so tens of thousands of pairs cost no per-field work. Pair i joins "
    "conceptIds[pairs.a[i]] and conceptIds[pairs.b[i]], with pairs.count[i] and pairs.jaccard[i] as in "
    "`cooccurrence`, in the same order (most frequent first, unless orderBy says otherwise)."
)
class CooccurrenceTable:
    concept_ids: list[strawberry.ID] = strawberry.field(description="The concepts the pairs' indices name.")
    pairs: JSON = strawberry.field(description='{"a": [Int], "b": [Int], "count": [Int], "jaccard": [Float]}')
    size: int = strawberry.field(description="The number of pairs.")

    @classmethod
    def of(cls, found: results.Pairs) -> CooccurrenceTable:
        """Concepts numbered in the order the pairs first name them; straight from the answer's arrays."""
        a, b = np.array(found.a, dtype=np.int64), np.array(found.b, dtype=np.int64)
        used, first = np.unique(np.column_stack((a, b)).ravel(), return_index=True)
        order = used[np.argsort(first)]
        number = np.zeros(len(found.concepts), dtype=np.int64)
        number[order] = np.arange(len(order))
        return cls(
            concept_ids=[strawberry.ID(found.concepts[c]) for c in order.tolist()],
            pairs={
                "a": number[a].tolist(),
                "b": number[b].tolist(),
                "count": found.counts,
                "jaccard": found.jaccards,
            },
            size=len(found),
        )


@strawberry.type(description="One cell of the framework matrix: the participant's excerpts coded with the concept.")
class CaseMatrixCell:
    concept_id: strawberry.ID
    count: int = strawberry.field(description="Distinct excerpts of this participant coded with the concept.")
    excerpt_ids: strawberry.Private[tuple[str, ...]]

    @strawberry.field(description="The first excerpts of the cell, in document and text order (illustrative quotes).")
    async def excerpts(self, info: Info, first: int = 3) -> list[Excerpt]:
        check_page_size(first, info.context.limits)
        return await excerpts(info, self.excerpt_ids[:first])


@strawberry.type
class CaseMatrixRow:
    participant_id: strawberry.Private[str]
    cells: list[CaseMatrixCell]

    @strawberry.field
    async def participant(self, info: Info) -> Participant:
        found = await participant(info, self.participant_id)
        assert found is not None
        return found


@strawberry.type(description="The framework matrix: participants by concepts.")
class CaseMatrix:
    column_ids: list[strawberry.ID]
    rows: list[CaseMatrixRow]

    @strawberry.field
    async def columns(self, info: Info) -> list[Concept]:
        return await concepts(info, list(self.column_ids))


@strawberry.type
class GroupConcept:
    concept_id: strawberry.ID
    participants: int = strawberry.field(
        description="Participants of the group with at least one excerpt coded with it."
    )
    proportion: float = strawberry.field(description="participants / n.")

    @strawberry.field
    async def concept(self, info: Info) -> Concept:
        return await concept(info, self.concept_id)


@strawberry.type(description="The participants sharing one value of the attribute (null: those without it).")
class Group:
    value: JSON | None
    n: int
    concepts: list[GroupConcept]


@strawberry.type
class ParticipantMatch:
    participant_id: strawberry.Private[str]
    excerpt_ids: strawberry.Private[tuple[str, ...]]
    cursor: str = strawberry.field(
        description="Pass it as `after` (with the same arguments) to list what follows this one."
    )

    @strawberry.field
    async def participant(self, info: Info) -> Participant:
        found = await participant(info, self.participant_id)
        assert found is not None
        return found

    @strawberry.field(description="Evidence: their excerpts coded with an allOf or anyOf concept (matching `text`).")
    async def excerpts(self, info: Info) -> list[Excerpt]:
        return await excerpts(info, self.excerpt_ids)


@strawberry.type(description="A passage coded `first` followed, in the same document, by one coded `then`.")
class SequenceHit:
    gap: int = strawberry.field(description="Code points between the end of the first and the start of the next.")
    cursor: str = strawberry.field(
        description="Pass it as `after` (with the same arguments) to list what follows this one."
    )
    document_id: strawberry.Private[str]
    participant_id: strawberry.Private[str | None]
    first_id: strawberry.Private[str]
    then_id: strawberry.Private[str]

    @strawberry.field
    async def document(self, info: Info) -> Document:
        return Document.of(await info.context.loaders.document.load(self.document_id))

    @strawberry.field
    async def participant(self, info: Info) -> Participant | None:
        return await participant(info, self.participant_id)

    @strawberry.field
    async def first(self, info: Info) -> Excerpt:
        return (await excerpts(info, (self.first_id,)))[0]

    @strawberry.field
    async def then(self, info: Info) -> Excerpt:
        return (await excerpts(info, (self.then_id,)))[0]


@strawberry.type(description="One step of a concept path.")
class PathStep:
    from_id: strawberry.ID
    to_id: strawberry.ID
    relation: PathRelation
    forward: bool = strawberry.field(
        description="True when the step follows the relation's direction (link source -> target, code -> theme, "
        "child -> parent); co-occurrence has none, and reads true from the pair's first concept."
    )
    link_kind: LinkKind | None
    weight: int = strawberry.field(description="For co-occurrence: the EXCERPT-scope count; otherwise 1.")
    link_id: strawberry.Private[str | None]

    @strawberry.field(name="from")
    async def from_(self, info: Info) -> Concept:
        return await concept(info, self.from_id)

    @strawberry.field
    async def to(self, info: Info) -> Concept:
        return await concept(info, self.to_id)

    @strawberry.field(description="The concept link, with its evidence, for LINK steps.")
    async def link(self, info: Info) -> LinkType | None:
        return await load_link(info, self.link_id)


@strawberry.type
class ConceptPath:
    steps: list[PathStep]

    @strawberry.field
    def length(self) -> int:
        return len(self.steps)


@strawberry.type(
    description="A match of a search: offsets in the document's text (code points), ready to become an excerpt."
)
class SearchHit:
    start: int
    end: int
    text: str
    context: str = strawberry.field(description="Text around the match.")
    context_start: int = strawberry.field(description="Where `context` starts in the document's text.")
    document_id: strawberry.Private[str]
    participant_id: strawberry.Private[str | None]

    @strawberry.field
    async def document(self, info: Info) -> Document:
        return Document.of(await info.context.loaders.document.load(self.document_id))

    @strawberry.field
    async def participant(self, info: Info) -> Participant | None:
        return await participant(info, self.participant_id)


@strawberry.type
class SearchEdge:
    cursor: str
    node: SearchHit


@strawberry.type
class SearchConnection:
    edges: list[SearchEdge]
    page_info: PageInfo


@strawberry.type(
    description="Agreement over a set of units. percentAgreement: the share of units on which all coders "
    "agree; cohensKappa: Cohen's kappa, only for exactly two coders; krippendorffAlpha: Krippendorff's alpha "
    "for nominal data, any number of coders. A statistic with nothing to measure (no units, or no variation) "
    "is null."
)
class AgreementScore:
    units: int
    percent_agreement: float | None
    cohens_kappa: float | None
    krippendorff_alpha: float | None


@strawberry.type
class CodeAgreement:
    code_id: strawberry.ID
    score: AgreementScore

    @strawberry.field
    async def code(self, info: Info) -> Concept:
        return await concept(info, self.code_id)


@strawberry.type(description="Inter-coder agreement per code, and overall (all the codes' units pooled).")
class Agreement:
    unit: AgreementUnit
    coder_ids: list[strawberry.ID]
    overall: AgreementScore
    codes: list[CodeAgreement]

    @strawberry.field
    async def coders(self, info: Info) -> list[User]:
        found = await info.context.loaders.user.load_many(list(self.coder_ids))
        return [User.of(u) for u in found if u]


def _score(s: results.AgreementScore) -> AgreementScore:
    return AgreementScore(
        units=s.units,
        percent_agreement=s.percent_agreement,
        cohens_kappa=s.cohens_kappa,
        krippendorff_alpha=s.krippendorff_alpha,
    )


@strawberry.type
class AnalysisQuery:
    @strawberry.field(
        description="Themes and codes with their prevalence, and every edge between them, in one "
        "request. COOCCURS edges appear only when cooccurrenceMin is given. " + DEFINITIONS
    )
    async def theme_map(
        self,
        info: Info,
        project_id: strawberry.ID,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
        cooccurrence_min: int | None = None,
        with_descendants: Annotated[
            bool,
            strawberry.argument(
                description="Give each code's counts with its descendant codes' (each excerpt and participant "
                "once), so parents and categories show their totals, and each theme's with the codes below its "
                "codes."
            ),
        ] = False,
    ) -> ThemeMap:
        found = await info.context.reader.theme_map(
            project_id, case_filter(filter), _coders(coders), cooccurrence_min, with_descendants
        )
        return ThemeMap(
            nodes=[
                ThemeMapNode(
                    id=strawberry.ID(n.id),
                    kind=n.kind,
                    label=n.label,
                    color=n.color,
                    status=n.status,
                    excerpt_count=n.excerpt_count,
                    participant_count=n.participant_count,
                )
                for n in found.nodes
            ],
            edges=[
                ThemeMapEdge(
                    source=strawberry.ID(e.source),
                    target=strawberry.ID(e.target),
                    kind=e.kind,
                    link_kind=e.link_kind,
                    label=e.label,
                    weight=e.weight,
                    link_id=e.link_id,
                )
                for e in found.edges
            ],
        )

    @strawberry.field(
        description="Pairs of concepts that occur together, most frequent first. Without codeIds and "
        "themeIds, all codes. " + DEFINITIONS
    )
    async def cooccurrence(
        self,
        info: Info,
        project_id: strawberry.ID,
        scope: CooccurrenceScope = results.CooccurrenceScope.EXCERPT,
        code_ids: list[strawberry.ID] | None = None,
        theme_ids: list[strawberry.ID] | None = None,
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
        order_by: PairOrder = results.PairOrder.COUNT,
        first: Annotated[int | None, strawberry.argument(description=PAGE_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=PAGE_AFTER)] = None,
    ) -> list[CooccurrencePair]:
        if first is not None:
            check_page_size(first, info.context.limits)
        found = await info.context.reader.cooccurrence_page(
            project_id,
            scope,
            code_ids,
            theme_ids,
            min_count,
            case_filter(filter),
            _coders(coders),
            order_by,
            first,
            after,
        )
        ids = list(dict.fromkeys(id for p in found.items for id in (p.a, p.b)))
        loaded = dict(zip(ids, await concepts(info, ids)))
        return [
            CooccurrencePair(
                a_id=strawberry.ID(p.a),
                b_id=strawberry.ID(p.b),
                a=loaded[p.a],
                b=loaded[p.b],
                count=p.count,
                jaccard=p.jaccard,
                cursors=found.cursors,
                index=i,
            )
            for i, p in enumerate(found.items)
        ]

    @strawberry.field(
        description="The answer of `cooccurrence` (same arguments, same pairs, same order) in a compact form "
        "for large answers: every pair at size M in one response, without a field per pair. " + DEFINITIONS
    )
    async def cooccurrence_table(
        self,
        info: Info,
        project_id: strawberry.ID,
        scope: CooccurrenceScope = results.CooccurrenceScope.EXCERPT,
        code_ids: list[strawberry.ID] | None = None,
        theme_ids: list[strawberry.ID] | None = None,
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
        order_by: PairOrder = results.PairOrder.COUNT,
    ) -> CooccurrenceTable:
        pairs = await info.context.reader.cooccurrence(
            project_id,
            scope,
            code_ids,
            theme_ids,
            min_count,
            case_filter(filter),
            _coders(coders),
            order_by,
        )
        return CooccurrenceTable.of(pairs)

    @strawberry.field(
        description="The framework matrix: a row per participant in scope (by pseudonym), a column per "
        "concept (columnIds, or all codes/themes), cells with counts and quotes. " + DEFINITIONS
    )
    async def case_matrix(
        self,
        info: Info,
        project_id: strawberry.ID,
        columns: ConceptKind = results.ConceptKind.CODE,
        column_ids: list[strawberry.ID] | None = None,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
    ) -> CaseMatrix:
        found = await info.context.reader.case_matrix(
            project_id, columns, column_ids, case_filter(filter), _coders(coders)
        )
        return CaseMatrix(
            column_ids=[strawberry.ID(c) for c in found.column_ids],
            rows=[
                CaseMatrixRow(
                    participant_id=r.participant_id,
                    cells=[
                        CaseMatrixCell(concept_id=strawberry.ID(c.concept_id), count=c.count, excerpt_ids=c.excerpt_ids)
                        for c in r.cells
                    ],
                )
                for r in found.rows
            ],
        )

    @strawberry.field(
        description="Compare groups of participants by one attribute: per value, `n` participants, and "
        "for each concept how many of them have it and the proportion. " + DEFINITIONS
    )
    async def compare_groups(
        self,
        info: Info,
        project_id: strawberry.ID,
        attribute: str,
        columns: ConceptKind = results.ConceptKind.THEME,
        column_ids: list[strawberry.ID] | None = None,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
    ) -> list[Group]:
        groups = await info.context.reader.compare_groups(
            project_id, attribute, columns, column_ids, case_filter(filter), _coders(coders)
        )
        return [
            Group(
                value=g.value,
                n=g.n,
                concepts=[
                    GroupConcept(
                        concept_id=strawberry.ID(c.concept_id), participants=c.participants, proportion=c.proportion
                    )
                    for c in g.concepts
                ],
            )
            for g in groups
        ]

    @strawberry.field(
        description="Excerpts meeting the conditions, in document and text order, paginated. " + DEFINITIONS
    )
    async def find_excerpts(
        self, info: Info, project_id: strawberry.ID, where: ExcerptCondition, first: int = 20, after: str | None = None
    ) -> ExcerptConnection:
        check_page_size(first, info.context.limits)
        found = await info.context.reader.find_excerpts(project_id, to_where(where), first, after)
        items = await excerpts(info, found.ids)
        edges = [ExcerptEdge(cursor=c, node=e) for e, c in zip(items, found.cursors)]
        return ExcerptConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=found.has_next_page, end_cursor=found.cursors[-1] if found.cursors else after
            ),
        )

    @strawberry.field(
        description="Participants for whom the conditions hold across all their excerpts (each allOf "
        "concept somewhere, some anyOf concept, no noneOf concept), with the excerpts as evidence. " + DEFINITIONS
    )
    async def participants_matching(
        self,
        info: Info,
        project_id: strawberry.ID,
        where: ExcerptCondition,
        order_by: MatchOrder = results.MatchOrder.PSEUDONYM,
        first: Annotated[int | None, strawberry.argument(description=PAGE_FIRST)] = None,
        after: Annotated[str | None, strawberry.argument(description=PAGE_AFTER)] = None,
    ) -> list[ParticipantMatch]:
        if first is not None:
            check_page_size(first, info.context.limits)
        found = await info.context.reader.participants_matching_page(
            project_id, to_where(where), order_by, first, after
        )
        return [
            ParticipantMatch(participant_id=m.participant_id, excerpt_ids=m.excerpt_ids, cursor=c)
            for m, c in zip(found.items, found.cursors)
        ]

    @strawberry.field(
        description="Per document, each passage coded `first` with the nearest passage coded `then` "
        "that starts at or after its end (within maxGapChars code points, if given). " + DEFINITIONS
    )
    async def sequences(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: strawberry.ID,
        then: strawberry.ID,
        max_gap_chars: int | None = None,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
        page_size: Annotated[
            int | None,
            strawberry.argument(description=PAGE_FIRST + " (`first` names the first concept here.)"),
        ] = None,
        after: Annotated[str | None, strawberry.argument(description=PAGE_AFTER)] = None,
    ) -> list[SequenceHit]:
        if page_size is not None:
            check_page_size(page_size, info.context.limits)
        found = await info.context.reader.sequences_page(
            project_id, first, then, max_gap_chars, case_filter(filter), _coders(coders), page_size, after
        )
        return [
            SequenceHit(
                gap=h.gap,
                cursor=c,
                document_id=h.document_id,
                participant_id=h.participant_id,
                first_id=h.first_excerpt_id,
                then_id=h.then_excerpt_id,
            )
            for h, c in zip(found.items, found.cursors)
        ]

    @strawberry.field(
        description="The shortest paths (up to 50) between two concepts over the chosen relations "
        "(default all), walked either way, maxLength 1-6. COOCCURRENCE uses EXCERPT scope."
    )
    async def concept_paths(
        self,
        info: Info,
        project_id: strawberry.ID,
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID,
        max_length: int = 4,
        via: list[PathRelation] | None = None,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
    ) -> list[ConceptPath]:
        paths = await info.context.reader.concept_paths(
            project_id, from_, to, max_length, via, case_filter(filter), _coders(coders)
        )
        return [
            ConceptPath(
                steps=[
                    PathStep(
                        from_id=strawberry.ID(s.source),
                        to_id=strawberry.ID(s.target),
                        relation=s.relation,
                        forward=s.forward,
                        link_kind=s.link_kind,
                        weight=s.weight,
                        link_id=s.link_id,
                    )
                    for s in p.steps
                ]
            )
            for p in paths
        ]

    @strawberry.field(
        description="How far two or more coders agree, per code (codeIds, default all) and overall, over "
        "documentIds (default all). Each coder's codings are their own, so independent coding of the same "
        "documents can be compared."
    )
    async def agreement(
        self,
        info: Info,
        project_id: strawberry.ID,
        coders: list[strawberry.ID],
        code_ids: list[strawberry.ID] | None = None,
        document_ids: list[strawberry.ID] | None = None,
        unit: AgreementUnit = agreement.AgreementUnit.EXCERPT,
    ) -> Agreement:
        found = await info.context.reader.agreement(project_id, coders, code_ids, document_ids, unit)
        return Agreement(
            unit=unit,
            coder_ids=[strawberry.ID(c) for c in found.coders],
            overall=_score(found.overall),
            codes=[CodeAgreement(code_id=strawberry.ID(c.code_id), score=_score(c.score)) for c in found.codes],
        )

    @strawberry.field(
        description='Full-text search over the project\'s transcripts: words and "quoted phrases", all '
        "of which must occur in a document; case and accents are ignored, and words match by their English "
        'stem ("fear" finds "fears", "feared" and "fearful"; a phrase matches stem by stem). Each match comes '
        "with its offsets, so it can be turned into an excerpt."
    )
    async def search(
        self,
        info: Info,
        project_id: strawberry.ID,
        text: str,
        first: int = 20,
        after: str | None = None,
        spoken_by: Annotated[SpeakerRole | None, strawberry.argument(description=SPOKEN_BY)] = None,
        near: Annotated[
            int | None,
            strawberry.argument(
                description="Proximity: only matches where every word and phrase occurs within a stretch of "
                "at most this many words (from the number of words searched for up to 100); the hits are the "
                'words of each shortest such stretch. `fear judged` with near: 4 finds "fear of being judged".'
            ),
        ] = None,
    ) -> SearchConnection:
        check_page_size(first, info.context.limits)
        found = await info.context.reader.search(project_id, text, first, after, spoken_by, near)
        return SearchConnection(
            edges=[
                SearchEdge(
                    cursor=c,
                    node=SearchHit(
                        start=h.start,
                        end=h.end,
                        text=h.text,
                        context=h.context,
                        context_start=h.context_start,
                        document_id=h.document_id,
                        participant_id=h.participant_id,
                    ),
                )
                for h, c in zip(found.hits, found.cursors)
            ],
            page_info=PageInfo(
                has_next_page=found.has_next_page, end_cursor=found.cursors[-1] if found.cursors else after
            ),
        )

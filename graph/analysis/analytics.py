"""The analytic questions as store methods. Both adapters inherit them and supply the
two reads they rest on, so a question is one store call and answers alike everywhere."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from functools import partial
from typing import TypeVar

from graph.analysis import network, questions, saturation
from graph.analysis.agreement import AgreementUnit, Pattern, score, tallies
from graph.analysis.filters import CaseFilter, Where
from graph.analysis.results import (
    Agreement,
    CaseMatrix,
    CodeAgreement,
    ConceptKind,
    ConceptNetwork,
    ConceptPath,
    CooccurrenceScope,
    Group,
    IdPage,
    MatchOrder,
    Paged,
    PairOrder,
    Pairs,
    ParticipantMatch,
    Relation,
    Saturation,
    SearchPage,
    SequenceHit,
    ThemeMap,
)
from graph.analysis.snapshot import Scope, Snapshot, spoken
from graph.analysis.text import check_near, parse_query
from graph.analysis.worker import off_loop
from graph.models import ConceptStats, NodeKind, NodeRef, SpeakerRole, Turn

T = TypeVar("T")


async def _answer(scope: Scope, key: Hashable, compute: Callable[[], T]) -> T:
    """A question's answer, kept in its scope, worked out off the event loop."""
    return await off_loop(lambda: scope.memo(key, compute))


async def _sequences(scope: Scope, first: str, then: str, max_gap: int | None) -> list[SequenceHit]:
    return await _answer(
        scope, ("sequences", first, then, max_gap), lambda: questions.sequences(scope, first, then, max_gap)
    )


def _prevalence_of(snapshot: Snapshot, coders: list[str] | None, family: bool) -> dict[str, tuple[int, int]]:
    scope = snapshot.scope(coders, CaseFilter())
    return scope.family_prevalence if family else scope.prevalence


class Analytics(ABC):
    """Base of the store adapters: the cross-case questions of the store port."""

    @abstractmethod
    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        """One project's concepts, cases, excerpt spans (and texts) and codings, read in
        one transaction (empty if there is no such project: the Reader has checked it exists).
        Adapters keep it in a
        `SnapshotCache` and reread it only when the project's revision has changed."""

    @abstractmethod
    async def search_documents(
        self, project_id: str, terms: list[tuple[str, ...]]
    ) -> list[tuple[str, str | None, str]]:
        """Documents of the project that may contain every term (folded words; a term of
        several words is a phrase), as (id, participant id, text), found with the store's
        full-text index where it has one. False positives are fine; misses are not."""

    async def _scope(
        self, project_id: str, coders: Sequence[str] | None, filter: CaseFilter | None, with_text: bool = False
    ) -> Scope:
        snapshot = await self.project_snapshot(project_id, with_text)
        return await off_loop(lambda: snapshot.scope(coders, filter or CaseFilter()))

    async def code_stats(
        self, code_ids: Sequence[str], coder_id: str | None = None, with_descendants: bool = False
    ) -> dict[str, ConceptStats]:
        return await self._prevalence(code_ids, coder_id, NodeKind.CODE, with_descendants)

    async def theme_stats(
        self, theme_ids: Sequence[str], coder_id: str | None = None, with_descendants: bool = False
    ) -> dict[str, ConceptStats]:
        return await self._prevalence(theme_ids, coder_id, NodeKind.THEME, with_descendants)

    async def _prevalence(
        self, ids: Sequence[str], coder_id: str | None, kind: NodeKind, family: bool = False
    ) -> dict[str, ConceptStats]:
        """Counts from the kept project snapshots, as the questions count: a large
        project's tree then costs no scan of its codings while the project is unchanged."""
        refs = {id: ref for id, ref in (await self.node_refs(ids)).items() if ref.kind is kind}
        out = {id: ConceptStats(excerpt_count=0, participant_count=0) for id in ids}
        for project_id in dict.fromkeys(ref.project_id for ref in refs.values()):
            snapshot = await self.project_snapshot(project_id)  # empty if deleted since the ids were looked up
            coders = None if coder_id is None else [coder_id]
            counts = await off_loop(partial(_prevalence_of, snapshot, coders, family))
            for id, ref in refs.items():
                if ref.project_id == project_id and id in counts:
                    out[id] = ConceptStats(excerpt_count=counts[id][0], participant_count=counts[id][1])
        return out

    async def excerpts_of_themes(
        self, theme_ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, IdPage]:
        """Pages from the kept project snapshots, as `findExcerpts(where: {anyOf: [theme]})` pages: the
        theme's excerpts are those of its codes and its subthemes' codes, which the snapshot rolls up."""
        refs = {id: ref for id, ref in (await self.node_refs(theme_ids)).items() if ref.kind is NodeKind.THEME}
        out = {id: IdPage(ids=(), cursors=(), has_next_page=False) for id in theme_ids}
        coders = None if coder_id is None else [coder_id]
        for project_id in dict.fromkeys(ref.project_id for ref in refs.values()):
            scope = await self._scope(project_id, coders, None)
            for id, ref in refs.items():
                if ref.project_id == project_id and id in scope.kinds:  # not deleted since it was looked up
                    where = Where(any_of=(id,))
                    out[id] = await _answer(
                        scope,
                        ("find_excerpts", where.model_dump_json(), first, after),
                        partial(questions.find_excerpts, scope, where, first, after),
                    )
        return out

    @abstractmethod
    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]: ...

    async def theme_map(
        self,
        project_id: str,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        cooccurrence_min: int | None = None,
        with_descendants: bool = False,
    ) -> ThemeMap:
        scope = await self._scope(project_id, coders, filter)
        return await _answer(
            scope,
            ("theme_map", cooccurrence_min, with_descendants),
            lambda: questions.theme_map(scope, cooccurrence_min, with_descendants),
        )

    async def cooccurrence(
        self,
        project_id: str,
        scope: CooccurrenceScope = CooccurrenceScope.EXCERPT,
        code_ids: Sequence[str] = (),
        theme_ids: Sequence[str] = (),
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        order: PairOrder = PairOrder.COUNT,
    ) -> Pairs:
        within = await self._scope(project_id, coders, filter)
        key = ("cooccurrence", scope, tuple(code_ids), tuple(theme_ids), max(min_count, 1))
        found = await _answer(
            within, key, lambda: questions.cooccurrence(within, scope, code_ids, theme_ids, max(min_count, 1))
        )
        if order is PairOrder.COUNT:
            return found
        return await _answer(within, (*key, order), lambda: questions.pairs_in_order(found, order))

    async def case_matrix(
        self,
        project_id: str,
        columns: ConceptKind = ConceptKind.CODE,
        column_ids: Sequence[str] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> CaseMatrix:
        scope = await self._scope(project_id, coders, filter)
        return await _answer(
            scope,
            ("case_matrix", columns, tuple(column_ids)),
            lambda: questions.case_matrix(scope, columns.value, column_ids),
        )

    async def compare_groups(
        self,
        project_id: str,
        attribute: str,
        columns: ConceptKind = ConceptKind.THEME,
        column_ids: Sequence[str] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[Group]:
        scope = await self._scope(project_id, coders, filter)
        return await _answer(
            scope,
            ("compare_groups", attribute, columns, tuple(column_ids)),
            lambda: questions.compare_groups(scope, attribute, columns.value, column_ids),
        )

    async def find_excerpts(self, project_id: str, where: Where, first: int, after: str | None) -> IdPage:
        scope = await self._scope(project_id, where.coders, where.filter, with_text=bool(where.text))
        return await _answer(
            scope,
            ("find_excerpts", where.model_dump_json(), first, after),
            lambda: questions.find_excerpts(scope, where, first, after),
        )

    async def participants_matching(self, project_id: str, where: Where) -> list[ParticipantMatch]:
        scope = await self._scope(project_id, where.coders, where.filter, with_text=bool(where.text))
        return await _answer(
            scope,
            ("participants_matching", where.model_dump_json()),
            lambda: questions.participants_matching(scope, where),
        )

    async def participants_matching_page(
        self,
        project_id: str,
        where: Where,
        order: MatchOrder = MatchOrder.PSEUDONYM,
        first: int | None = None,
        after: str | None = None,
    ) -> Paged[ParticipantMatch]:
        matches = await self.participants_matching(project_id, where)
        scope = await self._scope(project_id, where.coders, where.filter, with_text=bool(where.text))
        return await off_loop(lambda: questions.matches_page(scope, matches, order, first, after))

    async def sequences_page(
        self,
        project_id: str,
        first: str,
        then: str,
        max_gap: int | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        count: int | None = None,
        after: str | None = None,
    ) -> Paged[SequenceHit]:
        scope = await self._scope(project_id, coders, filter)
        hits = await _sequences(scope, first, then, max_gap)  # of the same scope as the rows below

        def page() -> Paged[SequenceHit]:
            rows, _ = questions.sequence_rows(scope, first, then, max_gap)
            return questions.hits_page(scope, hits, rows, count, after)

        return await off_loop(page)

    async def sequences(
        self,
        project_id: str,
        first: str,
        then: str,
        max_gap: int | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[SequenceHit]:
        return await _sequences(await self._scope(project_id, coders, filter), first, then, max_gap)

    async def concept_paths(
        self,
        project_id: str,
        source: str,
        target: str,
        max_length: int = 4,
        via: Sequence[Relation] = (),
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[ConceptPath]:
        scope = await self._scope(project_id, coders, filter)
        return await _answer(
            scope,
            ("concept_paths", source, target, max_length, tuple(via)),
            lambda: questions.concept_paths(scope, source, target, max_length, via),
        )

    async def saturation(
        self,
        project_id: str,
        order_by: str | None = None,
        document_ids: Sequence[str] = (),
        base: int = 4,
        run: int = 2,
        threshold: float = 0.05,
        high_frequency: float = 0.5,
        permutations: int = 0,
        seed: int = 0,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> Saturation:
        """Saturation across interviews (see graph.analysis.saturation)."""
        scope = await self._scope(project_id, coders, filter)
        arguments = (order_by, tuple(document_ids), base, run, threshold, high_frequency, permutations, seed)
        return await _answer(scope, ("saturation", *arguments), lambda: saturation.saturation(scope, *arguments))

    async def concept_network(
        self,
        project_id: str,
        cooccurrence_min: int | None = 1,
        links: bool = True,
        resolution: float = 1.0,
        seed: int = 0,
        betweenness: bool = True,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> ConceptNetwork:
        """Codes, their centrality and communities (see graph.analysis.network)."""
        scope = await self._scope(project_id, coders, filter)
        arguments = (cooccurrence_min, links, resolution, seed, betweenness)
        return await _answer(scope, ("concept_network", *arguments), lambda: network.concept_network(scope, *arguments))

    async def agreement(
        self,
        project_id: str,
        coders: Sequence[str],
        code_ids: Sequence[str] = (),
        document_ids: Sequence[str] = (),
        unit: AgreementUnit = AgreementUnit.EXCERPT,
    ) -> Agreement:
        """Agreement per code and pooled over the codes (see graph.analysis.agreement)."""
        scope = await self._scope(project_id, None, None)
        per_code = await off_loop(lambda: tallies(scope, coders, code_ids, document_ids, unit))
        n = len(set(coders))
        pooled: Counter[Pattern] = Counter()
        for tally in per_code.values():
            pooled.update(tally)
        return Agreement(
            coders=tuple(dict.fromkeys(coders)),
            overall=score(pooled, n),
            codes=tuple(CodeAgreement(code_id=c, score=score(t, n)) for c, t in per_code.items()),
        )

    @abstractmethod
    async def turns_of_documents(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]: ...

    async def search(
        self,
        project_id: str,
        text: str,
        first: int = 20,
        after: str | None = None,
        spoken_by: SpeakerRole | None = None,
        near: int | None = None,
    ) -> SearchPage:
        terms = parse_query(text)
        check_near(terms, near)
        candidates = await self.search_documents(project_id, terms)
        where = None
        if spoken_by is not None:
            turns = await self.turns_of_documents([id for id, _, _ in candidates])
            where = spoken(((d, t.start, t.end, t.role) for d, ts in turns.items() for t in ts), spoken_by)
        return await off_loop(lambda: questions.search(candidates, text, first, after, where, near))

"""GraphQL for saturation across interviews (graph.analysis.saturation): the question, the
curve and the point, with the parameters it was asked with."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.analysis import results
from schema.analysis import DEFINITIONS, CaseFilter, _coders, case_filter
from schema.context import Info
from schema.types import Code, Document

SaturationStatus = strawberry.enum(
    results.SaturationStatus,
    description="REACHED: a run fell to the threshold; NOT_REACHED: no run did (interview more, or look at the "
    "runs); TOO_FEW_INTERVIEWS: fewer interviews than baseSize + runLength; EMPTY_BASE: the base interviews have "
    "no code, so new information has nothing to be a share of.",
)

METHOD = (
    "Guest, Namey & Chen (PLOS ONE 2020, e0232076). The interviews (documents in scope) in an order; the codes of "
    "the first baseSize interviews are the base; a run is runLength consecutive interviews after the base, sliding "
    "one interview at a time (5-6, 6-7, ... for base 4 and run 2); a run's new information is the codes first seen "
    "in it (in no earlier interview) as a share of the base's codes. The first run at or under the threshold is the "
    "saturation point; the interviews before it are the sample at which saturation was reached, the run confirming "
    "it. A code counts in an interview when the coders coded an excerpt of it with the code."
)


async def _documents(info: Info, ids: list[str]) -> list[Document]:
    return [Document.of(d) for d in await info.context.loaders.document.load_many(ids) if d]


@strawberry.type(description="One interview added to the sample, in the order used.")
class SaturationCurvePoint:
    position: int = strawberry.field(description="1-based.")
    document_id: strawberry.ID
    codes: int = strawberry.field(description="Distinct codes in this interview.")
    new_codes: int = strawberry.field(description="Codes first seen in this interview.")
    cumulative: int = strawberry.field(description="Distinct codes in the interviews so far.")
    cumulative_high_frequency: int = strawberry.field(
        description="Distinct high-frequency codes (see Saturation.highFrequencyCodes) in the interviews so far."
    )

    @strawberry.field
    async def document(self, info: Info) -> Document | None:
        found = await _documents(info, [self.document_id])
        return found[0] if found else None


@strawberry.type(description="Consecutive interviews after the base, and the codes first seen in them.")
class SaturationRun:
    first: int = strawberry.field(description="Position (1-based) of its first interview.")
    last: int = strawberry.field(description="Position of its last interview.")
    new_codes: int = strawberry.field(description="Codes first seen in the run (in no interview before it).")
    share: float = strawberry.field(description="newCodes over the codes of the base: the new information.")


@strawberry.type
class SaturationPointCount:
    interviews: int = strawberry.field(description="Interviews needed to reach saturation.")
    permutations: int = strawberry.field(description="Random orders that needed that many.")


@strawberry.type(
    description="The saturation point over random orders of the same interviews (NumPy's generator seeded with "
    "`seed`: the same question gives the same answer)."
)
class SaturationBootstrap:
    permutations: int
    seed: int
    distribution: list[SaturationPointCount] = strawberry.field(description="By number of interviews needed.")
    not_reached: int = strawberry.field(
        description="Orders that never fell to the threshold (or whose base had no code)."
    )
    median: int | None = strawberry.field(
        description="The lower median of the interviews needed, orders not reaching saturation counting as beyond "
        "every number; null when the median falls among them."
    )


@strawberry.type(description="Saturation across interviews. " + METHOD)
class Saturation:
    status: SaturationStatus
    base_size: int
    run_length: int
    threshold: float
    high_frequency: float = strawberry.field(description="The prevalence from which a code is high-frequency.")
    document_ids: list[strawberry.ID] = strawberry.field(description="The interviews, in the order used.")
    base_codes: int = strawberry.field(description="Distinct codes in the base interviews.")
    total_codes: int = strawberry.field(description="Distinct codes in all the interviews.")
    high_frequency_code_ids: list[strawberry.ID] = strawberry.field(
        description="Codes whose prevalence (the share of the interviews in which they occur) is at least "
        "highFrequency."
    )
    runs: list[SaturationRun] = strawberry.field(description="Every full run after the base, in order.")
    point: SaturationRun | None = strawberry.field(
        description="The first run at or under the threshold; null unless REACHED."
    )
    interviews_needed: int | None = strawberry.field(
        description="The interviews before the point: the sample at which saturation was reached."
    )
    curve: list[SaturationCurvePoint] = strawberry.field(
        description="Distinct codes (and high-frequency codes) per added interview."
    )
    bootstrap: SaturationBootstrap | None = strawberry.field(description="Null unless permutations were asked for.")

    @strawberry.field(description="The interviews, in the order used.")
    async def interviews(self, info: Info) -> list[Document]:
        return await _documents(info, list(self.document_ids))

    @strawberry.field
    async def high_frequency_codes(self, info: Info) -> list[Code]:
        found = await info.context.loaders.code.load_many(list(self.high_frequency_code_ids))
        return [Code.of(c) for c in found if c]


def _run(run: results.SaturationRun) -> SaturationRun:
    return SaturationRun(first=run.first, last=run.last, new_codes=run.new_codes, share=run.share)


def _bootstrap(found: results.SaturationBootstrap | None) -> SaturationBootstrap | None:
    if found is None:
        return None
    return SaturationBootstrap(
        permutations=found.permutations,
        seed=found.seed,
        distribution=[
            SaturationPointCount(interviews=p.interviews, permutations=p.permutations) for p in found.distribution
        ],
        not_reached=found.not_reached,
        median=found.median,
    )


@strawberry.type
class SaturationQuery:
    @strawberry.field(description="Have we interviewed enough? " + METHOD + " " + DEFINITIONS)
    async def saturation(
        self,
        info: Info,
        project_id: strawberry.ID,
        order_by_attribute: Annotated[
            str | None,
            strawberry.argument(
                description="Order the interviews by this attribute of their participant (an interview date, say: "
                "booleans, then numbers, then text, in order; interviews without it last). Default: the order of "
                "Project.documents (title, case ignored, then id).",
            ),
        ] = None,
        document_ids: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(
                description="The interviews in this order, and only these (those outside `filter` are left out).",
            ),
        ] = None,
        base_size: Annotated[int, strawberry.argument(description="Interviews in the base, 1 or more.")] = 4,
        run_length: Annotated[int, strawberry.argument(description="Interviews in a run, 1 or more.")] = 2,
        threshold: Annotated[
            float, strawberry.argument(description="The new-information threshold, a share from 0 to 1 (0.05: 5%).")
        ] = 0.05,
        high_frequency: Annotated[
            float,
            strawberry.argument(
                description="A code is high-frequency when it occurs in at least this share (0 to 1) of the interviews.",
            ),
        ] = 0.5,
        permutations: Annotated[
            int, strawberry.argument(description="Random orders for the bootstrap, 0 to 1000 (0: none).")
        ] = 0,
        seed: Annotated[int, strawberry.argument(description="Seeds the bootstrap's random orders, 0 or more.")] = 0,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
    ) -> Saturation:
        found = await info.context.reader.saturation(
            project_id,
            order_by_attribute,
            document_ids or (),
            base_size,
            run_length,
            threshold,
            high_frequency,
            permutations,
            seed,
            case_filter(filter),
            _coders(coders),
        )
        return Saturation(
            status=found.status,
            base_size=base_size,
            run_length=run_length,
            threshold=threshold,
            high_frequency=high_frequency,
            document_ids=[strawberry.ID(d) for d in found.document_ids],
            base_codes=found.base_codes,
            total_codes=found.total_codes,
            high_frequency_code_ids=[strawberry.ID(c) for c in found.high_frequency_codes],
            runs=[_run(r) for r in found.runs],
            point=_run(found.point) if found.point else None,
            interviews_needed=found.interviews_needed,
            curve=[
                SaturationCurvePoint(
                    position=c.position,
                    document_id=strawberry.ID(c.document_id),
                    codes=c.codes,
                    new_codes=c.new_codes,
                    cumulative=c.cumulative,
                    cumulative_high_frequency=c.cumulative_high_frequency,
                )
                for c in found.curve
            ],
            bootstrap=_bootstrap(found.bootstrap),
        )

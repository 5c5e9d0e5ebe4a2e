"""GraphQL for the network of concepts (graph.analysis.network): centrality per code, and
communities of codes set against the themes."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.analysis import results
from schema.analysis import DEFINITIONS, CaseFilter, _coders, case_filter
from schema.context import Info
from schema.types import Code, Theme

METHOD = (
    "Codes are the nodes. An edge joins two codes that co-occur at EXCERPT scope at least cooccurrenceMin times "
    "(weight: that count, as in `cooccurrence`) or that a concept link joins, either way (weight: its evidence "
    "excerpts, at least 1, as on the theme map); both add up. Links to or from themes are left out: themes are the "
    "groups. Communities: the codes with an edge, split by the Leiden algorithm maximising weighted modularity at "
    "`resolution`, seeded with `seed` (the same question gives the same answer)."
)


async def _codes(info: Info, ids: list[str]) -> list[Code]:
    return [Code.of(c) for c in await info.context.loaders.code.load_many(ids) if c]


async def _themes(info: Info, ids: list[str]) -> list[Theme]:
    return [Theme.of(t) for t in await info.context.loaders.theme.load_many(ids) if t]


@strawberry.type(description="A code in the network, with its centrality.")
class ConceptNetworkNode:
    code_id: strawberry.ID
    theme_ids: list[strawberry.ID] = strawberry.field(description="The themes the code is in (directly).")
    degree: int = strawberry.field(description="The codes it has an edge with.")
    weighted_degree: int = strawberry.field(description="The sum of its edges' weights.")
    betweenness: float | None = strawberry.field(
        description="The share of shortest paths between two other codes that pass through it (paths counted by "
        "steps, not weights; normalised by (n-1)(n-2)/2 for n codes): high for codes that bridge otherwise separate "
        "parts of the analysis. Null when the question was asked with betweenness: false."
    )
    community: int | None = strawberry.field(
        description="Its community's index in ConceptNetwork.communities; null for a code with no edge."
    )

    @strawberry.field
    async def code(self, info: Info) -> Code | None:
        found = await _codes(info, [self.code_id])
        return found[0] if found else None


@strawberry.type(description="Two codes joined by co-occurrence, concept links, or both.")
class ConceptNetworkEdge:
    source_id: strawberry.ID = strawberry.field(description="The first of the two codes in the project's code order.")
    target_id: strawberry.ID
    weight: int = strawberry.field(description="cooccurrence plus the links' weights.")
    cooccurrence: int = strawberry.field(description="The EXCERPT-scope co-occurrence count (0 below cooccurrenceMin).")
    links: int = strawberry.field(description="Concept links between the two codes, either way.")


@strawberry.type(
    description="Codes that cluster together: a suggestion for a theme, especially when `acrossThemes`, or when "
    "some of its codes are in no theme yet."
)
class CodeCommunity:
    index: int
    code_ids: list[strawberry.ID]
    theme_ids: list[strawberry.ID] = strawberry.field(description="The themes its codes are in (directly).")
    across_themes: bool = strawberry.field(
        description="Its codes that are in themes are not all in one theme: they cluster together across themes."
    )

    @strawberry.field
    async def codes(self, info: Info) -> list[Code]:
        return await _codes(info, list(self.code_ids))

    @strawberry.field
    async def themes(self, info: Info) -> list[Theme]:
        return await _themes(info, list(self.theme_ids))


@strawberry.type(description="A theme set against the communities.")
class ThemeCommunities:
    theme_id: strawberry.ID
    code_ids: list[strawberry.ID] = strawberry.field(description="Its own codes (not its subthemes') with an edge.")
    communities: list[int] = strawberry.field(description="The communities those codes fall into.")
    splits: bool = strawberry.field(description="Its codes fall apart into more than one community.")

    @strawberry.field
    async def theme(self, info: Info) -> Theme | None:
        found = await _themes(info, [self.theme_id])
        return found[0] if found else None


@strawberry.type(description="The network of concepts. " + METHOD)
class ConceptNetwork:
    nodes: list[ConceptNetworkNode] = strawberry.field(description="Every code, in the project's code order.")
    communities: list[CodeCommunity] = strawberry.field(description="Largest first.")
    themes: list[ThemeCommunities] = strawberry.field(description="Every theme, in the project's theme order.")
    modularity: float | None = strawberry.field(
        description="The weighted modularity of the communities (at `resolution`); null without edges."
    )
    found: strawberry.Private[results.ConceptNetwork]

    @strawberry.field(description="Every edge, built only when asked for (a large project has many).")
    def edges(self) -> list[ConceptNetworkEdge]:
        e = self.found.edges
        return [
            ConceptNetworkEdge(
                source_id=strawberry.ID(a), target_id=strawberry.ID(b), weight=w, cooccurrence=c, links=n
            )
            for a, b, w, c, n in zip(e.a, e.b, e.weight, e.cooccurrence, e.links)
        ]


@strawberry.type
class NetworkQuery:
    @strawberry.field(
        description="Which codes bridge separate parts of the analysis, and which cluster together whatever the "
        "themes say. " + METHOD + " " + DEFINITIONS
    )
    async def concept_network(
        self,
        info: Info,
        project_id: strawberry.ID,
        cooccurrence_min: Annotated[
            int | None,
            strawberry.argument(description="Co-occurrence edges from this count (1 or more); null: links only."),
        ] = 1,
        links: Annotated[
            bool, strawberry.argument(description="Whether concept links between codes are edges.")
        ] = True,
        resolution: Annotated[
            float,
            strawberry.argument(
                description="Modularity's resolution, above 0 and at most 100: higher finds smaller communities.",
            ),
        ] = 1.0,
        seed: Annotated[int, strawberry.argument(description="Seeds the community detection, 0 or more.")] = 0,
        betweenness: Annotated[
            bool,
            strawberry.argument(
                description="Whether to work out betweenness, whose cost grows with codes x edges (seconds for a "
                "thousand codes most of which co-occur); false answers sooner, with null betweenness."
            ),
        ] = True,
        filter: CaseFilter | None = None,
        coders: list[strawberry.ID] | None = None,
    ) -> ConceptNetwork:
        found = await info.context.reader.concept_network(
            project_id, cooccurrence_min, links, resolution, seed, betweenness, case_filter(filter), _coders(coders)
        )
        return ConceptNetwork(
            nodes=[
                ConceptNetworkNode(
                    code_id=strawberry.ID(n.code_id),
                    theme_ids=[strawberry.ID(t) for t in n.theme_ids],
                    degree=n.degree,
                    weighted_degree=n.weighted_degree,
                    betweenness=n.betweenness,
                    community=n.community,
                )
                for n in found.nodes
            ],
            communities=[
                CodeCommunity(
                    index=c.index,
                    code_ids=[strawberry.ID(x) for x in c.code_ids],
                    theme_ids=[strawberry.ID(t) for t in c.theme_ids],
                    across_themes=c.across_themes,
                )
                for c in found.communities
            ],
            themes=[
                ThemeCommunities(
                    theme_id=strawberry.ID(t.theme_id),
                    code_ids=[strawberry.ID(x) for x in t.code_ids],
                    communities=list(t.communities),
                    splits=t.splits,
                )
                for t in found.themes
            ],
            modularity=found.modularity,
            found=found,
        )

"""The network of concepts through GraphQL over HTTP, on both adapters, on two triangles
of codes joined by one link, worked out by hand.

    codes    A B C D E F G; themes T1 {A, B, G}, T2 {C, D, E, F}
    doc1 (p1)  A+B, A+B, A+C, B+C, G alone           (by the owner)
    doc2 (p2)  D+E, D+F (by the owner), E+F, E+F (by u2)
    links      A ASSOCIATED_WITH B, C CAUSES D, A CAUSES T2 (to a theme: not an edge)

Edges (co-occurrence + links = weight): AB 2+1 = 3, AC 1, BC 1, CD 0+1 = 1, DE 1, DF 1,
EF 2. Total weight m = 10.

    degree       A 2, B 2, C 3, D 3, E 2, F 2, G 0
    weighted     A 4, B 4, C 3, D 3, E 3, F 3, G 0
    betweenness  C lies on the one shortest path from each of A, B to each of D, E, F (6
                 pairs), D on those from A, B, C to E, F (6); normalised by (7-1)(7-2)/2 = 15:
                 C 0.4, D 0.4, the others 0.
    communities  {A, B, C} (inside 5, degrees 11) and {D, E, F} (inside 4, degrees 9):
                 Q = 5/10 - (11/20)^2 + 4/10 - (9/20)^2 = 0.395, above any other split
                 ({A, B}, {C, D}, {E, F}: 0.26; {A, B, C, D}, {E, F}: 0.22).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from graph.inputs import CodedPassage, NewCode, NewDocument, NewExcerpt, NewLink, NewParticipant, NewProject, NewTheme
from graph.models import LinkKind
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.support import GraphQLClient, serve_in_process

P = "net"
NODES = "nodes { code { name } themeIds degree weightedDegree betweenness community }"
GROUPS = (
    "communities { index codes { name } themeIds acrossThemes } themes { theme { name } codeIds communities splits }"
)
EDGES = "edges { sourceId targetId weight cooccurrence links }"


async def build(service: Service, owner: str) -> None:
    await service.ensure_user("u2", "U2")
    me = Actor(owner, trusted=True)
    await service.create_project(Actor(owner), NewProject(id=P, name="Network"))
    for code in "ABCDEFG":
        await service.create_code(me, NewCode(id=code, project_id=P, name=code))
    for theme, codes in [("T1", "ABG"), ("T2", "CDEF")]:
        await service.create_theme(me, NewTheme(id=theme, project_id=P, name=theme))
        for code in codes:
            await service.add_code_to_theme(me, code, theme)
    for n in (1, 2):
        await service.add_participant(me, NewParticipant(id=f"p{n}", project_id=P, pseudonym=f"P{n}"))
        await service.add_document(
            me, NewDocument(id=f"doc{n}", project_id=P, title=f"doc{n}", text="x" * 60, participant_id=f"p{n}")
        )
    coded = [
        ("doc1", "AB", owner),
        ("doc1", "AB", owner),
        ("doc1", "AC", owner),
        ("doc1", "BC", owner),
        ("doc1", "G", owner),
        ("doc2", "DE", owner),
        ("doc2", "DF", owner),
        ("doc2", "EF", "u2"),
        ("doc2", "EF", "u2"),
    ]
    spans = {"doc1": 0, "doc2": 0}
    passages = []
    for doc, codes, coder in coded:
        start = spans[doc]
        spans[doc] += 10
        passages.append(
            CodedPassage(
                coder_id=coder,
                code_ids=tuple(codes),
                excerpt=NewExcerpt(document_id=doc, start=start, end=start + 5),
            )
        )
    await service.code_passages(me, P, passages)
    for source, target, kind in [
        ("A", "B", LinkKind.ASSOCIATED_WITH),
        ("C", "D", LinkKind.CAUSES),
        ("A", "T2", LinkKind.CAUSES),
    ]:
        await service.link_concepts(me, NewLink(source_id=source, target_id=target, kind=kind))


@pytest.fixture
async def api(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[GraphQLClient]:
    async with serve_in_process(settings, new_store()) as client:
        assert client.service is not None
        await build(client.service, client.user_id)
        yield client


async def network(api: GraphQLClient, arguments: str = "", fields: str = NODES, **variables: object) -> dict:
    params = "".join(f", ${k}: {t}" for k, t in {"coders": "[ID!]", "filter": "CaseFilter"}.items() if k in variables)
    query = f"query($p: ID!{params}) {{ conceptNetwork(projectId: $p{arguments}) {{ {fields} }} }}"
    return (await api.ok(query, p=P, **variables))["conceptNetwork"]


def nodes(found: dict) -> dict[str, tuple]:
    return {
        n["code"]["name"]: (n["degree"], n["weightedDegree"], n["betweenness"], n["community"]) for n in found["nodes"]
    }


async def test_centrality_and_communities_against_the_themes(api: GraphQLClient) -> None:
    found = await network(api, fields=f"{NODES} {GROUPS} {EDGES} modularity")
    assert nodes(found) == {
        "A": (2, 4, 0.0, 0),
        "B": (2, 4, 0.0, 0),
        "C": (3, 3, 0.4, 0),
        "D": (3, 3, 0.4, 1),
        "E": (2, 3, 0.0, 1),
        "F": (2, 3, 0.0, 1),
        "G": (0, 0, 0.0, None),
    }
    assert [n["themeIds"] for n in found["nodes"]] == [["T1"], ["T1"], ["T2"], ["T2"], ["T2"], ["T2"], ["T1"]]
    assert found["edges"] == [
        {"sourceId": a, "targetId": b, "weight": w, "cooccurrence": c, "links": n}
        for a, b, w, c, n in [
            ("A", "B", 3, 2, 1),
            ("A", "C", 1, 1, 0),
            ("B", "C", 1, 1, 0),
            ("C", "D", 1, 0, 1),
            ("D", "E", 1, 1, 0),
            ("D", "F", 1, 1, 0),
            ("E", "F", 2, 2, 0),
        ]
    ]
    assert found["modularity"] == pytest.approx(0.395)
    # {A, B, C} joins T1's A and B with T2's C: they cluster across themes; T2 falls apart.
    assert found["communities"] == [
        {
            "index": 0,
            "codes": [{"name": "A"}, {"name": "B"}, {"name": "C"}],
            "themeIds": ["T1", "T2"],
            "acrossThemes": True,
        },
        {"index": 1, "codes": [{"name": "D"}, {"name": "E"}, {"name": "F"}], "themeIds": ["T2"], "acrossThemes": False},
    ]
    assert found["themes"] == [
        {"theme": {"name": "T1"}, "codeIds": ["A", "B"], "communities": [0], "splits": False},
        {"theme": {"name": "T2"}, "codeIds": ["C", "D", "E", "F"], "communities": [0, 1], "splits": True},
    ]
    assert await network(api, ", seed: 12345", fields=f"{NODES} {GROUPS} modularity") == {
        k: found[k] for k in ("nodes", "communities", "themes", "modularity")
    }
    quick = await network(api, ", betweenness: false", fields=f"{NODES} {GROUPS}")
    assert [n["betweenness"] for n in quick["nodes"]] == [None] * 7
    assert quick["communities"] == found["communities"] and quick["themes"] == found["themes"]


async def test_the_filter_and_the_coders_shape_the_network(api: GraphQLClient) -> None:
    # Only doc1's co-occurrences: AB 2+1, AC 1, BC 1, and the link CD. C is on A-D and B-D:
    # 2/15. Best split (m = 6): {A, B} (inside 3, degrees 8) and {C, D} (inside 1, degrees 4):
    # 3/6 - (8/12)^2 + 1/6 - (4/12)^2 = 1/9, above one community (0) and {A, B, C}, {D} (< 0).
    found = await network(
        api, ", filter: $filter", fields=f"{NODES} {GROUPS} modularity", filter={"participantIds": ["p1"]}
    )
    assert nodes(found) == {
        "A": (2, 4, 0.0, 0),
        "B": (2, 4, 0.0, 0),
        "C": (3, 3, pytest.approx(2 / 15, abs=1e-6), 1),
        "D": (1, 1, 0.0, 1),
        "E": (0, 0, 0.0, None),
        "F": (0, 0, 0.0, None),
        "G": (0, 0, 0.0, None),
    }
    assert found["modularity"] == pytest.approx(1 / 9, abs=1e-6)
    assert [(c["themeIds"], c["acrossThemes"]) for c in found["communities"]] == [(["T1"], False), (["T2"], False)]
    assert [(t["codeIds"], t["splits"]) for t in found["themes"]] == [(["A", "B"], False), (["C", "D"], False)]
    # The owner's codings only: E+F goes; D is then also on E-D-F: (6 + 1)/15.
    mine = nodes(await network(api, ", coders: $coders", coders=[api.user_id]))
    assert {k: v[:3] for k, v in mine.items() if k in "CDEF"} == {
        "C": (3, 3, 0.4),
        "D": (3, 3, pytest.approx(7 / 15, abs=1e-6)),
        "E": (1, 1, 0.0),
        "F": (1, 1, 0.0),
    }


async def test_which_edges_count(api: GraphQLClient) -> None:
    strong = await network(api, ", cooccurrenceMin: 2", fields=EDGES)
    assert [(e["sourceId"], e["targetId"], e["weight"], e["cooccurrence"], e["links"]) for e in strong["edges"]] == [
        ("A", "B", 3, 2, 1),
        ("C", "D", 1, 0, 1),
        ("E", "F", 2, 2, 0),
    ]
    links = await network(api, ", cooccurrenceMin: null", fields=EDGES)
    assert [(e["sourceId"], e["targetId"], e["weight"]) for e in links["edges"]] == [("A", "B", 1), ("C", "D", 1)]
    empty = await network(api, ", cooccurrenceMin: null, links: false", fields=f"{NODES} {GROUPS} {EDGES} modularity")
    assert empty["edges"] == [] and empty["communities"] == [] and empty["modularity"] is None
    assert {v for v in nodes(empty).values()} == {(0, 0, 0.0, None)}
    assert [t["splits"] for t in empty["themes"]] == [False, False]


async def test_the_answer_follows_a_change(api: GraphQLClient) -> None:
    before = await network(api)
    await api.ok('mutation { codeText(input: {documentId: "doc1", start: 50, end: 55, codeIds: ["G", "E"]}) { id } }')
    after = nodes(await network(api))
    assert nodes(before)["G"] == (0, 0, 0.0, None) and after["G"][:2] == (1, 1)


@pytest.mark.parametrize(
    ("arguments", "word"),
    [
        (", cooccurrenceMin: 0", "cooccurrenceMin"),
        (", resolution: 0", "resolution"),
        (", resolution: 101", "resolution"),
        (", seed: -1", "seed"),
    ],
)
async def test_bad_parameters_are_refused(api: GraphQLClient, arguments: str, word: str) -> None:
    error = await api.error(f'{{ conceptNetwork(projectId: "{P}"{arguments}) {{ modularity }} }}')
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and word in error["message"], error

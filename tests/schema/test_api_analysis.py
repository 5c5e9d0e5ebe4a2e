"""Cross-case questions through GraphQL over HTTP, on both adapters, against a small
hand-built study whose answers are worked out by hand below.

    participants  Ann {involvement: CP, age: 7}   Bea {involvement: CIN, age: 9}   Cat {age: 6}
    documents     doc-a (Ann)  doc-b (Bea)  doc-c (Cat)  doc-x (nobody)
    codes         F, K, T, S (S a child of F)
    themes        Threat {F}, Failing {S} (a subtheme of Threat), Help {K, T}
    links         F CAUSES S, K CONTRADICTS S
    excerpts      a1 doc-a [0,10) F by u1, K by u2    a2 doc-a [5,15) T by u1 (overlaps a1)
                  a3 doc-a [20,30) S by u1            a4 doc-a [40,50) K by u1
                  b1 doc-b [0,10) F, T by u1          b2 doc-b [30,40) K by u2
                  c1 doc-c [0,10) F by u2             x1 doc-x [0,10) F, K by u1

So F = {a1, b1, c1, x1}, K = {a1, a4, b2, x1}, T = {a2, b1}, S = {a3};
Threat = F + S (through Failing), Help = K + T.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from api.settings import Settings
from graph.inputs import (
    CodedPassage,
    NewCode,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewParticipant,
    NewProject,
    NewTheme,
)
from graph.models import LinkKind
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.support import GraphQLClient, serve_in_process

TEXTS = {
    "doc-a": "Ann said the social worker judged her. Later Jo was kind and the judgement lifted.",
    "doc-b": "Bea: the Social Worker came; she felt JUDGED, then known.",
    "doc-c": "Cat: nobody judged; the crèche helped.",
    "doc-x": "Notes: judgement and social care.",
}
P = "study"


@dataclass
class Study:
    api: GraphQLClient

    async def ask(self, query: str, **variables: object) -> dict:
        return await self.api.ok(query, p=P, **variables)


async def build(service: Service, owner: str) -> None:
    """The study, made by `owner` with the help of u1 (who acts as a seed loader does)."""
    for user in ("u1", "u2"):
        await service.ensure_user(user, user.upper())
    u1 = Actor("u1", trusted=True)
    await service.create_project(Actor(owner), NewProject(id=P, name="Hand-built"))
    for id, name, attributes in [
        ("ann", "Ann", {"involvement": "CP", "age": 7}),
        ("bea", "Bea", {"involvement": "CIN", "age": 9}),
        ("cat", "Cat", {"age": 6}),
    ]:
        await service.add_participant(u1, NewParticipant(id=id, project_id=P, pseudonym=name, attributes=attributes))
    for doc, who in [("doc-a", "ann"), ("doc-b", "bea"), ("doc-c", "cat"), ("doc-x", None)]:
        await service.add_document(
            u1, NewDocument(id=doc, project_id=P, title=doc, text=TEXTS[doc], participant_id=who)
        )
    for code, parent in [("F", None), ("K", None), ("T", None), ("S", "F")]:
        await service.create_code(u1, NewCode(id=code, project_id=P, name=code, parent_id=parent))
    for theme, parent, codes in [("Threat", None, ["F"]), ("Failing", "Threat", ["S"]), ("Help", None, ["K", "T"])]:
        await service.create_theme(u1, NewTheme(id=theme, project_id=P, name=theme, parent_id=parent))
        for code in codes:
            await service.add_code_to_theme(u1, code, theme)
    spans = {
        "a1": ("doc-a", 0, 10),
        "a2": ("doc-a", 5, 15),
        "a3": ("doc-a", 20, 30),
        "a4": ("doc-a", 40, 50),
        "b1": ("doc-b", 0, 10),
        "b2": ("doc-b", 30, 40),
        "c1": ("doc-c", 0, 10),
        "x1": ("doc-x", 0, 10),
    }
    codings = [
        ("a1", "u1", "F"),
        ("a1", "u2", "K"),
        ("a2", "u1", "T"),
        ("a3", "u1", "S"),
        ("a4", "u1", "K"),
        ("b1", "u1", "F"),
        ("b1", "u1", "T"),
        ("b2", "u2", "K"),
        ("c1", "u2", "F"),
        ("x1", "u1", "F"),
        ("x1", "u1", "K"),
    ]
    await service.code_passages(
        Actor(owner, trusted=True),
        P,
        [
            CodedPassage(
                coder_id=coder,
                code_ids=(code,),
                excerpt=NewExcerpt(id=e, document_id=spans[e][0], start=spans[e][1], end=spans[e][2]),
            )
            for e, coder, code in codings
        ],
    )
    await service.link_concepts(u1, NewLink(id="L1", source_id="F", target_id="S", kind=LinkKind.CAUSES))
    await service.link_concepts(
        u1, NewLink(id="L2", source_id="K", target_id="S", kind=LinkKind.CONTRADICTS, evidence_excerpt_ids=("a3", "a4"))
    )


@pytest.fixture
async def study(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[Study]:
    async with serve_in_process(settings, new_store()) as api:
        assert api.service is not None
        await build(api.service, api.user_id)
        yield Study(api)


CP = {"attributes": [{"name": "involvement", "equals": "CP"}]}


async def test_theme_map(study: Study) -> None:
    data = (
        await study.ask(
            """query($p: ID!, $m: Int) { themeMap(projectId: $p, cooccurrenceMin: $m) {
        nodes { id kind label status excerptCount participantCount }
        edges { source target kind linkKind weight link { id } } } }""",
            m=2,
        )
    )["themeMap"]
    counts = {n["id"]: (n["kind"], n["excerptCount"], n["participantCount"]) for n in data["nodes"]}
    assert counts == {
        "F": ("CODE", 4, 3),
        "K": ("CODE", 4, 2),
        "T": ("CODE", 2, 2),
        "S": ("CODE", 1, 1),
        "Threat": ("THEME", 5, 3),
        "Failing": ("THEME", 1, 1),
        "Help": ("THEME", 6, 2),
    }
    edges = {(e["source"], e["target"], e["kind"], e["weight"]) for e in data["edges"]}
    assert edges == {
        ("F", "Threat", "MEMBER_OF", 1),
        ("S", "Failing", "MEMBER_OF", 1),
        ("K", "Help", "MEMBER_OF", 1),
        ("T", "Help", "MEMBER_OF", 1),
        ("Failing", "Threat", "SUBTHEME_OF", 1),
        ("S", "F", "CHILD_OF", 1),
        ("F", "S", "LINK", 1),
        ("K", "S", "LINK", 2),
        ("F", "K", "COOCCURS", 2),
        ("F", "T", "COOCCURS", 2),
    }
    assert {e["link"]["id"] for e in data["edges"] if e["kind"] == "LINK"} == {"L1", "L2"}
    plain = (await study.ask("query($p: ID!) { themeMap(projectId: $p) { edges { kind } } }"))["themeMap"]
    assert "COOCCURS" not in {e["kind"] for e in plain["edges"]}


async def test_theme_map_with_filter_and_coders(study: Study) -> None:
    data = (
        await study.ask(
            "query($p: ID!, $f: CaseFilter, $c: [ID!]) { themeMap(projectId: $p, filter: $f, coders: $c) "
            "{ nodes { id excerptCount participantCount } } }",
            f=CP,
            c=["u1"],
        )
    )["themeMap"]
    counts = {n["id"]: (n["excerptCount"], n["participantCount"]) for n in data["nodes"]}
    # Ann's excerpts coded by u1: a1 F, a2 T, a3 S, a4 K
    assert counts == {
        "F": (1, 1),
        "K": (1, 1),
        "T": (1, 1),
        "S": (1, 1),
        "Threat": (2, 1),
        "Failing": (1, 1),
        "Help": (2, 1),
    }


PAIRS = """query($p: ID!, $s: CooccurrenceScope!, $c: [ID!], $t: [ID!], $m: Int!, $f: CaseFilter) {
  cooccurrence(projectId: $p, scope: $s, codeIds: $c, themeIds: $t, minCount: $m, filter: $f) {
    a { ... on Code { id } ... on Theme { id } } b { ... on Code { id } ... on Theme { id } } count jaccard } }"""


async def pairs(
    study: Study,
    scope: str,
    codes: list[str] | None = None,
    themes: list[str] | None = None,
    min_count: int = 1,
    filter: dict | None = None,
) -> list[tuple[str, str, int, float]]:
    data = await study.ask(PAIRS, s=scope, c=codes, t=themes, m=min_count, f=filter)
    return [(p["a"]["id"], p["b"]["id"], p["count"], p["jaccard"]) for p in data["cooccurrence"]]


async def test_cooccurrence_at_excerpt_scope_counts_shared_and_overlapping_excerpts(study: Study) -> None:
    # a1 and x1 carry F and K; b1 carries F and T; a1 (F, K) overlaps a2 (T).
    assert await pairs(study, "EXCERPT", ["F", "K", "T", "S"]) == [
        ("F", "K", 2, round(2 / 6, 6)),  # involved {a1, x1} of F|K {a1, b1, c1, x1, a4, b2}
        ("F", "T", 2, round(3 / 5, 6)),  # involved {b1, a1, a2} of {a1, b1, c1, x1, a2}
        ("K", "T", 1, round(2 / 6, 6)),  # involved {a1, a2} of {a1, a4, b2, x1, a2, b1}
    ]
    assert await pairs(study, "EXCERPT", ["F", "K", "T", "S"], filter=CP) == [
        ("F", "K", 1, 0.5),
        ("F", "T", 1, 1.0),
        ("K", "T", 1, round(2 / 3, 6)),
    ]
    # Threat {a1, b1, c1, x1, a3} and Help {a1, a4, b2, x1, a2, b1}: a1, b1, x1, and a1 with a2
    assert await pairs(study, "EXCERPT", themes=["Threat", "Help"]) == [("Threat", "Help", 4, 0.5)]


async def test_cooccurrence_by_document_and_participant(study: Study) -> None:
    assert await pairs(study, "DOCUMENT", ["F", "K", "T", "S"]) == [
        ("F", "K", 3, 0.75),
        ("F", "T", 2, 0.5),
        ("K", "T", 2, round(2 / 3, 6)),
        ("F", "S", 1, 0.25),
        ("K", "S", 1, round(1 / 3, 6)),
        ("T", "S", 1, 0.5),
    ]
    assert await pairs(study, "PARTICIPANT", ["F", "K", "T", "S"], min_count=2) == [
        ("F", "K", 2, round(2 / 3, 6)),
        ("F", "T", 2, round(2 / 3, 6)),
        ("K", "T", 2, 1.0),
    ]


async def test_case_matrix(study: Study) -> None:
    query = """query($p: ID!, $c: [ID!], $k: [ID!]) { caseMatrix(projectId: $p, columns: CODE, columnIds: $c, coders: $k) {
        columns { ... on Code { id } } rows { participant { pseudonym attributes }
        cells { count excerpts(first: 1) { id } } } } }"""
    data = (await study.ask(query, c=["F", "K"]))["caseMatrix"]
    assert [c["id"] for c in data["columns"]] == ["F", "K"]
    rows = {
        r["participant"]["pseudonym"]: [(c["count"], [e["id"] for e in c["excerpts"]]) for c in r["cells"]]
        for r in data["rows"]
    }
    assert list(rows) == ["Ann", "Bea", "Cat"]
    assert rows == {"Ann": [(1, ["a1"]), (2, ["a1"])], "Bea": [(1, ["b1"]), (1, ["b2"])], "Cat": [(1, ["c1"]), (0, [])]}
    assert data["rows"][0]["participant"]["attributes"] == {"involvement": "CP", "age": 7}
    by_u1 = (await study.ask(query, c=["F", "K"], k=["u1"]))["caseMatrix"]
    assert [[c["count"] for c in r["cells"]] for r in by_u1["rows"]] == [[1, 1], [1, 0], [0, 0]]


async def test_compare_groups(study: Study) -> None:
    query = """query($p: ID!, $a: String!, $c: [ID!], $f: CaseFilter) {
        compareGroups(projectId: $p, attribute: $a, columns: THEME, columnIds: $c, filter: $f) {
        value n concepts { concept { ... on Theme { id } } participants proportion } } }"""
    groups = (await study.ask(query, a="involvement", c=["Threat", "Help", "Failing"]))["compareGroups"]
    assert [
        (g["value"], g["n"], [(c["concept"]["id"], c["participants"], c["proportion"]) for c in g["concepts"]])
        for g in groups
    ] == [
        ("CIN", 1, [("Threat", 1, 1.0), ("Help", 1, 1.0), ("Failing", 0, 0.0)]),
        ("CP", 1, [("Threat", 1, 1.0), ("Help", 1, 1.0), ("Failing", 1, 1.0)]),
        (None, 1, [("Threat", 1, 1.0), ("Help", 0, 0.0), ("Failing", 0, 0.0)]),
    ]
    older = {"attributes": [{"name": "age", "min": 7}]}
    groups = (await study.ask(query, a="involvement", c=["Help"], f=older))["compareGroups"]
    assert [(g["value"], g["n"]) for g in groups] == [("CIN", 1), ("CP", 1)]
    either = {"attributes": [{"name": "involvement", "oneOf": ["CP", "CIN"]}], "participantIds": ["bea", "cat"]}
    groups = (await study.ask(query, a="age", c=["Help"], f=either))["compareGroups"]
    assert [(g["value"], g["n"]) for g in groups] == [(9, 1)]


FIND = """query($p: ID!, $w: ExcerptCondition!, $n: Int!, $after: String) {
  findExcerpts(projectId: $p, where: $w, first: $n, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }"""


async def found(study: Study, where: dict, first: int = 20, after: str | None = None) -> tuple[list[str], dict]:
    data = (await study.ask(FIND, w=where, n=first, after=after))["findExcerpts"]
    return [e["node"]["id"] for e in data["edges"]], data["pageInfo"]


async def test_find_excerpts(study: Study) -> None:
    assert (await found(study, {"allOf": ["F"], "noneOf": ["K"]}))[0] == ["b1", "c1"]
    assert (await found(study, {"anyOf": ["T", "S"]}))[0] == ["a2", "a3", "b1"]
    assert (
        await found(
            study, {"allOf": ["Threat"], "filter": {"attributes": [{"name": "involvement", "oneOf": ["CP", "CIN"]}]}}
        )
    )[0] == ["a1", "a3", "b1"]
    assert (await found(study, {"allOf": ["F"], "coders": ["u2"]}))[0] == ["c1"]
    assert (await found(study, {"text": "THE"}))[0] == ["a2", "b1"]
    assert (await found(study, {"allOf": ["F"], "text": "the"}))[0] == ["b1"]
    ids, page = await found(study, {"allOf": ["Help"]}, first=2)
    assert ids == ["a1", "a2"] and page["hasNextPage"]
    ids, page = await found(study, {"allOf": ["Help"]}, first=10, after=page["endCursor"])
    assert ids == ["a4", "b1", "b2", "x1"] and not page["hasNextPage"]


async def test_participants_matching(study: Study) -> None:
    query = """query($p: ID!, $w: ExcerptCondition!) { participantsMatching(projectId: $p, where: $w) {
        participant { pseudonym } excerpts { id } } }"""

    async def match(where: dict) -> list[tuple[str, list[str]]]:
        data = (await study.ask(query, w=where))["participantsMatching"]
        return [(m["participant"]["pseudonym"], [e["id"] for e in m["excerpts"]]) for m in data]

    assert await match({"allOf": ["F", "T"]}) == [("Ann", ["a1", "a2"]), ("Bea", ["b1"])]
    assert await match({"allOf": ["F", "T"], "noneOf": ["S"]}) == [("Bea", ["b1"])]
    assert await match({"anyOf": ["S", "Failing"]}) == [("Ann", ["a3"])]
    assert await match({"allOf": ["Threat"], "coders": ["u2"]}) == [("Cat", ["c1"])]


async def test_sequences(study: Study) -> None:
    query = """query($p: ID!, $g: Int) { sequences(projectId: $p, first: "F", then: "K", maxGapChars: $g) {
        document { id } participant { pseudonym } first { id } then { id } gap } }"""
    hits = (await study.ask(query))["sequences"]
    assert [(h["first"]["id"], h["then"]["id"], h["gap"], h["participant"]["pseudonym"]) for h in hits] == [
        ("a1", "a4", 30, "Ann"),
        ("b1", "b2", 20, "Bea"),
    ]
    hits = (await study.ask(query, g=25))["sequences"]
    assert [(h["first"]["id"], h["then"]["id"]) for h in hits] == [("b1", "b2")]


async def test_concept_paths(study: Study) -> None:
    query = """query($p: ID!, $via: [PathRelation!], $max: Int!) {
        conceptPaths(projectId: $p, from: "F", to: "K", via: $via, maxLength: $max) {
        length steps { from { ... on Code { id } } to { ... on Code { id } } relation forward linkKind weight
        link { id evidence { id } } } } }"""

    async def paths(via: list[str] | None, max_length: int = 4) -> list[list[tuple]]:
        data = (await study.ask(query, via=via, max=max_length))["conceptPaths"]
        return [
            [
                (s["from"]["id"], s["to"]["id"], s["relation"], s["forward"], s["linkKind"], s["weight"])
                for s in p["steps"]
            ]
            for p in data
        ]

    assert await paths(None) == [[("F", "K", "COOCCURRENCE", True, None, 2)]]
    assert await paths(["LINK"]) == [
        [("F", "S", "LINK", True, "CAUSES", 1), ("S", "K", "LINK", False, "CONTRADICTS", 1)]
    ]
    assert await paths(["LINK", "HIERARCHY"]) == [
        [("F", "S", "HIERARCHY", False, None, 1), ("S", "K", "LINK", False, "CONTRADICTS", 1)],
        [("F", "S", "LINK", True, "CAUSES", 1), ("S", "K", "LINK", False, "CONTRADICTS", 1)],
    ]
    assert await paths(["MEMBERSHIP", "HIERARCHY"]) == []
    assert await paths(["LINK"], max_length=1) == []
    evidence = (await study.ask(query, via=["LINK"], max=4))["conceptPaths"][0]["steps"][1]["link"]["evidence"]
    assert evidence == [{"id": "a3"}, {"id": "a4"}]


async def test_search(study: Study) -> None:
    query = """query($p: ID!, $t: String!, $n: Int!, $after: String) { search(projectId: $p, text: $t, first: $n, after: $after) {
        edges { node { document { id } participant { pseudonym } start end text } } pageInfo { hasNextPage endCursor } } }"""

    async def hits(text: str, first: int = 20, after: str | None = None) -> tuple[list[tuple], dict]:
        data = (await study.ask(query, t=text, n=first, after=after))["search"]
        return [(h["node"]["document"]["id"], h["node"]["text"]) for h in data["edges"]], data["pageInfo"]

    assert (await hits("judged"))[0] == [("doc-a", "judged"), ("doc-b", "JUDGED"), ("doc-c", "judged")]
    assert (await hits('"social worker"'))[0] == [("doc-a", "social worker"), ("doc-b", "Social Worker")]
    assert (await hits("social JUDGED"))[0] == [
        ("doc-a", "social"),
        ("doc-a", "judged"),
        ("doc-b", "Social"),
        ("doc-b", "JUDGED"),
    ]
    assert (await hits("creche"))[0] == [("doc-c", "crèche")]
    first, page = await hits("judged", first=2)
    assert len(first) == 2 and page["hasNextPage"]
    rest, page = await hits("judged", first=2, after=page["endCursor"])
    assert rest == [("doc-c", "judged")] and not page["hasNextPage"]
    hit = (await study.ask(query, t="judged", n=1))["search"]["edges"][0]["node"]
    assert TEXTS["doc-a"][hit["start"] : hit["end"]] == "judged" and hit["participant"] == {"pseudonym": "Ann"}


async def test_search_matches_words_by_their_stem(study: Study) -> None:
    """ "judging" finds "judged" (and not "judgement", another stem); a phrase matches stem by stem;
    each hit is the word as written, at its offsets, on both adapters (the embedded store narrows
    by its full-text index, the Bolt server's by scanning)."""
    query = """query($p: ID!, $t: String!) { search(projectId: $p, text: $t) {
        edges { node { document { id } start end text context contextStart } } } }"""

    async def hits(text: str) -> list[tuple[str, str]]:
        found = [e["node"] for e in (await study.ask(query, t=text))["search"]["edges"]]
        for h in found:
            assert TEXTS[h["document"]["id"]][h["start"] : h["end"]] == h["text"], h
            assert h["context"][h["start"] - h["contextStart"] :].startswith(h["text"]), h
        return [(h["document"]["id"], h["text"]) for h in found]

    assert await hits("judging") == [("doc-a", "judged"), ("doc-b", "JUDGED"), ("doc-c", "judged")]
    assert await hits("judgements") == [("doc-a", "judgement"), ("doc-x", "judgement")]
    assert await hits('"social workers"') == [("doc-a", "social worker"), ("doc-b", "Social Worker")]
    assert await hits("kindness judges") == [("doc-a", "judged"), ("doc-a", "kind")]
    assert await hits("helping") == [("doc-c", "helped")]


async def test_search_near_keeps_to_stretches_holding_every_word(study: Study) -> None:
    query = """query($p: ID!, $t: String!, $near: Int) { search(projectId: $p, text: $t, near: $near) {
        edges { node { document { id } text } } } }"""

    async def hits(text: str, near: int | None) -> list[tuple[str, str]]:
        found = (await study.ask(query, t=text, near=near))["search"]["edges"]
        return [(e["node"]["document"]["id"], e["node"]["text"]) for e in found]

    # doc-a: "social worker judged" (3 words); doc-b: "Social Worker came; she felt JUDGED" (6)
    assert await hits("social judging", 3) == [("doc-a", "social"), ("doc-a", "judged")]
    assert await hits("social judging", 6) == [
        ("doc-a", "social"),
        ("doc-a", "judged"),
        ("doc-b", "Social"),
        ("doc-b", "JUDGED"),
    ]
    # doc-a: "judged her. Later Jo was kind and the judgement lifted": 10 words from first to last
    assert await hits("judged lifted", 9) == []
    assert await hits("judged lifted", 10) == [("doc-a", "judged"), ("doc-a", "lifted")]
    for near in (1, 101):
        error = await study.api.error(query, p=P, t="social judging", near=near)
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and "between 2" in error["message"], error


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ('{ themeMap(projectId: "nope") { nodes { id } } }', "NOT_FOUND"),
        ('{ cooccurrence(projectId: "study", codeIds: ["nope"]) { count } }', "BAD_USER_INPUT"),
        ('{ compareGroups(projectId: "study", attribute: "age", columnIds: ["nope"]) { n } }', "BAD_USER_INPUT"),
        ('{ conceptPaths(projectId: "study", from: "F", to: "K", maxLength: 7) { length } }', "BAD_USER_INPUT"),
        ('{ sequences(projectId: "study", first: "F", then: "K", maxGapChars: -1) { gap } }', "BAD_USER_INPUT"),
        ('{ search(projectId: "study", text: "  ") { edges { cursor } } }', "BAD_USER_INPUT"),
        (
            '{ findExcerpts(projectId: "study", where: {filter: {attributes: [{name: "age"}]}}) { edges { cursor } } }',
            "BAD_USER_INPUT",
        ),
        ('{ findExcerpts(projectId: "study", where: {}, after: "bad") { edges { cursor } } }', "BAD_USER_INPUT"),
    ],
)
async def test_bad_questions_get_clear_errors(study: Study, query: str, code: str) -> None:
    error = await study.api.error(query)
    assert error["extensions"]["code"] == code, error


REFUSED = [
    # (field, query, what the message must name)
    ("themeMap", '{ themeMap(projectId: "study", coders: ["u1", "nope"]) { nodes { id } } }', "'nope'"),
    ("themeMap", '{ themeMap(projectId: "study", coders: []) { nodes { id } } }', "coders is an empty list"),
    (
        "themeMap",
        '{ themeMap(projectId: "study", filter: {participantIds: ["ann", "zed"]}) { nodes { id } } }',
        "Participant 'zed'",
    ),
    ("themeMap", '{ themeMap(projectId: "study", filter: {participantIds: []}) { nodes { id } } }', "participantIds"),
    (
        "themeMap",
        '{ themeMap(projectId: "study", filter: {documentGroups: ["wave 9"]}) { nodes { id } } }',
        "'wave 9'",
    ),
    ("cooccurrence", '{ cooccurrence(projectId: "study", themeIds: []) { count } }', "themeIds is an empty list"),
    ("cooccurrence", '{ cooccurrence(projectId: "study", codeIds: []) { count } }', "codeIds is an empty list"),
    ("cooccurrence", '{ cooccurrence(projectId: "study", codeIds: ["Threat"]) { count } }', "Code 'Threat'"),
    ("cooccurrence", '{ cooccurrence(projectId: "study", themeIds: ["F"]) { count } }', "Theme 'F'"),
    ("cooccurrence", '{ cooccurrence(projectId: "study", coders: ["nope"]) { count } }', "'nope'"),
    ("cooccurrenceTable", '{ cooccurrenceTable(projectId: "study", themeIds: []) { size } }', "themeIds"),
    (
        "cooccurrenceTable",
        '{ cooccurrenceTable(projectId: "study", filter: {attributes: [{name: "agee", min: 1}]}) { size } }',
        "'agee'",
    ),
    ("caseMatrix", '{ caseMatrix(projectId: "study", columnIds: []) { columnIds } }', "columnIds"),
    ("caseMatrix", '{ caseMatrix(projectId: "study", columnIds: ["nope"]) { columnIds } }', "'nope'"),
    ("caseMatrix", '{ caseMatrix(projectId: "study", coders: ["nope"]) { columnIds } }', "'nope'"),
    ("compareGroups", '{ compareGroups(projectId: "study", attribute: "nosuchattr") { n } }', "'nosuchattr'"),
    (
        "compareGroups",
        '{ compareGroups(projectId: "study", attribute: "age", '
        'filter: {attributes: [{name: "involvement", min: 2}]}) { n } }',
        "holds no numbers",
    ),
    ("compareGroups", '{ compareGroups(projectId: "study", attribute: "age", columnIds: []) { n } }', "columnIds"),
    (
        "findExcerpts",
        '{ findExcerpts(projectId: "study", where: {anyOf: ["F"], coders: ["nope"]}) { edges { cursor } } }',
        "'nope'",
    ),
    (
        "findExcerpts",
        '{ findExcerpts(projectId: "study", where: {filter: {participantIds: ["zed"]}}) { edges { cursor } } }',
        "'zed'",
    ),
    ("findExcerpts", '{ findExcerpts(projectId: "study", where: {allOf: ["nope"]}) { edges { cursor } } }', "'nope'"),
    (
        "participantsMatching",
        '{ participantsMatching(projectId: "study", where: {anyOf: ["F"], coders: ["nope"]}) { excerpts { id } } }',
        "'nope'",
    ),
    (
        "participantsMatching",
        '{ participantsMatching(projectId: "study", '
        'where: {filter: {attributes: [{name: "nosuchattr", equals: "x"}]}}) { excerpts { id } } }',
        "'nosuchattr'",
    ),
    ("sequences", '{ sequences(projectId: "study", first: "F", then: "nope") { gap } }', "'nope'"),
    ("sequences", '{ sequences(projectId: "study", first: "F", then: "K", coders: ["nope"]) { gap } }', "'nope'"),
    ("conceptPaths", '{ conceptPaths(projectId: "study", from: "F", to: "nope") { length } }', "'nope'"),
    ("conceptPaths", '{ conceptPaths(projectId: "study", from: "F", to: "K", via: []) { length } }', "via"),
    (
        "conceptPaths",
        '{ conceptPaths(projectId: "study", from: "F", to: "K", filter: {participantIds: ["zed"]}) { length } }',
        "'zed'",
    ),
    ("agreement", '{ agreement(projectId: "study", coders: ["u1", "nope"]) { unit } }', "'nope'"),
    ("agreement", '{ agreement(projectId: "study", coders: ["u1", "u2"], codeIds: ["nope"]) { unit } }', "'nope'"),
    ("agreement", '{ agreement(projectId: "study", coders: ["u1", "u2"], codeIds: []) { unit } }', "codeIds"),
    (
        "agreement",
        '{ agreement(projectId: "study", coders: ["u1", "u2"], documentIds: ["doc-z"]) { unit } }',
        "'doc-z'",
    ),
    ("agreement", '{ agreement(projectId: "study", coders: ["u1", "u2"], documentIds: []) { unit } }', "documentIds"),
]


@pytest.mark.parametrize(("field", "query", "named"), REFUSED, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(REFUSED)])
async def test_names_that_do_not_exist_are_refused(study: Study, field: str, query: str, named: str) -> None:
    """A typo is an error naming it, never an answer about nothing (zeros, one null group, all codes)."""
    error = await study.api.error(query)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert named in error["message"], error
    assert error["path"] == [field], error


async def test_refusals_say_what_exists(study: Study) -> None:
    error = await study.api.error('{ compareGroups(projectId: "study", attribute: "Age ") { n } }')
    assert "attributes in this project: 'age', 'involvement'" in error["message"], error
    error = await study.api.error(
        '{ themeMap(projectId: "study", filter: {attributes: [{name: "involvement", max: 3}]}) { nodes { id } } }'
    )
    assert "'CIN'" in error["message"] and "equals or oneOf" in error["message"], error


async def test_names_that_exist_still_answer(study: Study) -> None:
    """Coders who coded without being members (u1, u2), the owner (a member who coded nothing), a
    numeric range on a number attribute and a theme among codeIds-free themeIds all answer."""
    owner = study.api.user_id
    data = await study.ask(
        """query($p: ID!, $o: ID!) {
          themeMap(projectId: $p, coders: [$o]) { nodes { excerptCount } }
          agreement(projectId: $p, coders: ["u1", "u2"], codeIds: ["F"]) { overall { units } }
          cooccurrence(projectId: $p, themeIds: ["Threat", "Help"]) { count }
          compareGroups(projectId: $p, attribute: "age", filter: {attributes: [{name: "age", min: 7}]}) { n }
        }""",
        o=owner,
    )
    assert {n["excerptCount"] for n in data["themeMap"]["nodes"]} == {0}
    assert data["agreement"]["overall"]["units"] > 0
    assert len(data["cooccurrence"]) == 1
    assert [g["n"] for g in data["compareGroups"]] == [1, 1]

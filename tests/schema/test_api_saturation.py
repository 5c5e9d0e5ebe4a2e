"""Saturation across interviews (Guest, Namey & Chen 2020) through GraphQL over HTTP, on
both adapters, against nine interviews whose first appearances are worked out by hand.

    interview (title)   participant  interviewed   site    codes (by u1; M by u2)
    Interview 01        p1           2024-09-09    north   A B C
    Interview 02        p2           2024-08-08    north   A D E
    Interview 03        p3           2024-07-07    north   B F G
    Interview 04        p4           2024-06-06    north   C H I J
    Interview 05        p5           (none)        north   A K
    Interview 06        p6           2024-04-04    north   B L
    Interview 07        p7           2024-03-03    south   A B
    Interview 08        p8           2024-02-02    south   M
    Interview 09        p9           2024-01-01    south   A

In title order the codes first seen are 3, 2, 2, 3 (base of 4 interviews: A-J, 10 codes),
then K, L, -, M, -: cumulative 3 5 7 10 11 12 12 13 13. Runs of 2 after the base, sliding:
5-6 {K, L} 2/10 = 0.2; 6-7 {L} 0.1; 7-8 {M} 0.1; 8-9 {M} 0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from graph.inputs import CodedPassage, NewCode, NewDocument, NewExcerpt, NewParticipant, NewProject
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.support import GraphQLClient, serve_in_process

P = "sat"
INTERVIEWS = [
    ("d1", "Interview 01", {"interviewed": "2024-09-09", "site": "north"}, "ABC"),
    ("d2", "Interview 02", {"interviewed": "2024-08-08", "site": "north"}, "ADE"),
    ("d3", "Interview 03", {"interviewed": "2024-07-07", "site": "north"}, "BFG"),
    ("d4", "Interview 04", {"interviewed": "2024-06-06", "site": "north"}, "CHIJ"),
    ("d5", "Interview 05", {"site": "north"}, "AK"),
    ("d6", "Interview 06", {"interviewed": "2024-04-04", "site": "north"}, "BL"),
    ("d7", "Interview 07", {"interviewed": "2024-03-03", "site": "south"}, "AB"),
    ("d8", "Interview 08", {"interviewed": "2024-02-02", "site": "south"}, "M"),
    ("d9", "Interview 09", {"interviewed": "2024-01-01", "site": "south"}, "A"),
]
TITLE_ORDER = [d for d, *_ in INTERVIEWS]

FIELDS = """status baseSize runLength threshold documentIds baseCodes totalCodes interviewsNeeded
    highFrequencyCodes { name }
    runs { first last newCodes share } point { first last newCodes share }
    curve { position document { title } codes newCodes cumulative cumulativeHighFrequency }"""


async def build(service: Service, owner: str) -> None:
    await service.ensure_user("u2", "U2")
    u1 = Actor(owner, trusted=True)
    await service.create_project(Actor(owner), NewProject(id=P, name="Saturation"))
    for code in "ABCDEFGHIJKLM":
        await service.create_code(u1, NewCode(id=code, project_id=P, name=code))
    passages = []
    for n, (doc, title, attributes, codes) in enumerate(INTERVIEWS, start=1):
        await service.add_participant(
            u1, NewParticipant(id=f"p{n}", project_id=P, pseudonym=f"P{n}", attributes=attributes)
        )
        await service.add_document(
            u1, NewDocument(id=doc, project_id=P, title=title, text="x" * 60, participant_id=f"p{n}")
        )
        passages += [
            CodedPassage(
                coder_id="u2" if code == "M" else owner,
                code_ids=(code,),
                excerpt=NewExcerpt(id=f"{doc}-{code}", document_id=doc, start=10 * k, end=10 * k + 5),
            )
            for k, code in enumerate(codes)
        ]
    await service.code_passages(u1, P, passages)


@pytest.fixture
async def api(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[GraphQLClient]:
    async with serve_in_process(settings, new_store()) as client:
        assert client.service is not None
        await build(client.service, client.user_id)
        yield client


async def ask(api: GraphQLClient, arguments: str = "", fields: str = FIELDS, **variables: object) -> dict:
    params = "".join(f", ${k}: {t}" for k, t in _TYPES.items() if k in variables)
    query = f"query($p: ID!{params}) {{ saturation(projectId: $p{arguments}) {{ {fields} }} }}"
    return (await api.ok(query, p=P, **variables))["saturation"]


_TYPES = {"ids": "[ID!]", "coders": "[ID!]", "filter": "CaseFilter"}


def runs(*found: tuple[int, int, int, float]) -> list[dict]:
    return [{"first": a, "last": b, "newCodes": n, "share": s} for a, b, n, s in found]


async def test_title_order_with_the_default_parameters_does_not_reach_saturation(api: GraphQLClient) -> None:
    found = await ask(api)
    assert found["status"] == "NOT_REACHED" and found["point"] is None and found["interviewsNeeded"] is None
    assert (found["baseSize"], found["runLength"], found["threshold"]) == (4, 2, 0.05)
    assert found["documentIds"] == TITLE_ORDER
    assert (found["baseCodes"], found["totalCodes"]) == (10, 13)
    # 5-6 {K, L} 2/10; 6-7 {L} 1/10; 7-8 {M} 1/10; 8-9 {M} 1/10: none at or under 5%.
    assert found["runs"] == runs((5, 6, 2, 0.2), (6, 7, 1, 0.1), (7, 8, 1, 0.1), (8, 9, 1, 0.1))
    # Only A is in at least half the interviews (d1 d2 d5 d7 d9: 5 of 9); B is in 4 of 9.
    assert found["highFrequencyCodes"] == [{"name": "A"}]
    assert [
        (c["position"], c["document"]["title"], c["codes"], c["newCodes"], c["cumulative"]) for c in found["curve"]
    ] == [
        (1, "Interview 01", 3, 3, 3),
        (2, "Interview 02", 3, 2, 5),
        (3, "Interview 03", 3, 2, 7),
        (4, "Interview 04", 4, 3, 10),
        (5, "Interview 05", 2, 1, 11),
        (6, "Interview 06", 2, 1, 12),
        (7, "Interview 07", 2, 0, 12),
        (8, "Interview 08", 1, 1, 13),
        (9, "Interview 09", 1, 0, 13),
    ]
    assert [c["cumulativeHighFrequency"] for c in found["curve"]] == [1] * 9


async def test_the_first_run_at_or_under_the_threshold_is_the_point(api: GraphQLClient) -> None:
    found = await ask(api, ", threshold: 0.1, highFrequency: 0.4")
    # 6-7 brings only L: 1/10 = 0.1, at the threshold; the five interviews before it are the sample.
    assert found["status"] == "REACHED" and found["point"] == runs((6, 7, 1, 0.1))[0]
    assert found["interviewsNeeded"] == 5
    # A (5/9) and B (4/9 = 0.44) reach 0.4; both are in Interview 01.
    assert found["highFrequencyCodes"] == [{"name": "A"}, {"name": "B"}]
    assert [c["cumulativeHighFrequency"] for c in found["curve"]] == [2] * 9
    # Runs of one: 5 {K} 0.1, 6 {L} 0.1, 7 {} 0 -> the point is interview 7, after 6 interviews.
    single = await ask(api, ", runLength: 1")
    assert single["runs"] == runs((5, 5, 1, 0.1), (6, 6, 1, 0.1), (7, 7, 0, 0.0), (8, 8, 1, 0.1), (9, 9, 0, 0.0))
    assert (single["status"], single["interviewsNeeded"]) == ("REACHED", 6)


async def test_order_by_an_attribute_puts_interviews_without_it_last(api: GraphQLClient) -> None:
    found = await ask(api, ', orderByAttribute: "interviewed", threshold: 0.25')
    # By date: d9 {A}, d8 {M}, d7 {B}, d6 {L} (base: 4 codes), d4 +C H I J, d3 +F G, d2 +D E,
    # d1 +0, then d5 (no date) +K. Runs: 5-6 6/4 = 1.5; 6-7 4/4 = 1; 7-8 2/4 = 0.5; 8-9 1/4 = 0.25.
    assert found["documentIds"] == ["d9", "d8", "d7", "d6", "d4", "d3", "d2", "d1", "d5"]
    assert [c["cumulative"] for c in found["curve"]] == [1, 2, 3, 4, 8, 10, 12, 12, 13]
    assert found["baseCodes"] == 4
    assert found["runs"] == runs((5, 6, 6, 1.5), (6, 7, 4, 1.0), (7, 8, 2, 0.5), (8, 9, 1, 0.25))
    assert (found["status"], found["point"]["first"], found["interviewsNeeded"]) == ("REACHED", 8, 7)


async def test_an_explicit_list_is_the_interviews_in_that_order(api: GraphQLClient) -> None:
    found = await ask(api, ", documentIds: $ids", ids=["d2", "d1", "d3", "d4", "d9", "d7"])
    # d2 A D E; d1 +B C; d3 +F G; d4 +H I J: base 10 codes; d9 {A} and d7 {A, B} bring nothing.
    assert [c["cumulative"] for c in found["curve"]] == [3, 5, 7, 10, 10, 10]
    assert found["runs"] == runs((5, 6, 0, 0.0))
    assert (found["status"], found["interviewsNeeded"]) == ("REACHED", 4)


async def test_coders_and_filter_are_honoured(api: GraphQLClient) -> None:
    mine = await ask(api, ", coders: $coders", coders=[api.user_id])
    # Without u2's M, interview 08 adds nothing: 7-8 brings 0 new codes, so saturation after 6.
    assert [c["cumulative"] for c in mine["curve"]] == [3, 5, 7, 10, 11, 12, 12, 12, 12]
    assert mine["runs"] == runs((5, 6, 2, 0.2), (6, 7, 1, 0.1), (7, 8, 0, 0.0), (8, 9, 0, 0.0))
    assert (mine["status"], mine["interviewsNeeded"], mine["totalCodes"]) == ("REACHED", 6, 12)
    north = {"attributes": [{"name": "site", "equals": "north"}]}
    found = await ask(api, ", filter: $filter", filter=north)
    assert found["documentIds"] == ["d1", "d2", "d3", "d4", "d5", "d6"]
    assert found["runs"] == runs((5, 6, 2, 0.2)) and found["status"] == "NOT_REACHED"
    short = await ask(api, ", filter: $filter, runLength: 3", filter=north)
    assert (short["status"], short["runs"], short["point"]) == ("TOO_FEW_INTERVIEWS", [], None)
    nobody = await ask(
        api, ", coders: $coders", coders=["u2"], fields="status baseCodes runs { first } point { first }"
    )
    # u2 coded M in interview 08 only: the base has no code, so there is no share to take.
    assert nobody == {"status": "EMPTY_BASE", "baseCodes": 0, "runs": [], "point": None}


async def test_the_bootstrap_is_seeded_and_accounts_for_every_order(api: GraphQLClient) -> None:
    fields = "bootstrap { permutations seed distribution { interviews permutations } notReached median }"
    arguments = ", documentIds: $ids, baseSize: 1, runLength: 1, permutations: 200, seed: 7"
    # Two interviews, base 1, run 1: d7 then d9 reaches at once (d9 brings nothing new: needed 1);
    # d9 then d7 brings B, 1 new of the base's 1 code (100%): not reached.
    found = (await ask(api, arguments, fields, ids=["d7", "d9"]))["bootstrap"]
    assert (found["permutations"], found["seed"]) == (200, 7)
    assert [d["interviews"] for d in found["distribution"]] == [1]
    reached = found["distribution"][0]["permutations"]
    assert 0 < reached < 200 and reached + found["notReached"] == 200
    assert found["median"] == (1 if reached >= 100 else None)
    assert (await ask(api, arguments, fields, ids=["d7", "d9"]))["bootstrap"] == found
    # Without codes no order reaches saturation.
    none = (await ask(api, arguments + ", coders: $coders", fields, ids=["d7", "d9"], coders=["u2"]))["bootstrap"]
    assert none == {"permutations": 200, "seed": 7, "distribution": [], "notReached": 200, "median": None}
    # Every order of the nine interviews needs between the base and the last run's start.
    wide = (await ask(api, ", permutations: 50, threshold: 0.1", fields))["bootstrap"]
    assert sum(d["permutations"] for d in wide["distribution"]) + wide["notReached"] == 50
    assert all(4 <= d["interviews"] <= 7 for d in wide["distribution"])


async def test_the_answer_follows_a_change(api: GraphQLClient) -> None:
    await api.ok('mutation { codeText(input: {documentId: "d9", start: 50, end: 55, codeIds: ["M"]}) { id } }')
    found = await ask(api, fields="runs { newCodes } curve { cumulative }")
    # M now first appears in interview 08 for u2 and in 09 for us: still 8, so the runs stand;
    # and coded by us in 09 it is counted once.
    assert [c["cumulative"] for c in found["curve"]] == [3, 5, 7, 10, 11, 12, 12, 13, 13]
    mine = await ask(api, ", coders: $coders", "curve { cumulative }", coders=[api.user_id])
    assert [c["cumulative"] for c in mine["curve"]] == [3, 5, 7, 10, 11, 12, 12, 12, 13]


@pytest.mark.parametrize(
    ("arguments", "word"),
    [
        (", baseSize: 0", "baseSize"),
        (", runLength: 0", "runLength"),
        (", threshold: 1.5", "threshold"),
        (", threshold: -0.01", "threshold"),
        (", highFrequency: 2", "highFrequency"),
        (", permutations: 1001", "permutations"),
        (", permutations: -1", "permutations"),
        (", permutations: 10, seed: -1", "seed"),
        (', documentIds: ["d1", "d1"]', "twice"),
        (', documentIds: ["nope"]', "nope"),
        (', documentIds: ["d1"], orderByAttribute: "interviewed"', "either"),
    ],
)
async def test_bad_parameters_are_refused(api: GraphQLClient, arguments: str, word: str) -> None:
    error = await api.error(f'{{ saturation(projectId: "{P}"{arguments}) {{ status }} }}')
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and word in error["message"], error

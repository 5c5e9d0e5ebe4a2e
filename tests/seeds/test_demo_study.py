"""The demo study loads as promised and its patterns can be found by query."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graph.service import Service
from seeds.registry import datasets
from tests.conftest import TRUSTED
from tests.seeds.conftest import DEMO, seed
from tests.support import GraphQLClient

HIGH = {"child protection plan", "care proceedings"}


async def test_done_when_query(demo: GraphQLClient) -> None:
    projects = (await demo.ok("{ projects { name participants { pseudonym } themes { name codes { name } } } }"))[
        "projects"
    ]
    assert len(projects) == 1
    study = projects[0]
    assert len(study["participants"]) == 18
    assert len(study["themes"]) >= 6
    assert len({c["name"] for t in study["themes"] for c in t["codes"]}) >= 25
    assert "synthetic" in study["name"].lower()


async def corpus(api: GraphQLClient) -> dict[str, Any]:
    return (
        await api.ok("""{ projects { id description
        codes { name } memos { title } links { kind evidence { id } }
        participants { pseudonym attributes documents { excerpts { start end codings { code { name } coder { name } } } } }
    } }""")
    )["projects"][0]


async def test_demo_has_two_coders_with_overlap_and_disagreement(demo: GraphQLClient) -> None:
    study = await corpus(demo)
    assert "SYNTHETIC" in study["description"]
    excerpts = [e for p in study["participants"] for d in p["documents"] for e in d["excerpts"]]
    assert len(excerpts) >= 150
    by_coder = defaultdict(list)
    for e in excerpts:
        for c in e["codings"]:
            by_coder[e["start"], e["end"], id(e)].append((c["coder"]["name"], c["code"]["name"]))
    coders = {coder for pairs in by_coder.values() for coder, _ in pairs}
    assert coders == {"Hannah Okafor", "Sam Whitfield"}
    both = [pairs for pairs in by_coder.values() if len({c for c, _ in pairs}) == 2]
    agree = [p for p in both if {n for c, n in p if c == "Hannah Okafor"} == {n for c, n in p if c == "Sam Whitfield"}]
    assert len(both) >= 100 and len(agree) >= 80 and len(both) - len(agree) >= 20, (len(both), len(agree))
    assert len(study["memos"]) >= 3
    assert sum(1 for link in study["links"] if link["evidence"]) >= 6
    assert {link["kind"] for link in study["links"]} >= {"CAUSES", "CONTRADICTS", "ASSOCIATED_WITH", "PRECEDES"}


def _codes_by_participant(study: dict[str, Any]) -> dict[str, tuple[dict[str, Any], set[str]]]:
    out = {}
    for p in study["participants"]:
        names = {c["code"]["name"] for d in p["documents"] for e in d["excerpts"] for c in e["codings"]}
        out[p["pseudonym"]] = (p["attributes"], names)
    return out


async def test_fear_concentrates_where_child_protection_concerns_were_high(demo: GraphQLClient) -> None:
    people = _codes_by_participant(await corpus(demo))
    high = [codes for attrs, codes in people.values() if attrs["involvement"] in HIGH]
    low = [codes for attrs, codes in people.values() if attrs["involvement"] not in HIGH]
    for code in ("Fear of the baby being taken away", "Concealing symptoms"):
        high_rate = sum(code in c for c in high) / len(high)
        low_rate = sum(code in c for c in low) / len(low)
        assert high_rate >= 0.75 and high_rate >= 3 * low_rate, (code, high_rate, low_rate)


async def test_turning_points_coincide_with_feeling_known_and_collaboration(demo: GraphQLClient) -> None:
    people = _codes_by_participant(await corpus(demo))
    collaboration = {
        "Collaboration between social work and mental health professionals",
        "Perinatal team advocating for her",
    }
    for name, (attrs, codes) in people.items():
        if attrs["turningPoint"]:
            assert "Turning point" in codes or "Concerns lessened" in codes, name
            assert "Feeling known" in codes or "Being listened to" in codes, name
            assert codes & collaboration, name
        else:
            assert not codes & collaboration, name


async def test_loading_twice_is_refused_by_is_loaded(service: Service) -> None:
    dataset = datasets()[DEMO]
    assert not await dataset.is_loaded(service)
    await seed(service)
    assert await dataset.is_loaded(service)
    await dataset.remove(service)
    assert not await dataset.is_loaded(service) and await service.reader(TRUSTED).list_projects() == []


async def test_a_loaded_demo_stays_loaded_when_its_last_node_is_deleted(service: Service) -> None:
    """is_loaded tells a finished load from an interrupted one by the history (see
    tests/faults/test_crash.py), so users' deletions never make `seed` reload over their work."""
    dataset = datasets()[DEMO]
    await seed(service)
    memos = await service.reader(TRUSTED).memos_of_projects([dataset.project_id])
    for memo in memos[dataset.project_id]:
        await service.delete_memo(TRUSTED, memo.id)
    assert await dataset.is_loaded(service)


def demo_id(kind: str, key: str) -> str:
    return datasets()[DEMO].id(kind, key)


async def test_compare_groups_shows_fear_where_concerns_were_high(demo: GraphQLClient) -> None:
    groups = (
        await demo.ok(
            """query($p: ID!, $c: [ID!]) { compareGroups(projectId: $p, attribute: "involvement", columns: CODE,
           columnIds: $c) { value n concepts { participants proportion } } }""",
            p=datasets()[DEMO].project_id,
            c=[demo_id("code", "fear-removal")],
        )
    )["compareGroups"]
    by_value = {g["value"]: g for g in groups}
    assert set(by_value) == {"assessment only", "child in need", "child protection plan", "care proceedings"}
    assert sum(g["n"] for g in groups) == 18
    high = [by_value[v]["concepts"][0]["proportion"] for v in HIGH]
    low = [by_value[v]["concepts"][0]["proportion"] for v in by_value if v not in HIGH]
    assert min(high) >= 0.75 and max(low) <= 0.5, (high, low)


async def test_turning_points_go_with_feeling_known(demo: GraphQLClient) -> None:
    project = datasets()[DEMO].project_id
    turning, known = demo_id("theme", "t-turning-points"), demo_id("theme", "t-feeling-known")
    both = (
        await demo.ok(
            """query($p: ID!, $a: [ID!]) { participantsMatching(projectId: $p, where: {allOf: $a}) {
           participant { attributes } excerpts { id } } }""",
            p=project,
            a=[turning, known],
        )
    )["participantsMatching"]
    assert len(both) >= 6 and all(m["participant"]["attributes"]["turningPoint"] for m in both)
    assert all(len(m["excerpts"]) >= 2 for m in both)
    pairs = (
        await demo.ok(
            """query($p: ID!, $t: [ID!]) { cooccurrence(projectId: $p, scope: PARTICIPANT, themeIds: $t) { count jaccard } }""",
            p=project,
            t=[turning, known],
        )
    )["cooccurrence"]
    assert pairs[0]["count"] >= 6 and pairs[0]["jaccard"] >= 0.5


async def test_path_from_being_judged_to_concealing_symptoms(demo: GraphQLClient) -> None:
    paths = (
        await demo.ok(
            """query($p: ID!, $a: ID!, $b: ID!) { conceptPaths(projectId: $p, from: $a, to: $b, via: [LINK]) {
           length steps { from { ... on Code { name } } to { ... on Code { name } } linkKind link { evidence { id } } } } }""",
            p=datasets()[DEMO].project_id,
            a=demo_id("code", "fear-judged"),
            b=demo_id("code", "concealing-symptoms"),
        )
    )["conceptPaths"]
    assert len(paths) == 1 and paths[0]["length"] == 2
    steps = paths[0]["steps"]
    assert [s["from"]["name"] for s in steps] == [
        "Fear of being judged an unfit mother",
        "Fear of the baby being taken away",
    ]
    assert steps[-1]["to"]["name"] == "Concealing symptoms"
    assert all(s["linkKind"] == "CAUSES" and s["link"]["evidence"] for s in steps)


async def test_demo_coders_mostly_agree_but_not_always(demo: GraphQLClient) -> None:
    result = (
        await demo.ok(
            """query($p: ID!, $c: [ID!]!) { agreement(projectId: $p, coders: $c, unit: CHARACTER) {
           overall { units cohensKappa krippendorffAlpha } codes { score { krippendorffAlpha } } } }""",
            p=datasets()[DEMO].project_id,
            c=[demo_id("coder", "hannah"), demo_id("coder", "sam")],
        )
    )["agreement"]
    assert 0.6 < result["overall"]["krippendorffAlpha"] < 0.95
    assert abs(result["overall"]["cohensKappa"] - result["overall"]["krippendorffAlpha"]) < 0.01
    alphas = [c["score"]["krippendorffAlpha"] for c in result["codes"] if c["score"]["krippendorffAlpha"] is not None]
    assert min(alphas) < 0.6 and max(alphas) == 1.0

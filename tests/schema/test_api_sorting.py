"""Sorting and paging the lists analysts read, over HTTP on both adapters."""

from __future__ import annotations

from typing import Any

from tests.schema.conftest import World

BEA = "Bea: it was hard, then it got better, and calmer."


async def study(world: World) -> dict[str, Any]:
    """Project A with a third code and a second participant: Fear has 4 excerpts (1 participant), Hope 3 (2),
    Calm 3 (2); Bea has two excerpts coded Calm, Amira one."""
    ids, ok = world.ids, world.owner.ok
    calm = (
        await ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Calm"}) { id } }', p=ids["project"])
    )["createCode"]["id"]
    bea = (
        await ok(
            'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "Bea"}) { id } }', p=ids["project"]
        )
    )["addParticipant"]["id"]
    doc2 = (
        await ok(
            "mutation($p: ID!, $w: ID!, $t: String!) "
            '{ addDocument(input: {projectId: $p, participantId: $w, title: "B", text: $t}) { id } }',
            p=ids["project"],
            w=bea,
            t=BEA,
        )
    )["addDocument"]["id"]
    made = {}
    for name, doc, start, end, codes in [
        ("e2", ids["document"], 10, 20, [ids["code"], ids["code2"]]),
        ("e3", ids["document"], 30, 40, [ids["code"], ids["code2"]]),
        ("e4", ids["document"], 50, 60, [calm, ids["code"]]),
        ("e5", doc2, 0, 5, [ids["code2"], calm]),
        ("e6", doc2, 10, 20, [calm]),
    ]:
        made[name] = (
            await ok(
                "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) "
                "{ codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) { id } }",
                d=doc,
                s=start,
                e=end,
                c=codes,
            )
        )["codeText"]["id"]
    await ok('mutation($c: ID!) { updateCode(input: {id: $c, description: "settled"}) { id } }', c=calm)
    return {**ids, **made, "calm": calm, "bea": bea, "doc2": doc2}


async def test_codes_themes_and_participants_sort_by_prevalence_participants_name_and_recency(world: World) -> None:
    s = await study(world)
    found = await world.owner.ok(
        """query($p: ID!) { project(id: $p) {
          byName: codes { name } byExcerpts: codes(orderBy: EXCERPTS) { name excerptCount }
          byParticipants: codes(orderBy: PARTICIPANTS) { name participantCount } recent: codes(orderBy: RECENT) { name }
          themes(orderBy: EXCERPTS) { name } participants { pseudonym } newest: participants(orderBy: RECENT) { pseudonym }
        } }""",
        p=s["project"],
    )
    project = found["project"]
    assert [c["name"] for c in project["byName"]] == ["Calm", "Fear", "Hope"]
    assert [(c["name"], c["excerptCount"]) for c in project["byExcerpts"]] == [("Fear", 4), ("Calm", 3), ("Hope", 3)]
    assert [(c["name"], c["participantCount"]) for c in project["byParticipants"]] == [
        ("Calm", 2),
        ("Hope", 2),
        ("Fear", 1),
    ]
    assert project["recent"][0]["name"] == "Calm"
    assert [p["pseudonym"] for p in project["participants"]] == ["Amira", "Bea"]
    assert [p["pseudonym"] for p in project["newest"]] == ["Bea", "Amira"]
    await world.owner.ok(
        "mutation($id: ID!) { deleteExcerpt(id: $id) }", id=s["e6"]
    )  # Calm now has 2 excerpts: after the others
    again = await world.owner.ok(
        "query($p: ID!) { project(id: $p) { codes(orderBy: EXCERPTS) { name } } }", p=s["project"]
    )
    assert [c["name"] for c in again["project"]["codes"]] == ["Fear", "Hope", "Calm"]


COOCCURRENCE = """query($p: ID!, $o: PairOrder!, $first: Int, $after: String) {
  cooccurrence(projectId: $p, orderBy: $o, first: $first, after: $after) {
    a { ... on Code { name } } b { ... on Code { name } } count jaccard cursor } }"""


async def test_cooccurrence_sorts_by_count_or_jaccard_a_page_at_a_time(world: World) -> None:
    s = await study(world)
    by_count = (await world.owner.ok(COOCCURRENCE, p=s["project"], o="COUNT"))["cooccurrence"]
    by_jaccard = (await world.owner.ok(COOCCURRENCE, p=s["project"], o="JACCARD"))["cooccurrence"]
    assert [p["count"] for p in by_count] == sorted((p["count"] for p in by_count), reverse=True)
    assert [p["jaccard"] for p in by_jaccard] == sorted((p["jaccard"] for p in by_jaccard), reverse=True)
    assert by_jaccard[0]["jaccard"] > by_jaccard[-1]["jaccard"]
    pairs = [
        {(p["a"]["name"], p["b"]["name"], p["count"], p["jaccard"]) for p in found} for found in (by_count, by_jaccard)
    ]
    assert pairs[0] == pairs[1] and len(by_count) == 3
    for order, whole in (("COUNT", by_count), ("JACCARD", by_jaccard)):
        pages, after = [], None
        while True:
            page = (await world.owner.ok(COOCCURRENCE, p=s["project"], o=order, first=2, after=after))["cooccurrence"]
            pages += page
            if len(page) < 2:
                break
            after = page[-1]["cursor"]
        assert pages == whole, order
    table = await world.owner.ok(
        "query($p: ID!) { cooccurrenceTable(projectId: $p, orderBy: JACCARD) { pairs } }", p=s["project"]
    )
    assert table["cooccurrenceTable"]["pairs"]["jaccard"] == [p["jaccard"] for p in by_jaccard]
    error = await world.owner.error(COOCCURRENCE, p=s["project"], o="JACCARD", first=1, after=by_count[0]["cursor"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Cursor" in error["message"]
    error = await world.owner.error(COOCCURRENCE, p=s["project"], o="COUNT", first=100_000)
    assert error["extensions"]["code"] == "LIMIT_EXCEEDED"


MATCHING = """query($p: ID!, $c: ID!, $o: MatchOrder!, $first: Int, $after: String) {
  participantsMatching(projectId: $p, where: {anyOf: [$c]}, orderBy: $o, first: $first, after: $after) {
    participant { pseudonym } excerpts { id } cursor } }"""
SEQUENCES = """query($p: ID!, $a: ID!, $b: ID!, $size: Int, $after: String) {
  sequences(projectId: $p, first: $a, then: $b, pageSize: $size, after: $after) { gap first { id } then { id } cursor } }"""


async def test_participants_matching_and_sequences_sort_and_page(world: World) -> None:
    s = await study(world)
    by_name = (await world.owner.ok(MATCHING, p=s["project"], c=s["calm"], o="PSEUDONYM"))["participantsMatching"]
    assert [(m["participant"]["pseudonym"], len(m["excerpts"])) for m in by_name] == [("Amira", 1), ("Bea", 2)]
    most = (await world.owner.ok(MATCHING, p=s["project"], c=s["calm"], o="EVIDENCE", first=1))["participantsMatching"]
    assert [m["participant"]["pseudonym"] for m in most] == ["Bea"]
    rest = await world.owner.ok(MATCHING, p=s["project"], c=s["calm"], o="EVIDENCE", first=1, after=most[0]["cursor"])
    assert [m["participant"]["pseudonym"] for m in rest["participantsMatching"]] == ["Amira"]

    whole = (await world.owner.ok(SEQUENCES, p=s["project"], a=s["code"], b=s["code2"]))["sequences"]
    assert [(h["first"]["id"], h["then"]["id"]) for h in whole] == [(s["excerpt"], s["e2"]), (s["e2"], s["e3"])]
    first = (await world.owner.ok(SEQUENCES, p=s["project"], a=s["code"], b=s["code2"], size=1))["sequences"]
    after = first[0]["cursor"]
    second = await world.owner.ok(SEQUENCES, p=s["project"], a=s["code"], b=s["code2"], size=1, after=after)
    assert first + second["sequences"] == whole
    error = await world.owner.error(SEQUENCES, p=s["project"], a=s["code"], b=s["code2"], size=1, after="x")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_documents_excerpts_page_with_the_cursor_every_excerpt_carries(world: World) -> None:
    s = await study(world)
    query = """query($d: ID!, $first: Int, $after: String) {
      document(id: $d) { excerpts(first: $first, after: $after) { id start cursor } } }"""
    whole = (await world.owner.ok(query, d=s["document"]))["document"]["excerpts"]
    assert [e["start"] for e in whole] == [0, 10, 30, 50]
    head = (await world.owner.ok(query, d=s["document"], first=2))["document"]["excerpts"]
    tail = (await world.owner.ok(query, d=s["document"], first=2, after=head[-1]["cursor"]))["document"]["excerpts"]
    assert head + tail == whole
    feared = await world.owner.ok(
        "query($c: ID!, $after: String) { code(id: $c) { excerpts(after: $after) { edges { node { id } } } } }",
        c=s["code"],
        after=whole[0]["cursor"],
    )
    assert [e["node"]["id"] for e in feared["code"]["excerpts"]["edges"]] == [s["e2"], s["e3"], s["e4"]]
    assert (await world.owner.error(query, d=s["document"], first=-1))["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_codes_excerpts_most_recently_coded_first(world: World) -> None:
    s = await study(world)
    query = """query($c: ID!, $o: ExcerptOrder!, $first: Int!, $after: String) {
      code(id: $c) { excerpts(orderBy: $o, first: $first, after: $after) {
        edges { node { id } } pageInfo { hasNextPage endCursor } } } }"""

    async def listed(client: Any, order: str) -> list[str]:
        seen, after = [], None
        while True:
            page = (await client.ok(query, c=s["code"], o=order, first=2, after=after))["code"]["excerpts"]
            seen += [e["node"]["id"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            after = page["pageInfo"]["endCursor"]

    assert await listed(world.owner, "TEXT") == [s["excerpt"], s["e2"], s["e3"], s["e4"]]
    assert await listed(world.owner, "RECENT") == [s["e4"], s["e3"], s["e2"], s["excerpt"]]

    analyst, _ = await world.user("Blind", "ANALYST")
    await world.owner.ok(
        "mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=s["project"]
    )
    for excerpt in (s["e2"], s["excerpt"]):  # coded by the analyst in this order, after the owner
        await analyst.ok(
            "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=excerpt, c=s["code"]
        )
    assert await listed(analyst, "RECENT") == [s["excerpt"], s["e2"]]
    error = await world.owner.error(query, c=s["code"], o="RECENT", first=1, after="nope")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"

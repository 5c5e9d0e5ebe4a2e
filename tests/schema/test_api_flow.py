"""The coding and theme-building workflow through GraphQL over HTTP."""

from __future__ import annotations

from tests.support import GraphQLClient

TEXT = "Interviewer: How was it?\n\nAmira: I was scared they'd take her. Then Jo came and it changed."

SETUP = 'mutation { createProject(input: {name: "Perinatal study", description: "demo"}) { id name createdBy { id name } } }'


async def make_project(api: GraphQLClient) -> dict[str, str]:
    project = (await api.ok(SETUP))["createProject"]
    pid = project["id"]
    participant = (
        await api.ok(
            'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "Amira", '
            'attributes: {involvement: "child protection plan", babyAgeMonths: 7, turningPoint: true}}) { id attributes } }',
            p=pid,
        )
    )["addParticipant"]
    assert participant["attributes"] == {
        "involvement": "child protection plan",
        "babyAgeMonths": 7,
        "turningPoint": True,
    }
    document = (
        await api.ok(
            'mutation($p: ID!, $who: ID!, $text: String!) { addDocument(input: {projectId: $p, title: "Interview 1", '
            "text: $text, participantId: $who}) { id length participant { pseudonym } } }",
            p=pid,
            who=participant["id"],
            text=TEXT,
        )
    )["addDocument"]
    assert document["length"] == len(TEXT) and document["participant"]["pseudonym"] == "Amira"
    fear = (
        await api.ok(
            'mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear of removal", color: "#e74c3c"}) { id version } }',
            p=pid,
        )
    )["createCode"]
    known = (
        await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Feeling known"}) { id } }', p=pid)
    )["createCode"]
    return {
        "project": pid,
        "participant": participant["id"],
        "document": document["id"],
        "fear": fear["id"],
        "known": known["id"],
    }


async def test_code_a_passage_build_a_theme_and_link_concepts(api: GraphQLClient) -> None:
    ids = await make_project(api)
    start = TEXT.index("I was scared")
    end = TEXT.index("her.") + 4
    excerpt = (
        await api.ok(
            "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, end: $e, "
            "codeIds: $c}) { id text participant { pseudonym } codes { name } codings { code { name } coder { id name } createdAt } } }",
            d=ids["document"],
            s=start,
            e=end,
            c=[ids["fear"]],
        )
    )["codeText"]
    assert excerpt["text"] == TEXT[start:end]
    assert excerpt["participant"]["pseudonym"] == "Amira"
    assert [c["code"]["name"] for c in excerpt["codings"]] == ["Fear of removal"]
    me = (await api.ok("{ me { id name } }"))["me"]
    assert excerpt["codings"][0]["coder"] == me

    second = (
        await api.ok(
            "mutation($d: ID!) { e: createExcerpt(input: {documentId: $d, start: 72, end: 90}) { id text } }",
            d=ids["document"],
        )
    )["e"]
    await api.ok(
        "mutation($e: ID!, $c: ID!) { codeExcerpt(excerptId: $e, codeId: $c) { id } }", e=second["id"], c=ids["known"]
    )

    theme = (
        await api.ok(
            'mutation($p: ID!) { createTheme(input: {projectId: $p, name: "Fear and its undoing", status: CANDIDATE}) { id version } }',
            p=ids["project"],
        )
    )["createTheme"]
    for code in (ids["fear"], ids["known"]):
        await api.ok(
            "mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=code, t=theme["id"]
        )
    link = (
        await api.ok(
            "mutation($a: ID!, $b: ID!, $e: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: CONTRADICTS, "
            'label: "being known undoes fear", evidenceExcerptIds: [$e]}) { id kind symmetric label '
            "source { ... on Code { name } } target { ... on Code { name } } evidence { text } createdBy { name } } }",
            a=ids["known"],
            b=ids["fear"],
            e=second["id"],
        )
    )["linkConcepts"]
    assert (
        link["symmetric"] and link["source"]["name"] == "Feeling known" and link["target"]["name"] == "Fear of removal"
    )
    assert link["evidence"] == [{"text": second["text"]}]
    memo = (
        await api.ok(
            'mutation($t: ID!) { addMemo(input: {targetId: $t, title: "Why", body: "Because"}) { id title target { id __typename } author { name } } }',
            t=theme["id"],
        )
    )["addMemo"]
    assert memo["target"] == {"id": theme["id"], "__typename": "Theme"}

    project = (
        await api.ok(
            """query($p: ID!) { project(id: $p) {
            name participants { pseudonym documents { title } }
            documents { excerpts { text } }
            codes { name excerptCount participantCount themes { name } excerpts(first: 5) { edges { node { text } } pageInfo { hasNextPage } } }
            themes { name status version excerptCount participantCount codes { name } }
            links { kind label } memos { title target { __typename } }
        } }""",
            p=ids["project"],
        )
    )["project"]
    assert project["participants"] == [{"pseudonym": "Amira", "documents": [{"title": "Interview 1"}]}]
    assert [c["name"] for c in project["codes"]] == ["Fear of removal", "Feeling known"]
    assert [c["excerptCount"] for c in project["codes"]] == [1, 1]
    assert project["codes"][0]["excerpts"]["edges"] == [{"node": {"text": TEXT[start:end]}}]
    assert project["themes"] == [
        {
            "name": "Fear and its undoing",
            "status": "CANDIDATE",
            "version": 1,
            "excerptCount": 2,
            "participantCount": 1,
            "codes": [{"name": "Fear of removal"}, {"name": "Feeling known"}],
        }
    ]
    assert project["links"] == [{"kind": "CONTRADICTS", "label": "being known undoes fear"}]
    assert project["memos"] == [{"title": "Why", "target": {"__typename": "Theme"}}]


async def test_updates_and_merge(api: GraphQLClient) -> None:
    ids = await make_project(api)
    updated = (
        await api.ok(
            'mutation($c: ID!) { updateCode(input: {id: $c, expectedVersion: 1, name: "Fear of the baby being taken", color: null}) '
            "{ name color version } }",
            c=ids["fear"],
        )
    )["updateCode"]
    assert updated == {"name": "Fear of the baby being taken", "color": None, "version": 2}
    await api.ok(
        "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 0, end: 11, codeIds: $c}) { id } }",
        d=ids["document"],
        c=[ids["fear"]],
    )
    merged = (
        await api.ok(
            "mutation($s: ID!, $t: ID!) { mergeCodes(sourceId: $s, targetId: $t) { id name excerptCount } }",
            s=ids["fear"],
            t=ids["known"],
        )
    )["mergeCodes"]
    assert merged == {"id": ids["known"], "name": "Feeling known", "excerptCount": 1}
    assert (await api.ok("query($c: ID!) { code(id: $c) { id } }", c=ids["fear"]))["code"] is None

    child = (
        await api.ok(
            'mutation($p: ID!, $k: ID!) { createCode(input: {projectId: $p, name: "sub", parentId: $k}) { id parent { name } } }',
            p=ids["project"],
            k=ids["known"],
        )
    )["createCode"]
    assert child["parent"] == {"name": "Feeling known"}
    tree = (await api.ok("query($k: ID!) { code(id: $k) { children { name } } }", k=ids["known"]))["code"]
    assert tree["children"] == [{"name": "sub"}]
    project = (
        await api.ok(
            'mutation($p: ID!) { updateProject(input: {id: $p, description: "changed"}) { name description } }',
            p=ids["project"],
        )
    )["updateProject"]
    assert project == {"name": "Perinatal study", "description": "changed"}


async def test_deletes_leave_nothing_dangling(api: GraphQLClient) -> None:
    ids = await make_project(api)
    excerpt = (
        await api.ok(
            "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 0, end: 11, codeIds: $c}) { id } }",
            d=ids["document"],
            c=[ids["fear"], ids["known"]],
        )
    )["codeText"]
    await api.ok(
        "mutation($a: ID!, $b: ID!, $e: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: CAUSES, "
        "evidenceExcerptIds: [$e]}) { id } }",
        a=ids["fear"],
        b=ids["known"],
        e=excerpt["id"],
    )
    assert (await api.ok("mutation($c: ID!) { deleteCode(id: $c) }", c=ids["fear"]))["deleteCode"] == ids["fear"]
    after = await api.ok(
        "query($p: ID!, $e: ID!) { project(id: $p) { links { id } } excerpt(id: $e) { codes { name } } }",
        p=ids["project"],
        e=excerpt["id"],
    )
    assert after["project"]["links"] == [] and after["excerpt"]["codes"] == [{"name": "Feeling known"}]

    await api.ok("mutation($d: ID!) { deleteDocument(id: $d) }", d=ids["document"])
    after = await api.ok(
        "query($p: ID!, $e: ID!, $k: ID!) { excerpt(id: $e) { id } code(id: $k) { excerptCount } project(id: $p) { documents { id } } }",
        p=ids["project"],
        e=excerpt["id"],
        k=ids["known"],
    )
    assert after == {"excerpt": None, "code": {"excerptCount": 0}, "project": {"documents": []}}

    await api.ok("mutation($p: ID!) { deleteProject(id: $p) }", p=ids["project"])
    assert (await api.ok("{ projects { id } }"))["projects"] == []

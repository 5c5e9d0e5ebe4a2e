"""REFI-QDA imports cannot reach into other projects or pass work off as someone else's, and
land whole or not at all; downloads hold only what the asker may see. Each exploit from the
issue is replayed over HTTP, on both adapters."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from lxml import etree

from graph.service import Service
from tests.conftest import TRUSTED
from tests.support import GraphQLClient, new_user

Q = "urn:QDA-XML:project:1.0"
TEXT = "I was scared they would take her away. Then Jo came and listened to me."


def guid() -> str:
    return str(uuid.uuid4())


def qde(body: str, users: dict[str, str] | None = None) -> bytes:
    """A REFI-QDA project file with these elements, and a <Users> block of id -> name."""
    listed = "".join(f'<User guid="{id}" name="{name}"/>' for id, name in (users or {}).items())
    return (
        f'<Project xmlns="{Q}" name="From a partner">{f"<Users>{listed}</Users>" if listed else ""}{body}'
        f"</Project>".encode()
    )


def codes(*pairs: tuple[str, str]) -> str:
    return (
        "<CodeBook><Codes>"
        + "".join(f'<Code guid="{g}" name="{n}" isCodable="true"/>' for g, n in pairs)
        + "</Codes></CodeBook>"
    )


def coding(code: str, coder: str | None = None) -> str:
    by = f' creatingUser="{coder}"' if coder else ""
    return f'<Coding guid="{guid()}"{by}><CodeRef targetGUID="{code}"/></Coding>'


@dataclass
class Person:
    """A signed-in user of the app `api` serves."""

    api: GraphQLClient
    id: str
    headers: dict[str, str]

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.api.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=self.headers
        )
        body = response.json()
        assert "errors" not in body, body["errors"]
        return body["data"]

    async def upload(self, project_id: str, data: bytes, users: dict[str, str] | None = None) -> httpx.Response:
        form = {"users": json.dumps(users)} if users is not None else None
        return await self.api.http.post(
            f"/projects/{project_id}/import", files={"file": ("partner.qde", data)}, data=form, headers=self.headers
        )

    async def download(self, project_id: str, what: str) -> httpx.Response:
        response = await self.api.http.get(f"/projects/{project_id}/{what}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response

    async def project(self, name: str = "Study") -> str:
        return (await self.ok("mutation($n: String!) { createProject(input: {name: $n}) { id } }", n=name))[
            "createProject"
        ]["id"]

    async def add(self, project_id: str, member: Person, role: str = "ANALYST") -> None:
        await self.ok(
            "mutation($p: ID!, $u: ID!, $r: Role!) { addMember(projectId: $p, userId: $u, role: $r) { role } }",
            p=project_id,
            u=member.id,
            r=role,
        )

    async def code(self, project_id: str, name: str) -> str:
        return (
            await self.ok(
                "mutation($p: ID!, $n: String!) { createCode(input: {projectId: $p, name: $n}) { id } }",
                p=project_id,
                n=name,
            )
        )["createCode"]["id"]

    async def document(self, project_id: str, participant_id: str | None = None) -> str:
        return (
            await self.ok(
                'mutation($p: ID!, $a: ID) { addDocument(input: {projectId: $p, title: "Interview", '
                f"text: {json.dumps(TEXT)}, participantId: $a}}) {{ id }} }}",
                p=project_id,
                a=participant_id,
            )
        )["addDocument"]["id"]

    async def code_text(self, document_id: str, start: int, end: int, *code_ids: str) -> str:
        return (
            await self.ok(
                "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, "
                "start: $s, end: $e, codeIds: $c}) { id } }",
                d=document_id,
                s=start,
                e=end,
                c=list(code_ids),
            )
        )["codeText"]["id"]


def me(api: GraphQLClient) -> Person:
    return Person(api, api.user_id, {})


async def someone(api: GraphQLClient, name: str) -> Person:
    assert api.service is not None
    user, token = await new_user(api.service, name)
    return Person(api, user.id, {"Authorization": f"Bearer {token}"})


async def census(service: Service, names: tuple[str, ...] = (), only: str | None = None) -> list[object]:
    """Everything in the store that an import could touch: every project (or `only` one) with its
    nodes, members and history, and the users with these names."""
    reader = service.reader(TRUSTED)
    ids = [only] if only else sorted(p.id for p in await reader.list_projects())
    return [
        await reader.get_projects(ids),
        [await reader.project_snapshot(p, with_text=True) for p in ids],
        await reader.documents_of_projects(ids),
        await reader.memos_of_projects(ids),
        await reader.members_of_projects(ids),
        [(await reader.activity(p, first=10_000)).events for p in ids],
        [await service.user_named(n) for n in names],
    ]


PROJECT_OF = """query($p: ID!) { project(id: $p) {
    codes { id name }
    memos { id title createdBy { id } target { __typename id } }
    documents { createdBy { id } excerpts { id text createdBy { id name } codings { coder { id name } } } }
} }"""


async def test_a_file_cannot_reach_into_another_project(api: GraphQLClient) -> None:
    """The exploit: a signed-in user imports, into a project of their own, a file whose selection
    GUID is another project's excerpt (with a NoteRef to it), whose note GUID is that project's
    memo and whose code GUID is its code. Nothing of the other project changes; the file's
    nodes get fresh ids in the importer's project."""
    owner = me(api)
    theirs = await owner.project("Theirs")
    code = await owner.code(theirs, "Fear")
    document = await owner.document(theirs)
    excerpt = await owner.code_text(document, 0, 12, code)
    uncoded = await owner.code_text(document, 14, 20, code)
    memo = (await owner.ok('mutation($t: ID!) { addMemo(input: {targetId: $t, title: "Mine"}) { id } }', t=theirs))[
        "addMemo"
    ]["id"]
    assert api.service is not None
    before = await census(api.service, only=theirs)
    stranger = await someone(api, "Stranger")
    own = await stranger.project("Own")
    other_note = guid()
    file = qde(
        codes((code, "Renamed by a stranger"))
        + f"""<Sources><TextSource guid="{guid()}" name="t">
        <PlainTextContent>{TEXT}</PlainTextContent>
        <PlainTextSelection guid="{excerpt}" startPosition="0" endPosition="5">{coding(code)}
            <NoteRef targetGUID="{memo}"/></PlainTextSelection>
        <PlainTextSelection guid="{uncoded}" startPosition="6" endPosition="9"><NoteRef targetGUID="{other_note}"/>
        </PlainTextSelection></TextSource></Sources>
        <Notes><Note guid="{memo}" name="Overwritten"><PlainTextContent>x</PlainTextContent></Note>
        <Note guid="{other_note}" name="Planted"><PlainTextContent>y</PlainTextContent></Note></Notes>"""
    )
    done = await stranger.upload(own, file)
    assert done.status_code == 200, done.text
    assert "remapped: 3 GUIDs already used elsewhere" in done.json()["summary"]  # code, selection, note
    assert await census(api.service, only=theirs) == before, "nothing of the other project changed"
    mine = (await stranger.ok(PROJECT_OF, p=own))["project"]
    assert [c["name"] for c in mine["codes"]] == ["Renamed by a stranger"] and mine["codes"][0]["id"] != code
    [selection] = mine["documents"][0]["excerpts"]
    assert selection["id"] != excerpt and selection["text"] == TEXT[:5]
    targets = {m["title"]: m["target"] for m in mine["memos"]}
    assert targets == {
        "Overwritten": {"__typename": "Excerpt", "id": selection["id"]},
        "Planted": {"__typename": "Project", "id": own},
    }, "a note about a node not here: the project's"
    assert all(m["id"] != memo and m["createdBy"]["id"] == stranger.id for m in mine["memos"])


async def test_a_file_cannot_pass_its_work_off_as_a_colleagues(api: GraphQLClient) -> None:
    """The exploit: an ANALYST imports a file that lists a colleague's id under <Users> and names
    it as the creatingUser of its codings, source and note. The work lands as the importer's and
    an imported coder's, a user record of its own that nobody can sign in as."""
    owner = me(api)
    project = await owner.project()
    colleague, analyst = await someone(api, "Colleague"), await someone(api, "Analyst")
    await owner.add(project, colleague)
    await owner.add(project, analyst)
    code, note = guid(), guid()
    file = qde(
        codes((code, "Fear"))
        + f"""<Sources><TextSource guid="{guid()}" name="t" creatingUser="{colleague.id}">
        <PlainTextContent>{TEXT}</PlainTextContent>
        <PlainTextSelection guid="{guid()}" startPosition="0" endPosition="5" creatingUser="{colleague.id}">
            {coding(code, colleague.id)}<NoteRef targetGUID="{note}"/></PlainTextSelection></TextSource></Sources>
        <Notes><Note guid="{note}" name="n" creatingUser="{colleague.id}"><PlainTextContent>x</PlainTextContent>
        </Note></Notes>""",
        users={colleague.id: "Colleague"},
    )

    mapped = await analyst.upload(project, file, users={colleague.id: colleague.id})
    assert mapped.status_code == 403 and mapped.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    done = await analyst.upload(project, file)
    assert done.status_code == 200, done.text
    assert "users: 1 added for the file's coders (they cannot sign in)" in done.json()["summary"]
    found = (await owner.ok(PROJECT_OF, p=project))["project"]
    [document] = found["documents"]
    [excerpt] = document["excerpts"]
    [made] = excerpt["codings"]
    assert made["coder"]["id"] not in (colleague.id, analyst.id) and made["coder"]["name"] == "Colleague (imported)"
    assert excerpt["createdBy"] == made["coder"], "the excerpt was marked by the coder who coded it"
    assert document["createdBy"]["id"] == analyst.id and found["memos"][0]["createdBy"]["id"] == analyst.id
    history = (
        await owner.ok(
            "query($p: ID!) { activity(projectId: $p, first: 100) { edges { node { actor { id } } } } }", p=project
        )
    )["activity"]["edges"]
    assert colleague.id not in {e["node"]["actor"]["id"] for e in history}

    again = await analyst.upload(project, file)
    assert "users: 0 added for the file's coders (they cannot sign in)" in again.json()["summary"], "one per project"
    elsewhere = await owner.project("Elsewhere")
    assert (await owner.upload(elsewhere, file, users={colleague.id: analyst.id})).status_code == 400, "not a member"
    assert (await owner.upload(elsewhere, file, users={colleague.id: owner.id})).status_code == 200
    [excerpt] = (await owner.ok(PROJECT_OF, p=elsewhere))["project"]["documents"][0]["excerpts"]
    assert [c["coder"]["id"] for c in excerpt["codings"]] == [owner.id], "an OWNER says whose the file's work is"


SOURCE = (
    f'<Sources><TextSource guid="{{source}}" name="t"><PlainTextContent>{TEXT}</PlainTextContent>{{inside}}'
    f"</TextSource></Sources>"
)
A, B, C, S, X = (guid() for _ in range(5))
BROKEN = {
    "two codes share one GUID": qde(codes((A, "One"), (A, "Two"))),
    "two sets share one GUID": qde(f'<Sets><Set guid="{A}" name="One"/><Set guid="{A}" name="Two"/></Sets>'),
    "a span outside the text": qde(
        codes((A, "One"))
        + SOURCE.format(
            source=S,
            inside=(
                f'<PlainTextSelection guid="{X}" startPosition="5" endPosition="500">{coding(A)}</PlainTextSelection>'
            ),
        )
    ),
    "one selection GUID for two spans": qde(
        codes((A, "One"))
        + SOURCE.format(
            source=S,
            inside=(
                f'<PlainTextSelection guid="{X}" startPosition="0" endPosition="5">{coding(A)}</PlainTextSelection>'
                f'<PlainTextSelection guid="{X}" startPosition="6" endPosition="9">{coding(A)}</PlainTextSelection>'
            ),
        )
    ),
    "a name clash after a first code is in": qde(codes((A, "New"), (B, "existing"))),
    "a coding of a code that is nowhere, after codes, users, cases and sources are in": qde(
        codes((A, "New"))
        + f'<Cases><Case guid="{C}" name="Ann"><SourceRef targetGUID="{S}"/></Case></Cases>'
        + SOURCE.format(
            source=S,
            inside=f'<PlainTextSelection guid="{X}" startPosition="0" endPosition="5">'
            f"{coding(A, B)}{coding(guid(), B)}</PlainTextSelection>",
        ),
        users={B: "Partner coder"},
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
async def test_a_broken_file_leaves_the_store_exactly_as_it_was(api: GraphQLClient, case: str) -> None:
    owner = me(api)
    project = await owner.project()
    code = await owner.code(project, "Existing")
    await owner.code_text(await owner.document(project), 0, 12, code)
    assert api.service is not None
    before = await census(api.service, ("Partner coder",))
    refused = await owner.upload(project, BROKEN[case])
    assert refused.status_code == 400 and refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await census(api.service, ("Partner coder",)) == before


def selections(qdpx: bytes) -> dict[str, set[tuple[str, str]]]:
    """Each selection's text span, with its (code GUID, coder GUID) codings."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(qdpx)).read("project.qde"))
    return {
        f"{s.get('startPosition')}-{s.get('endPosition')}": {
            (c.find(f"{{{Q}}}CodeRef").get("targetGUID"), c.get("creatingUser")) for c in s.iter(f"{{{Q}}}Coding")
        }
        for s in root.iter(f"{{{Q}}}PlainTextSelection")
    }


async def test_under_blind_coding_an_analysts_downloads_hold_their_own_codings(api: GraphQLClient) -> None:
    owner = me(api)
    project = await owner.project()
    await owner.ok("mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=project)
    xena, yann = await someone(api, "Xena"), await someone(api, "Yann")
    await owner.add(project, xena)
    await owner.add(project, yann)
    ann = (
        await owner.ok(
            'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "Ann"}) { id } }', p=project
        )
    )["addParticipant"]["id"]
    document = await owner.document(project, ann)
    alpha, beta = await owner.code(project, "Alpha"), await owner.code(project, "Beta")
    theme = (
        await owner.ok('mutation($p: ID!) { createTheme(input: {projectId: $p, name: "Worry"}) { id } }', p=project)
    )["createTheme"]["id"]
    for code in (alpha, beta):
        await owner.ok("mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=code, t=theme)
    await xena.code_text(document, 0, 13, alpha)
    await yann.code_text(document, 0, 13, beta)
    await yann.code_text(document, 39, 50, alpha, beta)

    assert selections((await xena.download(project, "export.qdpx")).content) == {"0-13": {(alpha, xena.id)}}
    everyone = selections((await owner.download(project, "export.qdpx")).content)
    assert everyone == {"0-13": {(alpha, xena.id), (beta, yann.id)}, "39-50": {(alpha, yann.id), (beta, yann.id)}}
    qde_users = etree.fromstring(
        zipfile.ZipFile(io.BytesIO((await xena.download(project, "export.qdpx")).content)).read("project.qde")
    ).iter(f"{{{Q}}}User")
    assert "Yann" not in {u.get("name") for u in qde_users}

    report = (await xena.download(project, "report.md")).text
    assert "- Prevalence: 1 of 1 participants (100%); 1 excerpts." in report and TEXT[39:50] not in report
    assert "2 excerpts" in (await owner.download(project, "report.md")).text
    rows = list(csv.reader(io.StringIO((await xena.download(project, "case-matrix.csv")).text)))
    assert rows == [["participant", "Worry"], ["Ann", "1"]]
    assert list(csv.reader(io.StringIO((await owner.download(project, "case-matrix.csv")).text)))[1] == ["Ann", "2"]
    assert list(csv.reader(io.StringIO((await xena.download(project, "cooccurrence.csv")).text))) == [
        ["code a", "code b", "count", "jaccard"]
    ], "Alpha and Beta meet only in Yann's codings"
    pairs = list(csv.reader(io.StringIO((await owner.download(project, "cooccurrence.csv")).text)))
    assert pairs[1][:3] == ["Alpha", "Beta", "2"]

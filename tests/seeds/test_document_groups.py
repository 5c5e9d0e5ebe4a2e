"""Document sets (issue 15, item 5), over HTTP on every adapter: a REFI-QDA set that lists
sources and no codes (ATLAS.ti's "gender: male", MAXQDA's document sets) becomes a document
set, never an empty theme; a case filter keeps to document sets, naming a set that does not
exist is refused; setDocumentGroups edits them; an export carries them back out."""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from tests.seeds.test_import_security import TEXT, codes, coding, guid, qde
from tests.seeds.test_refi_export import schema
from tests.support import GraphQLClient

FEAR, MALE, FEMALE = guid(), guid(), guid()
DOC_A, DOC_B, CASE_A, CASE_B = guid(), guid(), guid(), guid()


def study() -> bytes:
    sources = "".join(
        f'<TextSource guid="{doc}" name="{name}"><PlainTextContent>{TEXT}</PlainTextContent>'
        f'<PlainTextSelection guid="{guid()}" startPosition="6" endPosition="12">{coding(FEAR)}</PlainTextSelection>'
        "</TextSource>"
        for doc, name in ((DOC_A, "Interview A"), (DOC_B, "Interview B"))
    )
    cases = "".join(
        f'<Case guid="{case}" name="{name}"><SourceRef targetGUID="{doc}"/></Case>'
        for case, name, doc in ((CASE_A, "Amira", DOC_A), (CASE_B, "Becky", DOC_B))
    )
    sets = (
        f'<Set guid="{MALE}" name="gender: male"><MemberSource targetGUID="{DOC_A}"/></Set>'
        f'<Set guid="{FEMALE}" name="age: 67"><MemberSource targetGUID="{DOC_A}"/>'
        f'<MemberSource targetGUID="{DOC_B}"/></Set>'
        f'<Set guid="{guid()}" name="Living with fear"><MemberCode targetGUID="{FEAR}"/></Set>'
    )
    return qde(f"{codes((FEAR, 'Fear'))}<Cases>{cases}</Cases><Sources>{sources}</Sources><Sets>{sets}</Sets>")


STUDY = """query($p: ID!) { project(id: $p) { documentGroups themes { name }
  documents { title groups } } }"""
MATRIX = """query($p: ID!, $g: [String!]) {
  caseMatrix(projectId: $p, columns: CODE, filter: {documentGroups: $g}) { rows { participant { pseudonym } } } }"""


async def test_document_sets_come_in_as_document_sets_and_filter_questions(api: GraphQLClient) -> None:
    project = (await api.ok('mutation { createProject(input: {name: "Sets"}) { id } }'))["createProject"]["id"]
    done = await api.http.post(f"/projects/{project}/import", files={"file": ("study.qde", study())})
    assert done.status_code == 200, done.text
    found = (await api.ok(STUDY, p=project))["project"]
    assert [t["name"] for t in found["themes"]] == ["Living with fear"], "no empty themes"
    assert found["documentGroups"] == ["age: 67", "gender: male"]
    assert {d["title"]: d["groups"] for d in found["documents"]} == {
        "Interview A": ["gender: male", "age: 67"],
        "Interview B": ["age: 67"],
    }

    async def rows(groups: list[str] | None) -> list[str]:
        data = await api.ok(MATRIX, p=project, g=groups)
        return [r["participant"]["pseudonym"] for r in data["caseMatrix"]["rows"]]

    assert await rows(None) == ["Amira", "Becky"]
    assert await rows(["gender: male"]) == ["Amira"]
    assert await rows(["age: 67"]) == ["Amira", "Becky"]
    typo = await api.error(MATRIX, p=project, g=["gender: mal"])
    assert typo["extensions"]["code"] == "BAD_USER_INPUT" and "gender: mal" in typo["message"]
    empty = await api.error(MATRIX, p=project, g=[])
    assert empty["extensions"]["code"] == "BAD_USER_INPUT"

    [doc_b] = [
        d
        for d in (await api.ok("query($p: ID!) { project(id: $p) { documents { id title } } }", p=project))["project"][
            "documents"
        ]
        if d["title"] == "Interview B"
    ]
    changed = await api.ok(
        "mutation($d: ID!, $g: [String!]!) { setDocumentGroups(documentId: $d, groups: $g) { groups } }",
        d=doc_b["id"],
        g=[" gender: female ", "Age: 67", "age: 67"],
    )
    assert changed["setDocumentGroups"]["groups"] == ["gender: female", "Age: 67"], "trimmed, each set once"
    blank = await api.error(
        'mutation($d: ID!) { setDocumentGroups(documentId: $d, groups: ["  "]) { groups } }', d=doc_b["id"]
    )
    assert blank["extensions"]["code"] == "BAD_USER_INPUT"

    exported = await api.http.get(f"/projects/{project}/export.qdpx")
    qde_file = etree.fromstring(zipfile.ZipFile(io.BytesIO(exported.content)).read("project.qde"))
    assert schema("Project.xsd").validate(qde_file), schema("Project.xsd").error_log
    copy = (await api.ok('mutation { createProject(input: {name: "Copy"}) { id } }'))["createProject"]["id"]
    again = await api.http.post(f"/projects/{copy}/import", files={"file": ("copy.qdpx", exported.content)})
    assert again.status_code == 200, again.text
    copied = (await api.ok(STUDY, p=copy))["project"]
    assert [t["name"] for t in copied["themes"]] == ["Living with fear"]
    assert {d["title"]: sorted(d["groups"]) for d in copied["documents"]} == {
        "Interview A": ["age: 67", "gender: male"],
        "Interview B": ["Age: 67", "gender: female"],
    }

"""REFI-QDA codebook import (every adapter): the real samples, a round trip, merging by
GUID, and hostile input that must be refused with nothing stored."""

from __future__ import annotations

import io
import os
import random
import tempfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from api.cli import app
from graph.embedded import EmbeddedStore
from graph.errors import BadInput, Conflict
from graph.policy import Actor
from graph.service import Reader, Service
from seeds.refi.export import export
from seeds.refi.imports import import_file
from seeds.refi.read import FREE_BYTES, MAX_GROWTH, MAX_RATIO, read
from seeds.registry import datasets
from tests.conftest import ACTOR, TRUSTED
from tests.seeds.conftest import DEMO, seed
from tests.support import GraphQLClient, new_user

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "refi-qda" / "samples"
if not SAMPLES.is_dir():
    message = f"the REFI-QDA samples are read from {SAMPLES} (shared/ beside the repository), which is missing"
    if os.environ.get("CI") == "true":
        raise RuntimeError(message)
    pytest.skip(message, allow_module_level=True)


IMPORTER = Actor(ACTOR)
"""Whoever imports: signed in, OWNER of the projects their imports create."""


async def codebook_of(reader: Reader, project_id: str) -> tuple[list, list, set]:
    codes = (await reader.codes_of_projects([project_id]))[project_id]
    themes = (await reader.themes_of_projects([project_id]))[project_id]
    members = await reader.codes_of_themes([t.id for t in themes])
    return (
        [(c.id, c.name, c.parent_id, c.color, c.description) for c in codes],
        [(t.id, t.name, t.description) for t in themes],
        {(t, c.id) for t, cs in members.items() for c in cs},
    )


async def test_atlas_ti_codebook_sample(service: Service) -> None:
    summary = await import_file(service, IMPORTER, (SAMPLES / "atlasti-23-codebook.qdpx").read_bytes())
    reader = service.reader(IMPORTER)
    codes, _, _ = await codebook_of(reader, summary.project_id)
    parent = "a182cd3a-d83c-4d8c-bc80-26d9103ec6d6"  # written in upper case in the file
    assert {(name, p) for _, name, p, _, _ in codes} == {
        ("Commits", None),
        ("2022-05-10T02:05:59Z 19e4dce", parent),
        ("2022-02-11T10:39:25Z cdbfd92", parent),
    }
    listed = ["088b08ac-d5cd-4adb-8b71-b4f3459c177f", "c32a2bd5-537f-4838-8b17-df9efbafdf4b"]
    assert summary.users == 0 and await reader.get_users(listed) == {}, "the file's users coded nothing here"
    assert (await reader.get_projects([summary.project_id]))[summary.project_id].name == "target-atlas-project"


async def test_blank_and_f4analyse_samples(service: Service) -> None:
    reader = service.reader(IMPORTER)
    blank = await import_file(service, IMPORTER, (SAMPLES / "atlasti-23-blank.qdpx").read_bytes())
    assert (await codebook_of(reader, blank.project_id))[0] == [] and blank.users == 0
    f4 = await import_file(service, IMPORTER, (SAMPLES / "f4analyse-2025-project.qde").read_bytes())
    codes, _, _ = await codebook_of(reader, f4.project_id)
    assert codes == [
        (
            "206750b8-d3c8-4bc6-a922-5c8c1475f36f",
            "Dies ist ein Test-Code",
            None,
            "#044B9B",
            "Dies ist der Kommentar vom Test-Code",
        )
    ]
    assert f4.missing_texts == ["Interview 15mins", "Interview 30mins", "Interview 60mins", "testfile"]
    assert "not imported: source 'testfile', whose text is not in the file" in f4.lines()
    memos = (await reader.memos_of_projects([f4.project_id]))[f4.project_id]
    assert len(memos) == 3, "its notes come in, attached where the file refers to them"


async def exported_demo(tmp_path: Path, format: str) -> tuple[bytes, dict[str, object]]:
    """The demo, exported from a store of its own, and what it holds (`project_of`)."""
    store = EmbeddedStore(tmp_path / "source")
    await store.open()
    try:
        source = Service(store)
        await seed(source)
        reader = source.reader(TRUSTED)
        project_id = datasets()[DEMO].project_id
        return await export(reader, project_id, format), await project_of(reader, project_id)
    finally:
        await store.close()


async def test_round_trip_and_merge_by_guid(service: Service, tmp_path: Path) -> None:
    qdc, _ = await exported_demo(tmp_path, "qdc")
    reader = service.reader(IMPORTER)
    first = await import_file(service, IMPORTER, qdc, fallback_name="Demo codebook")
    assert first.created == {"codes": 35, "themes": 10, "theme memberships": 33}
    codes, themes, members = await codebook_of(reader, first.project_id)
    assert len(codes) == 35 and len(themes) == 10 and len(members) == 33
    assert await export(reader, first.project_id, "qdc") == qdc, "export, import, export gives the same codebook"

    again = await import_file(service, IMPORTER, qdc, project_id=first.project_id)
    assert not again.created and not again.updated and again.unchanged == {"codes": 35, "themes": 10}
    assert await codebook_of(reader, first.project_id) == (codes, themes, members), "nothing duplicated"

    fear = datasets()[DEMO].id("code", "fear-removal")
    changed = qdc.replace(b'name="Fear of the baby being taken away"', b'name="Fear of removal"').replace(
        b"</Codes>",
        b'<Code guid="11111111-2222-3333-4444-555555555555" name="New from a partner" isCodable="true"/></Codes>',
    )
    merged = await import_file(service, IMPORTER, changed, project_id=first.project_id)
    assert merged.updated == {"codes": 1} and merged.created == {"codes": 1}
    names = {id: name for id, name, *_ in (await codebook_of(reader, first.project_id))[0]}
    assert names[fear] == "Fear of removal" and names["11111111-2222-3333-4444-555555555555"] == "New from a partner"


async def project_of(reader: Reader, project_id: str) -> dict[str, object]:
    """Everything an import maps, in comparable form (no instants, which each store stamps; coders
    by name, since an import makes user records of its own for them)."""
    snap = await reader.project_snapshot(project_id, with_text=True)
    documents = (await reader.documents_of_projects([project_id]))[project_id]
    memos = (await reader.memos_of_projects([project_id]))[project_id]
    coders = await reader.get_users(list({c.coder_id for c in snap.codings}))
    return {
        "codebook": await codebook_of(reader, project_id),
        "participants": sorted((p.id, p.pseudonym, tuple(sorted(p.attributes.items()))) for p in snap.participants),
        "documents": sorted((d.id, d.title, d.text, d.participant_id) for d in documents),
        "excerpts": sorted((e.id, e.document_id, e.start, e.end, e.text) for e in snap.excerpts),
        "codings": sorted((c.excerpt_id, c.code_id, coders[c.coder_id].name) for c in snap.codings),
        "links": sorted((x.id, x.source_id, x.target_id, x.kind, x.label) for x in snap.links),
        "memos": sorted((m.id, m.target_id, m.title, m.body) for m in memos),
    }


async def test_a_whole_project_round_trips_and_merges(service: Service, tmp_path: Path) -> None:
    qdpx, original = await exported_demo(tmp_path, "qdpx")
    reader = service.reader(IMPORTER)
    imported = await import_file(service, IMPORTER, qdpx)
    assert imported.created["codings"] == len(original["codings"]) and imported.created["documents"] == 18
    assert imported.users == 2 and not imported.remapped
    copy = await project_of(reader, imported.project_id)
    for part in original:
        if part == "memos":  # memos about participants and themes come back attached to the project
            assert [m[0] for m in copy[part]] == [m[0] for m in original[part]]
        else:
            assert copy[part] == original[part], part
    second = zipfile.ZipFile(io.BytesIO(await export(reader, imported.project_id, "qdpx")))
    first = zipfile.ZipFile(io.BytesIO(qdpx))
    assert comparable(second.read("project.qde")) == comparable(first.read("project.qde")), "export again: equal"
    assert {n: second.read(n) for n in second.namelist() if n.startswith("sources/")} == {
        n: first.read(n) for n in first.namelist() if n.startswith("sources/")
    }
    again = await import_file(service, IMPORTER, qdpx, project_id=imported.project_id)
    assert not any(again.created.values()) and again.users == 0, again.created
    assert await project_of(reader, imported.project_id) == copy, "re-importing duplicates nothing"


def comparable(qde: bytes) -> bytes:
    """A project file without what an import cannot carry over: instants, the project's own
    creator and users list (whoever imports owns the copy), codings (its coders are user records
    of its own, so their GUIDs differ: `project_of` compares codings by coder name), memos'
    attachment to participants and themes (the standard has nowhere to put it), and the graph
    (derived, not imported)."""
    root = etree.fromstring(qde)
    for element in root.iter():
        for name in [a for a in element.attrib if a.endswith(("DateTime", "UserGUID")) or a == "creatingUser"]:
            del element.attrib[name]
    for coding in root.findall(".//{urn:QDA-XML:project:1.0}Coding"):
        coding.getparent().remove(coding)
    for name in ("Users", "Graphs", "NoteRef"):
        for element in root.findall(f"{{urn:QDA-XML:project:1.0}}{name}"):
            root.remove(element)
    return etree.tostring(root, method="c14n")


async def test_namespace_variants_read_the_same(service: Service) -> None:
    old = (
        b'<CodeBook xmlns="urn:QDA-XML:codebook:0:4" origin="x"><Codes>'
        b'<Code guid="{E1111111-2222-3333-4444-555555555555}" name="Braced" isCodable="true"/></Codes></CodeBook>'
    )
    summary = await import_file(service, IMPORTER, old)
    codes = (await service.reader(IMPORTER).codes_of_projects([summary.project_id]))[summary.project_id]
    assert [(c.id, c.name) for c in codes] == [("e1111111-2222-3333-4444-555555555555", "Braced")]


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


PROJECT = b'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes>%s</Codes></CodeBook>%s</Project>'
CODE = b'<Code guid="%s" name="%s" isCodable="true"/>'


def _lying(local: dict[int, int], central: dict[int, int], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """An archive of project.qde whose bytes at these offsets of the member's local header (its
    data starts at 41) and of its central directory entry are replaced: a damaged zip that opens,
    but whose member cannot be read."""
    data = bytearray(_zip({"project.qde": PROJECT % (b"", b"")}, compression))
    entry = data.rindex(b"PK\x01\x02")
    for at, value in local.items():
        data[at] = value
    for at, value in central.items():
        data[entry + at] = value
    return bytes(data)


HOSTILE = {
    "not a qda file": b"%PDF-1.7 not at all",
    "damaged zip": b"PK\x03\x04garbage",
    "member named differently in its two headers": _lying({30: ord("P")}, {}),
    "member with a bad checksum": _lying({41: ord("(")}, {}, zipfile.ZIP_STORED),
    "member that does not inflate": _lying({41: 0xFF, 42: 0xFF, 43: 0xFF}, {}),
    "member of an unknown compression method": _lying({8: 99}, {10: 99}),
    "encrypted member": _lying({6: 1}, {8: 1}),
    "zip bomb": _zip({"project.qde": PROJECT % (b"", b""), "sources/big.txt": b"0" * 20_000_000}),
    "path escaping the archive": _zip({"project.qde": PROJECT % (b"", b""), "../../etc/evil.txt": b"x"}),
    "no project file": _zip({"readme.txt": b"hello"}),
    "external entity": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>',
    "entity expansion": b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
    b'<Project xmlns="urn:QDA-XML:project:1.0" name="&b;"/>',
    "malformed xml": b'<Project xmlns="urn:QDA-XML:project:1.0"><CodeBook>',
    "not a guid": PROJECT % (CODE % (b"not-a-guid", b"A"), b""),
    "set refers to a missing code": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Sets><Set guid="21111111-2222-3333-4444-555555555555" name="S">'
        b'<MemberCode targetGUID="31111111-2222-3333-4444-555555555555"/></Set></Sets>',
    ),
    "duplicate names": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A") + CODE % (b"21111111-2222-3333-4444-555555555555", b"a"),
        b"",
    ),
    "duplicate set names": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Sets><Set guid="21111111-2222-3333-4444-555555555555" name="S"/>'
        b'<Set guid="31111111-2222-3333-4444-555555555555" name="s"/></Sets>',
    ),
    "unnamed code": PROJECT % (CODE % (b"11111111-2222-3333-4444-555555555555", b""), b""),
    "wrong root": b'<Something xmlns="urn:QDA-XML:project:1.0"/>',
    "selection outside the text": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Sources><TextSource guid="41111111-2222-3333-4444-555555555555" '
        b'name="t"><PlainTextContent>short</PlainTextContent>'
        b'<PlainTextSelection guid="51111111-2222-3333-4444-555555555555" '
        b'startPosition="2" endPosition="90"/></TextSource></Sources>',
    ),
    "coding of a missing code": PROJECT
    % (
        b"",
        b'<Sources><TextSource guid="41111111-2222-3333-4444-555555555555" '
        b'name="t"><PlainTextContent>short</PlainTextContent>'
        b'<Coding guid="61111111-2222-3333-4444-555555555555"><CodeRef '
        b'targetGUID="71111111-2222-3333-4444-555555555555"/></Coding>'
        b"</TextSource></Sources>",
    ),
    "coder missing from the users": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Sources><TextSource guid="41111111-2222-3333-4444-555555555555" '
        b'name="t"><PlainTextContent>short</PlainTextContent><Coding '
        b'guid="61111111-2222-3333-4444-555555555555" '
        b'creatingUser="81111111-2222-3333-4444-555555555555"><CodeRef '
        b'targetGUID="11111111-2222-3333-4444-555555555555"/></Coding>'
        b"</TextSource></Sources>",
    ),
    "one guid for two things": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Cases><Case guid="11111111-2222-3333-4444-555555555555" name="c"/></Cases>',
    ),
    "two codes with one guid": PROJECT
    % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A") + CODE % (b"11111111-2222-3333-4444-555555555555", b"B"),
        b"",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
async def test_hostile_or_broken_input_is_refused_and_stores_nothing(service: Service, case: str) -> None:
    reader = service.reader(TRUSTED)
    before = await reader.list_projects()
    with pytest.raises(BadInput):
        await import_file(service, IMPORTER, HOSTILE[case])
    assert await reader.list_projects() == before


def test_cli_import_and_merge(tmp_path: Path) -> None:
    runner = CliRunner()
    where = ["--data-dir", str(tmp_path)]
    created = runner.invoke(app, ["import", str(SAMPLES / "atlasti-23-codebook.qdpx"), *where])
    assert created.exit_code == 0 and "created: 3 codes" in created.output, created.output
    project = created.output.split("project ", 1)[1].split()[0]
    merged = runner.invoke(app, ["import", str(SAMPLES / "atlasti-23-codebook.qdpx"), "--project", project, *where])
    assert merged.exit_code == 0 and "unchanged: 3 codes" in merged.output
    with tempfile.NamedTemporaryFile(suffix=".qde") as bad:
        bad.write(HOSTILE["external entity"])
        bad.flush()
        refused = runner.invoke(app, ["import", bad.name, *where])
    assert refused.exit_code == 2 and "DTD" in refused.output


async def test_http_import(api: GraphQLClient) -> None:
    project = (await api.ok('mutation { createProject(input: {name: "Partner"}) { id } }'))["createProject"]["id"]
    sample = (SAMPLES / "atlasti-23-codebook.qdpx").read_bytes()
    done = await api.http.post(f"/projects/{project}/import", files={"file": ("codebook.qdpx", sample)})
    assert done.status_code == 200, done.text
    assert done.json()["projectId"] == project and "created: 3 codes" in done.json()["summary"]
    codes = (await api.ok("query($p: ID!) { project(id: $p) { codes { name } } }", p=project))["project"]["codes"]
    assert len(codes) == 3
    bad = await api.http.post(f"/projects/{project}/import", files={"file": ("x.qde", HOSTILE["entity expansion"])})
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await api.http.post(f"/projects/{project}/import", data={"other": "x"})).status_code == 400
    assert api.service is not None
    _, token = await new_user(api.service, "Stranger")
    stranger = await api.http.post(
        f"/projects/{project}/import", files={"file": ("c.qdpx", sample)}, headers={"Authorization": f"Bearer {token}"}
    )
    assert stranger.status_code == 404
    viewer, viewer_token = await new_user(api.service, "Looker")
    await api.ok(
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: VIEWER) { role } }",
        p=project,
        u=viewer.id,
    )
    looker = await api.http.post(
        f"/projects/{project}/import",
        files={"file": ("c.qdpx", sample)},
        headers={"Authorization": f"Bearer {viewer_token}"},
    )
    assert looker.status_code == 403 and looker.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_merge_brings_named_things_up_to_date(service: Service) -> None:
    base = PROJECT % (CODE % (b"11111111-2222-3333-4444-555555555555", b"A"), b"%s")
    cases = (
        b'<Variables><Variable guid="91111111-2222-3333-4444-555555555555" name="age" typeOfVariable="Integer"/>'
        b'</Variables><Cases><Case guid="a1111111-2222-3333-4444-555555555555" name="%s"><VariableValue>'
        b'<VariableRef targetGUID="91111111-2222-3333-4444-555555555555"/><IntegerValue>%s</IntegerValue>'
        b'</VariableValue><CodeRef targetGUID="11111111-2222-3333-4444-555555555555"/></Case></Cases>'
        b'<Notes><Note guid="b1111111-2222-3333-4444-555555555555" name="%s"><PlainTextContent>body'
        b"</PlainTextContent></Note></Notes>"
    )
    first = await import_file(service, IMPORTER, base % (cases % (b"Ann", b"7", b"memo")))
    assert first.created["participants"] == 1 and first.skipped["Case CodeRef"] == 1
    assert "not imported: 1 Case CodeRef" in first.lines()
    second = await import_file(
        service, IMPORTER, base % (cases % (b"Anne", b"8", b"memo, revised")), project_id=first.project_id
    )
    assert second.updated == {"participants": 1, "memos": 1}
    reader = service.reader(IMPORTER)
    person = (await reader.participants_of_projects([first.project_id]))[first.project_id][0]
    assert (person.pseudonym, person.attributes) == ("Anne", {"age": 8})
    memo = (await reader.memos_of_projects([first.project_id]))[first.project_id][0]
    assert memo.title == "memo, revised"


async def test_categories_keep_is_codable(service: Service) -> None:
    category = b'<Code guid="c1111111-2222-3333-4444-555555555555" name="Emotions" isCodable="false">%s</Code>'
    child = CODE % (b"d1111111-2222-3333-4444-555555555555", b"Fear")
    summary = await import_file(service, IMPORTER, PROJECT % (category % child, b""))
    reader = service.reader(IMPORTER)
    codes = {c.name: c.codable for c in (await reader.codes_of_projects([summary.project_id]))[summary.project_id]}
    assert codes == {"Emotions": False, "Fear": True}
    assert b'isCodable="false"' in await export(reader, summary.project_id, "qdc")
    coded = PROJECT % (
        category % child,
        b'<Sources><TextSource guid="41111111-2222-3333-4444-555555555555" name="t">'
        b'<PlainTextContent>short</PlainTextContent><Coding guid="61111111-2222-3333-4444-555555555555">'
        b'<CodeRef targetGUID="c1111111-2222-3333-4444-555555555555"/></Coding></TextSource></Sources>',
    )
    with pytest.raises(BadInput):
        await import_file(service, IMPORTER, coded, project_id=summary.project_id)
    assert (await reader.documents_of_projects([summary.project_id]))[summary.project_id] == []


def test_a_small_upload_cannot_become_a_large_project() -> None:
    """Each member within the compression ratio, but the whole far beyond what its size allows."""
    rng = random.Random(1)
    block = b"".join(rng.randbytes(24) + b"\0" * 2024 for _ in range(1024))  # 2 MiB, about 80x compressible
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", PROJECT % (b"", b""))
        for i in range(12):
            archive.writestr(f"sources/{i}.txt", block)
    data = buffer.getvalue()
    members = [m for m in zipfile.ZipFile(io.BytesIO(data)).infolist() if m.filename.startswith("sources/")]
    assert all(m.file_size / m.compress_size < MAX_RATIO for m in members), "no member is a bomb by itself"
    assert sum(m.file_size for m in members) > max(FREE_BYTES, MAX_GROWTH * len(data))
    with pytest.raises(BadInput, match="times the upload"):
        read(data)


async def test_two_cases_with_one_pseudonym_are_refused_and_nothing_is_stored(service: Service) -> None:
    twins = PROJECT % (
        CODE % (b"11111111-2222-3333-4444-555555555555", b"A"),
        b'<Cases><Case guid="a1111111-2222-3333-4444-555555555555" name="Ann"/>'
        b'<Case guid="a2222222-2222-3333-4444-555555555555" name="ANN"/></Cases>',
    )
    reader = service.reader(TRUSTED)
    before = await reader.list_projects()
    with pytest.raises(Conflict, match="'ANN'"):
        await import_file(service, IMPORTER, twins)
    assert await reader.list_projects() == before

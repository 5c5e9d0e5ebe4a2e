"""Copy and merge a team can trust (issue 15, item 7), over HTTP on every adapter: a project
copied through its own REFI-QDA export keeps its theme tree; re-importing one's own export
duplicates nothing, even for a user whose id is not a GUID; a file's users become existing
members only when an OWNER asks, never by look-alike users."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree
from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from graph.models import Role
from graph.store import Store
from tests.conftest import TRUSTED
from tests.seeds.conftest import seed_for
from tests.servers import thememap
from tests.support import GraphQLClient, new_user, serve_in_process

THEMES = """query($p: ID!) { project(id: $p) { themes { name excerptCount parent { name } } } }"""
COUNTS = """query($p: ID!) { project(id: $p) { members { user { id name } }
  documents { excerpts { codings { coder { name } code { name } } } } } }"""


async def exported(api: GraphQLClient, project_id: str) -> bytes:
    response = await api.http.get(f"/projects/{project_id}/export.qdpx")
    assert response.status_code == 200, response.text
    return response.content


async def imported(api: GraphQLClient, project_id: str, archive: bytes, **fields: str) -> list[str]:
    response = await api.http.post(
        f"/projects/{project_id}/import", files={"file": ("study.qdpx", archive)}, data=fields
    )
    assert response.status_code == 200, response.text
    lines: list[str] = response.json()["summary"]
    return lines


def tree(data: dict[str, Any]) -> set[tuple[str, str | None, int]]:
    return {(t["name"], (t["parent"] or {}).get("name"), t["excerptCount"]) for t in data["project"]["themes"]}


async def codings(api: GraphQLClient, project_id: str) -> list[tuple[str, str]]:
    data = await api.ok(COUNTS, p=project_id)
    return sorted(
        (c["coder"]["name"], c["code"]["name"])
        for d in data["project"]["documents"]
        for e in d["excerpts"]
        for c in e["codings"]
    )


async def test_a_copy_on_the_same_server_keeps_the_theme_tree(demo: GraphQLClient) -> None:
    [original] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    copy = (await demo.ok('mutation { createProject(input: {name: "Copy"}) { id } }'))["createProject"]["id"]
    summary = await imported(demo, copy, await exported(demo, original))
    assert any(line.startswith("remapped:") for line in summary), summary  # the demo holds every GUID
    before, after = tree(await demo.ok(THEMES, p=original)), tree(await demo.ok(THEMES, p=copy))
    assert after == before
    assert any(parent is not None for _, parent, _ in after), "the demo's themes have subthemes"


async def test_reimporting_ones_own_export_duplicates_nothing(tmp_path: Any, new_store: Callable[[], Store]) -> None:
    """With THEMEMAP_AUTH=off the local user's id ("local") is not a GUID: the export writes a
    GUID derived from it, which the import recognises as the importer's own."""
    settings = Settings(data_dir=tmp_path / "data", auth="off", _env_file=None)  # type: ignore[call-arg]
    async with serve_in_process(settings, new_store()) as api:
        project = await seed_for(api)
        excerpt = (await api.ok("query($p: ID!) { project(id: $p) { documents { id } codes { id } } }", p=project))[
            "project"
        ]
        await api.ok(
            "mutation($d: ID!, $c: ID!) { codeText(input: {documentId: $d, start: 0, end: 12, codeIds: [$c]}) { id } }",
            d=excerpt["documents"][0]["id"],
            c=excerpt["codes"][0]["id"],
        )
        before = await codings(api, project)
        users_before = {m["user"]["name"] for m in (await api.ok(COUNTS, p=project))["project"]["members"]}
        archive = await exported(api, project)
        summary = await imported(api, project, archive)
        assert "users: 0 added for the file's coders (they cannot sign in)" in summary, summary
        assert await codings(api, project) == before
        assert {m["user"]["name"] for m in (await api.ok(COUNTS, p=project))["project"]["members"]} == users_before

    # As a new project, through the command line (which acts as the local user too): the file's
    # other coders (the demo's two) come in as records, the local user's coding stays theirs.
    (tmp_path / "own.qdpx").write_bytes(archive)
    env = {"THEMEMAP_STORE": "embedded", "THEMEMAP_DATA_DIR": str(tmp_path / "cli")}
    copied = thememap(env, "import", str(tmp_path / "own.qdpx"))
    assert "users: 2 added for the file's coders (they cannot sign in)" in copied, copied


async def test_file_users_become_members_only_when_an_owner_asks(demo: GraphQLClient) -> None:
    [original] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    archive = await exported(demo, original)
    members = (await demo.ok(COUNTS, p=original))["project"]["members"]
    coders = {name for name, _ in await codings(demo, original)}
    target = (await demo.ok('mutation { createProject(input: {name: "Team copy"}) { id } }'))["createProject"]["id"]
    assert demo.service is not None
    for m in members:
        if m["user"]["id"] != demo.user_id:
            await demo.service.add_member(TRUSTED, target, m["user"]["id"], Role.ANALYST)

    asked = await imported(demo, target, archive, matchUsers="true")
    assert "users: 0 added for the file's coders (they cannot sign in)" in asked, asked
    assert {name for name, _ in await codings(demo, target)} == coders, "codings are the members' own"
    names = [m["user"]["name"] for m in (await demo.ok(COUNTS, p=target))["project"]["members"]]
    assert len(names) == len(set(names)), "no look-alike users"

    unasked = (await demo.ok('mutation { createProject(input: {name: "Plain copy"}) { id } }'))["createProject"]["id"]
    plain = await imported(demo, unasked, archive)
    assert any(line.startswith("users: ") and not line.startswith("users: 0 ") for line in plain), plain
    assert not {name for name, _ in await codings(demo, unasked)} & coders, (
        "without asking, a file's coders are user records of their own, never the members"
    )


CODEBOOK = "query($p: ID!) { project(id: $p) { codes { id name } themes { id name } } }"


async def test_merging_an_older_file_does_not_bring_back_what_was_deleted(demo: GraphQLClient) -> None:
    [project] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    older = await exported(demo, project)
    older_codebook = (await demo.http.get(f"/projects/{project}/codebook.qdc")).content
    book = (await demo.ok(CODEBOOK, p=project))["project"]
    code, theme = book["codes"][-1], book["themes"][-1]
    await demo.ok("mutation($id: ID!) { deleteCode(id: $id) }", id=code["id"])
    await demo.ok("mutation($id: ID!) { deleteTheme(id: $id) }", id=theme["id"])
    after_deleting = await demo.ok(CODEBOOK, p=project)
    coded = await codings(demo, project)

    summary = await imported(demo, project, older)
    assert "not imported: 1 codes deleted in this project since the file was made" in summary, summary
    assert "not imported: 1 themes deleted in this project since the file was made" in summary, summary
    assert await demo.ok(CODEBOOK, p=project) == after_deleting, "nothing deleted came back"
    assert await codings(demo, project) == coded, "nor any coding with the deleted code"

    codebook = await demo.http.post(
        f"/projects/{project}/import", files={"file": ("codebook.qdc", older_codebook, "application/xml")}
    )
    assert codebook.status_code == 200, codebook.text  # a codebook says not when it was made: nothing deleted returns
    assert await demo.ok(CODEBOOK, p=project) == after_deleting

    newer = await exported(demo, project)
    assert not [line for line in await imported(demo, project, newer) if "deleted in this project" in line]


def with_fresh_user_guids(archive: bytes) -> bytes:
    """The archive as another server would write it: the same users (by name) under other GUIDs."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    project = source.read("project.qde").decode()
    for user in etree.fromstring(project.encode()).iter("{urn:QDA-XML:project:1.0}User"):
        project = project.replace(user.get("guid"), str(uuid.uuid4()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, project if name == "project.qde" else source.read(name))
    return out.getvalue()


async def test_users_match_members_by_name_only_when_an_owner_asks(demo: GraphQLClient) -> None:
    [original] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    archive = with_fresh_user_guids(await exported(demo, original))
    coders = {name for name, _ in await codings(demo, original)}
    assert demo.service is not None

    async def team_project(name: str) -> str:
        id = (await demo.ok("mutation($n: String!) { createProject(input: {name: $n}) { id } }", n=name))[
            "createProject"
        ]["id"]
        for m in (await demo.ok(COUNTS, p=original))["project"]["members"]:
            if m["user"]["id"] != demo.user_id:
                await demo.service.add_member(TRUSTED, id, m["user"]["id"], Role.ANALYST)  # type: ignore[union-attr]
        return id

    unasked = await team_project("Unasked")
    await imported(demo, unasked, archive)
    assert not {name for name, _ in await codings(demo, unasked)} & coders, "other GUIDs: not the members unasked"

    asked = await team_project("Asked")
    summary = await imported(demo, asked, archive, matchUsers="true")
    assert "users: 0 added for the file's coders (they cannot sign in)" in summary, summary
    assert {name for name, _ in await codings(demo, asked)} == coders

    analyst, token = await new_user(demo.service, "Analyst")
    await demo.service.add_member(TRUSTED, asked, analyst.id, Role.ANALYST)
    refused = await demo.http.post(
        f"/projects/{asked}/import",
        files={"file": ("study.qdpx", archive)},
        data={"matchUsers": "true"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 403 and refused.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await demo.http.post(
        f"/projects/{asked}/import", files={"file": ("study.qdpx", archive)}, data={"matchUsers": "yes please"}
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_preview_says_what_an_import_would_do_and_writes_nothing(demo: GraphQLClient) -> None:
    [original] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    archive = await exported(demo, original)
    target = (await demo.ok('mutation { createProject(input: {name: "Preview"}) { id } }'))["createProject"]["id"]
    history = "query($p: ID!) { activity(projectId: $p) { edges { node { id } } } }"
    before = (await demo.ok(CODEBOOK, p=target), await demo.ok(history, p=target))

    previewed = await imported(demo, target, archive, preview="true")
    assert previewed[0] == "preview: nothing was written; importing the file would do this"
    assert (await demo.ok(CODEBOOK, p=target), await demo.ok(history, p=target)) == before
    done = await imported(demo, target, archive)
    assert previewed[1:] == done, "the preview is what the import then does"

    broken = await demo.http.post(
        f"/projects/{target}/import", files={"file": ("x.qde", b"<Project>")}, data={"preview": "true"}
    )
    assert broken.status_code == 400 and broken.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_cli_preview(tmp_path: Path) -> None:
    """`thememap import --preview` prints what would come in and stores nothing."""
    runner, where = CliRunner(), ["--data-dir", str(tmp_path)]
    sample = str(Path(__file__).resolve().parents[3] / "shared" / "refi-qda" / "samples" / "atlasti-23-codebook.qdpx")
    previewed = runner.invoke(app, ["import", sample, "--preview", *where])
    assert previewed.exit_code == 0, previewed.output
    assert "preview: nothing was written" in previewed.output and "created: 3 codes" in previewed.output
    project = previewed.output.split("project ", 1)[1].split()[0]
    merged = runner.invoke(app, ["import", sample, "--project", project, *where])
    assert merged.exit_code == 2 and "no project with id" in merged.output.lower(), (
        "the previewed project was never made"
    )


async def test_a_transcript_preview_writes_nothing(demo: GraphQLClient) -> None:
    [project] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"]]
    documents = "query($p: ID!) { project(id: $p) { documents { id } } }"
    before = await demo.ok(documents, p=project)
    transcript = "Interviewer: How was it?\nAmira: Hard at first.\n".encode()
    response = await demo.http.post(
        f"/projects/{project}/import", files={"file": ("amira.txt", transcript)}, data={"preview": "true"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["summary"][0] == "preview: nothing was written; importing the file would do this"
    assert "turns: 2 by 2 speakers: Interviewer (1), Amira (1)" in response.json()["summary"]
    assert await demo.ok(documents, p=project) == before


async def test_an_import_keeps_the_files_creation_times(demo: GraphQLClient) -> None:
    """A partner's file says when its sources, selections, codings and notes were made; a copy keeps
    its documents' and memos' times (the export writes them)."""
    times = """query($p: ID!) { project(id: $p) { documents { title createdAt
      excerpts { start createdAt codings { createdAt } } } memos { title createdAt } } }"""
    code, source, selection, note = (str(uuid.uuid4()) for _ in range(4))
    qde = (
        '<Project xmlns="urn:QDA-XML:project:1.0" name="Partner">'
        f'<CodeBook><Codes><Code guid="{code}" name="Fear" isCodable="true"/></Codes></CodeBook>'
        f'<Sources><TextSource guid="{source}" name="Interview" creationDateTime="2019-03-01T09:00:00Z">'
        "<PlainTextContent>I was scared they would take her.</PlainTextContent>"
        f'<PlainTextSelection guid="{selection}" startPosition="6" endPosition="12" '
        'creationDateTime="2019-03-02T10:00:00Z">'
        f'<Coding guid="{uuid.uuid4()}" creationDateTime="2019-03-03T11:00:00Z"><CodeRef targetGUID="{code}"/></Coding>'
        "</PlainTextSelection></TextSource></Sources>"
        f'<Notes><Note guid="{note}" name="Why" creationDateTime="2019-03-04T12:00:00+01:00">'
        "<PlainTextContent>Because.</PlainTextContent></Note></Notes></Project>"
    ).encode()
    target = (await demo.ok('mutation { createProject(input: {name: "Partner"}) { id } }'))["createProject"]["id"]
    await imported(demo, target, qde)
    found = (await demo.ok(times, p=target))["project"]
    [document] = found["documents"]
    assert document["createdAt"].startswith("2019-03-01T09:00:00")
    assert document["excerpts"][0]["createdAt"].startswith("2019-03-02T10:00:00")
    assert document["excerpts"][0]["codings"][0]["createdAt"].startswith("2019-03-03T11:00:00")
    assert found["memos"][0]["createdAt"].startswith("2019-03-04T11:00:00")  # in UTC

    [original] = [p["id"] for p in (await demo.ok("{ projects { id } }"))["projects"] if p["id"] != target]
    copy = (await demo.ok('mutation { createProject(input: {name: "Copy"}) { id } }'))["createProject"]["id"]
    await imported(demo, copy, await exported(demo, original))

    def made(project: dict[str, Any]) -> dict[str, str]:
        return {d["title"]: d["createdAt"][:19] for d in project["documents"]} | {
            m["title"]: m["createdAt"][:19] for m in project["memos"]
        }

    assert made((await demo.ok(times, p=copy))["project"]) == made((await demo.ok(times, p=original))["project"])

"""Transcripts as researchers have them, through the public interface on every adapter: files made
here (a Word interview by python-docx, an OpenDocument one by odfpy, captions and plain text written
out) are uploaded to `POST /projects/{id}/import` or given to `thememap import`, and read back over
GraphQL: each document's text must be exactly the file's text, and its turns exactly who said what."""

from __future__ import annotations

import asyncio
import codecs
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document as WordDocument
from odf import teletype
from odf.opendocument import OpenDocumentText
from odf.text import H, List, ListItem, Note, NoteBody, NoteCitation, P
from typer.testing import CliRunner

from api.cli import app
from graph.embedded import EmbeddedStore
from graph.inputs import NewParticipant, NewProject
from graph.models import SpeakerRole
from graph.service import Service
from graph.store import Store
from seeds.transcripts.speakers import label_at
from tests.bolt.server import BoltServer
from tests.conftest import TRUSTED
from tests.seeds.test_readme_tour import tour_steps
from tests.support import GraphQLClient, new_user

DOCUMENT = """query($d: ID!) { document(id: $d) {
  title text kind participant { pseudonym } turns { speaker start end text role }
} }"""


def expected_turns(text: str, said: list[tuple[str, str]], roles: dict[str, str] | None = None) -> list[dict]:
    """Turns as GraphQL gives them: each speech found in `text` after the one before, by code points."""
    out, at = [], 0
    for speaker, speech in said:
        start = text.index(speech, at)
        at = start + len(speech)
        out.append({"speaker": speaker, "start": start, "end": at, "text": speech, "role": (roles or {}).get(speaker)})
    return out


async def project_with(api: GraphQLClient, pseudonym: str = "Amira") -> tuple[str, str]:
    p = (await api.ok('mutation { createProject(input: {name: "Interviews"}) { id } }'))["createProject"]["id"]
    who = await api.ok(
        "mutation($p: ID!, $n: String!) { addParticipant(input: {projectId: $p, pseudonym: $n}) { id } }",
        p=p,
        n=pseudonym,
    )
    return p, who["addParticipant"]["id"]


async def upload(api: GraphQLClient, project: str, name: str, data: bytes, **fields: Any) -> dict:
    """Import a file; the response's JSON (documentId and summary on success)."""
    response = await api.http.post(f"/projects/{project}/import", files={"file": (name, data)}, data=fields)
    body = response.json()
    body["status"] = response.status_code
    return body


async def imported(api: GraphQLClient, project: str, name: str, data: bytes, **fields: Any) -> dict:
    done = await upload(api, project, name, data, **fields)
    assert done["status"] == 200, done
    return (await api.ok(DOCUMENT, d=done["documentId"]))["document"] | {"summary": done["summary"]}


# -- Word ---------------------------------------------------------------------------------------

WORD_SAID = [
    ("Interviewer", "How did it start?"),
    ("Amira", "I was scared\tthey’d take her.\nShe was tiny.\n\nThen Jo came. 😀 Things changed, slowly."),
    ("Interviewer", "And the meeting?"),
    ("Amira", "Everyone talked: the health visitor, Jo, the social worker."),
]


def word_interview() -> tuple[bytes, str]:
    """A .docx as a transcriber types one (bold labels, a tab, a line break, an empty paragraph, a
    table of details), and the text python-docx itself reads from it, paragraph by paragraph."""
    doc = WordDocument()
    doc.add_paragraph("Interview 7 — 12 May, at home")
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Participant", "Amira (P7)"
    for speaker, speech in WORD_SAID:
        first, *rest = speech.split("\n\n")
        paragraph = doc.add_paragraph()
        paragraph.add_run(f"{speaker}:").bold = True
        paragraph.add_run(" " + first)  # python-docx writes "\t" as <w:tab/> and "\n" as <w:br/>
        for more in rest:
            doc.add_paragraph("")
            doc.add_paragraph(more)
    lines = []
    for block in doc.iter_inner_content():
        if hasattr(block, "rows"):
            lines += [p.text for row in block.rows for cell in row.cells for p in cell.paragraphs]
        else:
            lines.append(block.text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue(), "\n".join(lines)


async def test_a_word_interview_keeps_its_text_and_speaker_turns(api: GraphQLClient) -> None:
    project, amira = await project_with(api)
    data, text = word_interview()
    assert text.startswith("Interview 7 — 12 May, at home\nParticipant\nAmira (P7)\nInterviewer: How did it start?")
    document = await imported(
        api,
        project,
        "interview-07.docx",
        data,
        participant=amira,
        participantSpeaker="amira",
        interviewer="Interviewer",
    )
    roles = {"Amira": "PARTICIPANT", "Interviewer": "INTERVIEWER"}
    assert document["text"] == text
    assert document["turns"] == expected_turns(text, WORD_SAID, roles)
    assert (document["title"], document["kind"], document["participant"]) == (
        "interview-07",
        "transcript",
        {"pseudonym": "Amira"},
    )
    assert document["summary"][2] == "turns: 4 by 2 speakers: Interviewer (2, INTERVIEWER), Amira (2, PARTICIPANT)"


# -- captions -----------------------------------------------------------------------------------

VTT = """WEBVTT - Teams meeting

NOTE Recorded with consent

00:00:00.000 --> 00:00:03.500
<v Sam Whitfield>So, how did it start?</v>

1c2f1d3e-4b0a/12-0
00:00:03.500 --> 00:00:07.000
<v Amira>I was scared &amp; alone.</v>

00:00:07.000 --> 00:00:09.000 align:start position:10%
<v.quiet Amira>They came <i>twice</i>.
Then Jo came.</v>

00:00:09.000 --> 00:00:10.000
<v Sam Whitfield>And then, who came?</v>

00:00:10.000 --> 00:00:12.000
Amira: It got better. 😀
"""
VTT_TEXT = "So, how did it start?\nI was scared & alone.\nThey came twice.\nThen Jo came.\nAnd then, who came?\nAmira: It got better. 😀"
VTT_SAID = [
    ("Sam Whitfield", "So, how did it start?"),
    ("Amira", "I was scared & alone.\nThey came twice.\nThen Jo came."),
    ("Sam Whitfield", "And then, who came?"),
    ("Amira", "It got better. 😀"),
]


async def test_a_webvtt_caption_file_keeps_its_cue_text_and_voices(api: GraphQLClient) -> None:
    project, amira = await project_with(api)
    document = await imported(api, project, "meeting.vtt", VTT.replace("\n", "\r\n").encode(), participant=amira)
    assert document["text"] == VTT_TEXT
    assert document["turns"] == expected_turns(VTT_TEXT, VTT_SAID)
    assert document["summary"][2] == "turns: 4 by 2 speakers: Sam Whitfield (2), Amira (2)"


SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,000\r\nInterviewer: How are you <i>now</i>?\r\n\r\n"
    '2\r\n00:00:03,000 --> 00:00:06,000\r\n{\\an8}Amira: Better.\r\n<font color="#ffff00">Much</font> better.\r\n\r\n'
    "3\r\n00:00:06,000 --> 00:00:08,000\r\nThe end.\r\n"
)


async def test_a_subrip_caption_file_keeps_its_cue_text(api: GraphQLClient) -> None:
    project, _ = await project_with(api)
    document = await imported(api, project, "call.srt", codecs.BOM_UTF8 + SRT.encode())
    text = "Interviewer: How are you now?\nAmira: Better.\nMuch better.\nThe end."
    assert document["text"] == text
    assert document["turns"] == expected_turns(
        text, [("Interviewer", "How are you now?"), ("Amira", "Better.\nMuch better.\nThe end.")]
    )


# -- plain text -----------------------------------------------------------------------------------

LEGACY = "Interview 3\r\n\r\nInterviewer: Was it hard?\r\nAmira: Oui, très dur – “they’d take her”.\r\nÇa allait mieux après.\r\n"


async def test_a_plain_text_file_in_a_windows_encoding_is_kept_exactly(api: GraphQLClient) -> None:
    project, _ = await project_with(api)
    data = LEGACY.encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    document = await imported(api, project, "interview-03.txt", data, participantSpeaker="Amira")
    assert document["text"] == LEGACY, "line endings and all"
    assert document["turns"] == expected_turns(
        LEGACY,
        [("Interviewer", "Was it hard?"), ("Amira", "Oui, très dur – “they’d take her”.\r\nÇa allait mieux après.")],
        {"Amira": "PARTICIPANT"},
    )
    assert "(plain text read as cp1252)" in document["summary"][1]


MARKDOWN = """# Interview 4

**Interviewer:** What helped?

__Amira__: Jo did. She *listened*.
It was the first time: really.

**Note** the recording stopped here.
"""


async def test_a_markdown_file_is_kept_as_written_with_emphasised_labels(api: GraphQLClient) -> None:
    project, _ = await project_with(api)
    document = await imported(api, project, "interview-04.md", MARKDOWN.encode())
    assert document["text"] == MARKDOWN
    assert document["turns"] == expected_turns(
        MARKDOWN,
        [
            ("Interviewer", "What helped?"),
            (
                "Amira",
                "Jo did. She *listened*.\nIt was the first time: really.\n\n**Note** the recording stopped here.",
            ),
        ],
    )


# -- OpenDocument -----------------------------------------------------------------------------------


def open_document() -> bytes:
    """An .odt as odfpy writes one: runs of spaces as <text:s/>, a tab, a line break, a heading, a
    list, and a footnote (which is not the paragraph's text)."""
    doc = OpenDocumentText()

    def add(element: Any, text: str, parent: Any = None) -> Any:
        teletype.addTextToElement(element, text)
        (parent or doc.text).addElement(element)
        return element

    add(H(outlinelevel=1), "Interview 5")
    add(P(), "Interviewer: How  was\tit?")
    scared = add(P(), "Amira: I was scared.")
    note = Note(id="ftn1", noteclass="footnote")
    note.addElement(NoteCitation(text="1"))
    body = NoteBody()
    body.addElement(P(text="Said very quietly."))
    note.addElement(body)
    scared.addElement(note)
    add(P(), "Jo came.\nIt changed.")
    items = List()
    item = ListItem()
    add(P(), "Everyone listened.", item)
    items.addElement(item)
    doc.text.addElement(items)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


async def test_an_opendocument_interview_keeps_its_text_and_turns(api: GraphQLClient) -> None:
    project, _ = await project_with(api)
    document = await imported(api, project, "interview-05.odt", open_document(), interviewer="interviewer")
    text = "Interview 5\nInterviewer: How  was\tit?\nAmira: I was scared.\nJo came.\nIt changed.\nEveryone listened."
    assert document["text"] == text
    assert document["turns"] == expected_turns(
        text,
        [("Interviewer", "How  was\tit?"), ("Amira", "I was scared.\nJo came.\nIt changed.\nEveryone listened.")],
        {"Interviewer": "INTERVIEWER"},
    )


# -- keeping to the participant's words --------------------------------------------------------------

QUESTIONS = """query($p: ID!) {
  findExcerpts(projectId: $p, where: {spokenBy: PARTICIPANT}) { edges { node { text } } }
  search(projectId: $p, text: "came", spokenBy: PARTICIPANT) { edges { node { text start } } }
  all: search(projectId: $p, text: "came") { edges { node { start } } }
}"""


async def test_questions_keep_to_the_participants_own_words(api: GraphQLClient) -> None:
    project, amira = await project_with(api)
    done = await upload(api, project, "meeting.vtt", VTT.encode(), participant=amira)
    document = done["documentId"]
    code = (await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear"}) { id } }', p=project))[
        "createCode"
    ]["id"]
    for words in ("how did it start", "scared & alone", "Then Jo came", "And then"):
        start = VTT_TEXT.index(words)
        await api.ok(
            "mutation($d: ID!, $s: Int!, $e: Int!, $c: ID!) "
            "{ codeText(input: {documentId: $d, start: $s, end: $e, codeIds: [$c]}) { id } }",
            d=document,
            s=start,
            e=start + len(words),
            c=code,
        )
    found = await api.ok(QUESTIONS, p=project)
    assert found["findExcerpts"]["edges"] == [] and found["search"]["edges"] == [], "no one is the participant yet"
    marked = await api.ok(
        'mutation($d: ID!) { setSpeakerRole(documentId: $d, speaker: "Amira", role: PARTICIPANT) '
        "{ turns { speaker role } } }",
        d=document,
    )
    assert {(t["speaker"], t["role"]) for t in marked["setSpeakerRole"]["turns"]} == {
        ("Sam Whitfield", None),
        ("Amira", "PARTICIPANT"),
    }
    found = await api.ok(QUESTIONS, p=project)
    assert [e["node"]["text"] for e in found["findExcerpts"]["edges"]] == ["scared & alone", "Then Jo came"]
    theirs = [VTT_TEXT.index("came"), VTT_TEXT.index("Jo came") + 3]
    assert [e["node"]["start"] for e in found["search"]["edges"]] == theirs
    assert [e["node"]["start"] for e in found["all"]["edges"]] == [*theirs, VTT_TEXT.index("who came") + 4]
    error = await api.error(
        'mutation($d: ID!) { setSpeakerRole(documentId: $d, speaker: "Jo", role: INTERVIEWER) { id } }', d=document
    )
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and "Sam Whitfield, Amira" in error["message"]


# -- refusals -------------------------------------------------------------------------------------------


async def documents(api: GraphQLClient, project: str) -> list[str]:
    found = await api.ok("query($p: ID!) { project(id: $p) { documents { title } } }", p=project)
    return [d["title"] for d in found["project"]["documents"]]


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("notes.pdf", b"%PDF-1.7\n...", "is a PDF, which thememap does not import"),
        ("notes", b"just some words", "none of the kinds thememap imports"),
        ("a.xlsx", b"PK\x03\x04" + b"\0" * 30, "damaged zip archive"),
        ("fake.docx", b"Interviewer: hello", "not a .docx file"),
        (
            "control.txt",
            b"Interviewer: Hi.\nAmira: Fine.\nAmira: a\x0cb\n",
            "control.txt: line 3, character 9 is the character U+000C",
        ),
        ("cues.vtt", b"WEBVTT\n\n1\nnot a timing\nhello\n", "Line 3 of the WebVTT file should be a cue's timing"),
        ("no-header.vtt", b"00:00:01.000 --> 00:00:02.000\nhello\n", "starts with the line 'WEBVTT'"),
        ("empty.txt", b" \r\n\t\n", "holds no text"),
    ],
)
async def test_unsupported_or_broken_files_are_refused_and_store_nothing(
    api: GraphQLClient, name: str, data: bytes, says: str
) -> None:
    project, _ = await project_with(api)
    done = await upload(api, project, name, data)
    assert done["status"] == 400 and done["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", done
    assert says in done["errors"][0]["message"], done
    assert await documents(api, project) == []


async def test_an_import_needs_an_editor_and_a_participant_of_the_same_project(api: GraphQLClient) -> None:
    project, _ = await project_with(api)
    _, theirs = await project_with(api, "Someone else")
    wrong = await upload(api, project, "a.vtt", VTT.encode(), participant=theirs)
    assert wrong["status"] == 404 and wrong["errors"][0]["extensions"]["code"] == "NOT_FOUND", wrong
    assert api.service is not None
    viewer, token = await new_user(api.service, "Vera")
    await api.ok(
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: VIEWER) { role } }",
        p=project,
        u=viewer.id,
    )
    refused = await api.http.post(
        f"/projects/{project}/import",
        files={"file": ("a.vtt", VTT.encode())},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 403, refused.text
    assert await documents(api, project) == []


# -- the command line ---------------------------------------------------------------------------------


def test_the_cli_imports_many_files_with_a_progress_bar(
    new_store: Callable[[], Store],
    adapter: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`thememap import --project P FILE...`: every file whole or not at all; a refused one is
    reported and the others come in; the exit status says whether all did."""
    store = new_store()
    where: list[str] = []
    if isinstance(store, EmbeddedStore):
        where = ["--data-dir", str(store.path.parent)]
    else:
        server: BoltServer = request.getfixturevalue("bolt_server")
        for key, value in server.env().items():
            monkeypatch.setenv(key, value)
        where = ["--store", "neo4j"]

    async def arrange() -> tuple[str, str]:
        await store.open()
        try:
            service = Service(store)
            await service.ensure_user(TRUSTED.user_id, "Tester")
            project = await service.create_project(TRUSTED, NewProject(name="Interviews"))
            amira = await service.add_participant(TRUSTED, NewParticipant(project_id=project.id, pseudonym="Amira"))
            return project.id, amira.id
        finally:
            await store.close()

    project, amira = asyncio.run(arrange())
    word, word_text = word_interview()
    files = {
        "interview-07.docx": word,
        "meeting.vtt": VTT.encode(),
        "notes.pdf": b"%PDF-1.7",
        "i3.txt": LEGACY.encode("cp1252"),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    args = ["import", *(str(tmp_path / n) for n in files), "--project", project, "--participant", amira]
    result = CliRunner().invoke(app, [*args, "--participant-speaker", "Amira", "--interviewer", "Interviewer", *where])
    assert result.exit_code == 2, result.output
    assert "importing" in result.output and "4/4" in result.output, result.output
    assert "turns: 4 by 2 speakers: Interviewer (2, INTERVIEWER), Amira (2, PARTICIPANT)" in result.output
    assert "no speaker 'Interviewer' in this file" in result.output, "the captions' interviewer is Sam Whitfield"
    assert f"thememap: {tmp_path / 'notes.pdf'}: notes.pdf is a PDF" in result.output
    alone = CliRunner().invoke(app, ["import", str(tmp_path / "meeting.vtt"), *where])
    assert alone.exit_code == 2 and "give --project ID" in alone.output, alone.output

    async def check() -> dict[str, tuple[str, list[tuple[str, SpeakerRole | None]]]]:
        await store.open()
        try:
            reader = Service(store).reader(TRUSTED)
            found = (await reader.documents_of_projects([project]))[project]
            turns = await reader.turns_of_documents([d.id for d in found])
            return {d.title: (d.text, [(t.speaker, t.role) for t in turns[d.id]]) for d in found}
        finally:
            await store.close()

    documents = asyncio.run(check())
    assert set(documents) == {"interview-07", "meeting", "i3"}
    assert documents["interview-07"][0] == word_text and documents["i3"][0] == LEGACY
    assert documents["meeting"] == (
        VTT_TEXT,
        [
            ("Sam Whitfield", None),
            ("Amira", SpeakerRole.PARTICIPANT),
            ("Sam Whitfield", None),
            ("Amira", SpeakerRole.PARTICIPANT),
        ],
    )


async def test_the_readme_examples_run_as_written(api: GraphQLClient) -> None:
    project, amira = await project_with(api)
    document = (await upload(api, project, "interview-07.docx", word_interview()[0], participant=amira))["documentId"]
    code = (await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Judged"}) { id } }', p=project))[
        "createCode"
    ]["id"]
    places = {"PROJECT_ID": project, "DOCUMENT_ID": document, "CODE_ID": code}
    answers = []
    for operation, _ in tour_steps("Importing transcripts"):
        for placeholder, value in places.items():
            operation = operation.replace(placeholder, value)
        answers.append(await api.ok(operation))
    assert [t["speaker"] for t in answers[0]["document"]["turns"]] == ["Interviewer", "Amira", "Interviewer", "Amira"]
    assert {(t["speaker"], t["role"]) for t in answers[1]["setSpeakerRole"]["turns"]} == {
        ("Interviewer", None),
        ("Amira", "PARTICIPANT"),
    }
    assert answers[2] == {"findExcerpts": {"edges": []}, "search": {"edges": []}}


@pytest.mark.parametrize(
    "line, speaker",
    [
        ("Interviewer: So.", "Interviewer"),
        ("I:\tSo.", "I"),
        ("P1: yes", "P1"),
        ("Speaker 2: yes", "Speaker 2"),
        ("Dr. Jones : yes", "Dr. Jones"),
        ("Amira Khan (P7):", "Amira Khan (P7)"),
        ("**Interviewer:** So.", "Interviewer"),
        ("__Amira__: yes", "Amira"),
        ("  Ayşe: evet", "Ayşe"),
        ("李明: 是的", "李明"),
        ("interviewer: lower case", None),
        ("No, I said: never", None),
        ("Note that: it stopped", None),
        ("Mary Ann de Souza: four words", None),
        ("10:30 we met", None),
        ("https://example.org", None),
        ("## Notes: heading", None),
        ("Interviewer:no space after", None),
        ("Amira: " + "x" * 50, "Amira"),
        ("A" * 41 + ": too long", None),
    ],
)
def test_speaker_labels(line: str, speaker: str | None) -> None:
    found = label_at(line, 0)
    assert (found[0] if found else None) == speaker

"""REFI-QDA files as the desktop tools really write them (issue 15), imported over HTTP and
read back over GraphQL on every adapter: NVivo's `Sources/` folder and UTF-16 offsets, text
paths without `internal://`, notes whose text is a file or that have a description, and
small things that used to refuse a whole file (an empty text, a selection of no length, a
byte-order mark). Every fixture is built here."""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from api.cli import app
from tests.seeds.test_import_security import Q, codes, coding, guid, me, qde
from tests.support import GraphQLClient

STORED = """query($p: ID!) { project(id: $p) {
    documents { title text excerpts { start end text codings { code { name } } } }
    memos { title body }
} }"""


def qdpx(project: bytes, members: dict[str, bytes]) -> bytes:
    """An archive holding `project.qde` and these members."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project)
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def source(name: str, inside: str = "", path: str | None = None, text: str | None = None) -> str:
    """A text source, its text inline (`text`) or in a file (`path`)."""
    at = f' plainTextPath="{path}"' if path is not None else ""
    content = f"<PlainTextContent>{text}</PlainTextContent>" if text is not None else ""
    return f'<TextSource guid="{guid()}" name="{name}"{at}>{content}{inside}</TextSource>'


def selection(start: int, end: int, code: str) -> str:
    at = f'guid="{guid()}" startPosition="{start}" endPosition="{end}"'
    return f"<PlainTextSelection {at}>{coding(code)}</PlainTextSelection>"


async def upload(api: GraphQLClient, data: bytes, offsets: str | None = None) -> httpx.Response:
    """A new project of the client's, and `data` (an archive, or else a bare project file) imported into it."""
    project = await me(api).project()
    form = {"offsets": offsets} if offsets is not None else None
    name = "partner.qdpx" if data.startswith(b"PK") else "partner.qde"
    return await api.http.post(f"/projects/{project}/import", files={"file": (name, data)}, data=form)


async def stored(api: GraphQLClient, done: httpx.Response) -> dict[str, Any]:
    assert done.status_code == 200, done.text
    return (await api.ok(STORED, p=done.json()["projectId"]))["project"]


def refused(done: httpx.Response, *words: str) -> None:
    assert done.status_code == 400, done.text
    error = done.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert all(w in error["message"] for w in words), error["message"]


async def test_nvivo_sources_folder_in_capitals(api: GraphQLClient) -> None:
    """NVivo for Windows writes `Sources/`: its texts and codings come in; escaping is still refused."""
    code, text = guid(), "We met at the clinic every week."
    at = text.index("clinic")
    inside = selection(at, at + len("clinic"), code)
    project = qde(codes((code, "Routine")) + f"<Sources>{source('Visit', inside, 'internal://v.txt')}</Sources>")
    found = await stored(api, await upload(api, qdpx(project, {"Sources/v.txt": text.encode()})))
    [document] = found["documents"]
    assert document["text"] == text
    assert [(e["text"], e["codings"][0]["code"]["name"]) for e in document["excerpts"]] == [("clinic", "Routine")]
    refused(await upload(api, qdpx(project, {"Sources/../../v.txt": b"x"})), "outside the archive")


async def test_text_paths_without_internal_scheme(api: GraphQLClient) -> None:
    """A bare path (as `qc` writes) and `relative://` name members of `sources/`; an absolute path
    or one that leaves the sources folder is a text not in the file."""
    sources = [
        source("Board", path="board_2017.txt"),
        source("Minutes", path="relative://minutes.txt"),
        source("Absolute", path="absolute:///home/me/board_2017.txt"),
        source("Escaping", path="relative://../project.qde"),
        source("Escaping too", path="internal://../../etc/passwd"),
    ]
    members = {"sources/board_2017.txt": b"The board met.", "sources/minutes.txt": b"Minutes."}
    done = await upload(api, qdpx(qde(f"<Sources>{''.join(sources)}</Sources>"), members))
    found = await stored(api, done)
    assert sorted((d["title"], d["text"]) for d in found["documents"]) == [
        ("Board", "The board met."),
        ("Minutes", "Minutes."),
    ]
    for name in ("Absolute", "Escaping", "Escaping too"):
        assert f"not imported: source {name!r}, whose text is not in the file" in done.json()["summary"]


async def test_notes_with_a_text_file_and_a_description(api: GraphQLClient) -> None:
    """A note's text may be a file; its description comes first in the memo's body."""
    notes = (
        f'<Note guid="{guid()}" name="From a file" plainTextPath="internal://n1.txt">'
        "<Description>Why I wrote this</Description></Note>"
        f'<Note guid="{guid()}" name="Inline"><Description>Context</Description>'
        "<PlainTextContent>Inline body</PlainTextContent></Note>"
        f'<Note guid="{guid()}" name="Described"><Description>Only this</Description></Note>'
        f'<Note guid="{guid()}" name="Lost" plainTextPath="internal://gone.txt"/>'
    )
    done = await upload(api, qdpx(qde(f"<Notes>{notes}</Notes>"), {"sources/n1.txt": "Body \U0001f4dd".encode()}))
    memos = {m["title"]: m["body"] for m in (await stored(api, done))["memos"]}
    assert memos == {
        "From a file": "Why I wrote this\n\nBody \U0001f4dd",
        "Inline": "Context\n\nInline body",
        "Described": "Only this",
        "Lost": "",
    }
    assert "not imported: 1 note texts not in the file" in done.json()["summary"]


EMOJI_TEXT = (
    "Ann \U0001f642 said: I was scared \U0001f61f they would take her away. "
    "Then Jo \U0001f64f came and listened to me \U0001f4ac"
)
"""Three astral characters (two UTF-16 code units each) before the last selection, which ends near the end."""
WORDS = ("scared", "take her away", "listened to me")


def utf16(text: str, index: int) -> int:
    """A code point index as NVivo counts it: in UTF-16 code units."""
    return len(text[:index].encode("utf-16-le")) // 2


def spans(text: str, words: tuple[str, ...], unit: str) -> list[tuple[int, int]]:
    at = [(text.index(w), text.index(w) + len(w)) for w in words]
    return [(utf16(text, s), utf16(text, e)) for s, e in at] if unit == "utf16" else at


def emoji_file(unit: str, text: str = EMOJI_TEXT, words: tuple[str, ...] = WORDS, origin: str = "") -> bytes:
    code = guid()
    inside = "".join(selection(s, e, code) for s, e in spans(text, words, unit))
    project = qde(codes((code, "Fear")) + f"<Sources>{source('Ann', inside, text=text)}</Sources>")
    return project.replace(b'name="From a partner"', f'name="From a partner" origin="{origin}"'.encode())


def excerpts(found: dict[str, Any]) -> list[str]:
    return [e["text"] for d in found["documents"] for e in d["excerpts"]]


async def test_utf16_offsets_are_detected_and_converted(api: GraphQLClient) -> None:
    """NVivo's UTF-16 offsets: the last selection lies past the text's end as code points, which
    used to refuse the whole file; auto reads each file in the unit that fits it."""
    assert spans(EMOJI_TEXT, WORDS, "utf16")[-1][1] > len(EMOJI_TEXT)
    done = await upload(api, emoji_file("utf16"))
    assert excerpts(await stored(api, done)) == list(WORDS)
    assert (
        "offsets: UTF-16 code units (auto: 3 of 3 selections on word boundaries, against 0 as code points)"
        in done.json()["summary"]
    )
    done = await upload(api, emoji_file("codepoints"))
    assert excerpts(await stored(api, done)) == list(WORDS)
    assert (
        "offsets: code points (auto: 3 of 3 selections on word boundaries, against 0 as UTF-16 code units)"
        in done.json()["summary"]
    )
    plain = await upload(
        api, emoji_file("utf16", text="I was scared they would take her away. Then Jo listened to me.")
    )
    assert excerpts(await stored(api, plain)) == list(WORDS)
    assert (
        "offsets: code points (auto: no selection reaches past a character beyond U+FFFF, such as an emoji, "
        "so both readings are the same)" in plain.json()["summary"]
    )


async def test_offsets_tie_break_and_override(api: GraphQLClient) -> None:
    """When both readings put the selections on word boundaries, a file from NVivo is read in UTF-16
    code units and any other in code points; the `offsets` field overrides the guess."""
    text, words = "\U0001f642 a-b-c-d", ("b-c",)
    nvivo = await upload(api, emoji_file("utf16", text, words, origin="NVivo 14.24.0 (Windows)"))
    assert excerpts(await stored(api, nvivo)) == ["b-c"]
    assert (
        "offsets: UTF-16 code units (auto: 1 of 1 selections on word boundaries either way; the file comes "
        "from NVivo, which counts UTF-16 code units)" in nvivo.json()["summary"]
    )
    other = await upload(api, emoji_file("utf16", text, words, origin="qc"))
    assert excerpts(await stored(api, other)) == ["-c-"], "the standard's unit, so the UTF-16 span reads shifted"
    asked = await upload(api, emoji_file("utf16", text, words, origin="qc"), offsets="utf16")
    assert excerpts(await stored(api, asked)) == ["b-c"]
    assert "offsets: UTF-16 code units (as asked)" in asked.json()["summary"]
    refused(await upload(api, emoji_file("utf16"), offsets="codepoints"), "'Ann'", "outside its text", "code points")
    split = emoji_file("utf16", "a\U0001f642b c", ("b",)).replace(b'startPosition="3"', b'startPosition="2"')
    refused(await upload(api, split, offsets="utf16"), "'Ann'", "inside a character")
    refused(await upload(api, emoji_file("utf16"), offsets="bytes"), "'offsets'", "codepoints, utf16, auto")


def test_cli_offsets_option(tmp_path: Path) -> None:
    """`thememap import --offsets` (embedded store only, as the CLI's other tests)."""
    runner = CliRunner()
    file = tmp_path / "nvivo.qde"
    file.write_bytes(emoji_file("utf16", "\U0001f642 a-b-c-d", ("b-c",)))
    where = ["--data-dir", str(tmp_path / "data")]
    done = runner.invoke(app, ["import", str(file), "--offsets", "utf16", *where])
    assert done.exit_code == 0 and "offsets: UTF-16 code units (as asked)" in done.output, done.output
    assert runner.invoke(app, ["import", str(file), "--offsets", "bytes", *where]).exit_code == 2


async def test_an_empty_text_and_a_selection_of_no_length_are_skipped(api: GraphQLClient) -> None:
    """They used to refuse the whole file; now the empty documents come in, and what has nothing to
    code (the empty texts' own codings, a selection of no length) is counted as not imported."""
    code = guid()
    file = qde(
        codes((code, "Fear"))
        + "<Sources>"
        + source("Empty", text="")
        + source("Empty and coded", coding(code), text="")
        + source("Ann", selection(6, 6, code) + selection(6, 12, code), text="I was scared.")
        + "</Sources>"
    )
    done = await upload(api, file)
    found = await stored(api, done)
    assert sorted((d["title"], d["text"]) for d in found["documents"]) == [
        ("Ann", "I was scared."),
        ("Empty", ""),
        ("Empty and coded", ""),
    ]
    assert excerpts(found) == ["scared"]
    summary = done.json()["summary"]
    assert "not imported: 1 selections of no length (start equals end)" in summary, summary
    assert "not imported: 1 codings of a source with no text" in summary, summary


async def test_a_byte_order_mark_is_read(api: GraphQLClient) -> None:
    """A bare .qde starting with a UTF-8 byte-order mark reads; with a DTD it is still refused."""
    code = guid()
    file = qde(
        codes((code, "Fear")) + f"<Sources>{source('Ann', selection(6, 12, code), text='I was scared.')}</Sources>"
    )
    assert excerpts(await stored(api, await upload(api, codecs.BOM_UTF8 + file))) == ["scared"]
    dtd = b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]><Project xmlns="' + Q.encode()
    refused(await upload(api, codecs.BOM_UTF8 + dtd + b'" name="&x;"/>'), "DTD")

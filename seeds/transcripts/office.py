"""The text of word-processor files: Word (.docx, WordprocessingML) and OpenDocument text (.odt).

Both are zip archives; only the one member holding the body is read, and no further than the
archive limits of `seeds.refi.read` allow, so a small upload cannot unpack into a huge one. The
XML is parsed without DTDs or entities (`parse_xml`). Each paragraph of the body becomes one line
of the text, in document order (tables' paragraphs row by row, cell by cell); what is not the body's
running text is left out: headers, footers, notes, comments, text boxes and drawings, and text
deleted with tracked changes."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from lxml import etree

from graph.errors import BadInput
from seeds.refi.read import UNREADABLE, parse_xml, unpack_allowance
from seeds.transcripts.text import Builder, Transcript

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"

_W_TEXT = {W + "t": None, W + "tab": "\t", W + "ptab": "\t", W + "cr": "\n", W + "noBreakHyphen": "-"}
"""Run content and its text (None: the element's own text)."""
_W_LEFT_OUT = {
    W + "del",
    W + "moveFrom",
    W + "pPr",
    W + "rPr",
    W + "drawing",
    W + "pict",
    W + "object",
    MC + "AlternateContent",
}
"""What a Word paragraph holds that is not its text: deleted text, properties, drawings and text boxes."""
_ODF_LEFT_OUT = {TEXT + "note", OFFICE + "annotation", TEXT + "ruby-text", TEXT + "tracked-changes"}
"""Descendants of ODF paragraphs whose text is not the paragraph's (ODF 1.2, 6.1.1), besides drawings."""
_ODF_SPACE = re.compile(r"[ \t\r\n]+")
_ODF_PIECE = re.compile(r"[ \t\r\n]+|[^ \t\r\n]+")


def member(data: bytes, name: str, what: str) -> bytes:
    """One member of a zip archive, read no further than the archive limits allow."""
    allowed = unpack_allowance(len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        with archive.open(name) as stream:
            content = stream.read(allowed + 1)
    except KeyError:
        raise BadInput(f"The {what} has no {name}; it is damaged.") from None
    except UNREADABLE as exc:
        raise BadInput(f"The {what} cannot be read ({exc}); it is damaged.") from None
    if len(content) > allowed:
        raise BadInput(f"The {what} unpacks to more than this service accepts for a file of its size; refusing it.")
    return content


def docx(data: bytes) -> Transcript:
    """A Word document: each body paragraph's text is its runs' text (in hyperlinks, fields' shown
    results, content controls and tracked insertions too), a tab as "\\t", a line break or carriage
    return as "\\n", a non-breaking hyphen as "-"; page and column breaks, soft hyphens and symbols
    are nothing."""
    body = parse_xml(member(data, "word/document.xml", "Word document")).find(W + "body")
    out = Builder()
    for n, paragraph in enumerate(_word_paragraphs(body), 1):
        out.line(f"paragraph {n}")
        out.add("".join(_word_text(paragraph)))
    return out.transcript()


def _word_paragraphs(body: etree._Element | None) -> Iterator[etree._Element]:
    for paragraph in body.iter(W + "p") if body is not None else ():
        if not any(a.tag in _W_LEFT_OUT for a in paragraph.iterancestors()):
            yield paragraph


def _word_text(element: etree._Element) -> Iterator[str]:
    for child in element:
        if child.tag in _W_TEXT:
            yield _W_TEXT[child.tag] or child.text or ""
        elif child.tag == W + "br":
            yield "\n" if child.get(W + "type", "textWrapping") == "textWrapping" else ""
        elif child.tag not in _W_LEFT_OUT:
            yield from _word_text(child)


def odt(data: bytes) -> Transcript:
    """An OpenDocument text: each paragraph and heading of the body (in lists, tables and sections
    too), white space collapsed as ODF says (runs of spaces, tabs and line breaks in the XML are one
    space, none at a paragraph's start or end) while <text:s/>, <text:tab/> and <text:line-break/>
    are the spaces, tab and "\\n" they stand for."""
    root = parse_xml(member(data, "content.xml", "OpenDocument text"))
    body = root.find(f"{OFFICE}body/{OFFICE}text")
    out = Builder()
    n = 0
    for paragraph in body.iter(TEXT + "p", TEXT + "h") if body is not None else ():
        if any(_odf_left_out(a) for a in paragraph.iterancestors()):
            continue
        n += 1
        out.line(f"paragraph {n}")
        out.add(_Collapsing().of(paragraph))
    return out.transcript()


def _odf_left_out(element: etree._Element) -> bool:
    return element.tag in _ODF_LEFT_OUT or str(element.tag).startswith(DRAW)


class _Collapsing:
    """One ODF paragraph's text, white space collapsed (ODF 1.2, 6.1.2)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.space = False
        """A collapsed space is pending: written before whatever comes next, if anything does."""

    def of(self, paragraph: etree._Element) -> str:
        self._walk(paragraph)
        return "".join(self.parts)

    def _characters(self, text: str | None) -> None:
        for piece in _ODF_PIECE.findall(text or ""):
            if not _ODF_SPACE.fullmatch(piece):
                self._literal(piece)
            elif self.parts:
                self.space = True

    def _literal(self, text: str) -> None:
        if self.space:
            self.parts.append(" ")
        self.parts.append(text)
        self.space = False

    def _walk(self, element: etree._Element) -> None:
        self._characters(element.text)
        for child in element:
            if child.tag == TEXT + "s":
                self._literal(" " * _spaces(child.get(TEXT + "c", "1")))
            elif child.tag == TEXT + "tab":
                self._literal("\t")
            elif child.tag == TEXT + "line-break":
                self._literal("\n")
            elif isinstance(child.tag, str) and not _odf_left_out(child):
                self._walk(child)
            self._characters(child.tail)


def _spaces(count: str) -> int:
    """How many spaces a <text:s text:c="..."/> stands for."""
    if not re.fullmatch(r"[0-9]{1,4}", count) or int(count) == 0:
        raise BadInput(f"The document has a run of {count!r} spaces (<text:s>); a count from 1 to 9999 is expected.")
    return int(count)

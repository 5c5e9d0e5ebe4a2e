"""What kind of file an upload is, from its content first and its name's extension second."""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable
from enum import Enum
from pathlib import PurePath

from graph.errors import BadInput
from seeds.refi.read import UNREADABLE
from seeds.transcripts import captions, office
from seeds.transcripts.text import Transcript, plain


class Kind(Enum):
    REFI = "REFI-QDA project or codebook"
    DOCX = "Word document"
    ODT = "OpenDocument text"
    TEXT = "plain text"
    MARKDOWN = "Markdown text"
    VTT = "WebVTT captions"
    SRT = "SubRip captions"


READERS: dict[Kind, Callable[[bytes], Transcript]] = {
    Kind.DOCX: office.docx,
    Kind.ODT: office.odt,
    Kind.TEXT: plain,
    Kind.MARKDOWN: plain,
    Kind.VTT: captions.vtt,
    Kind.SRT: captions.srt,
}
"""How each kind of transcript is read."""

_REFI = (".qdpx", ".qde", ".qdc")
_NAMED = {".txt": Kind.TEXT, ".md": Kind.MARKDOWN, ".markdown": Kind.MARKDOWN, ".vtt": Kind.VTT, ".srt": Kind.SRT}
_OTHERS = {
    b"%PDF": "a PDF",
    b"\xd0\xcf\x11\xe0": "an old Word (.doc) or other Office 97 file",
    b"{\\rtf": "an RTF file",
}
SUPPORTED = (
    "REFI-QDA (.qdpx, .qde, .qdc), Word (.docx), OpenDocument text (.odt), plain text (.txt, .md) "
    "and captions (.vtt, .srt)"
)


def kind_of(data: bytes, filename: str | None) -> Kind:
    """REFI-QDA files by their extension or content; word-processor files by what their archive
    holds; plain text and captions by their extension, or without a known one by their start
    (WEBVTT, a SubRip timing). Anything else is refused, saying what is supported."""
    name = PurePath(filename or "")
    suffix = name.suffix.lower()
    if suffix in _REFI:
        return Kind.REFI
    if data[:4] == b"PK\x03\x04":
        return _archive_kind(data, name.name or "The file")
    if suffix in (".docx", ".odt"):
        raise BadInput(f"{name.name} is not a {suffix} file: those are zip archives, and it is not one.")
    if suffix in _NAMED:
        return _NAMED[suffix]
    head = data[:512].removeprefix(codecs.BOM_UTF8).lstrip()
    if head.startswith(b"WEBVTT"):
        return Kind.VTT
    if head.startswith(b"<"):
        return Kind.REFI  # REFI-QDA's XML, whatever the file is called
    if captions.looks_like_subrip(head.decode("latin-1")):
        return Kind.SRT
    looks = next((what for magic, what in _OTHERS.items() if data.startswith(magic)), None)
    if looks:
        raise BadInput(f"{name.name or 'The file'} is {looks}, which thememap does not import; it imports {SUPPORTED}.")
    raise BadInput(f"{name.name or 'The file'} is none of the kinds thememap imports: {SUPPORTED}.")


def _archive_kind(data: bytes, name: str) -> Kind:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        with archive.open("mimetype") if "mimetype" in names else io.BytesIO() as stream:
            mimetype = stream.read(100)
    except UNREADABLE as exc:
        raise BadInput(f"{name} is a damaged zip archive ({exc}).") from None
    if "word/document.xml" in names:
        return Kind.DOCX
    if mimetype.strip() == office.ODT_MIMETYPE:
        return Kind.ODT
    if any(n.lower().endswith(".qde") and "/" not in n.strip("/") for n in names):
        return Kind.REFI
    raise BadInput(f"{name} is a zip archive but none of the kinds thememap imports; it imports {SUPPORTED}.")

"""Read a REFI-QDA file safely: a .qdpx archive, a bare .qde project or a .qdc codebook.

Hostile input is refused with BadInput before anything is stored: archives that are too
big or compress too well (zip bombs), member paths that escape the archive, documents
with a DTD (so no external entities and no entity expansion), and XML that does not
parse. Texts are read only from the archive's sources folder (`sources/`, or NVivo's
`Sources/`), so no path a file names can reach anything else. Elements are matched by
local name, so the namespace variants tools write (`urn:QDA-XML:project:1.0`,
`urn:QDA-XML:codebook:0:4`, ...) all read the same."""

from __future__ import annotations

import codecs
import io
import lzma
import posixpath
import uuid
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from lxml import etree

from graph.errors import BadInput

MAX_BYTES = 512 * 1024 * 1024
"""The most an archive may hold once unpacked."""
MAX_RATIO = 200
"""The most a member may expand over its compressed size (plain text compresses ~3-10x)."""
MAX_GROWTH = 50
"""The most a whole archive may expand over its own size, beyond FREE_BYTES: transcripts and
project XML compress 3-20x, so a real project stays well within it, while a small upload cannot
become a very large stored project."""
FREE_BYTES = 16 * 1024 * 1024
"""What any archive may unpack to, however small it is."""
SOURCES = "sources/"
"""The archive's folder of texts; NVivo for Windows writes it `Sources/`, so matched in any case."""
TEXT_SCHEMES = ("internal", "relative")
"""The `plainTextPath` schemes that name a file in the archive (besides a bare path, as `qc` writes)."""


@dataclass
class Package:
    root: etree._Element
    sources: dict[str, bytes] = field(default_factory=dict)
    """The archive's files in its sources folder, by path inside that folder."""

    def text_file(self, path: str) -> bytes | None:
        """The file a `plainTextPath` names: `internal://` (the standard), `relative://` and a bare
        path all name one in the sources folder. None for an absolute path, another scheme, or a
        path leaving the folder: such a text is not in the file."""
        scheme, found, rest = path.partition("://")
        if found and scheme.lower() not in TEXT_SCHEMES:
            return None
        name = posixpath.normpath(rest if found else path)
        if name.startswith(("/", "../")) or name == "..":
            return None
        return self.sources.get(name)


def guid_of(value: str | None, what: str) -> str:
    """A GUID as a thememap id: lower case, without braces; BadInput if it is not one."""
    try:
        return str(uuid.UUID((value or "").strip("{}")))
    except ValueError:
        raise BadInput(f"{what} has no valid GUID ({value!r}).") from None


def instant(text: str | None) -> datetime | None:
    """An xs:dateTime as a UTC instant (taken to be UTC if it names no zone); None if absent or unreadable."""
    try:
        at = datetime.fromisoformat((text or "").strip())
    except ValueError:
        return None
    return at.astimezone(UTC) if at.tzinfo is not None else at.replace(tzinfo=UTC)


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            yield child


def child(element: etree._Element, name: str) -> etree._Element | None:
    return next(children(element, name), None)


def parse_xml(data: bytes) -> etree._Element:
    if b"<!DOCTYPE" in data:
        raise BadInput("The file declares a DTD; REFI-QDA files have none, and DTDs are refused for safety.")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BadInput(f"The file is not well-formed XML: {' '.join(str(exc).split())}.") from None


def read(data: bytes) -> Package:
    if data[:4] == b"PK\x03\x04":
        return _archive(data)
    if data.removeprefix(codecs.BOM_UTF8).lstrip()[:1] == b"<":  # some tools start their XML with a BOM
        return Package(parse_xml(data))
    raise BadInput("This is neither a REFI-QDA archive (.qdpx, a zip) nor a REFI-QDA XML file (.qde, .qdc).")


def unpack_allowance(size: int) -> int:
    """The most an archive of `size` bytes may unpack to (see MAX_GROWTH)."""
    return min(MAX_BYTES, max(FREE_BYTES, MAX_GROWTH * size))


def _archive(data: bytes) -> Package:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise BadInput(f"The archive is damaged: {exc}.") from None
    total, allowed = 0, unpack_allowance(len(data))
    for m in members:
        name = m.filename
        if name.startswith(("/", "\\")) or ".." in posixpath.normpath(name).split("/") or ":" in name:
            raise BadInput(f"The archive member {name!r} points outside the archive; refusing it.")
        total += m.file_size
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO:
            raise BadInput(
                f"The archive member {name!r} expands more than {MAX_RATIO} times (a zip bomb?); refusing it."
            )
        if total > allowed:
            raise BadInput(
                f"The archive unpacks to more than this service accepts for a file of its size ({allowed:,} bytes: "
                f"{MAX_GROWTH} times the upload, at least {FREE_BYTES:,}, at most {MAX_BYTES:,}); refusing it."
            )
    projects = [m for m in members if m.filename.lower().endswith(".qde") and "/" not in m.filename.strip("/")]
    chosen = next(
        (m for m in projects if m.filename.lower() == "project.qde"), projects[0] if len(projects) == 1 else None
    )
    if chosen is None:
        raise BadInput("The archive holds no single project file (project.qde or <name>.qde) at its top level.")
    sources: dict[str, bytes] = {}
    for m in members:
        if m.filename[: len(SOURCES)].lower() == SOURCES and not m.is_dir():
            name = m.filename[len(SOURCES) :]
            if name in sources:
                raise BadInput(f"The archive holds {m.filename!r} twice (its sources folder in any case); refusing it.")
            sources[name] = _read(archive, m)
    return Package(parse_xml(_read(archive, chosen)), sources)


UNREADABLE = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    lzma.LZMAError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
"""What reading a damaged or unsupported member raises: the zip module's own error (headers that
disagree, a bad checksum), its decompressors' (deflate, bzip2, lzma), a stream cut short, an
unknown compression method, encryption, and an offset a damaged header puts before the start
(a negative seek)."""


def _read(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """A member, read no further than it claims to be (so a lying header cannot bomb us)."""
    try:
        with archive.open(member) as stream:
            data = stream.read(member.file_size + 1)
    except UNREADABLE as exc:
        raise BadInput(
            f"The archive member {member.filename!r} cannot be read ({exc}); the archive is damaged."
        ) from None
    if len(data) > member.file_size:
        raise BadInput(f"The archive member {member.filename!r} is larger than its header says; refusing it.")
    return data

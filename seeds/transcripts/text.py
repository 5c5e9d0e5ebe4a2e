"""A transcript's text as read from a file, where each of its lines came from, and the text
encodings of plain-text files."""

from __future__ import annotations

import codecs
import re
from bisect import bisect_right
from dataclasses import dataclass, field

import charset_normalizer

from graph.errors import BadInput

BREAK = re.compile(r"\r\n|\r|\n")
"""A line break of a plain-text file, as it is written."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
"""Byte order marks, UTF-32 first (its little-endian mark starts with UTF-16's)."""
FALLBACK = "cp1252"
"""What a text whose encoding several candidates fit equally well is read as: Windows' encoding for
Western European languages, which most transcripts not in UTF-8 are written in."""


@dataclass(frozen=True)
class Line:
    """Where a line of the text starts, and how to find it in the file ("line 12", "paragraph 3")."""

    start: int
    place: str


@dataclass
class Transcript:
    """What a file holds: its text, its lines (a speaker label may begin each one), and the speakers
    the file names as markup rather than as text (a caption's voice tags), at their offsets."""

    text: str
    lines: list[Line]
    voices: list[tuple[int, str]] = field(default_factory=list)
    encoding: str | None = None
    """The encoding a plain-text file was read in."""

    def place(self, offset: int) -> str:
        """Where in the file the character at `offset` of the text is."""
        line = self.lines[bisect_right([line.start for line in self.lines], offset) - 1]
        return f"{line.place}, character {offset - line.start + 1}"


class Builder:
    """Builds a text line by line (joined by "\\n"), noting each line's place and voices."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.lines: list[Line] = []
        self.voices: list[tuple[int, str]] = []

    def line(self, place: str) -> None:
        """Start a new line of the text."""
        if self.lines:
            self.add("\n")
        self.lines.append(Line(self.length, place))

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def voice(self, speaker: str) -> None:
        """The text from here on is said by `speaker` (until the next voice)."""
        self.voices.append((self.length, speaker))

    def transcript(self, encoding: str | None = None) -> Transcript:
        return Transcript("".join(self.parts), self.lines, self.voices, encoding)


def decode(data: bytes) -> tuple[str, str]:
    """The text of a plain-text file and its encoding: the one its byte order mark names (the mark
    is not part of the text), else UTF-8 if it is valid UTF-8, else the one charset-normalizer finds
    likeliest (cp1252 where several fit equally well)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), codec
            except UnicodeDecodeError as exc:
                raise BadInput(f"The file starts as {codec} but is not valid {codec} at byte {exc.start}.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    matches = list(charset_normalizer.from_bytes(data))
    if not matches:
        raise BadInput("The file's text encoding cannot be told; save it as UTF-8 and import it again.")
    best = matches[0]
    tied = sum((m.chaos, m.coherence) == (best.chaos, best.coherence) for m in matches) > 1
    encoding = best.encoding
    if tied:
        try:
            return data.decode(FALLBACK), FALLBACK
        except UnicodeDecodeError:
            pass
    return data.decode(encoding), encoding


def plain(data: bytes) -> Transcript:
    """A plain-text file (.txt, .md): its text exactly as written, every line break kept."""
    text, encoding = decode(data)
    starts = [0, *(m.end() for m in BREAK.finditer(text))]
    return Transcript(text, [Line(start, f"line {n}") for n, start in enumerate(starts, 1)], encoding=encoding)

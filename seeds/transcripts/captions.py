"""The text of caption files from meeting tools: WebVTT (.vtt; Zoom, Teams) and SubRip (.srt).

The text is the cues' text lines in order, one line of the text per caption line, joined by "\\n":
the header, cue numbers and identifiers, timings, NOTE, STYLE and REGION blocks are left out, and
so is markup: tags (<i>, <c.yellow>, <00:00:01.500>, SubRip's <font ...>) and SubRip's {\\an8}
position codes. WebVTT's character references (&amp;, &lt;, &nbsp;, ...) are the characters they
stand for, and its voice tags (<v Amira>) name who says what follows."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from graph.errors import BadInput
from seeds.transcripts.text import BREAK, Builder, Transcript, decode

TIMING = re.compile(r"[ \t]*(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}[ \t]+-->[ \t]+(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}")
"""A cue's timing line (what follows the end time, WebVTT's cue settings, is left out)."""
_TAG = re.compile(r"<[^>\n]*>")
_VOICE = re.compile(r"<v(?:\.[^ \t>]*)*[ \t]+([^>]*)>")
_SUBRIP_CODE = re.compile(r"\{\\[^}\n]*\}")
_SKIPPED = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|$)")


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """The file's blocks (runs of lines that are not blank), as (line number, line) pairs."""
    block: list[tuple[int, str]] = []
    for n, line in enumerate(BREAK.split(text), 1):
        if line.strip():
            block.append((n, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _cue_text(block: list[tuple[int, str]], kind: str) -> list[tuple[int, str]]:
    """The text lines of a cue: those after its timing line (which its identifier may precede)."""
    timing = next((i for i, (_, line) in enumerate(block[:2]) if TIMING.match(line)), None)
    if timing is None:
        raise BadInput(
            f"Line {block[0][0]} of the {kind} file should be a cue's timing, such as "
            "'00:00:01.000 --> 00:00:04.000' (after the cue's number or name, if it has one)."
        )
    return block[timing + 1 :]


def vtt(data: bytes) -> Transcript:
    text, encoding = decode(data)
    blocks = _blocks(text)
    header = next(blocks, [(1, "")])
    if not header[0][1].startswith("WEBVTT"):
        raise BadInput("A WebVTT file starts with the line 'WEBVTT'; this one does not.")
    out = Builder()
    for block in blocks:
        if _SKIPPED.match(block[0][1]):
            continue
        for n, line in _cue_text(block, "WebVTT"):
            out.line(f"line {n}")
            at = 0
            for tag in _TAG.finditer(line):
                out.add(html.unescape(line[at : tag.start()]))
                if (voice := _VOICE.fullmatch(tag.group())) is not None and voice.group(1).strip():
                    out.voice(voice.group(1).strip())
                at = tag.end()
            out.add(html.unescape(line[at:]))
    return out.transcript(encoding)


def srt(data: bytes) -> Transcript:
    text, encoding = decode(data)
    out = Builder()
    for block in _blocks(text):
        for n, line in _cue_text(block, "SubRip"):
            out.line(f"line {n}")
            out.add(_SUBRIP_CODE.sub("", _TAG.sub("", line)))
    return out.transcript(encoding)


def looks_like_subrip(head: str) -> bool:
    """Whether a text starts as a SubRip file does: a timing on its first or second line."""
    return any(TIMING.match(line) for line in BREAK.split(head.lstrip())[:2])

"""Speaker turns of a transcript: from speaker labels at the start of its lines ("Interviewer:",
"**Amira:**", "P1:") and from captions' voice tags.

A label is one to three words and at most 40 characters before a colon that ends the label (a
space, a tab or the end of the line follows it); each word starts with a capital letter, a digit
or a letter without case (optionally after "("), and holds only letters, digits and . ' ’ - ( ) & /.
Markdown emphasis around it ("**Name:**", "__Name__:") is allowed. A turn begins at every label
and wherever a voice tag names another speaker than the one speaking, and runs to the next such
place; it is the speech only (the label, and white space around the speech, left out). Text
before the first of them is nobody's turn."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seeds.transcripts.text import Transcript

MAX_LABEL = 40
_END = r"(?=[ \t\r\n]|\Z)[ \t]*"
_PLAIN = re.compile(r"[ \t]*([^:\r\n]{1,%d}?)[ \t]*:%s" % (MAX_LABEL, _END))
_EMPHASISED = re.compile(r"[ \t]*(\*\*|__)([^:\r\n*_]{1,%d}?)[ \t]*(?:\1:|:\1)%s" % (MAX_LABEL, _END))
_PUNCTUATION = frozenset(" .'’-()&/")


@dataclass(frozen=True)
class Said:
    """A turn as found: `text[start:end]` is what `speaker` says."""

    speaker: str
    start: int
    end: int


def _is_name(name: str) -> bool:
    words = name.split(" ")
    return (
        len(words) <= 3
        and any(c.isalpha() for c in name)
        and all(c.isalnum() or c in _PUNCTUATION for c in name)
        and all(w.lstrip("(")[:1].isalnum() and not w.lstrip("(")[0].islower() for w in words)
    )


def label_at(text: str, start: int) -> tuple[str, int] | None:
    """The speaker a label at `start` names, and where their speech begins; None if no label is there."""
    for pattern, group in ((_EMPHASISED, 2), (_PLAIN, 1)):
        found = pattern.match(text, start)
        if found is not None and _is_name(found.group(group)):
            return found.group(group), found.end()
    return None


def turns(transcript: Transcript) -> list[Said]:
    """The transcript's turns in text order (see the module's docstring)."""
    text = transcript.text
    marks: list[tuple[int, int, str, bool]] = []  # (where it begins, where the speech begins, speaker, a label?)
    for line in transcript.lines:
        found = label_at(text, line.start)
        if found is not None:
            marks.append((line.start, found[1], found[0], True))
    marks += [(offset, offset, speaker, False) for offset, speaker in transcript.voices]
    marks.sort(key=lambda m: (m[0], m[3]))
    out: list[Said] = []
    speaking: tuple[str, int] | None = None
    for begins, speech, speaker, labelled in marks:
        if speaking is not None and not labelled and speaking[0] == speaker:
            continue  # the same voice goes on
        if speaking is not None:
            out += _turn(text, *speaking, begins)
        speaking = (speaker, speech)
    if speaking is not None:
        out += _turn(text, *speaking, len(text))
    return out


def _turn(text: str, speaker: str, start: int, end: int) -> list[Said]:
    """The turn of `speaker` in text[start:end] without white space around it (none if that is all)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return [Said(speaker, start, end)] if start < end else []

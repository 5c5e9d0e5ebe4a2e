"""Plan what a REFI-QDA project holds besides its codebook: cases with their variable
values (participants), text sources (documents), selections with their codings
(excerpts coded by their coders), notes (memos) and links between codes and sets
(concept links). Planning only reads the file; `graph.service` checks the plan against
the project and writes it in one unit of work.

Selection positions are the standard's Unicode code points, but NVivo counts UTF-16 code
units, in which each character beyond U+FFFF (an emoji) counts two: the file's unit is
asked for (`Offsets`) or guessed from where its selections fall."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cached_property

from lxml import etree

from graph.errors import BadInput
from graph.inputs import (
    CodedPassage,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
)
from graph.models import AttributeValue, LinkKind
from graph.service.imports import UNLINKABLE
from seeds.refi.export import parse_link_name
from seeds.refi.read import Package, child, children, guid_of, instant, local

OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")
EMPTY_SELECTIONS = "selections of no length (start equals end)"
CODINGS_OF_NO_TEXT = "codings of a source with no text"
NOTE_TEXTS_MISSING = "note texts not in the file"


class Offsets(str, Enum):
    """The unit a file's selection positions count in; AUTO guesses it per file."""

    CODEPOINTS = "codepoints"
    UTF16 = "utf16"
    AUTO = "auto"


UNITS = {Offsets.CODEPOINTS: "code points", Offsets.UTF16: "UTF-16 code units"}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _value(element: etree._Element, kind: str) -> AttributeValue:
    text = (element.text or "").strip()
    try:
        if kind == "BooleanValue":
            return text.lower() in ("true", "1")
        if kind == "IntegerValue":
            return int(text)
        if kind == "FloatValue":
            return float(text)
    except ValueError:
        raise BadInput(f"A variable value {text!r} is not a valid {kind[:-5].lower()}.") from None
    return text


@dataclass
class Content:
    participants: list[NewParticipant] = field(default_factory=list)
    documents: list[NewDocument] = field(default_factory=list)
    passages: list[CodedPassage] = field(default_factory=list)
    memos: list[NewMemo] = field(default_factory=list)
    links: list[NewLink] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    missing_texts: list[str] = field(default_factory=list)
    created_at: dict[str, datetime] = field(default_factory=dict)
    """When the file says it made each source, selection, link and note, by GUID."""
    offsets: str = ""
    """The summary line that says which unit the selections were read in and why (none without selections)."""


@dataclass
class _Source:
    """A text source whose text the file holds, with its selections as the file counts them."""

    element: etree._Element
    id: str
    name: str
    text: str
    selections: list[tuple[etree._Element, int, int]]

    @cached_property
    def _astral_ends(self) -> list[int]:
        """Where each character beyond U+FFFF ends, in UTF-16 code units (it is two of them, one code point)."""
        return [m.start() + k + 2 for k, m in enumerate(_ASTRAL.finditer(self.text))]

    def point(self, at: int, unit: Offsets) -> int | None:
        """A position read in `unit`, in code points (exactly); None between the halves of a surrogate pair."""
        if unit is Offsets.CODEPOINTS:
            return at
        n = bisect.bisect_right(self._astral_ends, at)
        return None if n < len(self._astral_ends) and self._astral_ends[n] == at + 1 else at - n

    def span(self, start: int, end: int, unit: Offsets) -> tuple[int | None, int | None]:
        return self.point(start, unit), self.point(end, unit)


def plan(package: Package, project_id: str, importer: str, offsets: Offsets = Offsets.AUTO) -> Content:
    """`project_id`: how the plan names the project; `importer`: the coder of codings that name none;
    `offsets`: the unit of selection positions (AUTO: the one that puts them on word boundaries)."""
    root = package.root
    out = Content()
    declared = child(root, "Variables")
    variables = {
        guid_of(v.get("guid"), "A variable"): v.get("name") or "variable"
        for v in (children(declared, "Variable") if declared is not None else ())
    }
    case_of: dict[str, str] = {}
    cases = child(root, "Cases")
    for i, case in enumerate(children(cases, "Case") if cases is not None else (), 1):
        id = guid_of(case.get("guid"), "A case")
        attributes: dict[str, AttributeValue] = {}
        for vv in children(case, "VariableValue"):
            ref = child(vv, "VariableRef")
            target = guid_of(ref.get("targetGUID") if ref is not None else None, "A variable value")
            if target not in variables:
                raise BadInput(f"A case refers to variable {target}, which the file does not define.")
            value = next((e for e in vv if isinstance(e.tag, str) and local(e) != "VariableRef"), None)
            if value is not None:
                attributes[variables[target]] = _value(value, local(value))
        _unmapped(out, case, "Case", ("CodeRef", "SelectionRef", "Description"))
        out.participants.append(
            NewParticipant(
                id=id, project_id=project_id, attributes=attributes, pseudonym=(case.get("name") or f"Case {i}").strip()
            )
        )
        for ref in children(case, "SourceRef"):
            case_of.setdefault(guid_of(ref.get("targetGUID"), "A case's source"), id)

    notes_target: dict[str, str] = {}

    def note_refs(element: etree._Element, target: str) -> None:
        for ref in children(element, "NoteRef"):
            notes_target.setdefault(guid_of(ref.get("targetGUID"), "A note reference"), target)

    note_refs(root, project_id)
    codebook = child(root, "CodeBook")
    for code in codebook.iter() if codebook is not None else ():
        if isinstance(code.tag, str) and local(code) == "Code":
            note_refs(code, guid_of(code.get("guid"), "A code"))
    sources = child(root, "Sources")
    texts: list[_Source] = []
    for source in sources if sources is not None else ():
        if not isinstance(source.tag, str):
            continue
        if local(source) in OTHER_SOURCES:
            out.skipped[local(source)] += 1
            continue
        id = guid_of(source.get("guid"), "A source")
        name = source.get("name") or id
        text = _text(package, source)
        if text is None:
            out.missing_texts.append(name)
            continue
        out.documents.append(
            NewDocument(id=id, project_id=project_id, title=name, text=text, participant_id=case_of.get(id))
        )
        _made(out, source, id)
        _unmapped(out, source, "TextSource", ("Description", "VariableValue"))
        selections = []
        for s in children(source, "PlainTextSelection"):
            start, end = _position(s, "startPosition"), _position(s, "endPosition")
            if start == end:  # marks a point, not a passage: nothing to code
                out.skipped[EMPTY_SELECTIONS] += 1
            else:
                selections.append((s, start, end))
        texts.append(_Source(source, id, name, text, selections))
    unit, out.offsets = _unit(texts, offsets, root.get("origin") or "")
    for read in texts:
        note_refs(read.element, read.id)
        for element, start, end in read.selections:
            first, last = _placed(read, element, start, end, unit)
            excerpt_id = guid_of(element.get("guid"), "A selection")
            _made(out, element, excerpt_id)
            note_refs(element, excerpt_id)
            _unmapped(out, element, "PlainTextSelection", ("Description",))
            _codings(out, element, NewExcerpt(id=excerpt_id, document_id=read.id, start=first, end=last), importer)
        if read.text:  # the source's own codings code the whole text
            _codings(out, read.element, NewExcerpt(document_id=read.id, start=0, end=len(read.text)), importer)
        else:
            out.skipped[CODINGS_OF_NO_TEXT] += sum(1 for _ in children(read.element, "Coding"))
    links = child(root, "Links")
    for link in children(links, "Link") if links is not None else ():
        id = guid_of(link.get("guid"), "A link")
        note_refs(link, id)
        ends = [guid_of(e, "A link end") for e in (link.get("originGUID"), link.get("targetGUID")) if e]
        if len(ends) != 2:
            out.skipped[UNLINKABLE] += 1
            continue
        kind, label = parse_link_name(link.get("name"))
        if link.get("direction") in ("Associative", "Bidirectional") and kind is LinkKind.OTHER and label is None:
            kind = LinkKind.ASSOCIATED_WITH
        out.links.append(NewLink(id=id, source_id=ends[0], target_id=ends[1], kind=kind, label=label))
        _made(out, link, id)
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else ():
        id = guid_of(note.get("guid"), "A note")
        text = _text(package, note)
        if text is None and note.get("plainTextPath"):
            out.skipped[NOTE_TEXTS_MISSING] += 1
        description = child(note, "Description")
        about = (description.text or "").strip() if description is not None else ""
        _made(out, note, id)
        out.memos.append(
            NewMemo(
                id=id,
                target_id=notes_target.get(id, project_id),
                title=note.get("name") or "Note",
                body="\n\n".join(part for part in (about, text) if part),  # the description is the first paragraph
            )
        )
    return out


def _codings(out: Content, element: etree._Element, excerpt: NewExcerpt, importer: str) -> None:
    """Each coding of a selection (or of a whole source) as a passage of its coder."""
    for coding in children(element, "Coding"):
        ref = child(coding, "CodeRef")
        code = guid_of(ref.get("targetGUID") if ref is not None else None, "A coding")
        coder = guid_of(coding.get("creatingUser"), "A coder") if coding.get("creatingUser") else importer
        at = instant(coding.get("creationDateTime")) or instant(element.get("creationDateTime"))
        out.passages.append(CodedPassage(coder_id=coder, code_ids=(code,), excerpt=excerpt, created_at=at))


def _made(out: Content, element: etree._Element, id: str) -> None:
    """Keep when the file says `element` was made, so a copy keeps its history's times."""
    if (at := instant(element.get("creationDateTime"))) is not None:
        out.created_at[id] = at


def _unit(sources: list[_Source], asked: Offsets, origin: str) -> tuple[Offsets, str]:
    """The unit the file's selections count in, and the summary line that says why. AUTO takes the
    reading that puts more selections on word boundaries (people select words, so the wrong reading
    cuts into them); on a tie, NVivo's files are read in UTF-16 code units, the others in code points."""
    spans = [(source, start, end) for source in sources for _, start, end in source.selections]
    if not spans:
        return Offsets.CODEPOINTS, ""
    if asked is not Offsets.AUTO:
        return asked, f"offsets: {UNITS[asked]} (as asked)"
    if all(source.span(start, end, Offsets.UTF16) == (start, end) for source, start, end in spans):
        return Offsets.CODEPOINTS, (
            "offsets: code points (auto: no selection reaches past a character beyond U+FFFF, such as an emoji, "
            "so both readings are the same)"
        )
    fits = {
        unit: sum(_on_words(source.text, *source.span(start, end, unit)) for source, start, end in spans)
        for unit in UNITS
    }
    if fits[Offsets.UTF16] != fits[Offsets.CODEPOINTS]:
        unit, other = sorted(UNITS, key=fits.__getitem__, reverse=True)
        return unit, (
            f"offsets: {UNITS[unit]} (auto: {fits[unit]} of {len(spans)} selections on word boundaries, "
            f"against {fits[other]} as {UNITS[other]})"
        )
    nvivo = "nvivo" in origin.lower()
    unit = Offsets.UTF16 if nvivo else Offsets.CODEPOINTS
    why = (
        "the file comes from NVivo, which counts UTF-16 code units" if nvivo else "code points are the standard's unit"
    )
    return (
        unit,
        f"offsets: {UNITS[unit]} (auto: {fits[unit]} of {len(spans)} selections on word boundaries either way; {why})",
    )


def _on_words(text: str, start: int | None, end: int | None) -> bool:
    """Whether a span lies in its text and starts and ends on word boundaries (or the text's ends),
    its first and last characters no spaces: a span shifted off its words by a character or two
    cuts into a word or takes in the space beside it."""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return False

    def between_words(at: int) -> bool:
        return at in (0, len(text)) or not (text[at - 1].isalnum() and text[at].isalnum())

    return between_words(start) and between_words(end) and not text[start].isspace() and not text[end - 1].isspace()


def _placed(source: _Source, selection: etree._Element, start: int, end: int, unit: Offsets) -> tuple[int, int]:
    """A selection's span in code points; BadInput, naming the selection, where it does not fit its text."""
    first, last = source.span(start, end, unit)
    where = f"A selection ({selection.get('guid')}) of {source.name!r} ({start}-{end} in {UNITS[unit]})"
    other = Offsets.UTF16 if unit is Offsets.CODEPOINTS else Offsets.CODEPOINTS
    hint = f"if the file counts in {UNITS[other]}, import it with offsets={other.value}"
    if first is None or last is None:
        raise BadInput(f"{where} starts or ends inside a character; {hint}.")
    if not 0 <= first < last <= len(source.text):
        raise BadInput(f"{where} lies outside its text of {len(source.text)} characters; {hint}.")
    return first, last


def _position(selection: etree._Element, name: str) -> int:
    value = selection.get(name)
    try:
        return int(value or "")
    except ValueError:
        raise BadInput(
            f"A selection ({selection.get('guid')}) needs a whole number as its {name}, not {value!r}."
        ) from None


def _unmapped(out: Content, element: etree._Element, owner: str, names: tuple[str, ...]) -> None:
    """Count child elements that have no place in thememap, so the summary can say so."""
    for name in names:
        found = sum(1 for _ in children(element, name))
        if found:
            out.skipped[f"{owner} {name}"] += found


def _text(package: Package, source: etree._Element) -> str | None:
    """A source's or note's text, inline or in the file its `plainTextPath` names; None if not in the file."""
    content = child(source, "PlainTextContent")
    if content is not None:
        return content.text or ""
    data = package.text_file(source.get("plainTextPath") or "")
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"The text of {source.get('name')!r} ({source.get('plainTextPath')}) is not UTF-8.") from None

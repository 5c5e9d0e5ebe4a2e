"""Plan what a REFI-QDA project holds besides its codebook: cases with their variable
values (participants), text sources (documents), selections with their codings
(excerpts coded by their coders), notes (memos) and links between codes and sets
(concept links). Planning only reads the file; `graph.service` checks the plan against
the project and writes it in one unit of work."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

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
from seeds.refi.read import Package, child, children, guid_of, local

OTHER_SOURCES = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


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


def plan(package: Package, project_id: str, importer: str) -> Content:
    """`project_id`: how the plan names the project; `importer`: the coder of codings that name none."""
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
        _unmapped(out, source, "TextSource", ("Description", "VariableValue"))
        note_refs(source, id)
        whole = [(source, 0, len(text))]
        selections = [
            (s, _position(s, "startPosition"), _position(s, "endPosition"))
            for s in children(source, "PlainTextSelection")
        ]
        for element, start, end in selections + whole:
            if not 0 <= start < end <= len(text):
                raise BadInput(
                    f"A selection of {name!r} ({start}-{end}) lies outside its text of {len(text)} characters."
                )
            excerpt_id = None if element is source else guid_of(element.get("guid"), "A selection")
            if excerpt_id is not None:
                note_refs(element, excerpt_id)
                _unmapped(out, element, "PlainTextSelection", ("Description",))
            for coding in children(element, "Coding"):
                ref = child(coding, "CodeRef")
                code = guid_of(ref.get("targetGUID") if ref is not None else None, "A coding")
                coder = guid_of(coding.get("creatingUser"), "A coder") if coding.get("creatingUser") else importer
                out.passages.append(
                    CodedPassage(
                        coder_id=coder,
                        code_ids=(code,),
                        excerpt=NewExcerpt(id=excerpt_id, document_id=id, start=start, end=end),
                    )
                )
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
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else ():
        id = guid_of(note.get("guid"), "A note")
        body = child(note, "PlainTextContent")
        out.memos.append(
            NewMemo(
                id=id,
                target_id=notes_target.get(id, project_id),
                title=note.get("name") or "Note",
                body=(body.text or "") if body is not None else "",
            )
        )
    return out


def _position(selection: etree._Element, name: str) -> int:
    try:
        return int(selection.get(name, "-1"))
    except ValueError:
        raise BadInput(f"A selection's {name} {selection.get(name)!r} is not a whole number.") from None


def _unmapped(out: Content, element: etree._Element, owner: str, names: tuple[str, ...]) -> None:
    """Count child elements that have no place in thememap, so the summary can say so."""
    for name in names:
        found = sum(1 for _ in children(element, name))
        if found:
            out.skipped[f"{owner} {name}"] += found


def _text(package: Package, source: etree._Element) -> str | None:
    content = child(source, "PlainTextContent")
    if content is not None:
        return content.text or ""
    path = source.get("plainTextPath") or ""
    if not path.startswith("internal://"):
        return None
    data = package.sources.get("sources/" + path[len("internal://") :])
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"The text of {source.get('name')!r} is not UTF-8.") from None

"""Import what a REFI-QDA project holds besides its codebook: cases with their variable
values (participants), text sources (documents), selections with their codings
(excerpts coded by their coders), notes (memos) and links between codes and sets
(concept links). `plan` checks everything and `write` stores it; nothing is written
unless the whole plan checks out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from graph.errors import BadInput
from graph.inputs import (
    CodedPassage,
    LinkPatch,
    MemoPatch,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
    ParticipantPatch,
)
from graph.models import AttributeValue, LinkKind
from graph.store import Store
from seeds.refi.export import parse_link_name
from seeds.refi.read import Package, child, children, guid_of, local

if TYPE_CHECKING:
    from seeds.refi.imports import Summary

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
    documents: list[tuple[str, NewDocument]] = field(default_factory=list)
    """(creator, document): provenance kept where the file names a known user."""
    passages: list[CodedPassage] = field(default_factory=list)
    memos: list[tuple[str, NewMemo]] = field(default_factory=list)
    links: list[tuple[str, NewLink]] = field(default_factory=list)
    """(author, link)."""
    skipped: Counter[str] = field(default_factory=Counter)
    missing_texts: list[str] = field(default_factory=list)


def plan(package: Package, project_id: str, actor: str, users: set[str], codes: set[str], themes: set[str],
         categories: set[str]) -> Content:
    """`codes` and `themes`: the ids there will be; `categories`: codes that cannot be applied."""
    root = package.root
    out = Content()
    variables = {guid_of(v.get("guid"), "A variable"): v.get("name") or "variable"
                 for v in children(child(root, "Variables"), "Variable")} if child(root, "Variables") is not None else {}
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
        out.participants.append(NewParticipant(id=id, project_id=project_id,
                                               pseudonym=(case.get("name") or f"Case {i}").strip(), attributes=attributes))
        for ref in children(case, "SourceRef"):
            case_of.setdefault(guid_of(ref.get("targetGUID"), "A case's source"), id)

    known_codes = set(codes)

    def author(element: etree._Element) -> str:
        """Who the file says made it, if that is a user it lists; else whoever imports."""
        made_by = element.get("creatingUser")
        return guid_of(made_by, "A creating user") if made_by and guid_of(made_by, "A creating user") in users else actor
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
        out.documents.append((author(source), NewDocument(id=id, project_id=project_id, title=name, text=text,
                                                          participant_id=case_of.get(id))))
        _unmapped(out, source, "TextSource", ("Description", "VariableValue"))
        note_refs(source, id)
        whole = [(source, 0, len(text))]
        selections = [(s, int(s.get("startPosition", "-1")), int(s.get("endPosition", "-1")))
                      for s in children(source, "PlainTextSelection")]
        for element, start, end in selections + whole:
            if not 0 <= start < end <= len(text):
                raise BadInput(f"A selection of {name!r} ({start}-{end}) lies outside its text of {len(text)} characters.")
            excerpt_id = id if element is source else guid_of(element.get("guid"), "A selection")
            if element is not source:
                note_refs(element, excerpt_id)
                _unmapped(out, element, "PlainTextSelection", ("Description",))
            for coding in children(element, "Coding"):
                ref = child(coding, "CodeRef")
                code = guid_of(ref.get("targetGUID") if ref is not None else None, "A coding")
                if code not in known_codes:
                    raise BadInput(f"A coding in {name!r} refers to code {code}, which is in neither the file nor the project.")
                if code in categories:
                    raise BadInput(f"A coding in {name!r} applies code {code}, which the file marks as not codable.")
                coder = guid_of(coding.get("creatingUser"), "A coder") if coding.get("creatingUser") else actor
                if coder not in users:
                    raise BadInput(f"A coding in {name!r} was made by user {coder}, whom the file does not list.")
                out.passages.append(CodedPassage(coder_id=coder, code_ids=(code,), excerpt=NewExcerpt(
                    id=None if element is source else excerpt_id, document_id=id, start=start, end=end)))
    links = child(root, "Links")
    for link in children(links, "Link") if links is not None else ():
        id = guid_of(link.get("guid"), "A link")
        note_refs(link, id)
        origin, target = link.get("originGUID"), link.get("targetGUID")
        ends = [guid_of(e, "A link end") for e in (origin, target) if e]
        if len(ends) != 2 or not all(e in known_codes or e in themes for e in ends):
            out.skipped["Links between things other than codes and sets"] += 1
            continue
        kind, label = parse_link_name(link.get("name"))
        if link.get("direction") in ("Associative", "Bidirectional") and kind is LinkKind.OTHER and label is None:
            kind = LinkKind.ASSOCIATED_WITH
        out.links.append((actor, NewLink(id=id, source_id=ends[0], target_id=ends[1], kind=kind, label=label)))
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else ():
        id = guid_of(note.get("guid"), "A note")
        body = child(note, "PlainTextContent")
        out.memos.append((author(note), NewMemo(id=id, target_id=notes_target.get(id, project_id),
                                                title=note.get("name") or "Note",
                                                body=(body.text or "") if body is not None else "")))
    return out


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
    data = package.sources.get("sources/" + path[len("internal://"):])
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"The text of {source.get('name')!r} is not UTF-8.") from None


async def write(store: Store, actor: str, content: Content, existing: set[str], summary: Summary) -> None:
    """Store what is new, and bring what exists under the same GUID up to date."""
    old_people = await store.get_participants([p.id for p in content.participants if p.id in existing])
    for person in content.participants:
        old = old_people.get(person.id)
        if person.id not in existing:
            await store.add_participant(actor, person)
            summary.created["participants"] += 1
        elif old is not None and (old.pseudonym, old.attributes) != (person.pseudonym, person.attributes):
            await store.update_participant(actor, person.id, ParticipantPatch(pseudonym=person.pseudonym,
                                                                              attributes=person.attributes))
            summary.updated["participants"] += 1
        else:
            summary.unchanged["participants"] += 1
    for creator, document in content.documents:
        if document.id in existing:
            summary.unchanged["documents"] += 1  # a transcript's text never changes; its codings may
        else:
            await store.add_document(creator, document)
            summary.created["documents"] += 1
    if content.passages:
        known = [p.excerpt.id for p in content.passages if p.excerpt.id]
        before = sum(len(c) for c in (await store.codings_of_excerpts(known)).values())
        ids = await store.code_passages(actor, content.passages)
        after = sum(len(c) for c in (await store.codings_of_excerpts(list(dict.fromkeys(ids)))).values())
        summary.created["codings"] += max(after - before, 0)
    old_links = await store.get_links([link.id for _, link in content.links if link.id in existing])
    for author, link in content.links:
        old = old_links.get(link.id or "")
        if link.id not in existing:
            await store.link_concepts(author, link)
            summary.created["links"] += 1
        elif old is not None and (old.kind, old.label) != (link.kind, link.label):
            await store.update_link(actor, old.id, LinkPatch(kind=link.kind, label=link.label))
            summary.updated["links"] += 1
        else:
            summary.unchanged["links"] += 1
    old_memos = await store.get_memos([m.id for _, m in content.memos if m.id in existing])
    for author, memo in content.memos:
        old = old_memos.get(memo.id or "")
        if memo.id not in existing:
            await store.add_memo(author, memo)
            summary.created["memos"] += 1
        elif old is not None and (old.title, old.body) != (memo.title, memo.body):
            await store.update_memo(actor, old.id, MemoPatch(title=memo.title, body=memo.body))
            summary.updated["memos"] += 1
        else:
            summary.unchanged["memos"] += 1

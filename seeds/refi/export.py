"""Export a project as a REFI-QDA project (.qdpx: a zip of `project.qde` and the texts
under `sources/`) or its codebook alone (.qdc), read through the reader of whoever asks (under blind coding
an ANALYST's export holds their own codings only).

Mapping: users -> Users; the code tree -> CodeBook (every code codable); participant
attributes -> Variables, participants -> Cases with VariableValues and SourceRefs;
documents -> TextSources (text in `sources/<guid>.txt`); excerpts -> PlainTextSelections
(code points, end exclusive) with one Coding per code and coder; memos -> Notes with
NoteRefs where the standard allows one (project, code, document, excerpt, link);
concept links -> Links; themes -> Sets of their codes; the theme map -> a Graph.
Ids that are not GUIDs (such as the local user's) become UUID v5 GUIDs derived from them.
"""

from __future__ import annotations

import io
import math
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from lxml import etree

from graph.analysis.snapshot import Snapshot
from graph.analysis.worker import FILES, off_loop
from graph.errors import BadInput
from graph.models import (
    AttributeValue,
    Document,
    Link,
    LinkKind,
    Memo,
    NodeKind,
    Project,
    User,
)
from graph.service.reading import Reader

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = "thememap"
_DERIVED = uuid.UUID("9d1f6c52-33a5-4c1b-8a57-6f0f1d3e2b44")

LINK_NAMES = {kind: kind.value.lower().replace("_", " ") for kind in LinkKind}
"""How a link kind is named in the file (`causes`, `associated with`, ...)."""


def link_name(kind: LinkKind, label: str | None) -> str:
    """A link's name in the file: its kind, then its label if it has one (`causes: why`)."""
    return f"{LINK_NAMES[kind]}: {label}" if label else LINK_NAMES[kind]


def parse_link_name(name: str | None) -> tuple[LinkKind, str | None]:
    """The kind and label of a link named by `link_name`, or by another tool (OTHER, the name as label)."""
    text = (name or "").strip()
    for kind, prefix in LINK_NAMES.items():
        if text.lower() == prefix:
            return kind, None
        if text.lower().startswith(prefix + ":"):
            return kind, text[len(prefix) + 1 :].strip() or None
    return LinkKind.OTHER, text or None


def guid(id: str) -> str:
    """A thememap id as a REFI-QDA GUID: the id itself when it is one."""
    try:
        return str(uuid.UUID(id))
    except ValueError:
        return str(uuid.uuid5(_DERIVED, id))


def _rgb(color: str | None) -> str | None:
    """REFI-QDA colours are #RGB or #RRGGBB: drop an alpha channel."""
    if color is None:
        return None
    return color if len(color) in (4, 7) else color[:7]


def _when(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _variable_type(values: list[AttributeValue]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "Integer"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "Float"
    return "Text"


@dataclass
class Bundle:
    """Everything an export needs, as the reader may see it."""

    project: Project
    snapshot: Snapshot
    documents: list[Document]
    memos: list[Memo]
    users: dict[str, User]
    modified_at: datetime
    """The project's last change (its newest history entry): the file's modifiedDateTime, by which
    a later merge tells what the project deleted after the file was made."""


async def read(reader: Reader, project_id: str) -> Bundle:
    snapshot = await reader.project_snapshot(project_id)
    project = (await reader.get_projects([project_id]))[project_id]
    documents = (await reader.documents_of_projects([project_id]))[project_id]
    memos = (await reader.memos_of_projects([project_id]))[project_id]
    people = {
        project.created_by,
        *(c.coder_id for c in snapshot.codings),
        *(m.created_by for m in memos),
        *(d.created_by for d in documents),
    }
    newest = (await reader.activity(project_id, 1)).events
    modified_at = max([project.updated_at, *(e.at for e in newest)])
    return Bundle(project, snapshot, documents, memos, await reader.get_users(sorted(people)), modified_at)


class _Writer:
    def __init__(self, namespace: str) -> None:
        self.ns = namespace

    def el(
        self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs: str | None
    ) -> etree._Element:
        name = f"{{{self.ns}}}{tag}"
        clean = {k: v for k, v in attrs.items() if v is not None}
        node = (
            etree.Element(name, clean, nsmap={None: self.ns})
            if parent is None
            else etree.SubElement(parent, name, clean)
        )
        if text is not None:
            node.text = text
        return node


def _codes(w: _Writer, parent: etree._Element, bundle: Bundle, notes: dict[str, list[str]] | None) -> None:
    children: dict[str | None, list] = defaultdict(list)
    for code in bundle.snapshot.codes:
        children[code.parent_id].append(code)

    def add(into: etree._Element, parent_id: str | None) -> None:
        for code in children[parent_id]:
            node = w.el(
                into,
                "Code",
                guid=guid(code.id),
                name=code.name,
                isCodable=str(code.codable).lower(),
                color=_rgb(code.color),
            )
            if code.description:
                w.el(node, "Description", code.description)
            for note in (notes or {}).get(code.id, []):
                w.el(node, "NoteRef", targetGUID=guid(note))
            add(node, code.id)

    codes = w.el(parent, "Codes")
    add(codes, None)


def _sets(w: _Writer, parent: etree._Element, bundle: Bundle) -> None:
    """Themes as sets of their codes and, in a project file, document sets as sets of their sources
    (an import reads a set that lists sources and no codes back as a document set)."""
    document_sets: dict[str, list[str]] = defaultdict(list)
    for d in bundle.documents if w.ns == PROJECT_NS else ():
        for name in d.groups:
            document_sets[name].append(d.id)
    if not bundle.snapshot.themes and not document_sets:
        return
    members: dict[str, list[str]] = defaultdict(list)
    for code_id, theme_id in bundle.snapshot.memberships:
        members[theme_id].append(code_id)
    sets = w.el(parent, "Sets")
    for theme in bundle.snapshot.themes:
        node = w.el(sets, "Set", guid=guid(theme.id), name=theme.name)
        if theme.description:
            w.el(node, "Description", theme.description)
        for code_id in sorted(members[theme.id]):
            # the project schema names the member with targetGUID, the codebook schema with guid
            reference = {"targetGUID" if w.ns == PROJECT_NS else "guid": guid(code_id)}
            w.el(node, "MemberCode", **reference)
    for name, documents in sorted(document_sets.items()):
        node = w.el(sets, "Set", guid=str(uuid.uuid5(_DERIVED, f"{bundle.project.id}/document-set/{name}")), name=name)
        for document_id in documents:
            w.el(node, "MemberSource", targetGUID=guid(document_id))


def codebook_xml(bundle: Bundle) -> bytes:
    """The .qdc codebook: the code tree and the themes as sets."""
    if not bundle.snapshot.codes:
        raise BadInput("The project has no codes yet; a REFI-QDA codebook needs at least one.")
    w = _Writer(CODEBOOK_NS)
    root = w.el(None, "CodeBook", origin=ORIGIN)
    _codes(w, root, bundle, None)
    _sets(w, root, bundle)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def project_xml(bundle: Bundle) -> bytes:
    """The `project.qde` document of a .qdpx."""
    w = _Writer(PROJECT_NS)
    p, snap = bundle.project, bundle.snapshot
    root = w.el(
        None,
        "Project",
        name=p.name,
        origin=ORIGIN,
        creatingUserGUID=guid(p.created_by),
        creationDateTime=_when(p.created_at),
        modifyingUserGUID=guid(p.updated_by),
        modifiedDateTime=_when(bundle.modified_at),
    )
    notes: dict[str, list[str]] = defaultdict(list)
    for memo in bundle.memos:
        notes[memo.target_id].append(memo.id)

    if bundle.users:
        users = w.el(root, "Users")
        for user in bundle.users.values():
            w.el(users, "User", guid=guid(user.id), name=user.name)
    if snap.codes:
        _codes(w, w.el(root, "CodeBook"), bundle, notes)

    names = sorted({name for person in snap.participants for name in person.attributes})
    variables = {name: str(uuid.uuid5(_DERIVED, f"variable/{name}")) for name in names}
    kinds = {
        name: _variable_type([q.attributes[name] for q in snap.participants if name in q.attributes]) for name in names
    }
    if names:
        block = w.el(root, "Variables")
        for name in names:
            w.el(block, "Variable", guid=variables[name], name=name, typeOfVariable=kinds[name])
    documents_of: dict[str, list[str]] = defaultdict(list)
    for d in bundle.documents:
        if d.participant_id:
            documents_of[d.participant_id].append(d.id)
    if snap.participants:
        cases = w.el(root, "Cases")
        for person in snap.participants:
            case = w.el(cases, "Case", guid=guid(person.id), name=person.pseudonym)
            for name, value in sorted(person.attributes.items()):
                vv = w.el(case, "VariableValue")
                w.el(vv, "VariableRef", targetGUID=variables[name])
                tag = {"Boolean": "BooleanValue", "Integer": "IntegerValue", "Float": "FloatValue"}.get(
                    kinds[name], "TextValue"
                )
                text = str(value).lower() if isinstance(value, bool) else str(value)
                w.el(vv, tag, text)
            for doc_id in documents_of[person.id]:
                w.el(case, "SourceRef", targetGUID=guid(doc_id))

    excerpts_of: dict[str, list] = defaultdict(list)
    for e in sorted(snap.excerpts, key=lambda e: e.key):
        excerpts_of[e.document_id].append(e)
    codings_of: dict[str, list] = defaultdict(list)
    for c in sorted(snap.codings, key=lambda c: (c.code_id, c.coder_id)):
        codings_of[c.excerpt_id].append(c)
    if bundle.documents:
        sources = w.el(root, "Sources")
        for d in bundle.documents:
            source = w.el(
                sources,
                "TextSource",
                guid=guid(d.id),
                name=d.title,
                plainTextPath=f"internal://{guid(d.id)}.txt",
                creatingUser=guid(d.created_by),
                creationDateTime=_when(d.created_at),
            )
            for e in excerpts_of[d.id]:
                selection = w.el(
                    source, "PlainTextSelection", guid=guid(e.id), startPosition=str(e.start), endPosition=str(e.end)
                )
                for c in codings_of[e.id]:
                    coding = w.el(
                        selection,
                        "Coding",
                        creatingUser=guid(c.coder_id),
                        guid=str(uuid.uuid5(_DERIVED, f"{e.id}/{c.code_id}/{c.coder_id}")),
                    )
                    w.el(coding, "CodeRef", targetGUID=guid(c.code_id))
                for note in notes.get(e.id, []):
                    w.el(selection, "NoteRef", targetGUID=guid(note))
            for note in notes.get(d.id, []):
                w.el(source, "NoteRef", targetGUID=guid(note))
    if bundle.memos:
        block = w.el(root, "Notes")
        # in the order of the times the file carries (to the second), so that a copy, which keeps
        # those times, exports in the same order as its original
        for memo in sorted(bundle.memos, key=lambda m: (_when(m.created_at), m.id)):
            note = w.el(
                block,
                "Note",
                guid=guid(memo.id),
                name=memo.title,
                creatingUser=guid(memo.created_by),
                creationDateTime=_when(memo.created_at),
            )
            w.el(note, "PlainTextContent", memo.body)
    if snap.links:
        block = w.el(root, "Links")
        for link in snap.links:
            node = w.el(
                block,
                "Link",
                guid=guid(link.id),
                name=link_name(link.kind, link.label),
                direction="Associative" if link.kind.symmetric else "OneWay",
                originGUID=guid(link.source_id),
                targetGUID=guid(link.target_id),
            )
            for note in notes.get(link.id, []):
                w.el(node, "NoteRef", targetGUID=guid(note))
    _sets(w, root, bundle)
    _graph(w, root, bundle)
    if p.description:
        w.el(root, "Description", p.description)
    for note in notes.get(p.id, []):
        w.el(root, "NoteRef", targetGUID=guid(note))
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _graph(w: _Writer, root: etree._Element, bundle: Bundle) -> None:
    """The theme map: themes and codes on a circle, with membership, hierarchy and link edges."""
    snap = bundle.snapshot
    concepts = [(t.id, t.name, NodeKind.THEME) for t in snap.themes] + [
        (c.id, c.name, NodeKind.CODE) for c in snap.codes
    ]
    if not concepts:
        return
    graphs = w.el(root, "Graphs")
    graph = w.el(graphs, "Graph", guid=str(uuid.uuid5(_DERIVED, f"{bundle.project.id}/theme-map")), name="Theme map")
    vertex = {id: str(uuid.uuid5(_DERIVED, f"{bundle.project.id}/vertex/{id}")) for id, _, _ in concepts}
    for i, (id, name, kind) in enumerate(concepts):
        angle = 2 * math.pi * i / len(concepts)
        w.el(
            graph,
            "Vertex",
            guid=vertex[id],
            representedGUID=guid(id),
            name=name,
            firstX=str(round(1000 + 900 * math.cos(angle))),
            firstY=str(round(1000 + 900 * math.sin(angle))),
            shape="RoundedRectangle" if kind is NodeKind.THEME else "Oval",
        )
    edges: list[tuple[str, str, str, Link | None]] = [(c, t, "member of", None) for c, t in snap.memberships]
    edges += [(x.id, x.parent_id, "subtheme of", None) for x in snap.themes if x.parent_id]
    edges += [(x.id, x.parent_id, "child of", None) for x in snap.codes if x.parent_id]
    edges += [(x.source_id, x.target_id, link_name(x.kind, x.label), x) for x in snap.links]
    for source, target, name, link in edges:
        represented = guid(link.id) if link else None
        w.el(
            graph,
            "Edge",
            guid=str(uuid.uuid5(_DERIVED, f"{bundle.project.id}/edge/{source}/{target}/{name}")),
            representedGUID=represented,
            name=name,
            sourceVertex=vertex[source],
            targetVertex=vertex[target],
            direction="Associative" if link and link.kind.symmetric else "OneWay",
        )


def qdpx(bundle: Bundle) -> bytes:
    """The .qdpx archive: `project.qde` and one UTF-8 text file per document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", project_xml(bundle))
        for d in bundle.documents:
            archive.writestr(f"sources/{guid(d.id)}.txt", d.text.encode("utf-8"))
    return out.getvalue()


async def export(reader: Reader, project_id: str, format: str) -> bytes:
    """The project as `qdpx` or its codebook as `qdc`, as the reader may see it."""
    bundle = await read(reader, project_id)
    return await off_loop(partial(qdpx if format == "qdpx" else codebook_xml, bundle), FILES)

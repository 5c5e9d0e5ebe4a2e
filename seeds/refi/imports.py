"""Import a REFI-QDA project (.qdpx, .qde) or codebook (.qdc) into a new project or into
an existing one, merging by GUID. GUIDs become ids (compared case-insensitively), so
importing a partner's newer file updates renamed codes and themes, adds what is new and
duplicates nothing. Everything is checked before anything is written. What cannot be
mapped (non-text sources, graphs, links between other things than codes and sets,
sources whose text is missing) is counted in the summary, never dropped silently."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from uuid import uuid4

from lxml import etree
from pydantic import ValidationError

from graph.errors import BadInput, NotFound
from graph.inputs import CodePatch, NewCode, NewProject, NewTheme, ThemePatch
from graph.models import Code, NodeKind, Theme
from graph.store import Store
from seeds.refi import content
from seeds.refi.read import child, children, guid_of, local, read

NOT_YET = ("Graphs",)
_RGB = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass(frozen=True)
class PlannedCode:
    id: str
    name: str
    description: str
    color: str | None
    parent_id: str | None
    codable: bool


@dataclass(frozen=True)
class PlannedSet:
    id: str
    name: str
    description: str
    code_ids: tuple[str, ...]


@dataclass
class Summary:
    project_id: str
    users: int = 0
    missing_texts: list[str] = field(default_factory=list)
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        out = [f"project {self.project_id}", f"users: {self.users} (added where new)"]
        for label, counts in (("created", self.created), ("updated", self.updated), ("unchanged", self.unchanged)):
            counted = {kind: n for kind, n in counts.items() if n}
            if counted:
                out.append(f"{label}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items())))
        for kind, n in sorted(self.skipped.items()):
            if n:
                out.append(f"not imported: {n} {kind}")
        for name in self.missing_texts:
            out.append(f"not imported: source {name!r}, whose text is not in the file")
        return out


def _plan_codes(codes: etree._Element | None) -> list[PlannedCode]:
    planned: list[PlannedCode] = []

    def walk(element: etree._Element, parent_id: str | None) -> None:
        for code in children(element, "Code"):
            name = (code.get("name") or "").strip()
            if not name:
                raise BadInput(f"A code ({code.get('guid')}) has no name.")
            color = code.get("color")
            description = child(code, "Description")
            planned.append(PlannedCode(
                guid_of(code.get("guid"), f"Code {name!r}"), name,
                (description.text or "") if description is not None else "",
                color if color and _RGB.match(color) else None, parent_id,
                (code.get("isCodable") or "true").strip().lower() not in ("false", "0"),
            ))
            walk(code, planned[-1].id)

    if codes is not None:
        walk(codes, None)
    return planned


def _plan_sets(sets: etree._Element | None, skipped: Counter[str]) -> list[PlannedSet]:
    planned = []
    for s in children(sets, "Set") if sets is not None else ():
        name = (s.get("name") or "").strip()
        if not name:
            raise BadInput(f"A set ({s.get('guid')}) has no name.")
        members = tuple(guid_of(m.get("targetGUID") or m.get("guid"), f"A member of set {name!r}")
                        for m in children(s, "MemberCode"))
        for other in ("MemberSource", "MemberNote"):
            skipped[f"Set {other}"] += sum(1 for _ in children(s, other))
        description = child(s, "Description")
        planned.append(PlannedSet(guid_of(s.get("guid"), f"Set {name!r}"), name,
                                  (description.text or "") if description is not None else "", members))
    return planned


def _check_unique(codes: dict[str, tuple[str | None, str]], themes: dict[str, str]) -> None:
    """The project after the import must still have unique names: codes per parent, themes overall."""
    seen: dict[tuple[str | None, str], str] = {}
    for id, (parent, name) in codes.items():
        key = (parent, name.lower())
        if key in seen:
            raise BadInput(f"After the import two codes named {name!r} would share a parent; rename one first.")
        seen[key] = id
    names = Counter(name.lower() for name in themes.values())
    clash = next((n for n, count in names.items() if count > 1), None)
    if clash:
        raise BadInput(f"After the import two themes would be named {clash!r}; rename one first.")


async def import_file(store: Store, actor: str, data: bytes, project_id: str | None = None,
                      fallback_name: str = "Imported project") -> Summary:
    package = read(data)
    root = package.root
    if local(root) not in ("Project", "CodeBook"):
        raise BadInput(f"The file's root element is {local(root)!r}; expected a REFI-QDA Project or CodeBook.")
    codebook = root if local(root) == "CodeBook" else child(root, "CodeBook")
    codes = _plan_codes(child(codebook, "Codes") if codebook is not None else None)
    unmapped: Counter[str] = Counter()
    sets = _plan_sets(child(root, "Sets"), unmapped)
    users = [(guid_of(u.get("guid"), "A user"), u.get("name") or "unnamed")
             for u in (children(child(root, "Users"), "User") if child(root, "Users") is not None else ())]

    if project_id is not None:
        if not await store.get_projects([project_id]):
            raise NotFound("project", project_id)
        existing_codes = (await store.codes_of_projects([project_id]))[project_id]
        existing_themes = (await store.themes_of_projects([project_id]))[project_id]
    else:
        existing_codes, existing_themes = [], []
    kinds = {c.id: NodeKind.CODE for c in codes} | {s.id: NodeKind.THEME for s in sets}
    taken = [id for id, ref in (await store.node_refs(list(kinds))).items()
             if ref.project_id != project_id or ref.kind is not kinds[id]]
    if taken:
        raise BadInput(f"GUID {taken[0]} is already used by another project, or by something else in this one.")
    final_codes = {c.id: (c.parent_id, c.name) for c in existing_codes} | {c.id: (c.parent_id, c.name) for c in codes}
    final_themes = {t.id: t.name for t in existing_themes} | {s.id: s.name for s in sets}
    _check_unique(final_codes, final_themes)
    missing = sorted({m for s in sets for m in s.code_ids} - set(final_codes))
    if missing:
        raise BadInput(f"A set refers to code {missing[0]}, which is in neither the file nor the project.")

    target = project_id or str(uuid4())
    try:
        categories = {c.id for c in codes if not c.codable} | {
            c.id for c in existing_codes if not c.codable and c.id not in {p.id for p in codes}}
        planned = content.plan(package, target, actor, {actor, *(id for id, _ in users)}, set(final_codes),
                               set(final_themes), categories)
    except ValidationError as exc:
        raise BadInput(f"The file holds a value this project cannot take: {exc.errors()[0]['msg']}.") from None
    new_ids = ([p.id for p in planned.participants] + [d.id for _, d in planned.documents]
               + [link.id for _, link in planned.links] + [m.id for _, m in planned.memos])
    clashes = [id for id, n in Counter(new_ids + list(kinds)).items() if n > 1]
    if clashes:
        raise BadInput(f"GUID {clashes[0]} is used for two different things in the file.")
    refs = await store.node_refs(new_ids)
    foreign = [id for id, ref in refs.items() if ref.project_id != project_id]
    if foreign:
        raise BadInput(f"GUID {foreign[0]} is already used by another project.")
    alive = {target, *final_codes, *final_themes, *(p.id for p in planned.participants),
             *(d.id for _, d in planned.documents), *(link.id for _, link in planned.links),
             *(x.excerpt.id for x in planned.passages if x.excerpt.id), *refs}
    planned.memos = [(a, m if m.target_id in alive else m.model_copy(update={"target_id": target}))
                     for a, m in planned.memos]

    if project_id is None:
        description = child(root, "Description")
        project = await store.create_project(actor, NewProject(
            id=target, name=(root.get("name") or fallback_name).strip() or fallback_name,
            description=(description.text or "") if description is not None else ""))
        project_id = project.id
    summary = Summary(project_id)
    for id, name in users:
        await store.ensure_user(id, name)
    summary.users = len(users)
    await _merge_codes(store, actor, project_id, codes, {c.id: c for c in existing_codes}, summary)
    await _merge_sets(store, actor, project_id, sets, {t.id: t for t in existing_themes}, summary)
    await content.write(store, actor, planned, set(refs), summary)
    summary.skipped.update(planned.skipped)
    summary.skipped.update(unmapped)
    summary.missing_texts = planned.missing_texts
    for name in NOT_YET:
        element = child(root, name)
        if element is not None and len(element):
            summary.skipped[name] += len(element)
    return summary


async def _merge_codes(store: Store, actor: str, project_id: str, codes: list[PlannedCode], existing: dict[str, Code],
                       summary: Summary) -> None:
    for c in codes:  # parents come before their children
        old = existing.get(c.id)
        if old is None:
            await store.create_code(actor, NewCode(id=c.id, project_id=project_id, name=c.name,
                                                   description=c.description, color=c.color, parent_id=c.parent_id,
                                                   codable=c.codable))
            summary.created["codes"] += 1
        elif (old.name, old.description, old.color, old.parent_id, old.codable) != (
                c.name, c.description, c.color, c.parent_id, c.codable):
            await store.update_code(actor, c.id, CodePatch(name=c.name, description=c.description, color=c.color,
                                                           parent_id=c.parent_id, codable=c.codable))
            summary.updated["codes"] += 1
        else:
            summary.unchanged["codes"] += 1


async def _merge_sets(store: Store, actor: str, project_id: str, sets: list[PlannedSet], existing: dict[str, Theme],
                      summary: Summary) -> None:
    for s in sets:
        old = existing.get(s.id)
        if old is None:
            await store.create_theme(actor, NewTheme(id=s.id, project_id=project_id, name=s.name,
                                                     description=s.description))
            summary.created["themes"] += 1
        elif (old.name, old.description) != (s.name, s.description):
            await store.update_theme(actor, s.id, ThemePatch(name=s.name, description=s.description))
            summary.updated["themes"] += 1
        else:
            summary.unchanged["themes"] += 1
        members = {c.id for c in (await store.codes_of_themes([s.id]))[s.id]}
        for code_id in s.code_ids:
            if code_id not in members:
                await store.add_code_to_theme(actor, code_id, s.id)
                summary.created["theme memberships"] += 1

"""Import a REFI-QDA project (.qdpx, .qde) or codebook (.qdc) into a new project or into
an existing one, merging by GUID. GUIDs become ids (compared case-insensitively), so
importing a partner's newer file updates renamed codes and themes, adds what is new and
duplicates nothing. The file is read into a plan first (`plan_file`, which writes nothing),
then the service imports the plan in one unit of work: all of it or nothing (see
`graph.service.imports` for how ids used elsewhere and the file's users are treated). What
cannot be mapped (non-text sources, graphs, links between other things than codes and sets,
sources whose text is missing, selections of no length) is counted in the summary, never
dropped silently; the summary also says in which unit the selections' positions were read."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree
from pydantic import ValidationError

from graph.errors import BadInput
from graph.inputs import NewCode, NewDocument, NewProject, NewTheme
from graph.models import Role, User
from graph.policy import Actor, Need
from graph.rules import new_id
from graph.service import Service
from graph.service.imports import FileUser, Imported, ImportPlan, PlannedSet
from seeds.refi import content
from seeds.refi.content import Offsets
from seeds.refi.export import guid
from seeds.refi.graphs import with_theme_tree
from seeds.refi.read import child, children, guid_of, instant, local, read

NOT_YET = ("Graphs",)
_RGB = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


@dataclass
class Summary(Imported):
    missing_texts: list[str] = field(default_factory=list)
    offsets: str = ""
    """Which unit the selections' positions were read in, and why (none without selections)."""
    preview: bool = False
    """A preview: what the import would do, with nothing written."""

    def lines(self) -> list[str]:
        out = ["preview: nothing was written; importing the file would do this"] if self.preview else []
        out += [f"project {self.project_id}", f"users: {self.users} added for the file's coders (they cannot sign in)"]
        if self.remapped:
            out.append(f"remapped: {self.remapped} GUIDs already used elsewhere")
        for label, counts in (("created", self.created), ("updated", self.updated), ("unchanged", self.unchanged)):
            counted = {kind: n for kind, n in counts.items() if n}
            if counted:
                out.append(f"{label}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counted.items())))
        if self.offsets:
            out.append(self.offsets)
        for kind, n in sorted(self.skipped.items()):
            if n:
                out.append(f"not imported: {n} {kind}")
        for name in self.missing_texts:
            out.append(f"not imported: source {name!r}, whose text is not in the file")
        return out


@dataclass
class FilePlan:
    """A file read into a plan, and what of it the plan leaves out."""

    plan: ImportPlan
    skipped: Counter[str]
    missing_texts: list[str]
    offsets: str


def _plan_codes(codes: etree._Element | None, project_id: str) -> list[NewCode]:
    planned: list[NewCode] = []

    def walk(element: etree._Element, parent_id: str | None) -> None:
        for code in children(element, "Code"):
            name = (code.get("name") or "").strip()
            if not name:
                raise BadInput(f"A code ({code.get('guid')}) has no name.")
            color = code.get("color")
            description = child(code, "Description")
            id = guid_of(code.get("guid"), f"Code {name!r}")
            planned.append(
                NewCode(
                    id=id,
                    project_id=project_id,
                    name=name,
                    parent_id=parent_id,
                    description=(description.text or "") if description is not None else "",
                    color=color if color and _RGB.match(color) else None,
                    codable=(code.get("isCodable") or "true").strip().lower() not in ("false", "0"),
                )
            )
            walk(code, id)

    if codes is not None:
        walk(codes, None)
    return planned


def _plan_sets(
    sets: etree._Element | None, project_id: str, skipped: Counter[str]
) -> tuple[list[PlannedSet], dict[str, list[str]]]:
    """The sets of codes as themes, and the document sets: per source GUID, the names of the sets
    that list it. A set that lists sources and no codes (ATLAS.ti's "gender: male", MAXQDA's
    document sets) is a document set only, never an empty theme."""
    planned = []
    groups: dict[str, list[str]] = {}
    for s in children(sets, "Set") if sets is not None else ():
        name = (s.get("name") or "").strip()
        if not name:
            raise BadInput(f"A set ({s.get('guid')}) has no name.")
        members = tuple(
            guid_of(m.get("targetGUID") or m.get("guid"), f"A member of set {name!r}")
            for m in children(s, "MemberCode")
        )
        sources = [guid_of(m.get("targetGUID"), f"A source of set {name!r}") for m in children(s, "MemberSource")]
        for source in sources:
            groups.setdefault(source, []).append(name)
        skipped["Set MemberNote"] += sum(1 for _ in children(s, "MemberNote"))
        if sources and not members:
            continue
        description = child(s, "Description")
        planned.append(
            PlannedSet(
                NewTheme(
                    id=guid_of(s.get("guid"), f"Set {name!r}"),
                    project_id=project_id,
                    name=name,
                    description=(description.text or "") if description is not None else "",
                ),
                members,
            )
        )
    return planned, groups


def plan_file(
    data: bytes, importer: str, fallback_name: str = "Imported project", offsets: Offsets = Offsets.AUTO
) -> FilePlan:
    """Read and check a file without writing anything; `importer` codes what names no coder;
    `offsets` is the unit of selection positions (AUTO: guessed from the file); `preview` runs
    the import and rolls it back, to say what it would do."""
    package = read(data)
    root = package.root
    if local(root) not in ("Project", "CodeBook"):
        raise BadInput(f"The file's root element is {local(root)!r}; expected a REFI-QDA Project or CodeBook.")
    codebook = root if local(root) == "CodeBook" else child(root, "CodeBook")
    skipped: Counter[str] = Counter()
    users = child(root, "Users")
    description = child(root, "Description")
    project_id = new_id()
    try:
        project = NewProject(
            name=(root.get("name") or fallback_name).strip() or fallback_name,
            description=(description.text or "") if description is not None else "",
        )
        codes = _plan_codes(child(codebook, "Codes") if codebook is not None else None, project_id)
        themes, groups = _plan_sets(child(root, "Sets"), project_id, skipped)
        sets = with_theme_tree(root, themes)
        found = content.plan(package, project_id, importer, offsets)
    except ValidationError as exc:
        raise BadInput(f"The file holds a value this project cannot take: {exc.errors()[0]['msg']}.") from None
    plan = ImportPlan(
        project_id=project_id,
        project=project,
        codes=codes,
        sets=sets,
        participants=found.participants,
        documents=[
            NewDocument.model_validate({**dict(d), "groups": groups.get(d.id or "", ())}) for d in found.documents
        ],
        passages=found.passages,
        links=found.links,
        memos=found.memos,
        created_at=found.created_at,
        made_at=instant(root.get("modifiedDateTime") or root.get("creationDateTime")),
        users=[
            FileUser(guid_of(u.get("guid"), "A user"), (u.get("name") or "").strip()[:200] or "unnamed")
            for u in (children(users, "User") if users is not None else ())
        ],
    )
    skipped.update(found.skipped)
    for name in NOT_YET:
        element = child(root, name)
        if element is not None and len(element):
            skipped[name] += len(element)
    return FilePlan(plan, skipped, found.missing_texts, found.offsets)


def matched_users(listed: list[FileUser], members: list[User], by_name: bool) -> dict[str, str]:
    """The file's users that are members of the project: by GUID (the member's own, as this
    server's export writes it) and, `by_name`, by a name exactly one member has."""
    by_guid = {guid(m.id): m.id for m in members}
    names: dict[str, list[str]] = {}
    for m in members:
        names.setdefault(m.name.strip().casefold(), []).append(m.id)
    found = {}
    for u in listed:
        same = names.get(u.name.strip().casefold(), []) if by_name else []
        member = by_guid.get(u.id) or (same[0] if len(same) == 1 else None)
        if member is not None:
            found[u.id] = member
    return found


async def import_file(
    service: Service,
    actor: Actor,
    data: bytes,
    project_id: str | None = None,
    fallback_name: str = "Imported project",
    users: Mapping[str, str] | None = None,
    match_users: bool = False,
    offsets: Offsets = Offsets.AUTO,
    preview: bool = False,
) -> Summary:
    """Import into a new project (`project_id` None) or merge into one. `users` maps the file's
    users (GUIDs) to members whose codings theirs are; `match_users` maps those whose GUID or
    name is a member's (OWNER only, checked by the service: a file must not make its work look
    like a colleague's on its own say-so). For an OWNER, users whose GUID is a member's (this
    server's own export: a re-import, a copy) are matched unasked, so nothing is duplicated; in a
    new project, whose one member is the importer, so is the importer's own GUID.
    `offsets` is the unit of selection positions (AUTO: guessed from the file); `preview` runs
    the import and rolls it back, to say what it would do. Someone who may not edit the project
    is refused before the file is read (the import asks again in its own transaction)."""
    reader = service.reader(actor)
    if project_id is None and match_users:
        raise BadInput("Matching the file's users to members needs a project to import into.")
    if project_id is not None:
        await reader.require(project_id, Need.EDIT)
    planned = await asyncio.to_thread(plan_file, data, actor.user_id, fallback_name, offsets)
    mapping = {guid_of(file_user, "A mapped user"): member for file_user, member in (users or {}).items()}
    if project_id is None:
        members = [actor.user_id]
    elif match_users or (await reader.principal(project_id)).role is Role.OWNER:
        members = [m.user_id for m in (await reader.members_of_projects([project_id]))[project_id]]
    else:
        members = []
    if members:
        known = list((await reader.get_users(members)).values())
        mapping = matched_users(planned.plan.users, known, match_users) | mapping
    done = await service.import_plan(actor, project_id, planned.plan, mapping, preview)
    summary = Summary(**vars(done), missing_texts=planned.missing_texts, offsets=planned.offsets, preview=preview)
    summary.skipped.update(planned.skipped)
    return summary

"""Importing a project file (a REFI-QDA file that `seeds.refi` has parsed into an `ImportPlan`)
as one unit of work: it lands whole or changes nothing.

A file's ids (its GUIDs) merge by id into the project imported into: a code, theme,
participant, document, excerpt, link or memo of that project with the same id and kind is
brought up to date rather than duplicated. An id held by another project's node, or by a
node of another kind, is replaced by a fresh one everywhere the file uses it, so a file can
never reach into someone else's work; a reference to a node the file does not define counts
only if that node is in this project.

The importer is the actor of record: the history is theirs and so is every node the import
creates, except codings (and the excerpts their coders marked), which keep their coders.
A coder the file lists comes in as a user record of its own, which holds no token and so
cannot sign in, and is never an existing account: a file cannot make its work look like a
colleague's. An OWNER may say which members some of the file's coders are.
"""

from __future__ import annotations

import dataclasses
import itertools
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from graph import activity
from graph.errors import BadInput, Forbidden
from graph.inputs import (
    CodedPassage,
    CodePatch,
    LinkPatch,
    NewCode,
    NewDocument,
    NewLink,
    NewMemo,
    NewParticipant,
    NewProject,
    NewTheme,
    ThemePatch,
    distinct,
)
from graph.models import (
    CONCEPT_KINDS,
    Document,
    NodeKind,
    NodeRef,
    Participant,
    Project,
    Role,
    Theme,
    User,
)
from graph.policy import Actor, Need, Principal
from graph.rules import new_id, now
from graph.service.base import built, pseudonym_taken, stamps
from graph.service.codebook import Codebook
from graph.service.coding import Excerpts
from graph.service.concepts import MEMO_TARGETS, Concepts
from graph.transaction import Span, Transaction

_CODERS = uuid.UUID("3f0d9b1e-6c2a-4d5e-9a47-1b8c2e7f4a60")
"""Namespace of imported coders' user ids (one per project and file user)."""
_REMAPPED = uuid.UUID("8a6c2f4e-1d3b-4e7a-9c5f-2b0e6d8a4c17")
"""Namespace of the ids that replace a file's ids used elsewhere (one per project and file id)."""
UNLINKABLE = "Links between things other than codes and sets"


@dataclass(frozen=True)
class PlannedSet:
    """A theme and the codes that are its members."""

    theme: NewTheme
    code_ids: tuple[str, ...]


@dataclass(frozen=True)
class FileUser:
    id: str
    name: str


@dataclass
class ImportPlan:
    """What a file holds, in the file's own ids. `project_id` is a placeholder (no id of the file)
    by which the plan's inputs name the project they go into; `project` names a new one. Codes come
    parents first. A passage's coder is a file user's id, or the importer's own."""

    project_id: str
    project: NewProject
    users: list[FileUser] = field(default_factory=list)
    codes: list[NewCode] = field(default_factory=list)
    sets: list[PlannedSet] = field(default_factory=list)
    participants: list[NewParticipant] = field(default_factory=list)
    documents: list[NewDocument] = field(default_factory=list)
    passages: list[CodedPassage] = field(default_factory=list)
    links: list[NewLink] = field(default_factory=list)
    memos: list[NewMemo] = field(default_factory=list)
    created_at: dict[str, datetime] = field(default_factory=dict)
    """When the file says it made what it defines, by the file's id: kept on what the import creates."""
    made_at: datetime | None = None
    """When the file was made (its project's modification time), if it says: what the project
    has deleted since is not brought back (without it, nothing deleted is)."""


@dataclass
class Imported:
    """What an import did, counted by kind."""

    project_id: str
    users: int = 0
    """User records made for the file's coders."""
    remapped: int = 0
    """The file's ids that were already used elsewhere and were replaced."""
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)


class Ids:
    """The file's ids as the project's: the project's for the plan's project id, a fresh id for
    one that was remapped (or the excerpt a selection turned out to be), else the id itself."""

    def __init__(self, placeholder: str, project_id: str, remapped: dict[str, str]) -> None:
        self.placeholder, self.project_id, self.remapped = placeholder, project_id, remapped

    def __call__(self, id: str | None) -> str:
        if id is None:
            raise BadInput("Every node an import creates or updates needs its id from the file.")
        return self.project_id if id == self.placeholder else self.remapped.get(id, id)

    def all(self, ids: Iterable[str | None]) -> tuple[str, ...]:
        return tuple(self(id) for id in ids)


class Imports(Excerpts, Codebook, Concepts):
    async def import_plan(
        self,
        actor: Actor,
        project_id: str | None,
        plan: ImportPlan,
        users: Mapping[str, str] | None = None,
        preview: bool = False,
    ) -> Imported:
        """Import into a new project (`project_id` None: the actor becomes its OWNER) or merge into
        one where the actor may edit. `users` maps file users' ids to members (OWNER only).
        `preview`: the same import, rolled back: what it would create, update, remap and leave
        out (or the error that would refuse it), with nothing written."""

        async def work(tx: Transaction) -> Imported:
            principal = await self._target(tx, actor, project_id, plan.project)
            ids = await self._ids(tx, principal.project_id, plan)
            done = Imported(principal.project_id, remapped=len(ids.remapped))
            kept = await self._without_removed(tx, principal.project_id, plan, ids, done)
            coders = await self._coders(tx, principal, kept, users or {}, done)
            await self._codebook(tx, principal, kept, ids, done)
            await self._cases(tx, principal, kept, ids, done)
            await self._passages(tx, principal, kept, ids, coders, done)
            await self._links(tx, principal, kept, ids, done)
            await self._memos(tx, principal, kept, ids, done)
            return done

        return await (self._rehearse(work) if preview else self._write(work))

    async def _target(self, tx: Transaction, actor: Actor, project_id: str | None, new: NewProject) -> Principal:
        if project_id is not None:
            return await self.in_project(tx, actor, project_id, Need.EDIT)
        [id] = await self.fresh_ids(tx, [None])
        await self.create(
            tx, actor.user_id, Project(id=id, name=new.name, description=new.description, **stamps(actor.user_id))
        )
        await tx.set_role(id, actor.user_id, Role.OWNER)
        return await self.in_project(tx, actor, id, Need.EDIT)

    # -- ids ------------------------------------------------------------------------------------
    async def _ids(self, tx: Transaction, project_id: str, plan: ImportPlan) -> Ids:
        """Remap every id the file defines that a node of another project, or of another kind, holds
        (an excerpt's too when it lies elsewhere in the text). The new id is derived from the project and
        the file's id, so importing the file again finds what the first import made; should another
        project hold that one too, a random id it is."""
        defined: dict[str, NodeKind] = {}
        spans: dict[str, tuple[str, int, int]] = {}
        for p in plan.passages:
            e = p.excerpt
            if e.id is not None and spans.setdefault(e.id, (e.document_id, e.start, e.end)) != (
                e.document_id,
                e.start,
                e.end,
            ):
                raise BadInput(f"GUID {e.id} is used for two different selections in the file; GUIDs must be unique.")
        for kind, found in (
            (NodeKind.CODE, [c.id for c in plan.codes]),
            (NodeKind.THEME, [s.theme.id for s in plan.sets]),
            (NodeKind.PARTICIPANT, [p.id for p in plan.participants]),
            (NodeKind.DOCUMENT, [d.id for d in plan.documents]),
            (NodeKind.EXCERPT, list(spans)),
            (NodeKind.LINK, [x.id for x in plan.links]),
            (NodeKind.MEMO, [m.id for m in plan.memos]),
        ):
            for id in (i for i in found if i is not None):
                if id in defined:
                    raise BadInput(f"GUID {id} is used for two different things in the file; GUIDs must be unique.")
                defined[id] = kind
        derived = {id: str(uuid.uuid5(_REMAPPED, f"{project_id}/{id}")) for id in defined}
        refs = await tx.refs([*defined, *derived.values()])

        def mine(id: str, kind: NodeKind) -> bool:
            ref = refs.get(id)
            return ref is not None and ref.project_id == project_id and ref.kind is kind

        remapped: dict[str, str] = {}
        for id, kind in defined.items():
            if mine(id, kind) or (id not in refs and not mine(derived[id], kind)):
                continue
            remapped[id] = derived[id] if mine(derived[id], kind) or derived[id] not in refs else new_id()
        ids = Ids(plan.project_id, project_id, remapped)
        kept = {ids(id): id for id in spans if mine(ids(id), NodeKind.EXCERPT)}
        for id, excerpt in (await tx.nodes(NodeKind.EXCERPT, list(kept))).items():
            document_id, start, end = spans[kept[id]]
            if (excerpt.document_id, excerpt.start, excerpt.end) != (ids(document_id), start, end):
                remapped[kept[id]] = new_id()
        return ids

    @staticmethod
    async def _without_removed(
        tx: Transaction, project_id: str, plan: ImportPlan, ids: Ids, done: Imported
    ) -> ImportPlan:
        """The plan without what the project deleted (or merged away) after the file was made:
        merging an older partner file must not bring back a code the team has since deleted.
        A removed parent's children move up to the nearest parent kept, as deleting it moved them."""
        defined = [
            *(c.id for c in plan.codes),
            *(s.theme.id for s in plan.sets),
            *(x.id for x in plan.participants),
            *(d.id for d in plan.documents),
            *(p.excerpt.id for p in plan.passages),
            *(x.id for x in plan.links),
            *(m.id for m in plan.memos),
        ]
        known = [id for id in dict.fromkeys(defined) if id is not None]
        removed_at = await tx.removed(project_id, ids.all(known))
        gone = {id for id in known if (t := removed_at.get(ids(id))) and (plan.made_at is None or plan.made_at < t)}
        if not gone:
            return plan

        def left_out(kind: str, n: int) -> None:
            if n:
                done.skipped[f"{kind} deleted in this project since the file was made"] += n

        def kept_parent(parent: str | None, parents: dict[str, str | None]) -> str | None:
            while parent in gone:
                parent = parents.get(parent)
            return parent

        code_parents = {c.id: c.parent_id for c in plan.codes if c.id is not None}
        codes = [
            c.model_copy(update={"parent_id": kept_parent(c.parent_id, code_parents)})
            for c in plan.codes
            if c.id not in gone
        ]
        theme_parents = {s.theme.id: s.theme.parent_id for s in plan.sets if s.theme.id is not None}
        sets = [
            PlannedSet(
                s.theme.model_copy(update={"parent_id": kept_parent(s.theme.parent_id, theme_parents)}),
                tuple(c for c in s.code_ids if c not in gone),
            )
            for s in plan.sets
            if s.theme.id not in gone
        ]
        participants = [x for x in plan.participants if x.id not in gone]
        documents = [
            d.model_copy(update={"participant_id": None}) if d.participant_id in gone else d
            for d in plan.documents
            if d.id not in gone
        ]
        passages = []
        for p in plan.passages:
            codes_left = tuple(c for c in p.code_ids if c not in gone)
            if codes_left and p.excerpt.id not in gone and p.excerpt.document_id not in gone:
                passages.append(p.model_copy(update={"code_ids": codes_left}) if codes_left != p.code_ids else p)
        links = [x for x in plan.links if not {x.id, x.source_id, x.target_id} & gone]
        memos = [m for m in plan.memos if m.id not in gone and m.target_id not in gone]
        for kind, before, after in (
            ("codes", plan.codes, codes),
            ("themes", plan.sets, sets),
            ("participants", plan.participants, participants),
            ("documents", plan.documents, documents),
            ("coded selections", plan.passages, passages),
            ("links", plan.links, links),
            ("memos", plan.memos, memos),
        ):
            left_out(kind, len(before) - len(after))
        return dataclasses.replace(
            plan,
            codes=codes,
            sets=sets,
            participants=participants,
            documents=documents,
            passages=passages,
            links=links,
            memos=memos,
        )

    @staticmethod
    async def _in_project(
        tx: Transaction, project_id: str, ids: Iterable[str], kinds: Iterable[NodeKind]
    ) -> dict[str, NodeRef]:
        """The refs of those ids that name nodes of `kinds` in the project (the rest answer as absent)."""
        wanted = set(kinds)
        refs = await tx.refs(list(dict.fromkeys(ids)))
        return {id: r for id, r in refs.items() if r.project_id == project_id and r.kind in wanted}

    # -- people ---------------------------------------------------------------------------------
    async def _coders(
        self, tx: Transaction, principal: Principal, plan: ImportPlan, mapping: Mapping[str, str], done: Imported
    ) -> dict[str, str]:
        """The user each passage's coder stands for: a member an OWNER named, the importer, or a
        user record of the file's coder in this project (made on first import: no token, so no
        one signs in as it; its name is never an existing user's)."""
        listed = {u.id: u for u in plan.users}
        if mapping:
            if principal.role is not Role.OWNER:
                raise Forbidden(
                    "Only an OWNER may say which members the file's users are; leave the mapping out.",
                    role=principal.role.value if principal.role else None,
                    needed=Role.OWNER.value,
                )
            for file_user, member in mapping.items():
                if file_user not in listed:
                    raise BadInput(f"The file lists no user {file_user}; map only the users it lists.")
                if await tx.role(principal.project_id, member) is None:
                    raise BadInput(
                        f"User {member!r} is not a member of this project; add them first, or leave "
                        "them out of the mapping."
                    )
        coders: dict[str, str] = {}
        for coder in dict.fromkeys(p.coder_id for p in plan.passages):
            if coder in mapping:
                coders[coder] = mapping[coder]
            elif coder == principal.user_id:
                coders[coder] = coder
            elif coder in listed:
                coders[coder] = str(uuid.uuid5(_CODERS, f"{principal.project_id}/{coder}"))
            else:
                raise BadInput(f"A coding was made by user {coder}, whom the file does not list.")
        records = {c: u for c, u in coders.items() if c not in mapping and u != principal.user_id}
        existing = await tx.users(list(records.values()))
        for coder, user_id in records.items():
            if user_id not in existing:
                name = await self._unused_name(tx, listed[coder].name.strip() or "unnamed")
                await tx.insert_user(User(id=user_id, name=name, created_at=now()))
                done.users += 1
        return coders

    @staticmethod
    async def _unused_name(tx: Transaction, name: str) -> str:
        """The name, or "<name> (imported)", "<name> (imported 2)", ... if a user has it already."""
        for n in itertools.count(1):
            candidate = name if n == 1 else f"{name} (imported)" if n == 2 else f"{name} (imported {n - 1})"
            if await tx.user_named(candidate) is None:
                return candidate
        raise AssertionError("unreachable")

    # -- codebook ---------------------------------------------------------------------------------
    async def _codebook(
        self, tx: Transaction, principal: Principal, plan: ImportPlan, ids: Ids, done: Imported
    ) -> None:
        """New codes and themes go in batches (`new_codes`, `new_themes`), each batch written before a
        change to an existing one, which may name a new one as its parent; memberships in one batch."""
        project_id = principal.project_id
        codes = await tx.nodes(NodeKind.CODE, ids.all(c.id for c in plan.codes))
        new_codes: list[tuple[NewCode, datetime | None]] = []
        for c in plan.codes:
            id, parent_id = ids(c.id), ids(c.parent_id) if c.parent_id else None
            old = codes.get(id)
            if old is None:
                update = {"id": id, "project_id": project_id, "parent_id": parent_id}
                new_codes.append((c.model_copy(update=update), plan.created_at.get(c.id or "")))
                done.created["codes"] += 1
            elif (old.name, old.description, old.color, old.parent_id, old.codable) != (
                c.name,
                c.description,
                c.color,
                parent_id,
                c.codable,
            ):
                await self.new_codes(tx, principal, new_codes)
                new_codes = []
                await self.patch_code(
                    tx,
                    principal,
                    old,
                    CodePatch(
                        name=c.name, description=c.description, color=c.color, parent_id=parent_id, codable=c.codable
                    ),
                )
                done.updated["codes"] += 1
            else:
                done.unchanged["codes"] += 1
        await self.new_codes(tx, principal, new_codes)
        members = ids.all(m for s in plan.sets for m in s.code_ids)
        found = await self._in_project(tx, project_id, members, [NodeKind.CODE])
        missing = next((m for m in members if m not in found), None)
        if missing is not None:
            raise BadInput(f"A set refers to code {missing}, which is in neither the file nor the project.")
        themes: dict[str, Theme] = await tx.nodes(NodeKind.THEME, ids.all(s.theme.id for s in plan.sets))
        current = await tx.theme_codes(list(themes))
        new_themes: list[NewTheme] = []

        async def create_themes() -> None:
            themes.update((t.id, t) for t in await self.new_themes(tx, principal, new_themes))
            new_themes.clear()

        for s in plan.sets:
            new, old = s.theme, themes.get(ids(s.theme.id))
            parent_id = ids(new.parent_id) if new.parent_id else None
            if old is None:
                update = {"id": ids(new.id), "project_id": project_id, "parent_id": parent_id}
                new_themes.append(new.model_copy(update=update))
                done.created["themes"] += 1
            elif (old.name, old.description) != (new.name, new.description) or (
                parent_id is not None and parent_id != old.parent_id
            ):
                await create_themes()
                themes[old.id] = await self.patch_theme(
                    tx, principal, old, ThemePatch(name=new.name, description=new.description, parent_id=parent_id)
                )
                done.updated["themes"] += 1
            else:
                done.unchanged["themes"] += 1
        await create_themes()
        memberships = [
            (code_id, themes[ids(s.theme.id)])
            for s in plan.sets
            for code_id in dict.fromkeys(ids.all(s.code_ids))
            if code_id not in current.get(ids(s.theme.id), [])
        ]
        if memberships:
            await self.add_member_codes(tx, principal, memberships)
            done.created["theme memberships"] += len(memberships)

    # -- cases and their documents ------------------------------------------------------------------
    async def _cases(self, tx: Transaction, principal: Principal, plan: ImportPlan, ids: Ids, done: Imported) -> None:
        """Participants and documents that are new go in one batch each."""
        project_id, actor = principal.project_id, principal.user_id
        people = await tx.nodes(NodeKind.PARTICIPANT, ids.all(p.id for p in plan.participants))
        new_people: dict[str, Participant] = {}
        for p in plan.participants:
            old = people.get(ids(p.id))
            await self.check_pseudonym(tx, project_id, p.pseudonym, old.id if old else None)
            if (twin := new_people.get(p.pseudonym.lower())) is not None:  # new, so not in the store yet
                pseudonym_taken(p.pseudonym, twin.id)
            if old is None:
                person = Participant(
                    id=ids(p.id),
                    project_id=project_id,
                    pseudonym=p.pseudonym,
                    attributes=p.attributes,
                    **stamps(actor, plan.created_at.get(p.id or "")),
                )
                new_people[p.pseudonym.lower()] = person
                done.created["participants"] += 1
            elif (old.pseudonym, old.attributes) != (p.pseudonym, p.attributes):
                await self.change(tx, actor, old, pseudonym=p.pseudonym, attributes=p.attributes)
                done.updated["participants"] += 1
            else:
                done.unchanged["participants"] += 1
        await self.create_all(tx, actor, list(new_people.values()))
        documents = await tx.nodes(NodeKind.DOCUMENT, ids.all(d.id for d in plan.documents))
        owners = [ids(d.participant_id) for d in plan.documents if d.participant_id]
        await self.same_project(tx, principal, owners, NodeKind.PARTICIPANT)
        new_documents: list[Document] = []
        for d in plan.documents:
            old = documents.get(ids(d.id))
            if old is not None:  # a transcript's text never changes; its codings and document sets may
                groups = distinct((*old.groups, *d.groups))
                if groups != old.groups:
                    await self.change(tx, actor, old, groups=groups)
                    done.updated["documents"] += 1
                else:
                    done.unchanged["documents"] += 1
                continue
            new_documents.append(
                Document(
                    id=ids(d.id),
                    project_id=project_id,
                    participant_id=ids(d.participant_id) if d.participant_id else None,
                    title=d.title,
                    text=d.text,
                    kind=d.kind,
                    groups=d.groups,
                    **stamps(actor, plan.created_at.get(d.id or "")),
                )
            )
            done.created["documents"] += 1
        await self.create_all(tx, actor, new_documents)

    # -- codings ------------------------------------------------------------------------------------
    async def _passages(
        self, tx: Transaction, principal: Principal, plan: ImportPlan, ids: Ids, coders: dict[str, str], done: Imported
    ) -> None:
        """All passages in one bulk step; a selection the project has at that span already is reused
        (and the file's id then names it)."""
        if not plan.passages:
            return
        passages = await built(
            lambda: [
                p.model_copy(
                    update={
                        "coder_id": coders[p.coder_id],
                        "code_ids": ids.all(p.code_ids),
                        "excerpt": p.excerpt.model_copy(
                            update={
                                "id": ids(p.excerpt.id) if p.excerpt.id else None,
                                "document_id": ids(p.excerpt.document_id),
                            }
                        ),
                    }
                )
                for p in plan.passages
            ]
        )
        applied = list(dict.fromkeys(c for p in passages for c in p.code_ids))
        found = await self._in_project(tx, principal.project_id, applied, [NodeKind.CODE])
        missing = next((c for c in applied if c not in found), None)
        if missing is not None:
            raise BadInput(f"A coding refers to code {missing}, which is in neither the file nor the project.")
        spans: list[Span] = list(
            dict.fromkeys((p.excerpt.document_id, p.excerpt.start, p.excerpt.end) for p in passages)
        )
        before = await tx.excerpts_at(spans)
        had = {(c.excerpt_id, c.code_id, c.coder_id) for c in await tx.codings(list(before.values()))}
        texts = await self.texts_for(tx, principal, passages)
        made = {ids(id): at for id, at in plan.created_at.items()}  # a selection's time, by the excerpt's id
        excerpts = await self.place_passages(tx, principal, passages, texts, made, before)
        for p, excerpt in zip(plan.passages, excerpts):
            if p.excerpt.id is not None:
                ids.remapped[p.excerpt.id] = excerpt.id
        codings = {(e.id, c, p.coder_id) for e, p in zip(excerpts, passages) for c in p.code_ids}
        done.created["codings"] += len(codings - had)
        await self.log(
            tx, activity.bulk_coded(principal.user_id, principal.project_id, [e.id for e in excerpts], len(codings))
        )

    # -- links and memos ---------------------------------------------------------------------------
    async def _links(self, tx: Transaction, principal: Principal, plan: ImportPlan, ids: Ids, done: Imported) -> None:
        ends = await self._in_project(
            tx, principal.project_id, ids.all(e for x in plan.links for e in (x.source_id, x.target_id)), CONCEPT_KINDS
        )
        links = await tx.nodes(NodeKind.LINK, ids.all(x.id for x in plan.links))
        for x in plan.links:
            source, target = ids(x.source_id), ids(x.target_id)
            if source not in ends or target not in ends:
                done.skipped[UNLINKABLE] += 1
                continue
            old = links.get(ids(x.id))
            if old is None:
                await self.new_link(
                    tx,
                    principal,
                    x.model_copy(
                        update={
                            "id": ids(x.id),
                            "source_id": source,
                            "target_id": target,
                            "evidence_excerpt_ids": ids.all(x.evidence_excerpt_ids),
                        }
                    ),
                    plan.created_at.get(x.id or ""),
                )
                done.created["links"] += 1
            elif (old.kind, old.label) != (x.kind, x.label):
                await self.patch_link(tx, principal, old, LinkPatch(kind=x.kind, label=x.label))
                done.updated["links"] += 1
            else:
                done.unchanged["links"] += 1

    async def _memos(self, tx: Transaction, principal: Principal, plan: ImportPlan, ids: Ids, done: Imported) -> None:
        """A memo about something that is not in the project (not imported, or another project's)
        is about the project."""
        about = await self._in_project(tx, principal.project_id, ids.all(m.target_id for m in plan.memos), MEMO_TARGETS)
        memos = await tx.nodes(NodeKind.MEMO, ids.all(m.id for m in plan.memos))
        for m in plan.memos:
            old = memos.get(ids(m.id))
            if old is None:
                target = ids(m.target_id) if ids(m.target_id) in about else principal.project_id
                await self.new_memo(
                    tx,
                    principal,
                    m.model_copy(update={"id": ids(m.id), "target_id": target}),
                    plan.created_at.get(m.id or ""),
                )
                done.created["memos"] += 1
            elif (old.title, old.body) != (m.title, m.body):
                await self.change(tx, principal.user_id, old, title=m.title, body=m.body)
                done.updated["memos"] += 1
            else:
                done.unchanged["memos"] += 1

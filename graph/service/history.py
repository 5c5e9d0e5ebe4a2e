"""Undoing a history entry: its inverse applied as a new change by the caller, under the policy.

A revert is one unit of work that writes exactly one history entry, which names the entry it
undid (`Event.reverts`). Before it changes anything it checks, on the project as it is now, that
nothing since depends on the entry (the node changed again, coded since, a parent or an end of a
link gone, a name taken); if anything does it raises CONFLICT naming the later entries touching
the nodes involved, and changes nothing. Entries whose inverse is unsafe or cannot be rebuilt
from what they recorded are refused with BAD_USER_INPUT saying why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from graph import activity
from graph.errors import BadInput, Conflict, NotFound
from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    Excerpt,
    Link,
    Membership,
    Memo,
    NodeKind,
    Participant,
    Project,
    Role,
    SpeakerRole,
    Stamped,
    Theme,
)
from graph.policy import Actor, Need, Principal
from graph.rules import now
from graph.service.codebook import Codebook
from graph.service.coding import Excerpts
from graph.service.coding import coding as coding_of
from graph.service.concepts import Concepts
from graph.service.people import People
from graph.service.reading import Reader
from graph.service.transcripts import Transcripts
from graph.transaction import Transaction

KINDS = {kind.value.lower(): kind for kind in NodeKind}
MODELS: dict[NodeKind, type[Stamped]] = {
    NodeKind.PROJECT: Project,
    NodeKind.PARTICIPANT: Participant,
    NodeKind.DOCUMENT: Document,
    NodeKind.EXCERPT: Excerpt,
    NodeKind.CODE: Code,
    NodeKind.THEME: Theme,
    NodeKind.LINK: Link,
    NodeKind.MEMO: Memo,
}
STAMPS = ("version", "updated_at", "updated_by")
CONFLICTS_LISTED = 20
"""Later entries named in a CONFLICT at most."""

REFUSED = {
    "project.created": "reverting a project's creation would delete the project with its whole history; "
    "use deleteProject if that is what you want",
    "excerpt.coded_in_bulk": "a bulk coding (a seed or an import) records which passages it coded, not each "
    "coding; uncode the passages one by one instead",
    "map.arranged": "moving nodes on the map changes no finding and keeps no earlier positions; drag them back, "
    "or lay the map out again",
    "document.deleted": "the history does not keep a deleted document's text, excerpts and codings (they can be "
    "megabytes); import the document again instead",
}


class Blocked(Exception):
    """Something since depends on the entry: `ids` are the nodes involved (raised inside the unit of
    work, which rolls back; the service then names the later entries touching them)."""

    def __init__(self, reason: str, ids: Sequence[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ids = tuple(dict.fromkeys(ids))


class _Reverting:
    """The transaction, with every entry appended stamped as the revert of `reverts`; a revert
    appends exactly one."""

    def __init__(self, tx: Transaction, reverts: str) -> None:
        self._tx = tx
        self._reverts = reverts
        self.appended: list[Event] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tx, name)

    async def append(self, events: Sequence[Event]) -> None:
        stamped = [e.model_copy(update={"reverts": self._reverts}) for e in events]
        self.appended.extend(stamped)
        await self._tx.append(stamped)


def _dump(node: Stamped) -> dict[str, Any]:
    return activity.values(node) or {}


def _node(kind: NodeKind, values: dict[str, Any]) -> Any:
    return MODELS[kind].model_validate({k: v for k, v in values.items() if k != activity.REMOVED})


class History(Transcripts, People, Excerpts, Codebook, Concepts):
    async def revert(self, actor: Actor, event_id: str) -> Event:
        """Undo the history entry `event_id` as a new change by the actor; the new entry."""
        try:
            return await self._write(lambda tx: self._revert(tx, actor, event_id))
        except Blocked as blocked:
            later = await self._later(actor, event_id, blocked.ids)
            raise Conflict(
                f"This change cannot be reverted: {blocked.reason}. Revert the later changes first "
                "(newest first), or make the change by hand.",
                nodes=list(blocked.ids),
                conflicts=later,
            ) from None

    async def _later(self, actor: Actor, event_id: str, ids: Sequence[str]) -> list[dict[str, str]]:
        """The entries after `event_id` that touch any of `ids`, newest first, as the actor may see them."""
        entry = await self.store.read(lambda tx: tx.event(event_id))
        if entry is None:
            return []
        reader = Reader(self.store, actor)
        found: dict[str, Event] = {}
        for id in ids:
            page = await reader.activity(entry.project_id, CONFLICTS_LISTED, target_id=id)
            found |= {e.id: e for e in page.events if (e.at, e.id) > (entry.at, entry.id)}
        newest = sorted(found.values(), key=lambda e: (e.at, e.id), reverse=True)[:CONFLICTS_LISTED]
        return [{"id": e.id, "type": e.type, "summary": e.summary} for e in newest]

    async def _revert(self, tx: Transaction, actor: Actor, event_id: str) -> Event:
        entry = await tx.event(event_id)
        if entry is None:
            raise NotFound("history entry", event_id)
        await self.serialise(tx, entry.project_id, Need.EDIT)
        principal = await self.principal(tx, actor, entry.project_id)
        principal.require(Need.READ, "history entry", event_id)
        if not principal.sees_event(entry):
            raise NotFound("history entry", event_id)
        principal.require(Need.EDIT)
        if entry.type in REFUSED:
            raise BadInput(f"A {entry.type} entry cannot be reverted: {REFUSED[entry.type]}.", type=entry.type)
        kind_name, _, verb = entry.type.partition(".")
        reverting = _Reverting(tx, entry.id)
        rtx = cast(Transaction, reverting)
        if kind_name == "member":
            await self._revert_membership(rtx, principal, entry, verb)
        elif entry.type == "document.speaker_role_set":
            await self._revert_speaker_role(rtx, principal, entry)
        elif entry.type in ("excerpt.coded", "excerpt.uncoded"):
            await self._revert_coding(rtx, principal, entry, verb)
        elif entry.type in ("theme.code_added", "theme.code_removed"):
            await self._revert_theme_membership(rtx, principal, entry, verb)
        elif entry.type in ("excerpt.pinned", "excerpt.unpinned"):
            await self._revert_pins(rtx, principal, entry, verb)
        elif entry.type == "code.merged":
            await self._unmerge(rtx, principal, entry)
        elif entry.type == "code.unmerged":
            await self._remerge(rtx, principal, entry)
        elif kind_name in KINDS and verb in ("created", "restored"):
            await self._undo_creation(rtx, principal, entry, KINDS[kind_name])
        elif kind_name in KINDS and verb == "updated":
            await self._undo_update(rtx, principal, entry, KINDS[kind_name])
        elif kind_name in KINDS and verb == "deleted":
            await self._restore(rtx, principal, entry, KINDS[kind_name])
        else:
            raise BadInput(f"A {entry.type} entry cannot be reverted: this kind of change has no inverse.")
        [written] = reverting.appended  # one entry per revert
        return written

    # -- nodes: creations, updates, deletions --------------------------------------------------
    async def _current(self, tx: Transaction, kind: NodeKind, id: str) -> Any:
        found = (await tx.nodes(kind, [id])).get(id)
        if found is None:
            raise Blocked(f"the {kind.value.lower()} has been deleted or merged away since", [id])
        return found

    async def _undo_creation(self, tx: Transaction, principal: Principal, entry: Event, kind: NodeKind) -> None:
        """Delete the node again, provided it is as the entry left it and nothing has come to hold on
        to it since (what a restore brought back with it may go again)."""
        id = entry.target_ids[0]
        current = await self._current(tx, kind, id)
        related = await tx.related(id)
        principal.require_removal(
            f"a {kind.value.lower()} someone else created, or other coders' codings",
            {current.created_by} | {c.coder_id for c in related.codings},
        )
        after = entry.after or {}
        if _changed(current, after):
            raise Blocked(f"the {kind.value.lower()} has been changed since", [id])
        recorded = after.get(activity.REMOVED) or {}
        since = _beyond(related, recorded)
        if kind in (NodeKind.CODE, NodeKind.THEME):
            since += [c.id for c in await tx.children(kind, id) if c.id not in recorded.get("children", [])]
        if since:
            raise Blocked(
                f"other work now depends on the {kind.value.lower()} (coded, linked, placed or annotated since)",
                [id, *since],
            )
        children: list[str] = []
        if kind is NodeKind.CODE:
            children = await self.move_children(tx, current, current.parent_id)
        elif kind is NodeKind.THEME:
            for sub in await tx.children(NodeKind.THEME, id):
                await tx.replace(sub.model_copy(update={"parent_id": current.parent_id}))
                children.append(sub.id)
        await self.remove(tx, principal.user_id, kind, current, children)

    async def _undo_update(self, tx: Transaction, principal: Principal, entry: Event, kind: NodeKind) -> None:
        """Set the fields the entry changed back to their values before it."""
        id = entry.target_ids[0]
        current = await self._current(tx, kind, id)
        if kind is NodeKind.PROJECT:
            principal.require(Need.ADMIN)
        before, after = entry.before or {}, entry.after or {}
        if _changed(current, after):
            raise Blocked(f"the {kind.value.lower()} has been changed again since", [id])
        fields = [k for k in after if k not in STAMPS and before.get(k) != after[k]]
        wanted = _node(kind, current.model_dump() | {k: before[k] for k in fields})
        try:
            if kind in (NodeKind.CODE, NodeKind.THEME):
                if wanted.parent_id != current.parent_id:
                    await self.check_parent(tx, principal, kind, id, wanted.parent_id)
                await self.check_name(tx, kind, current.project_id, wanted.name, wanted.parent_id, id)
            elif kind is NodeKind.LINK:
                await self.check_duplicate(tx, current.source_id, current.target_id, wanted.kind, id)
                await self.evidence(tx, principal, wanted.evidence_excerpt_ids)
            elif kind is NodeKind.EXCERPT:
                await self.movable(tx, principal, current, wanted.start, wanted.end)
        except (BadInput, NotFound) as exc:
            raise Blocked(_reason(exc), [id]) from None
        await self.change(tx, principal.user_id, current, **{k: getattr(wanted, k) for k in fields})

    async def _restore(self, tx: Transaction, principal: Principal, entry: Event, kind: NodeKind) -> None:
        """Bring a deleted node back with its id and what went with it."""
        before = entry.before or {}
        recorded = before.get(activity.REMOVED)
        if recorded is None:
            raise BadInput(
                "This deletion was recorded before deletions kept what went with the node (its codings, "
                "links, memos...), so it cannot be restored whole; recreate it by hand."
            )
        principal.require_removal(
            "other coders' codings", {c["coder_id"] for c in recorded.get("codings", [])}, doing="restore"
        )
        node = _node(kind, before)
        if await tx.refs([node.id]):
            raise Blocked("its id is in use again", [node.id])
        try:
            if isinstance(node, Code | Theme):
                await self.check_parent(tx, principal, kind, None, node.parent_id)
                await self.check_name(tx, kind, node.project_id, node.name, node.parent_id, None)
            elif isinstance(node, Link):
                await self.same_project(tx, principal, [node.source_id, node.target_id])
                await self.check_duplicate(tx, node.source_id, node.target_id, node.kind, None)
                await self.evidence(tx, principal, node.evidence_excerpt_ids)
            elif isinstance(node, Memo):
                await self.same_project(tx, principal, [node.target_id])
            elif isinstance(node, Excerpt):
                await self.same_project(tx, principal, [node.document_id], NodeKind.DOCUMENT)
        except (BadInput, NotFound) as exc:
            raise Blocked(_reason(exc), [node.id]) from None
        update: dict[str, Any] = {"updated_by": principal.user_id, "updated_at": now()}
        if hasattr(node, "version"):
            update["version"] = node.version + 1
        restored = node.model_copy(update=update)
        await tx.insert([restored])
        await self._bring_back(
            tx, principal, restored, recorded, restored.parent_id if isinstance(restored, Code | Theme) else None
        )
        await self.log(tx, activity.restored(principal.user_id, restored, recorded))

    async def _bring_back(
        self, tx: Transaction, principal: Principal, node: Stamped, recorded: dict[str, Any], moved_to: str | None
    ) -> None:
        """Put back what went with `node` (just inserted): children moved up to `moved_to` come back
        under it, and its codings, memberships, links, citing links' evidence, memos and documents."""
        kind = NodeKind(type(node).__name__)
        links = [Link.model_validate(v) for v in recorded.get("links", [])]
        memos = [Memo.model_validate(v) for v in recorded.get("memos", [])]
        codings = [Coding.model_validate(v) for v in recorded.get("codings", [])]
        memberships = [tuple(m) for m in recorded.get("memberships", [])]
        needed = {
            *(i for c in codings for i in (c.excerpt_id, c.code_id)),
            *(i for m in memberships for i in m),
            *(i for x in links for i in (x.source_id, x.target_id, *x.evidence_excerpt_ids)),
            *(m.target_id for m in memos),
        } - {node.id, *(x.id for x in links)}
        missing = sorted(needed - set(await tx.refs(sorted(needed))))
        if missing:
            raise Blocked("some of what went with it has been deleted since", [node.id, *missing])
        children = await tx.nodes(kind, recorded.get("children", [])) if recorded.get("children") else {}
        strays = [c for c in recorded.get("children", []) if c not in children or children[c].parent_id != moved_to]
        if strays:
            raise Blocked("some of its children have been moved or deleted since", [node.id, *strays])
        for child in children.values():
            await tx.replace(child.model_copy(update={"parent_id": node.id}))
        for x in links:
            try:
                await self.check_duplicate(tx, x.source_id, x.target_id, x.kind, None)
            except BadInput as exc:
                raise Blocked(_reason(exc), [node.id, x.id]) from None
        if await tx.refs([x.id for x in links] + [m.id for m in memos]):
            raise Blocked("a link or memo that went with it is back already", [node.id])
        await tx.insert(links)
        await tx.insert_codings(codings)
        at = now().isoformat()
        for code_id, theme_id in memberships:
            await tx.add_to_themes([(code_id, theme_id)], principal.project_id, principal.user_id, at)
        await self._cite_again(tx, node.id, [Link.model_validate(v) for v in recorded.get("citing", [])])
        await tx.insert(memos)
        for document_id in recorded.get("documents", []):
            document = (await tx.nodes(NodeKind.DOCUMENT, [document_id])).get(document_id)
            if document is None or document.participant_id is not None:
                raise Blocked("a document of theirs is gone or about someone else since", [node.id, document_id])
            await tx.replace(document.model_copy(update={"participant_id": node.id}))

    @staticmethod
    async def _cite_again(tx: Transaction, excerpt_id: str, citing: list[Link]) -> None:
        """A restored excerpt goes back into the evidence of the links that cited it, where it was."""
        current = await tx.nodes(NodeKind.LINK, [x.id for x in citing])
        for old in citing:
            link = current.get(old.id)
            if link is None:
                raise Blocked("a link that cited it has been deleted since", [excerpt_id, old.id])
            if excerpt_id in link.evidence_excerpt_ids:
                continue
            evidence = list(link.evidence_excerpt_ids)
            evidence.insert(min(old.evidence_excerpt_ids.index(excerpt_id), len(evidence)), excerpt_id)
            await tx.replace(link.model_copy(update={"evidence_excerpt_ids": tuple(evidence)}))

    # -- merges --------------------------------------------------------------------------------
    async def _unmerge(self, tx: Transaction, principal: Principal, entry: Event) -> None:
        """Split the merged code back out: the source with its id, its codings, memberships, links,
        memos and children, taken off the target (which keeps what it had before the merge)."""
        before = entry.before or {}
        recorded = before.get(activity.REMOVED)
        if recorded is None:
            raise BadInput(
                "This merge was recorded before merges kept what the merged code brought, so it cannot "
                "be undone; recreate the code by hand."
            )
        source: Code = _node(NodeKind.CODE, before)
        principal.require_removal(
            "a code someone else created, or other coders' codings",
            {source.created_by} | {c["coder_id"] for c in recorded.get("codings", [])},
            doing="restore",
        )
        target_id = entry.target_ids[1]
        target: Code = await self._current(tx, NodeKind.CODE, target_id)
        if target.version != (entry.after or {}).get("version"):
            raise Blocked("the code it was merged into has been changed since", [target_id])
        if await tx.refs([source.id]):
            raise Blocked("its id is in use again", [source.id])
        try:
            await self.check_parent(tx, principal, NodeKind.CODE, None, source.parent_id)
            await self.check_name(tx, NodeKind.CODE, source.project_id, source.name, source.parent_id, None)
        except (BadInput, NotFound) as exc:
            raise Blocked(_reason(exc), [source.id, target_id]) from None
        restored = source.model_copy(
            update={"version": source.version + 1, "updated_by": principal.user_id, "updated_at": now()}
        )
        await tx.insert([restored])
        await self._take_back(tx, principal, restored, target, recorded)
        after = target.model_copy(
            update={"version": target.version + 1, "updated_by": principal.user_id, "updated_at": now()}
        )
        await tx.replace(after)
        await self.log(tx, activity.unmerged(principal.user_id, restored, target, recorded))

    async def _take_back(
        self, tx: Transaction, principal: Principal, source: Code, target: Code, recorded: dict[str, Any]
    ) -> None:
        """Move what a merge gave the target back to the source (just re-inserted)."""
        had = recorded.get("target_had", {})
        had_codings = {tuple(c) for c in had.get("codings", [])}
        had_themes = set(had.get("themes", []))
        codings = [Coding.model_validate(v) for v in recorded.get("codings", [])]
        children = await tx.nodes(NodeKind.CODE, recorded.get("children", []))
        strays = [c for c in recorded.get("children", []) if c not in children or children[c].parent_id != target.id]
        if strays:
            raise Blocked("some of its children have been moved or deleted since", [source.id, *strays])
        for child in children.values():
            await tx.replace(child.model_copy(update={"parent_id": source.id}))
        for c in codings:
            if (c.excerpt_id, c.coder_id) not in had_codings:
                if not await tx.delete_coding(c.excerpt_id, target.id, c.coder_id):
                    raise Blocked("some of its codings have been removed since", [source.id, c.excerpt_id])
        await tx.insert_codings(codings)
        at = now().isoformat()
        for _, theme_id in recorded.get("memberships", []):
            if theme_id not in had_themes and not await tx.remove_from_theme(target.id, theme_id):
                raise Blocked("the code has left one of its themes since", [source.id, theme_id])
            await tx.add_to_themes([(source.id, theme_id)], source.project_id, principal.user_id, at)
        links = [Link.model_validate(v) for v in recorded.get("links", [])]
        current = await tx.nodes(NodeKind.LINK, [x.id for x in links])
        for x in links:
            now_link = current.get(x.id)
            if now_link is None and {x.source_id, x.target_id} == {source.id, target.id}:
                await tx.insert([x])  # it joined the two codes, and the merge dropped it
            elif now_link is None:
                raise Blocked("one of its links has been deleted since", [source.id, x.id])
            else:
                await tx.replace(now_link.model_copy(update={"source_id": x.source_id, "target_id": x.target_id}))
        dropped = {x.id for x in links if x.id not in current}
        memos = [Memo.model_validate(v) for v in recorded.get("memos", [])]
        found = await tx.nodes(NodeKind.MEMO, [m.id for m in memos])
        for m in memos:
            if m.id in found:
                await tx.replace(
                    found[m.id].model_copy(update={"target_id": m.target_id, "target_kind": m.target_kind})
                )
            elif m.target_id in dropped:
                await tx.insert([m])  # about a link the merge dropped
            else:
                raise Blocked("one of its memos has been deleted since", [source.id, m.id])

    async def _remerge(self, tx: Transaction, principal: Principal, entry: Event) -> None:
        """Merge a split code into the same code again, if it is as the split left it."""
        source_id, target_id = entry.target_ids[0], entry.target_ids[1]
        source: Code = await self._current(tx, NodeKind.CODE, source_id)
        if _changed(source, entry.after or {}):
            raise Blocked("the code has been changed since", [source_id])
        try:
            await self.merge_into(tx, principal, source, target_id)
        except NotFound as exc:
            raise Blocked(_reason(exc), [source_id, target_id]) from None

    # -- relations -------------------------------------------------------------------------------
    async def _revert_coding(self, tx: Transaction, principal: Principal, entry: Event, verb: str) -> None:
        """Uncode what was coded, or code again what was uncoded, as the coder it was."""
        values = (entry.after if verb == "coded" else entry.before) or {}
        coder, code_ids = values["coder"], list(values["code_ids"])
        excerpt_id = entry.target_ids[0]
        excerpt: Excerpt = await self._current(tx, NodeKind.EXCERPT, excerpt_id)
        codes = await tx.nodes(NodeKind.CODE, code_ids)
        gone = [c for c in code_ids if c not in codes]
        if gone:
            raise Blocked("a code it names has been deleted or merged away since", [excerpt_id, *gone])
        ordered = [codes[c] for c in code_ids]
        if verb == "coded":
            principal.require_removal("another coder's coding", [coder])
            for code_id in code_ids:
                if not await tx.delete_coding(excerpt_id, code_id, coder):
                    raise Blocked("the coding has been removed since", [excerpt_id, code_id])
            await self.log(tx, activity.uncoded(principal.user_id, excerpt, ordered, coder))
        else:
            principal.require_removal("another coder's coding", [coder], doing="restore")
            for code in ordered:
                if not code.codable:
                    raise Blocked(f"code {code.name!r} has become a category since", [excerpt_id, code.id])
            await tx.insert_codings([coding_of(excerpt, c, coder) for c in code_ids])
            await self.log(tx, activity.coded(principal.user_id, excerpt, ordered, coder))

    async def _revert_theme_membership(self, tx: Transaction, principal: Principal, entry: Event, verb: str) -> None:
        theme_id, code_id = entry.target_ids[0], entry.target_ids[1]
        theme: Theme = await self._current(tx, NodeKind.THEME, theme_id)
        code: Code = await self._current(tx, NodeKind.CODE, code_id)
        if verb == "code_added":
            if not await tx.remove_from_theme(code_id, theme_id):
                raise Blocked("the code has left the theme since", [theme_id, code_id])
            await self.log(tx, activity.theme_membership(principal.user_id, "removed", code, theme))
        else:
            await tx.add_to_themes([(code_id, theme_id)], theme.project_id, principal.user_id, now().isoformat())
            await self.log(tx, activity.theme_membership(principal.user_id, "added", code, theme))

    async def _revert_pins(self, tx: Transaction, principal: Principal, entry: Event, verb: str) -> None:
        """The quotes pinned to the code or theme put back as they were before the entry, provided
        they are as it left them and every excerpt it had pinned is still there."""
        excerpt_id, target_id = entry.target_ids[0], entry.target_ids[1]
        ref = (await tx.refs([target_id])).get(target_id)
        if ref is None:
            raise Blocked("the code or theme has been deleted or merged away since", [target_id])
        target: Code | Theme = await self._current(tx, ref.kind, target_id)
        before = list((entry.before or {})["pinned_excerpt_ids"])
        after = list((entry.after or {})["pinned_excerpt_ids"])
        if (await tx.pinned([target_id]))[target_id] != after:
            raise Blocked("the quotes pinned there have changed since", [target_id])
        excerpts = await tx.nodes(NodeKind.EXCERPT, [*before, excerpt_id])
        if gone := [e for e in [*before, excerpt_id] if e not in excerpts]:
            raise Blocked("an excerpt that was pinned there has been deleted since", [target_id, *gone])
        await tx.set_pinned(target_id, target.project_id, before)
        undo = "unpinned" if verb == "pinned" else "pinned"
        await self.log(tx, activity.pinned(principal.user_id, undo, excerpts[excerpt_id], target, after, before))

    async def _revert_speaker_role(self, tx: Transaction, principal: Principal, entry: Event) -> None:
        document_id = entry.target_ids[0]
        document: Document = await self._current(tx, NodeKind.DOCUMENT, document_id)
        before, after = entry.before or {}, entry.after or {}
        speaker = after["speaker"]
        theirs = [t for t in (await tx.turns([document_id]))[document_id] if t.speaker == speaker]
        now_role = theirs[0].role if theirs else None
        wanted = SpeakerRole(before["role"]) if before.get("role") else None
        if not theirs or (now_role.value if now_role else None) != after.get("role"):
            raise Blocked("the speaker's role has been changed since", [document_id])
        await tx.set_speaker_role(document_id, speaker, wanted)
        await self.log(tx, activity.speaker_role(principal.user_id, document, speaker, now_role, wanted))

    async def _revert_membership(self, tx: Transaction, principal: Principal, entry: Event, verb: str) -> None:
        """Membership changes revert like any other, by an OWNER, keeping the project an OWNER."""
        principal.require(Need.ADMIN)
        project_id, user_id = entry.target_ids[0], entry.target_ids[1]
        user = (await tx.users([user_id])).get(user_id)
        if user is None:
            raise Blocked("the user no longer exists", [user_id])
        current = await tx.role(project_id, user_id)
        after = Role(entry.after["role"]) if entry.after else None
        before = Role(entry.before["role"]) if entry.before else None
        if current is not after:
            raise Blocked("the member's role has been changed since", [project_id, user_id])
        if before is None:
            await self._keep_an_owner(tx, project_id, user_id)
            await tx.remove_role(project_id, user_id)
            gone = Membership.model_validate(entry.after)
            await self.log(tx, activity.membership(principal.user_id, "removed", gone, user.name, gone))
            return
        if before is not Role.OWNER:
            await self._keep_an_owner(tx, project_id, user_id)
        await tx.set_role(project_id, user_id, before)
        member = Membership(project_id=project_id, user_id=user_id, role=before)
        old = Membership(project_id=project_id, user_id=user_id, role=current) if current else None
        await self.log(
            tx, activity.membership(principal.user_id, "changed" if old else "added", member, user.name, old)
        )


def _changed(current: Stamped, after: dict[str, Any]) -> bool:
    """Whether the node differs from how the entry left it (its version, or any field it recorded)."""
    now_values = _dump(current)
    fields = [k for k in after if k not in (*STAMPS, activity.REMOVED, "created_at", "created_by")]
    moved = "version" in after and now_values.get("version") != after["version"]
    return moved or any(now_values.get(k) != after[k] for k in fields)


def _beyond(related: Any, recorded: dict[str, Any]) -> list[str]:
    """The ids of what holds on to a node now beyond what an entry recorded as going with it."""
    codings = {(c.excerpt_id, c.code_id, c.coder_id) for c in related.codings} - {
        (c["excerpt_id"], c["code_id"], c["coder_id"]) for c in recorded.get("codings", [])
    }
    memberships = set(related.memberships) - {tuple(m) for m in recorded.get("memberships", [])}
    kept = {x["id"] for key in ("links", "citing", "memos") for x in recorded.get(key, [])}
    return list(
        dict.fromkeys(
            [
                *related.excerpt_ids,
                *(i for c in sorted(codings) for i in c[:2]),
                *(i for m in sorted(memberships) for i in m),
                *(i for i in (*related.link_ids, *related.citing_link_ids, *related.memo_ids) if i not in kept),
                *(d for d in related.document_ids if d not in recorded.get("documents", [])),
            ]
        )
    )


def _reason(exc: BadInput | NotFound) -> str:
    """A rule's message as the reason a revert is blocked."""
    return exc.message.rstrip(".").split(";")[0]

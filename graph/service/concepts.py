"""Concept links between codes and themes, and memos about any node."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from graph import activity
from graph.errors import BadInput, NotFound
from graph.inputs import LinkPatch, MemoPatch, NewLink, NewMemo
from graph.models import CONCEPT_KINDS, Code, Excerpt, Link, LinkKind, Memo, NodeKind, Theme
from graph.policy import Actor, Need, Principal
from graph.rules import check_version
from graph.service.base import UseCases, model, stamps
from graph.transaction import Transaction

MEMO_TARGETS = tuple(k for k in NodeKind if k is not NodeKind.MEMO)
MAX_PINNED = 20
"""Quotes pinned to one code or theme at most: a report shows a handful, so the list stays bounded."""


class Concepts(UseCases):
    # -- links -------------------------------------------------------------------------------
    async def link_concepts(self, actor: Actor, new: NewLink) -> Link:
        async def work(tx: Transaction) -> Link:
            source, principal = await self.at_node(tx, actor, new.source_id, Need.EDIT, *CONCEPT_KINDS)
            return await self.new_link(tx, principal, new)

        return await self._write(work)

    async def new_link(
        self, tx: Transaction, principal: Principal, new: NewLink, created_at: datetime | None = None
    ) -> Link:
        refs = await self.same_project(tx, principal, [new.source_id, new.target_id], *CONCEPT_KINDS)
        if new.source_id == new.target_id:
            raise BadInput("A concept cannot be linked to itself; pick two different codes or themes.")
        await self.check_duplicate(tx, new.source_id, new.target_id, new.kind, None)
        evidence = await self.evidence(tx, principal, new.evidence_excerpt_ids)
        [id] = await self.fresh_ids(tx, [new.id])
        link = Link(
            id=id,
            project_id=principal.project_id,
            source_id=new.source_id,
            source_kind=refs[new.source_id].kind,
            target_id=new.target_id,
            target_kind=refs[new.target_id].kind,
            kind=new.kind,
            label=new.label,
            note=new.note,
            evidence_excerpt_ids=evidence,
            version=1,
            **stamps(principal.user_id, created_at),
        )
        return await self.create(tx, principal.user_id, link)

    async def update_link(self, actor: Actor, id: str, patch: LinkPatch) -> Link:
        async def work(tx: Transaction) -> Link:
            link, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.LINK)
            return await self.patch_link(tx, principal, link, patch)

        return await self._write(work)

    async def patch_link(self, tx: Transaction, principal: Principal, link: Link, patch: LinkPatch) -> Link:
        check_version("Link", link.id, patch.expected_version, link.version)
        kind = patch.kind or link.kind
        if kind != link.kind:
            await self.check_duplicate(tx, link.source_id, link.target_id, kind, link.id)
        evidence = (
            link.evidence_excerpt_ids
            if patch.evidence_excerpt_ids is None
            else await self.evidence(tx, principal, patch.evidence_excerpt_ids)
        )
        return await self.change(
            tx,
            principal.user_id,
            link,
            kind=kind,
            evidence_excerpt_ids=evidence,
            label=patch.label if patch.given("label") else link.label,
            note=patch.note if patch.given("note") else link.note,
        )

    async def unlink(self, actor: Actor, id: str) -> None:
        async def work(tx: Transaction) -> None:
            link, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.LINK)
            principal.require_removal("a link someone else drew", [link.created_by])
            await self.remove(tx, actor.user_id, NodeKind.LINK, link)

        await self._write(work)

    async def evidence(self, tx: Transaction, principal: Principal, excerpt_ids: Sequence[str]) -> tuple[str, ...]:
        """Evidence excerpts, each once and in the order given, from the principal's project."""
        unique = tuple(dict.fromkeys(excerpt_ids))
        await self.same_project(tx, principal, unique, NodeKind.EXCERPT)
        return unique

    @staticmethod
    async def check_duplicate(
        tx: Transaction, source_id: str, target_id: str, kind: LinkKind, self_id: str | None
    ) -> None:
        """Two concepts are linked at most once per kind (either way round for symmetric kinds)."""
        for other in await tx.links_between(source_id, target_id):
            same_way = other.source_id == source_id
            if other.id != self_id and other.kind is kind and (same_way or kind.symmetric):
                raise BadInput(
                    f"These concepts are already linked as {kind.value}; update that link instead.", existingId=other.id
                )

    # -- pinned quotes -----------------------------------------------------------------------
    async def pin_quote(self, actor: Actor, target_id: str, excerpt_id: str, position: int | None) -> Code | Theme:
        """Pin an excerpt to a code or theme as one of its quotes, at `position` (0-based, among the
        quotes the actor sees; None: last); a quote pinned already moves there."""

        async def work(tx: Transaction) -> Code | Theme:
            target: Code | Theme
            target, principal = await self.at_node(tx, actor, target_id, Need.EDIT, *CONCEPT_KINDS)
            excerpt = await self.quotable(tx, principal, excerpt_id)
            before = (await tx.pinned([target.id]))[target.id]
            seen = await self.seen_excerpts(tx, principal, before)
            rest = [e for e in before if e != excerpt.id]
            shown = [e for e in rest if e in seen]
            if position is not None and not 0 <= position <= len(shown):
                raise BadInput(
                    f"The position must be from 0 (first) to {len(shown)} (last): there are {len(shown)} other "
                    "quotes pinned there.",
                    field="position",
                )
            # Before the seen quote now at `at`, or just after the last seen one: quotes hidden from the
            # actor by blind coding keep their places.
            at = len(shown) if position is None else position
            index = rest.index(shown[at]) if at < len(shown) else (rest.index(shown[-1]) + 1 if shown else len(rest))
            after = [*rest[:index], excerpt.id, *rest[index:]]
            if len(after) > MAX_PINNED:
                raise BadInput(
                    f"At most {MAX_PINNED} quotes can be pinned to one code or theme; unpin one first.",
                    field="excerptId",
                )
            if after != before:
                await tx.set_pinned(target.id, target.project_id, after)
                await self.log(tx, activity.pinned(principal.user_id, "pinned", excerpt, target, before, after))
            return target

        return await self._write(work)

    async def unpin_quote(self, actor: Actor, target_id: str, excerpt_id: str) -> Code | Theme:
        """Unpin a quote (one the actor sees) from a code or theme; the excerpt stays."""

        async def work(tx: Transaction) -> Code | Theme:
            target: Code | Theme
            target, principal = await self.at_node(tx, actor, target_id, Need.EDIT, *CONCEPT_KINDS)
            before = (await tx.pinned([target.id]))[target.id]
            if excerpt_id not in before or excerpt_id not in await self.seen_excerpts(tx, principal, [excerpt_id]):
                raise NotFound("quote pinned to that code or theme", excerpt_id)
            after = [e for e in before if e != excerpt_id]
            await tx.set_pinned(target.id, target.project_id, after)
            excerpt = await model(tx, NodeKind.EXCERPT, excerpt_id)
            await self.log(tx, activity.pinned(principal.user_id, "unpinned", excerpt, target, before, after))
            return target

        return await self._write(work)

    async def quotable(self, tx: Transaction, principal: Principal, excerpt_id: str) -> Excerpt:
        """An excerpt of the principal's project that they can see (under blind coding: one they marked
        or coded); any other answers as one that does not exist."""
        await self.same_project(tx, principal, [excerpt_id], NodeKind.EXCERPT)
        if excerpt_id not in await self.seen_excerpts(tx, principal, [excerpt_id]):
            raise NotFound("excerpt", excerpt_id)
        excerpt: Excerpt = await model(tx, NodeKind.EXCERPT, excerpt_id)
        return excerpt

    @staticmethod
    async def seen_excerpts(tx: Transaction, principal: Principal, excerpt_ids: Sequence[str]) -> set[str]:
        """Which of these excerpts the principal sees: all, or under blind coding those they marked or coded."""
        if not principal.blind:
            return set(excerpt_ids)
        excerpts = await tx.nodes(NodeKind.EXCERPT, excerpt_ids)
        coded = {c.excerpt_id for c in await tx.codings(excerpt_ids) if c.coder_id == principal.user_id}
        return {e.id for e in excerpts.values() if principal.sees_excerpt(e, e.id in coded)}

    # -- memos -------------------------------------------------------------------------------
    async def add_memo(self, actor: Actor, new: NewMemo) -> Memo:
        async def work(tx: Transaction) -> Memo:
            _, principal = await self.at_node(tx, actor, new.target_id, Need.EDIT, *MEMO_TARGETS)
            return await self.new_memo(tx, principal, new)

        return await self._write(work)

    async def new_memo(
        self, tx: Transaction, principal: Principal, new: NewMemo, created_at: datetime | None = None
    ) -> Memo:
        refs = await self.same_project(tx, principal, [new.target_id], *MEMO_TARGETS)
        [id] = await self.fresh_ids(tx, [new.id])
        memo = Memo(
            id=id,
            project_id=principal.project_id,
            target_id=new.target_id,
            target_kind=refs[new.target_id].kind,
            title=new.title,
            body=new.body,
            version=1,
            **stamps(principal.user_id, created_at),
        )
        return await self.create(tx, principal.user_id, memo)

    async def update_memo(self, actor: Actor, id: str, patch: MemoPatch) -> Memo:
        async def work(tx: Transaction) -> Memo:
            memo, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.MEMO)
            check_version("Memo", id, patch.expected_version, memo.version)
            return await self.change(
                tx,
                actor.user_id,
                memo,
                title=patch.title or memo.title,
                body=memo.body if patch.body is None else patch.body,
            )

        return await self._write(work)

    async def delete_memo(self, actor: Actor, id: str) -> None:
        async def work(tx: Transaction) -> None:
            memo, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.MEMO)
            principal.require_removal("a memo someone else wrote", [memo.created_by])
            await self.remove(tx, actor.user_id, NodeKind.MEMO, memo)

        await self._write(work)

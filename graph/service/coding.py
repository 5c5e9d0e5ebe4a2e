"""Excerpts and codings: marking passages of a document and coding them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from graph import activity
from graph.errors import BadInput, NotFound
from graph.inputs import CodedPassage, NewExcerpt
from graph.models import Code, Coding, Excerpt, NodeKind
from graph.policy import Actor, Need, Principal
from graph.rules import check_codable, check_span, now
from graph.service.base import UseCases, built, model, stamps
from graph.transaction import Span, Transaction


class Excerpts(UseCases):
    async def create_excerpt(self, actor: Actor, new: NewExcerpt) -> Excerpt:
        async def work(tx: Transaction) -> Excerpt:
            document, _ = await self.at_node(tx, actor, new.document_id, Need.EDIT, NodeKind.DOCUMENT)
            [id] = await self.fresh_ids(tx, [new.id])
            excerpt = Excerpt(
                id=id,
                project_id=document.project_id,
                document_id=document.id,
                start=new.start,
                end=new.end,
                text=check_span(document.text, new.start, new.end),
                **stamps(actor.user_id),
            )
            return await self.create(tx, actor.user_id, excerpt)

        return await self._write(work)

    async def delete_excerpt(self, actor: Actor, id: str) -> None:
        async def work(tx: Transaction) -> None:
            excerpt, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.EXCERPT)
            principal.require_removal(
                "an excerpt with other coders' codings or marked by someone else",
                {excerpt.created_by} | await tx.coders_under(NodeKind.EXCERPT, id),
            )
            await self.remove(tx, actor.user_id, NodeKind.EXCERPT, excerpt)

        await self._write(work)

    async def update_excerpt(self, actor: Actor, id: str, start: int, end: int) -> Excerpt:
        """Move an excerpt's span within its document (its codings and evidence stay with it). Whoever
        marked it, with no other coder's codings on it, may; changing other people's work needs an OWNER."""

        async def work(tx: Transaction) -> Excerpt:
            excerpt, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.EXCERPT)
            text = await self.movable(tx, principal, excerpt, start, end)
            if (start, end) == (excerpt.start, excerpt.end):
                return principal.view(excerpt)  # nothing changes, so nothing is recorded
            return principal.view(await self.change(tx, actor.user_id, excerpt, start=start, end=end, text=text))

        return await self._write(work)

    async def movable(self, tx: Transaction, principal: Principal, excerpt: Excerpt, start: int, end: int) -> str:
        """The excerpt's text at [start, end), once the principal may move it there (their own work, or an
        OWNER) and no other excerpt of its document marks that span (a step reverting a move takes too)."""
        principal.require_removal(
            "an excerpt with other coders' codings or marked by someone else",
            {excerpt.created_by} | await tx.coders_under(NodeKind.EXCERPT, excerpt.id),
        )
        texts = await tx.document_texts([excerpt.document_id])
        text = check_span(texts[excerpt.document_id], start, end)
        there = (await tx.excerpts_at([(excerpt.document_id, start, end)])).get((excerpt.document_id, start, end))
        if there is not None and there != excerpt.id:
            raise BadInput(
                f"Excerpt {there!r} already marks [{start}, {end}) of this document; code that excerpt instead, "
                "or delete one of the two.",
                excerptId=there,
            )
        return text

    async def code_excerpt(self, actor: Actor, excerpt_id: str, code_id: str) -> Excerpt:
        """Record the actor's coding of the excerpt with the code (idempotent)."""

        async def work(tx: Transaction) -> Excerpt:
            excerpt, principal = await self.at_node(tx, actor, excerpt_id, Need.EDIT, NodeKind.EXCERPT)
            codes = await self.codable(tx, principal, [code_id])
            await tx.insert_codings([coding(excerpt, code_id, actor.user_id)])
            await self.log(tx, activity.coded(actor.user_id, excerpt, codes, actor.user_id))
            return principal.view(excerpt)

        return await self._write(work)

    async def uncode_excerpt(self, actor: Actor, excerpt_id: str, code_id: str, coder_id: str | None = None) -> Excerpt:
        """Remove one coder's coding (the actor's own unless `coder_id` names another: OWNER only)."""

        async def work(tx: Transaction) -> Excerpt:
            excerpt, principal = await self.at_node(tx, actor, excerpt_id, Need.EDIT, NodeKind.EXCERPT)
            coder = coder_id or actor.user_id
            principal.require_removal("another coder's coding", [coder])
            await self.same_project(tx, principal, [code_id], NodeKind.CODE)
            if not await tx.delete_coding(excerpt_id, code_id, coder):
                raise NotFound("coding by this coder of that excerpt with that code", f"{excerpt_id}/{code_id}/{coder}")
            code = await model(tx, NodeKind.CODE, code_id)
            await self.log(tx, activity.uncoded(actor.user_id, excerpt, [code], coder))
            return principal.view(excerpt)

        return await self._write(work)

    async def code_text(self, actor: Actor, new: NewExcerpt, code_ids: Sequence[str]) -> Excerpt:
        """Mark a span (or reuse the excerpt already there) and code it, atomically."""
        if not code_ids:
            raise BadInput(
                "codeIds must name at least one code; use createExcerpt to mark a passage without coding it."
            )

        async def work(tx: Transaction) -> Excerpt:
            document, principal = await self.at_node(tx, actor, new.document_id, Need.EDIT, NodeKind.DOCUMENT)
            passage = CodedPassage(coder_id=actor.user_id, excerpt=new, code_ids=tuple(dict.fromkeys(code_ids)))
            codes = await self.codable(tx, principal, passage.code_ids)
            [excerpt] = await self.place_passages(tx, principal, [passage], {document.id: document.text})
            await self.log(tx, activity.coded(actor.user_id, excerpt, codes, actor.user_id))
            return principal.view(excerpt)

        return await self._write(work)

    async def code_passages(self, actor: Actor, project_id: str, passages: Sequence[CodedPassage]) -> list[str]:
        """Bulk coding (seeds): each passage as its coder, all in one unit of work; the excerpt id
        of each passage, in order. Coding as someone else is for trusted callers only."""

        async def work(tx: Transaction) -> list[str]:
            principal = await self.in_project(tx, actor, project_id, Need.EDIT)
            if not actor.trusted and any(p.coder_id != actor.user_id for p in passages):
                raise BadInput("Each passage must be coded as you; only the seed loaders code as other people.")
            excerpts = await self.place_passages(tx, principal, passages, await self.texts_for(tx, principal, passages))
            await self.log(
                tx,
                activity.bulk_coded(
                    actor.user_id, project_id, [e.id for e in excerpts], sum(len(p.code_ids) for p in passages)
                ),
            )
            return [e.id for e in excerpts]

        return await self._write(work)

    # -- steps that imports compose in their own unit of work ----------------------------------
    async def codable(self, tx: Transaction, principal: Principal, code_ids: Sequence[str]) -> list[Code]:
        """The codes, which must be codable codes of the principal's project."""
        await self.same_project(tx, principal, code_ids, NodeKind.CODE)
        codes = await tx.nodes(NodeKind.CODE, list(dict.fromkeys(code_ids)))
        for code in codes.values():
            check_codable(code.name, code.codable)
        return [codes[id] for id in code_ids]

    async def texts_for(
        self, tx: Transaction, principal: Principal, passages: Sequence[CodedPassage]
    ) -> dict[str, str]:
        """The texts of the passages' documents, once their documents are known to be in the
        principal's project and their codes to be codable codes of it."""
        document_ids = list(dict.fromkeys(p.excerpt.document_id for p in passages))
        await self.same_project(tx, principal, document_ids, NodeKind.DOCUMENT)
        await self.codable(tx, principal, list(dict.fromkeys(c for p in passages for c in p.code_ids)))
        return await tx.document_texts(document_ids)

    async def place_passages(
        self,
        tx: Transaction,
        principal: Principal,
        passages: Sequence[CodedPassage],
        texts: Mapping[str, str],
        made: Mapping[str, datetime] | None = None,
        existing: Mapping[Span, str] | None = None,
    ) -> list[Excerpt]:
        """Create the excerpts that are new (reusing one at the same span) and record each passage's
        codings; no history entry (the caller writes one for the whole batch). `texts` are the
        documents' texts from `texts_for` (or the document the caller has checked). A new excerpt
        was made when `made` says (by its id: an imported selection's time), else at its first
        coding's time if the passages give one, else now. `existing`: the excerpts at the passages'
        spans if the caller has just read them (`Transaction.excerpts_at`), so that an import's
        thousands of spans are looked up once."""
        spans: dict[Span, NewExcerpt] = {}
        for p in passages:
            e = p.excerpt
            check_span(texts[e.document_id], e.start, e.end)
            spans.setdefault((e.document_id, e.start, e.end), e)
        if existing is None:
            existing = await tx.excerpts_at(list(spans))
        new = {span: e for span, e in spans.items() if span not in existing}
        ids = await self.fresh_ids(tx, [e.id for e in new.values()])
        coder_of: dict[Span, str] = {}
        made_at: dict[Span, datetime] = {}
        for p in passages:
            span = (p.excerpt.document_id, p.excerpt.start, p.excerpt.end)
            coder_of.setdefault(span, p.coder_id)
            if p.created_at is not None:
                made_at[span] = min(made_at.get(span, p.created_at), p.created_at)
        for span, e in new.items():
            if e.id is not None and made and e.id in made:
                made_at[span] = made[e.id]
        created = await built(
            lambda: [
                Excerpt(
                    id=id,
                    project_id=principal.project_id,
                    document_id=span[0],
                    start=span[1],
                    end=span[2],
                    text=texts[span[0]][span[1] : span[2]],
                    **stamps(coder_of[span], made_at.get(span)),
                )
                for id, span in zip(ids, new)
            ]
        )
        if created:
            await tx.insert(created)
        by_span = {(e.document_id, e.start, e.end): e for e in created}
        if existing:
            found = await tx.nodes(NodeKind.EXCERPT, list(existing.values()))
            by_span |= {span: found[id] for span, id in existing.items()}
        excerpts = [by_span[(p.excerpt.document_id, p.excerpt.start, p.excerpt.end)] for p in passages]
        at = now()
        await tx.insert_codings(
            await built(
                lambda: [
                    coding(e, c, p.coder_id, p.created_at or at) for e, p in zip(excerpts, passages) for c in p.code_ids
                ]
            )
        )
        return excerpts


def coding(excerpt: Excerpt, code_id: str, coder_id: str, at: datetime | None = None) -> Coding:
    return Coding(
        project_id=excerpt.project_id, excerpt_id=excerpt.id, code_id=code_id, coder_id=coder_id, created_at=at or now()
    )

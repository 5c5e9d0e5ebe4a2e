"""The codebook and the themes built from it: two trees, and code-to-theme membership."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NoReturn

from graph import activity
from graph.errors import BadInput, NotFound
from graph.inputs import CodePatch, NewCode, NewTheme, ThemePatch
from graph.models import Code, NodeKind, Theme
from graph.policy import Actor, Need, Principal
from graph.rules import check_version, now
from graph.service.base import UseCases, held, model, stamps
from graph.transaction import Transaction


class Codebook(UseCases):
    # -- codes -------------------------------------------------------------------------------
    async def create_code(self, actor: Actor, new: NewCode) -> Code:
        async def work(tx: Transaction) -> Code:
            principal = await self.in_project(tx, actor, new.project_id, Need.EDIT)
            return await self.new_code(tx, principal, new)

        return await self._write(work)

    async def new_code(
        self, tx: Transaction, principal: Principal, new: NewCode, created_at: datetime | None = None
    ) -> Code:
        [code] = await self.new_codes(tx, principal, [(new, created_at)])
        return code

    async def new_codes(
        self, tx: Transaction, principal: Principal, news: Sequence[tuple[NewCode, datetime | None]]
    ) -> list[Code]:
        """New codes (each made when its time says, else now), checked as a batch and written in one
        insert with their history entries in one append: an import's or a seed's whole codebook costs
        a few statements, not a few per code."""
        if not news:
            return []
        ids = await self.fresh_ids(tx, [new.id for new, _ in news])
        await self.check_new_parents(
            tx, principal, NodeKind.CODE, [(id, new.parent_id) for id, (new, _) in zip(ids, news)]
        )
        await self.check_new_names(
            tx, NodeKind.CODE, principal.project_id, [(id, new.name, new.parent_id) for id, (new, _) in zip(ids, news)]
        )
        codes = [
            Code(
                id=id,
                project_id=new.project_id,
                parent_id=new.parent_id,
                name=new.name,
                description=new.description,
                color=new.color,
                codable=new.codable,
                version=1,
                **stamps(principal.user_id, created_at),
            )
            for id, (new, created_at) in zip(ids, news)
        ]
        await self.create_all(tx, principal.user_id, codes)
        return codes

    async def update_code(self, actor: Actor, id: str, patch: CodePatch) -> Code:
        async def work(tx: Transaction) -> Code:
            code, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.CODE)
            return await self.patch_code(tx, principal, code, patch)

        return await self._write(work)

    async def patch_code(self, tx: Transaction, principal: Principal, code: Code, patch: CodePatch) -> Code:
        check_version("Code", code.id, patch.expected_version, code.version)
        parent_id = patch.parent_id if patch.given("parent_id") else code.parent_id
        if parent_id != code.parent_id:
            await self.check_parent(tx, principal, NodeKind.CODE, code.id, parent_id)
        name = patch.name or code.name
        await self.check_name(tx, NodeKind.CODE, code.project_id, name, parent_id, code.id)
        return await self.change(
            tx,
            principal.user_id,
            code,
            name=name,
            parent_id=parent_id,
            description=code.description if patch.description is None else patch.description,
            color=patch.color if patch.given("color") else code.color,
            codable=code.codable if patch.codable is None else patch.codable,
        )

    async def delete_code(self, actor: Actor, id: str) -> None:
        """Its codings, memberships and links go with it; its children move up to its parent."""

        async def work(tx: Transaction) -> None:
            code, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.CODE)
            principal.require_removal(
                "a code someone else created, or that other coders applied",
                {code.created_by} | await tx.coders_under(NodeKind.CODE, id),
            )
            children = await self.move_children(tx, code, code.parent_id)
            await self.remove(tx, actor.user_id, NodeKind.CODE, code, children)

        await self._write(work)

    async def merge_codes(self, actor: Actor, source_id: str, target_id: str) -> Code:
        """The source's codings, memberships, links, children and memos move to the target; the
        source goes. Merging away other people's work needs OWNER."""

        async def work(tx: Transaction) -> Code:
            source, principal = await self.at_node(tx, actor, source_id, Need.EDIT, NodeKind.CODE)
            return await self.merge_into(tx, principal, source, target_id)

        return await self._write(work)

    async def merge_into(self, tx: Transaction, principal: Principal, source: Code, target_id: str) -> Code:
        """Merge `source` into the code `target_id`, recording what moved so a revert can split it out."""
        source_id = source.id
        await self.same_project(tx, principal, [target_id], NodeKind.CODE)
        if source_id == target_id:
            raise BadInput("A code cannot be merged into itself; pick two different codes.")
        if source_id in await tx.ancestors(NodeKind.CODE, target_id):
            raise BadInput("A code cannot be merged into one of its own descendants; move the target out first.")
        principal.require_removal(
            "a code someone else created, or that other coders applied",
            {source.created_by} | await tx.coders_under(NodeKind.CODE, source_id),
        )
        removed = await held(tx, source_id)
        removed["target_had"] = await self.overlap(tx, source_id, target_id)
        removed["children"] = await self.move_children(tx, source, target_id)
        await tx.merge_code(source_id, target_id)
        target: Code = await model(tx, NodeKind.CODE, target_id)
        merged = target.model_copy(
            update={"version": target.version + 1, "updated_by": principal.user_id, "updated_at": now()}
        )
        await tx.replace(merged)
        await self.log(tx, activity.merged(principal.user_id, source, merged, removed))
        return merged

    async def move_children(self, tx: Transaction, code: Code, parent_id: str | None) -> list[str]:
        """Children of a code that goes move to `parent_id`, keeping names unique under it; their ids."""
        children = await tx.children(NodeKind.CODE, code.id)
        for child in children:
            await self.check_name(tx, NodeKind.CODE, code.project_id, child.name, parent_id, child.id)
            await tx.replace(child.model_copy(update={"parent_id": parent_id}))
        return [c.id for c in children]

    @staticmethod
    async def overlap(tx: Transaction, source_id: str, target_id: str) -> dict[str, Any]:
        """What the target of a merge has of the source's already (the same coding by the same coder,
        membership of the same theme), which un-merging must leave with the target."""
        source, target = await tx.related(source_id), await tx.related(target_id)
        coded = {(c.excerpt_id, c.coder_id) for c in target.codings if c.code_id == target_id}
        themes = {t for c, t in target.memberships if c == target_id}
        return {
            "codings": [[c.excerpt_id, c.coder_id] for c in source.codings if (c.excerpt_id, c.coder_id) in coded],
            "themes": [t for c, t in source.memberships if t in themes],
        }

    # -- themes ------------------------------------------------------------------------------
    async def create_theme(self, actor: Actor, new: NewTheme) -> Theme:
        async def work(tx: Transaction) -> Theme:
            principal = await self.in_project(tx, actor, new.project_id, Need.EDIT)
            return await self.new_theme(tx, principal, new)

        return await self._write(work)

    async def new_theme(self, tx: Transaction, principal: Principal, new: NewTheme) -> Theme:
        [theme] = await self.new_themes(tx, principal, [new])
        return theme

    async def new_themes(self, tx: Transaction, principal: Principal, news: Sequence[NewTheme]) -> list[Theme]:
        """New themes, checked as a batch and written together (see `new_codes`)."""
        if not news:
            return []
        ids = await self.fresh_ids(tx, [new.id for new in news])
        await self.check_new_parents(tx, principal, NodeKind.THEME, [(id, new.parent_id) for id, new in zip(ids, news)])
        await self.check_new_names(
            tx, NodeKind.THEME, principal.project_id, [(id, new.name, None) for id, new in zip(ids, news)]
        )
        themes = [
            Theme(
                id=id,
                project_id=new.project_id,
                parent_id=new.parent_id,
                name=new.name,
                description=new.description,
                status=new.status,
                version=1,
                **stamps(principal.user_id),
            )
            for id, new in zip(ids, news)
        ]
        await self.create_all(tx, principal.user_id, themes)
        return themes

    async def update_theme(self, actor: Actor, id: str, patch: ThemePatch) -> Theme:
        async def work(tx: Transaction) -> Theme:
            theme, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.THEME)
            return await self.patch_theme(tx, principal, theme, patch)

        return await self._write(work)

    async def patch_theme(self, tx: Transaction, principal: Principal, theme: Theme, patch: ThemePatch) -> Theme:
        check_version("Theme", theme.id, patch.expected_version, theme.version)
        parent_id = patch.parent_id if patch.given("parent_id") else theme.parent_id
        if parent_id != theme.parent_id:
            await self.check_parent(tx, principal, NodeKind.THEME, theme.id, parent_id)
        name = patch.name or theme.name
        await self.check_name(tx, NodeKind.THEME, theme.project_id, name, None, theme.id)
        return await self.change(
            tx,
            principal.user_id,
            theme,
            name=name,
            parent_id=parent_id,
            description=theme.description if patch.description is None else patch.description,
            status=patch.status or theme.status,
        )

    async def delete_theme(self, actor: Actor, id: str) -> None:
        """Its memberships and links go with it; its subthemes move up to its parent."""

        async def work(tx: Transaction) -> None:
            theme, principal = await self.at_node(tx, actor, id, Need.EDIT, NodeKind.THEME)
            principal.require_removal("a theme someone else created", [theme.created_by])
            subthemes = await tx.children(NodeKind.THEME, id)
            for sub in subthemes:
                await tx.replace(sub.model_copy(update={"parent_id": theme.parent_id}))
            await self.remove(tx, actor.user_id, NodeKind.THEME, theme, [s.id for s in subthemes])

        await self._write(work)

    async def add_code_to_theme(self, actor: Actor, code_id: str, theme_id: str) -> Theme:
        async def work(tx: Transaction) -> Theme:
            theme: Theme
            theme, principal = await self.at_node(tx, actor, theme_id, Need.EDIT, NodeKind.THEME)
            await self.add_member_code(tx, principal, code_id, theme)
            return theme

        return await self._write(work)

    async def add_member_code(self, tx: Transaction, principal: Principal, code_id: str, theme: Theme) -> None:
        await self.add_member_codes(tx, principal, [(code_id, theme)])

    async def add_member_codes(
        self, tx: Transaction, principal: Principal, members: Sequence[tuple[str, Theme]]
    ) -> None:
        """Make each code a member of its theme (themes of the principal's project), one history entry
        each, written as one batch."""
        code_ids = list(dict.fromkeys(code_id for code_id, _ in members))
        await self.same_project(tx, principal, code_ids, NodeKind.CODE)
        codes = await tx.nodes(NodeKind.CODE, code_ids)
        pairs = [(code_id, theme.id) for code_id, theme in members]
        await tx.add_to_themes(pairs, principal.project_id, principal.user_id, now().isoformat())
        await tx.append(
            [activity.theme_membership(principal.user_id, "added", codes[code_id], theme) for code_id, theme in members]
        )

    async def remove_code_from_theme(self, actor: Actor, code_id: str, theme_id: str) -> Theme:
        async def work(tx: Transaction) -> Theme:
            theme: Theme
            theme, principal = await self.at_node(tx, actor, theme_id, Need.EDIT, NodeKind.THEME)
            await self.same_project(tx, principal, [code_id], NodeKind.CODE)
            if not await tx.remove_from_theme(code_id, theme_id):
                raise NotFound("membership of that code in that theme", f"{code_id}/{theme_id}")
            code = await model(tx, NodeKind.CODE, code_id)
            await self.log(tx, activity.theme_membership(actor.user_id, "removed", code, theme))
            return theme

        return await self._write(work)

    # -- rules of both trees -------------------------------------------------------------------
    async def check_parent(
        self, tx: Transaction, principal: Principal, kind: NodeKind, id: str | None, parent_id: str | None
    ) -> None:
        """The parent exists in the same project and is not the node itself or below it."""
        if parent_id is None:
            return
        await self.same_project(tx, principal, [parent_id], kind)
        if id is not None and (parent_id == id or id in await tx.ancestors(kind, parent_id)):
            raise BadInput(
                f"A {kind.value.lower()} cannot be its own ancestor: {parent_id!r} is {id!r} or lies beneath it."
            )

    async def check_new_parents(
        self, tx: Transaction, principal: Principal, kind: NodeKind, nodes: Sequence[tuple[str, str | None]]
    ) -> None:
        """Each new node's parent (by (id, parent id), in order) is a node of `kind` in the project or
        one earlier in the batch; either way no new node can be its own ancestor."""
        earlier: set[str] = set()
        elsewhere: list[str] = []
        for id, parent_id in nodes:
            if parent_id is not None and parent_id not in earlier:
                elsewhere.append(parent_id)
            earlier.add(id)
        if elsewhere:
            await self.same_project(tx, principal, elsewhere, kind)

    @classmethod
    async def check_new_names(
        cls, tx: Transaction, kind: NodeKind, project_id: str, nodes: Sequence[tuple[str, str, str | None]]
    ) -> None:
        """`check_name` for each new node (by (id, name, parent id)), among the nodes there and the
        batch's own."""
        batch: dict[tuple[str | None, str], str] = {}
        for id, name, parent_id in nodes:
            await cls.check_name(tx, kind, project_id, name, parent_id, None)
            key = (parent_id if kind is NodeKind.CODE else None, name.lower())
            if key in batch:
                cls.name_taken(kind, name, parent_id, batch[key])
            batch[key] = id

    @classmethod
    async def check_name(
        cls, tx: Transaction, kind: NodeKind, project_id: str, name: str, parent_id: str | None, self_id: str | None
    ) -> None:
        """Code names are unique among siblings, theme names in the project (ignoring case)."""
        clash = [id for id in await tx.named(kind, project_id, name, parent_id) if id != self_id]
        if clash:
            cls.name_taken(kind, name, parent_id, clash[0])

    @staticmethod
    def name_taken(kind: NodeKind, name: str, parent_id: str | None, existing_id: str) -> NoReturn:
        if kind is NodeKind.THEME:
            raise BadInput(
                f"A theme named {name!r} already exists in this project; choose another name.", existingId=existing_id
            )
        where = "at the top level" if parent_id is None else "under that parent"
        raise BadInput(f"A code named {name!r} already exists {where}; choose another name.", existingId=existing_id)

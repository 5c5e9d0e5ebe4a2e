"""What every use case shares: resolving the principal and the nodes a request names,
inside the use case's own transaction, and recording the change in the history."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, NoReturn, TypeVar, cast

from graph import activity
from graph.errors import BadInput, Conflict, NotFound
from graph.models import Event, NodeKind, NodeRef, Project, Stamped
from graph.policy import Actor, Need, Principal
from graph.rules import new_id, now
from graph.store import Store
from graph.transaction import Transaction

T = TypeVar("T")
M = TypeVar("M", bound=Stamped)


def describe(*kinds: NodeKind) -> str:
    """How an error names what was looked for: "code", "code or theme", "node"."""
    return " or ".join(k.value.lower() for k in kinds) or "node"


class _Rehearsed(Exception):
    """Carries a rehearsal's result out of its transaction; raising it rolls the transaction back."""

    def __init__(self, result: object) -> None:
        super().__init__("rehearsal")
        self.result = result


class UseCases:
    """Holds the store; each use case runs as one unit of work (`self.store.write`)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    async def _write(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        return await self.store.write(work)

    async def _rehearse(self, work: Callable[[Transaction], Awaitable[T]]) -> T:
        """What `work` would do, without doing it: it runs in a write transaction (so it reads its
        own writes and meets every rule) that is then rolled back (an import's preview)."""

        async def rolled_back(tx: Transaction) -> T:
            raise _Rehearsed(await work(tx))

        try:
            return await self.store.write(rolled_back)
        except _Rehearsed as rehearsal:
            return cast(T, rehearsal.result)

    # -- principals ---------------------------------------------------------------------
    @staticmethod
    async def principal(tx: Transaction, actor: Actor, project_id: str) -> Principal:
        """The actor in a project, read in the use case's transaction (so a removal that
        committed before it is always seen). A project that does not exist makes a non-member."""
        project: Project | None = (await tx.nodes(NodeKind.PROJECT, [project_id])).get(project_id)
        if project is None:
            return Principal(actor, project_id, None, False)
        role = None if actor.trusted else await tx.role(project_id, actor.user_id)
        return Principal.of(actor, project_id, role, project.blind_coding)

    async def in_project(self, tx: Transaction, actor: Actor, project_id: str, need: Need) -> Principal:
        """The principal, who must be allowed `need` in the project (NotFound for outsiders)."""
        await self.serialise(tx, project_id, need)
        principal = await self.principal(tx, actor, project_id)
        principal.require(need, "project", project_id)
        return principal

    async def at_node(
        self, tx: Transaction, actor: Actor, id: str, need: Need, *kinds: NodeKind
    ) -> tuple[Any, Principal]:
        """The model of node `id` (of one of `kinds`) and the principal in its project, who must be
        allowed `need`. A node in a project the actor cannot read answers as one that does not exist."""
        ref = (await tx.refs([id])).get(id)
        if ref is None or (kinds and ref.kind not in kinds):
            raise NotFound(describe(*kinds), id)
        await self.serialise(tx, ref.project_id, need, id)
        principal = await self.principal(tx, actor, ref.project_id)
        principal.require(need, describe(*kinds), id)
        return await model(tx, ref.kind, id), principal

    @staticmethod
    async def serialise(tx: Transaction, project_id: str, need: Need, *nodes: str) -> None:
        """Writes to one project take its lock, and the lock of the node they change, before reading
        anything they check (versions, names, owners, roles): Neo4j reads committed data only, so
        without them two changes could both pass a check that only one of them may pass."""
        if need is not Need.READ:
            await tx.lock([project_id, *nodes])

    @staticmethod
    async def same_project(
        tx: Transaction, principal: Principal, ids: Sequence[str], *kinds: NodeKind
    ) -> dict[str, NodeRef]:
        """The refs of nodes a change points at, which must exist in the principal's project
        with one of `kinds`; anything else answers as a node that does not exist."""
        refs = await tx.refs(list(dict.fromkeys(ids)))
        for id in ids:
            ref = refs.get(id)
            if ref is None or ref.project_id != principal.project_id or (kinds and ref.kind not in kinds):
                raise NotFound(describe(*kinds), id)
        return refs

    # -- writing ------------------------------------------------------------------------------
    @staticmethod
    async def check_pseudonym(tx: Transaction, project_id: str, pseudonym: str, self_id: str | None) -> None:
        """A pseudonym names one case in its project (ignoring case): two alike could not be told
        apart in a matrix, a filter or a report."""
        clash = [id for id in await tx.named(NodeKind.PARTICIPANT, project_id, pseudonym) if id != self_id]
        if clash:
            pseudonym_taken(pseudonym, clash[0])

    @staticmethod
    async def fresh_ids(tx: Transaction, ids: Sequence[str | None]) -> list[str]:
        """Each given id, if no node holds it, or a new one for None. The message is the same
        whether the id is taken in this project or another, so it tells no one what exists."""
        given = [id for id in ids if id is not None]
        if len(set(given)) != len(given):
            raise BadInput("The same id is given twice; ids must be unique.")
        taken = await tx.refs(given) if given else {}
        for id in given:
            if id in taken:
                raise BadInput(f"Id {id!r} cannot be used for a new node; leave the id out to get a new one.")
        return [id or new_id() for id in ids]

    @staticmethod
    async def log(tx: Transaction, event: Event) -> None:
        await tx.append([event])

    async def create(self, tx: Transaction, actor: str, node: M) -> M:
        await self.create_all(tx, actor, [node])
        return node

    @staticmethod
    async def create_all(tx: Transaction, actor: str, nodes: Sequence[Stamped]) -> None:
        """Create checked nodes, one history entry each, in one insert and one append: what makes an
        import or a seed a few statements per kind of node rather than a few per node."""
        if nodes:
            await tx.insert(nodes)
            await tx.append([activity.created(actor, node) for node in nodes])

    async def change(self, tx: Transaction, actor: str, before: M, **fields: Any) -> M:
        """Apply `fields` to a node, stamp it, bump its version where it has one, and log it."""
        update: dict[str, Any] = {**fields, "updated_by": actor, "updated_at": now()}
        if hasattr(before, "version"):
            update["version"] = before.version + 1
        after = before.model_copy(update=update)
        await tx.replace(after)
        await self.log(tx, activity.updated(actor, before, after))
        return after

    async def remove(
        self, tx: Transaction, actor: str, kind: NodeKind, node: Stamped, children: Sequence[str] = ()
    ) -> None:
        """Delete a node and log it with what goes with it (`children`: those just moved up to its
        parent), so that a revert can bring it all back. A document's text and excerpts are not
        kept in the history (they can be megabytes): a deleted document is imported again instead."""
        removed = None if kind is NodeKind.DOCUMENT else await held(tx, node.id, children)
        await self.log(tx, activity.deleted(actor, node, removed))
        await tx.delete(kind, node.id)


def pseudonym_taken(pseudonym: str, existing_id: str) -> NoReturn:
    raise Conflict(
        f"A participant with the pseudonym {pseudonym!r} is in this project already; choose another "
        "pseudonym, or update that participant.",
        existingId=existing_id,
    )


async def held(tx: Transaction, id: str, children: Sequence[str] = ()) -> dict[str, Any]:
    """What holds on to node `id`, as a history entry keeps it (`activity.REMOVED`): the codings,
    memberships, links (with the node at one end, or citing it as evidence) and memos as they are
    now, a participant's documents, and the children a removal moved up."""
    related = await tx.related(id)
    links = await tx.nodes(NodeKind.LINK, [*related.link_ids, *related.citing_link_ids])
    memos = await tx.nodes(NodeKind.MEMO, list(related.memo_ids))
    return {
        "codings": [c.model_dump(mode="json") for c in related.codings],
        "memberships": [list(m) for m in related.memberships],
        "links": [activity.values(links[i]) for i in related.link_ids],
        "citing": [activity.values(links[i]) for i in related.citing_link_ids],
        "memos": [activity.values(memos[i]) for i in related.memo_ids],
        "documents": list(related.document_ids),
        "children": list(children),
    }


async def model(tx: Transaction, kind: NodeKind, id: str) -> Any:
    """The current model of a node known to exist."""
    return (await tx.nodes(kind, [id]))[id]


async def built(make: Callable[[], T]) -> T:
    """`make()` on a thread: building the tens of thousands of models of a bulk write (an
    import, a seed) would otherwise hold the event loop, and every other member's request,
    for seconds."""
    return await asyncio.to_thread(make)


def stamps(actor: str, at: datetime | None = None) -> dict[str, Any]:
    """Provenance of a new node, made now or (an import keeping a file's times) at `at`."""
    at = at or now()
    return {"created_by": actor, "created_at": at, "updated_by": actor, "updated_at": at}

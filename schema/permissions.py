"""Who may do what: project roles checked at the root of every operation.

A caller who is not a member of a project learns nothing about it: reads give null and
writes NOT_FOUND, exactly as for an id that does not exist. A member whose role is too
low gets FORBIDDEN. Everything below a root field belongs to the project checked there
(the store never lets a node reference another project's nodes), so nested fields need
no checks of their own.
"""

from __future__ import annotations

from graph.errors import Forbidden, NotFound
from graph.models import Event, NodeKind, NodeRef, Role
from schema.context import Info

RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.OWNER: 2}


async def role_in(info: Info, project_id: str) -> Role | None:
    if not info.context.auth:
        return Role.OWNER
    return await info.context.roles.load(project_id)


async def can_read(info: Info, project_id: str) -> bool:
    return await role_in(info, project_id) is not None


async def require(info: Info, project_id: str, needed: Role, what: str = "project") -> None:
    """The caller must hold at least `needed` in the project."""
    role = await role_in(info, project_id)
    if role is None:
        raise NotFound(what, project_id)
    if RANK[role] < RANK[needed]:
        raise Forbidden(
            f"Your role in this project is {role.value}; this needs {needed.value} or above. Ask an OWNER.",
            role=role.value, needed=needed.value,
        )


async def blind_to_others(info: Info, project_id: str) -> str | None:
    """Under blind coding an ANALYST sees only their own codings: then their user id, else None."""
    if not info.context.auth or await role_in(info, project_id) is not Role.ANALYST:
        return None
    project = await info.context.loaders.project.load(project_id)
    assert info.context.user is not None
    return info.context.user.id if project is not None and project.blind_coding else None


async def coders_for(info: Info, project_id: str, coders: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """Whose codings a question may count: as asked, or only the caller's under blind coding."""
    me = await blind_to_others(info, project_id)
    return coders if me is None else (me,)


def hidden_from(me: str | None, event: Event) -> bool:
    """Under blind coding, other coders' excerpt events would reveal their codings."""
    return me is not None and event.actor_id != me and event.type.startswith("excerpt.")


async def node_ref(info: Info, id: str, *kinds: NodeKind) -> NodeRef:
    """The node's kind and project; NotFound if it does not exist (or has another kind)."""
    ref = await info.context.loaders.node.load(id)
    if ref is None or (kinds and ref.kind not in kinds):
        raise NotFound(" or ".join(k.value.lower() for k in kinds) or "node", id)
    return ref


async def require_node(info: Info, id: str, needed: Role, *kinds: NodeKind) -> NodeRef:
    """The caller must hold `needed` in the project of node `id`; outsiders get NOT_FOUND for the node."""
    ref = await node_ref(info, id, *kinds)
    await require(info, ref.project_id, needed, " or ".join(k.value.lower() for k in kinds) or "node")
    return ref

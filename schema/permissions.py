"""Questions resolvers ask about the caller, answered by the service's access policy
(`graph.policy`) through the request's reader; no rule is decided here."""

from __future__ import annotations

from graph.policy import Need
from schema.context import Info


async def can_read(info: Info, project_id: str) -> bool:
    return (await info.context.reader.principal(project_id)).may(Need.READ)

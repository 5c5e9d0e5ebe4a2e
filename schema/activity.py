"""Activity history and live project events.

Live events are read from the history itself: a subscription polls the store for events
newer than the last it sent, at least every POLL_SECONDS, and at once when a mutation
in the same process completes. Polling costs one small query per subscriber and poll,
and in return it works with any number of server processes and on either store, because
the history is shared through the store, not through process memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Iterator
from datetime import datetime

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types.graphql import OperationType

from graph import models
from schema.context import Info
from schema.limits import check_page_size
from schema.permissions import can_read
from schema.types import PageInfo, User

POLL_SECONDS = 0.25


class Wakeup:
    """Wakes this process's subscriptions when one of its mutations has completed."""

    def __init__(self) -> None:
        self._waiters: set[asyncio.Future[None]] = set()

    def notify(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def wait(self, timeout: float) -> None:
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.add(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        except TimeoutError:
            pass
        finally:
            self._waiters.discard(waiter)


WAKEUP = Wakeup()


class WakeSubscribers(SchemaExtension):
    """After a mutation, let this process's subscriptions look for new events now."""

    def on_execute(self) -> Iterator[None]:
        yield
        if self.execution_context.operation_type is OperationType.MUTATION:
            WAKEUP.notify()


@strawberry.type(description="One change to a project: who did what to which nodes, with the values before and after.")
class ActivityEvent:
    id: strawberry.ID
    type: str = strawberry.field(description="What happened, e.g. code.updated, excerpt.coded, member.added.")
    target_ids: list[strawberry.ID]
    at: datetime
    summary: str = strawberry.field(description="A short human-readable account.")
    before: JSON | None = strawberry.field(description="The values before the change (null for creations).")
    after: JSON | None = strawberry.field(description="The values after the change (null for deletions).")
    reverts: strawberry.ID | None = strawberry.field(
        description="The entry this change undid, when it was a revert (see the `revert` mutation)."
    )
    actor_id: strawberry.Private[str]

    @classmethod
    def of(cls, e: models.Event) -> ActivityEvent:
        return cls(
            id=strawberry.ID(e.id),
            type=e.type,
            target_ids=[strawberry.ID(t) for t in e.target_ids],
            at=e.at,
            summary=e.summary,
            before=e.before,
            after=e.after,
            reverts=strawberry.ID(e.reverts) if e.reverts else None,
            actor_id=e.actor_id,
        )

    @strawberry.field(description="Who made the change.")
    async def actor(self, info: Info) -> User | None:
        found = await info.context.loaders.user.load(self.actor_id)
        return User.of(found) if found else None


@strawberry.type
class ActivityEdge:
    cursor: str
    node: ActivityEvent


@strawberry.type
class ActivityConnection:
    edges: list[ActivityEdge]
    page_info: PageInfo


@strawberry.type
class ActivityQuery:
    @strawberry.field(
        description="The project's history, newest first; optionally one actor's changes, or those "
        "touching one node. Under blind coding an ANALYST sees no one else's coding."
    )
    async def activity(
        self,
        info: Info,
        project_id: strawberry.ID,
        first: int = 20,
        after: str | None = None,
        actor_id: strawberry.ID | None = None,
        target_id: strawberry.ID | None = None,
    ) -> ActivityConnection:
        check_page_size(first, info.context.limits)
        page = await info.context.reader.activity(project_id, first, after, actor_id, target_id)
        edges = [ActivityEdge(cursor=c, node=ActivityEvent.of(e)) for e, c in zip(page.events, page.cursors)]
        return ActivityConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page, end_cursor=page.cursors[-1] if page.cursors else after
            ),
        )


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description="Every change other members make to the project, as it happens (within about "
        "a second), over graphql-transport-ws. Your own changes are not echoed back. The "
        "connection closes (4403) once your token is revoked or you leave the project."
    )
    async def project_events(self, info: Info, project_id: strawberry.ID) -> AsyncGenerator[ActivityEvent, None]:
        context, me = info.context, info.context.user
        reader = context.reader
        latest = await reader.activity(project_id, 1)
        cursor = latest.cursors[0] if latest.cursors else None
        while True:
            await still_allowed(info, project_id)
            events, cursor = await reader.events_since(project_id, cursor)
            for event in events:
                if me is None or event.actor_id != me.id:
                    yield ActivityEvent.of(event)
            await WAKEUP.wait(POLL_SECONDS)


async def still_allowed(info: Info, project_id: str) -> None:
    """Before each poll, the connection's token and the member's place in the project are read
    afresh; once either is gone, the socket closes with 4403 (graphql-transport-ws's refusal)."""
    context = info.context
    context.reader.forget()
    allowed = await context.token_valid() and await can_read(info, project_id)
    if not allowed:
        await context.refuse()

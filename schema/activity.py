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
from typing import Annotated

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.scalars import JSON
from strawberry.types.graphql import OperationType

from graph import codebook_history, models
from schema.context import Info
from schema.limits import check_page_size
from schema.permissions import can_read
from schema.types import PageInfo, ThemeStatus, User

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


@strawberry.type(description="A code as it was at a point in the project's history.")
class PastCode:
    id: strawberry.ID
    name: str
    description: str
    color: str | None
    codable: bool
    parent_id: strawberry.ID | None
    version: int
    updated_at: datetime

    @classmethod
    def of(cls, c: models.Code) -> PastCode:
        return cls(
            id=strawberry.ID(c.id),
            name=c.name,
            description=c.description,
            color=c.color,
            codable=c.codable,
            parent_id=strawberry.ID(c.parent_id) if c.parent_id else None,
            version=c.version,
            updated_at=c.updated_at,
        )


@strawberry.type(description="A theme as it was at a point in the project's history, with its codes then.")
class PastTheme:
    id: strawberry.ID
    name: str
    description: str
    status: ThemeStatus
    parent_id: strawberry.ID | None
    version: int
    updated_at: datetime
    code_ids: list[strawberry.ID]

    @classmethod
    def of(cls, t: models.Theme, book: codebook_history.PastCodebook) -> PastTheme:
        return cls(
            id=strawberry.ID(t.id),
            name=t.name,
            description=t.description,
            status=t.status,
            parent_id=strawberry.ID(t.parent_id) if t.parent_id else None,
            version=t.version,
            updated_at=t.updated_at,
            code_ids=[strawberry.ID(c) for c in book.theme_codes(t.id)],
        )


@strawberry.type(description="The codebook and themes as they were, rebuilt from the activity history.")
class Codebook:
    at: datetime | None = strawberry.field(
        description="When the last change it includes was made (null: before any change to the codebook)."
    )
    complete: bool = strawberry.field(
        description="False when the project has codes or themes whose creation its history does not record "
        "(made before the history was kept): those are missing here."
    )
    codes: list[PastCode]
    themes: list[PastTheme]

    @classmethod
    def of(cls, book: codebook_history.PastCodebook) -> Codebook:
        return cls(
            at=book.at,
            complete=book.complete,
            codes=[PastCode.of(c) for c in book.codes],
            themes=[PastTheme.of(t, book) for t in book.themes],
        )


CodebookChangeKind = strawberry.enum(codebook_history.Change, description="How a code or theme changed.")


@strawberry.type(description="How one code changed between two points of the history.")
class CodeChange:
    id: strawberry.ID
    changes: list[CodebookChangeKind]
    before: PastCode | None = strawberry.field(description="As it was (null: added since).")
    after: PastCode | None = strawberry.field(description="As it is at the later point (null: deleted or merged away).")
    merged_into: strawberry.ID | None = strawberry.field(description="The code it was merged into (MERGED).")


@strawberry.type(description="How one theme changed between two points of the history.")
class ThemeChange:
    id: strawberry.ID
    changes: list[CodebookChangeKind]
    before: PastTheme | None
    after: PastTheme | None
    codes_added: list[strawberry.ID]
    codes_removed: list[strawberry.ID]


@strawberry.type(description="What changed in the codebook and themes between two points of the history.")
class CodebookDiff:
    before: Codebook
    after: Codebook
    codes: list[CodeChange] = strawberry.field(
        description="Codes added, renamed, redefined, moved (parent changed), merged or deleted."
    )
    themes: list[ThemeChange] = strawberry.field(
        description="Themes added, renamed, redefined, moved, with their status or codes changed, or deleted."
    )
    markdown: str = strawberry.field(description="The same as Markdown, for a project's audit trail.")

    @classmethod
    def of(cls, d: codebook_history.CodebookDiff) -> CodebookDiff:
        before, after = Codebook.of(d.before), Codebook.of(d.after)
        return cls(
            before=before,
            after=after,
            codes=[
                CodeChange(
                    id=strawberry.ID(c.id),
                    changes=list(c.changes),
                    before=PastCode.of(c.before) if c.before else None,
                    after=PastCode.of(c.after) if c.after else None,
                    merged_into=strawberry.ID(c.merged_into) if c.merged_into else None,
                )
                for c in d.codes
            ],
            themes=[
                ThemeChange(
                    id=strawberry.ID(t.id),
                    changes=list(t.changes),
                    before=PastTheme.of(t.before, d.before) if t.before else None,
                    after=PastTheme.of(t.after, d.after) if t.after else None,
                    codes_added=[strawberry.ID(i) for i in t.codes_added],
                    codes_removed=[strawberry.ID(i) for i in t.codes_removed],
                )
                for t in d.themes
            ],
            markdown=codebook_history.markdown(d),
        )


@strawberry.input(
    description="A point in a project's history: give `at` (a time) or `entryId` (just after that entry)."
)
class HistoryPoint:
    at: datetime | None = None
    entry_id: strawberry.ID | None = None

    def point(self) -> datetime | str:
        return codebook_history.point(self.at, self.entry_id)


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

    @strawberry.field(
        description="The codebook and themes as they were at a point of the history (`at` a time, or just "
        "after the entry `entryId`; neither: now), rebuilt from the activity history."
    )
    async def codebook_at(self, info: Info, project_id: strawberry.ID, point: HistoryPoint | None = None) -> Codebook:
        book = await info.context.reader.codebook_at(project_id, point.point() if point else None)
        return Codebook.of(book)

    @strawberry.field(
        description="What changed in the codebook and themes from one point of the history to another (`to` "
        "left out: now): codes added, renamed, redefined, moved, merged, deleted; themes likewise, with their "
        "status and codes. `markdown` gives it for an audit trail."
    )
    async def codebook_diff(
        self,
        info: Info,
        project_id: strawberry.ID,
        from_: Annotated[HistoryPoint, strawberry.argument(name="from")],
        to: HistoryPoint | None = None,
    ) -> CodebookDiff:
        diff = await info.context.reader.codebook_diff(project_id, from_.point(), to.point() if to else None)
        return CodebookDiff.of(diff)


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

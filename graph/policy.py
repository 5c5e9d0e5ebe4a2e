"""The access policy: who may do what in a project, decided in one place.

Every entry point (GraphQL, HTTP routes, websockets, the CLI, seeds and imports) names an
`Actor`; the service resolves it to a `Principal` in the project a request is about and
asks `require` before every read and write. The role table (also in the README):

| action                                                        | VIEWER | ANALYST   | OWNER |
|---------------------------------------------------------------|--------|-----------|-------|
| read the project (under blind coding: own codings only)       | yes    | yes       | yes   |
| code text; edit the shared codebook, themes, links and memos;  |        |           |       |
| add participants and documents (and their speakers' roles);  |        |           |       |
| import a REFI-QDA file or a transcript                         | no     | yes       | yes   |
| remove their own work (that holds no other coder's codings)   | no     | yes       | yes   |
| remove or merge away other people's work (or move the        |        |           |       |
| boundaries of an excerpt holding it)                          | no     | no        | yes   |
| membership, project settings, deleting the project            | no     | no        | yes   |
| revert a history entry: as its inverse needs (restoring       |        |           |       |
| other people's work in their name is held to removal's rule)  |        |           |       |

A non-member learns nothing: anything in a project they cannot read answers exactly as a
node that does not exist. Blind coding hides other coders' work from ANALYSTs only: their
codings, the excerpts only others marked, and the history of both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from graph.errors import Forbidden, NotFound
from graph.models import Event, Excerpt, Role
from graph.rules import now


@dataclass(frozen=True)
class Actor:
    """Who an entry point acts for. `trusted` is the local user with THEMEMAP_AUTH=off, the
    CLI and the seed loaders: OWNER of every project."""

    user_id: str
    trusted: bool = False


class Need(Enum):
    """What an operation needs of the caller in the project it touches."""

    READ = Role.VIEWER
    EDIT = Role.ANALYST
    ADMIN = Role.OWNER


RANK = {Role.VIEWER: 0, Role.ANALYST: 1, Role.OWNER: 2}


@dataclass(frozen=True)
class Principal:
    """An actor in one project: their role there (None for a non-member) and whether blind
    coding hides other coders' work from them."""

    actor: Actor
    project_id: str
    role: Role | None
    blind: bool

    @classmethod
    def of(cls, actor: Actor, project_id: str, role: Role | None, blind_coding: bool) -> Principal:
        if actor.trusted:
            return cls(actor, project_id, Role.OWNER, False)
        return cls(actor, project_id, role, blind_coding and role is Role.ANALYST)

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    @property
    def coder(self) -> str | None:
        """Whose codings this principal may see: their own under blind coding, else everyone's (None)."""
        return self.user_id if self.blind else None

    def may(self, need: Need) -> bool:
        return self.role is not None and RANK[self.role] >= RANK[need.value]

    def require(self, need: Need, kind: str = "project", id: str | None = None) -> None:
        """NotFound for a non-member (as if nothing were there), Forbidden for a role too low."""
        if self.role is None:
            raise NotFound(kind, id or self.project_id)
        if not self.may(need):
            raise Forbidden(
                f"Your role in this project is {self.role.value}; this needs {need.value.value} or above. "
                "Ask an OWNER.",
                role=self.role.value,
                needed=need.value.value,
            )

    def require_removal(self, what: str, owners: Iterable[str], doing: str = "remove") -> None:
        """Removing work needs EDIT when it is all the caller's own, else OWNER. `owners` are
        whoever created the node or holds codings the removal would take with it. A revert that
        puts other people's work back in their name (`doing="restore"`) is held to the same rule."""
        self.require(Need.EDIT)
        others = {o for o in owners if o != self.user_id}
        if others and self.role is not Role.OWNER:
            raise Forbidden(
                f"This would {doing} other people's work ({what}); only an OWNER may do that. "
                f"Ask an OWNER, or {doing} only your own work.",
                role=self.role.value if self.role else None,
                needed=Role.OWNER.value,
            )

    def sees_coder(self, coder_id: str) -> bool:
        return not self.blind or coder_id == self.user_id

    def sees_excerpt(self, excerpt: Excerpt, coded: bool) -> bool:
        """Under blind coding, only the excerpts the principal marked or (`coded`) coded."""
        return not self.blind or coded or excerpt.created_by == self.user_id

    def view(self, excerpt: Excerpt, marked_at: datetime | None = None) -> Excerpt:
        """The excerpt as this principal may see it: under blind coding, one that another coder marked
        first is shown as the principal's own marking, made when they first coded it (`marked_at`; by
        default now, as they have just coded it), so its provenance reveals neither who nor when."""
        if self.sees_coder(excerpt.created_by):
            return excerpt
        at = marked_at or now()
        return excerpt.model_copy(
            update={"created_by": self.user_id, "updated_by": self.user_id, "created_at": at, "updated_at": at}
        )

    def view_event(self, event: Event) -> Event:
        """The entry as this principal may read it: under blind coding, what a deletion or merge
        kept of other coders' codings is left out."""
        if not self.blind:
            return event
        update: dict[str, object] = {}
        for side in ("before", "after"):
            values = getattr(event, side)
            kept = (values or {}).get("removed")
            if kept and kept.get("codings"):
                mine = [c for c in kept["codings"] if c.get("coder_id") == self.user_id]
                update[side] = values | {"removed": kept | {"codings": mine}}
        return event.model_copy(update=update) if update else event

    def sees_event(self, event: Event) -> bool:
        """Under blind coding, other people's excerpt and coding events would reveal their codings."""
        return not self.blind or event.actor_id == self.user_id or not event.type.startswith("excerpt.")


@dataclass(frozen=True)
class ProjectView:
    """What a principal is shown of a project at one revision. The role decides what one may
    do, not what one sees; only blind coding narrows that, to one coder's work. So principals
    with equal views get equal answers to every analysis question about the project at that
    revision, and an entry point may answer such a question once for all of them."""

    project_id: str
    revision: int
    coder: str | None

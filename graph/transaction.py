"""The unit-of-work port: the primitive reads and writes a use case makes inside one
transaction of the store (`Store.write` / `Store.read`).

Adapters translate these into SQL or Cypher and nothing more: no business rule, no rule
message, no activity logging (those live once, in `graph.service`). Every method may be
called any number of times within one transaction and sees the transaction's own writes.
Unknown ids are not errors here: readers leave them out, and `delete`/`delete_*` on a
missing row report `False` or do nothing, so the service decides what the caller hears.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from graph.models import (
    Code,
    Coding,
    Event,
    Link,
    NodeKind,
    NodeRef,
    Related,
    Role,
    SpeakerRole,
    Stamped,
    Theme,
    Turn,
    User,
)

Span = tuple[str, int, int]
"""An excerpt's place: (document id, start, end) in code points."""


class ReadOnly(RuntimeError):
    """A write was attempted inside `Store.read`: a programming error, never a user's."""

    def __init__(self) -> None:
        super().__init__("This transaction only reads; run writes through Store.write.")


def require_writable(writable: bool) -> None:
    """What an adapter's write primitives call first."""
    if not writable:
        raise ReadOnly()


class Transaction(Protocol):
    # -- nodes -----------------------------------------------------------------------------
    async def refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        """The kind and project of each id that names a node (of any kind)."""

    async def nodes(self, kind: NodeKind, ids: Sequence[str]) -> dict[str, Any]:
        """The current models of the nodes of `kind` among `ids` (Link models carry their evidence)."""

    async def lock(self, ids: Sequence[str]) -> None:
        """Hold write locks on these nodes until the transaction ends (a no-op where the whole store is locked)."""

    async def insert(self, nodes: Sequence[Stamped]) -> None:
        """Create nodes (any mix of Project, Participant, Document, Excerpt, Code, Theme, Link with its
        evidence, Memo) exactly as given, in order; the caller has checked that their ids are free."""

    async def replace(self, node: Stamped) -> None:
        """Overwrite every field of an existing node with the model's (a Link's evidence too)."""

    async def delete(self, kind: NodeKind, id: str) -> None:
        """Delete a node with what cannot outlive it: a project's every node, membership and event; a
        document's excerpts; an excerpt's codings and evidence entries; a code's codings and theme
        memberships; a code's or theme's links; any node's memos; a participant's ABOUT edges (documents
        stay). Children in a tree must have been moved first."""

    # -- users and membership ------------------------------------------------------------
    async def users(self, ids: Sequence[str]) -> dict[str, User]: ...

    async def user_named(self, name: str) -> User | None:
        """The user with this name ignoring case (the oldest, should there be several)."""

    async def insert_user(self, user: User) -> None: ...

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> bool:
        """Replace the user's token hash (None revokes it); False if there is no such user."""

    async def role(self, project_id: str, user_id: str) -> Role | None: ...

    async def owners(self, project_id: str) -> list[str]:
        """The ids of the project's OWNERs."""

    async def set_role(self, project_id: str, user_id: str, role: Role) -> None:
        """Make the user a member with this role, or change their role."""

    async def remove_role(self, project_id: str, user_id: str) -> None: ...

    # -- trees and names -----------------------------------------------------------------
    async def named(self, kind: NodeKind, project_id: str, name: str, parent_id: str | None = None) -> list[str]:
        """Ids of the project's codes under `parent_id` (None: top level), or of its themes (any
        parent; `parent_id` ignored), whose name equals `name` ignoring case; or of its participants
        whose pseudonym does."""

    async def children(self, kind: NodeKind, parent_id: str) -> list[Code] | list[Theme]:
        """The codes or themes whose parent is `parent_id`."""

    async def ancestors(self, kind: NodeKind, id: str) -> list[str]:
        """The ids above a code or theme in its tree, nearest first."""

    # -- excerpts and codings ------------------------------------------------------------
    async def excerpts_at(self, spans: Sequence[Span]) -> dict[Span, str]:
        """The id of the excerpt at each span that has one."""

    async def document_texts(self, ids: Sequence[str]) -> dict[str, str]:
        """The text of each existing document (without the rest of its model)."""

    async def codings(self, excerpt_ids: Sequence[str]) -> list[Coding]:
        """The codings of these excerpts, by excerpt, code and coder."""

    async def insert_codings(self, codings: Sequence[Coding]) -> None:
        """Record codings; one that exists already for (excerpt, code, coder) is kept as it was."""

    async def delete_coding(self, excerpt_id: str, code_id: str, coder_id: str) -> bool:
        """Remove one coding; False if there was none."""

    async def coders_under(self, kind: NodeKind, id: str) -> set[str]:
        """Whose codings deleting this node would remove: an excerpt's, a document's excerpts',
        a code's (empty for other kinds)."""

    async def related(self, id: str) -> Related:
        """What holds on to the node `id` (see `Related`); empty for an unknown id."""

    async def creators_under(self, kind: NodeKind, id: str) -> set[str]:
        """Who created the excerpts deleting this node would remove: a document's or an excerpt's
        (empty for other kinds)."""

    # -- speaker turns ---------------------------------------------------------------------
    async def turns(self, document_ids: Sequence[str]) -> dict[str, list[Turn]]:
        """Each document's speaker turns in text order (every given id a key; [] when none)."""

    async def set_turns(self, document_id: str, turns: Sequence[Turn]) -> None:
        """Replace an existing document's turns with these (in text order, none overlapping); they
        go when the document goes."""

    async def set_speaker_role(self, document_id: str, speaker: str, role: SpeakerRole | None) -> None:
        """Give every turn of `speaker` in the document this role (None: no role)."""

    # -- concepts --------------------------------------------------------------------------
    async def theme_codes(self, theme_ids: Sequence[str]) -> dict[str, list[str]]:
        """The ids of each theme's member codes, in id order (every given id a key; [] when none)."""

    async def add_to_themes(self, members: Sequence[tuple[str, str]], project_id: str, actor: str, at: str) -> None:
        """Make each (code id, theme id) a membership (nothing happens for one that is); `at` is UTC
        ISO-8601. Many at once: an import's or a seed's memberships go in one batch."""

    async def remove_from_theme(self, code_id: str, theme_id: str) -> bool:
        """False if the code was not a member of the theme."""

    async def pinned(self, target_ids: Sequence[str]) -> dict[str, list[str]]:
        """The ids of the excerpts pinned to each code or theme as its quotes, in their order (every
        given id a key; [] when none)."""

    async def set_pinned(self, target_id: str, project_id: str, excerpt_ids: Sequence[str]) -> None:
        """Make these excerpts, in this order, the quotes pinned to an existing code or theme (replacing
        those it had); a pin goes when its excerpt or its code or theme goes."""

    async def links_between(self, a: str, b: str) -> list[Link]:
        """The links from a to b and from b to a."""

    async def merge_code(self, source_id: str, target_id: str) -> None:
        """Re-point the source code's codings, theme memberships, links and memos to the target
        (dropping codings and memberships the target has already, and links that would join the
        target to itself), then delete the source. Its children must have been moved first."""

    # -- the map's node positions -------------------------------------------------------------
    async def positions(self, project_id: str) -> dict[str, tuple[float, float]]:
        """The saved (x, y) of the project's codes and themes that have one, by node id; a node's
        position goes when the node goes."""

    async def set_positions(self, project_id: str, positions: Mapping[str, tuple[float, float]]) -> None:
        """Save these positions of existing codes and themes of the project (replacing theirs; the
        other nodes keep theirs)."""

    # -- history ---------------------------------------------------------------------------
    async def append(self, events: Sequence[Event]) -> None:
        """Append these entries, in order, to their projects' activity history (each counts as one
        revision of its project). Many at once: an import's entries go in one batch."""

    async def event(self, id: str) -> Event | None:
        """The history entry with this id (of any project), if there is one."""

    async def removed(self, project_id: str, ids: Sequence[str]) -> dict[str, datetime]:
        """When each of `ids` was last deleted from the project or merged away, by its history
        (`*.deleted` and `code.merged` entries naming it first); ids never removed are absent."""

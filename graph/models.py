"""Pydantic models for every node and relation of the thememap graph.

Models are immutable snapshots handed out by a store; inputs for writes live in
`graph.inputs`. Instants are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import Enum
from typing import Any, Union

from pydantic import BaseModel, ConfigDict

from graph import cursors
from graph.errors import BadInput

AttributeValue = Union[bool, int, float, str]
"""A participant attribute value: string, number or boolean (bool first so it is not read as int)."""


class Role(str, Enum):
    OWNER = "OWNER"
    ANALYST = "ANALYST"
    VIEWER = "VIEWER"


class ThemeStatus(str, Enum):
    CANDIDATE = "CANDIDATE"
    REVIEWED = "REVIEWED"
    DEFINED = "DEFINED"
    DISCARDED = "DISCARDED"


class LinkKind(str, Enum):
    ASSOCIATED_WITH = "ASSOCIATED_WITH"
    CAUSES = "CAUSES"
    CONTRADICTS = "CONTRADICTS"
    PART_OF = "PART_OF"
    IS_A = "IS_A"
    PROPERTY_OF = "PROPERTY_OF"
    PRECEDES = "PRECEDES"
    OTHER = "OTHER"

    @property
    def symmetric(self) -> bool:
        """Symmetric kinds read the same both ways (DESIGN.md)."""
        return self in (LinkKind.ASSOCIATED_WITH, LinkKind.CONTRADICTS)


class SpeakerRole(str, Enum):
    """Who a speaker of a transcript is, once someone has said: the person the document is
    about (its participant) or someone asking the questions."""

    PARTICIPANT = "PARTICIPANT"
    INTERVIEWER = "INTERVIEWER"


class NodeKind(str, Enum):
    """Labels of the graph's nodes; also the allow-list of labels an adapter may use."""

    PROJECT = "Project"
    PARTICIPANT = "Participant"
    DOCUMENT = "Document"
    EXCERPT = "Excerpt"
    CODE = "Code"
    THEME = "Theme"
    LINK = "Link"
    MEMO = "Memo"


CONCEPT_KINDS = frozenset({NodeKind.CODE, NodeKind.THEME})


class Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Stamped(Model):
    """Provenance that every node carries."""

    id: str
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime


class User(Model):
    id: str
    name: str
    email: str | None = None
    created_at: datetime


class Membership(Model):
    project_id: str
    user_id: str
    role: Role


class Project(Stamped):
    name: str
    description: str = ""
    blind_coding: bool = False
    """While on, ANALYSTs see only their own codings (independent coding)."""


class Participant(Stamped):
    project_id: str
    pseudonym: str
    attributes: dict[str, AttributeValue] = {}


class Document(Stamped):
    project_id: str
    participant_id: str | None
    title: str
    text: str
    kind: str = "transcript"
    groups: tuple[str, ...] = ()
    """The document sets it belongs to, by name (a study's "age: 67" or "second interviews"):
    a case filter can keep to them; they are not themes."""


class Turn(Model):
    """A stretch of a transcript that one speaker says: `text[start:end]` of its document, in
    code points like excerpts. `role` is the speaker's, the same on all their turns."""

    speaker: str
    start: int
    end: int
    role: SpeakerRole | None = None


class Excerpt(Stamped):
    project_id: str
    document_id: str
    start: int
    end: int
    text: str


class Coding(Model):
    """Excerpt -CODED_AS {coder, at}-> Code; one per (excerpt, code, coder)."""

    project_id: str
    excerpt_id: str
    code_id: str
    coder_id: str
    created_at: datetime


class Code(Stamped):
    project_id: str
    parent_id: str | None
    name: str
    description: str = ""
    color: str | None = None
    codable: bool = True
    """False for a category that only groups other codes (REFI-QDA's isCodable)."""
    version: int


class Theme(Stamped):
    project_id: str
    parent_id: str | None
    name: str
    description: str = ""
    status: ThemeStatus
    version: int


class Link(Stamped):
    """A concept link between two codes or themes, with its supporting excerpts."""

    project_id: str
    source_id: str
    source_kind: NodeKind
    target_id: str
    target_kind: NodeKind
    kind: LinkKind
    label: str | None = None
    note: str | None = None
    evidence_excerpt_ids: tuple[str, ...] = ()
    version: int


class Memo(Stamped):
    project_id: str
    target_id: str
    target_kind: NodeKind
    title: str
    body: str = ""
    version: int


class Related(Model):
    """What else in the graph holds on to a node, by id: what deleting it would take with it or
    change, and what must not be there for a revert to undo its creation. A document's excerpts
    count as its own (their codings, memos and citing links are the document's too)."""

    excerpt_ids: tuple[str, ...] = ()
    """A document's excerpts."""
    codings: tuple[Coding, ...] = ()
    """A code's codings; an excerpt's; a document's excerpts'."""
    memberships: tuple[tuple[str, str], ...] = ()
    """(code id, theme id) of a code's themes or a theme's codes."""
    link_ids: tuple[str, ...] = ()
    """Links with the node (a code or theme) at one end."""
    citing_link_ids: tuple[str, ...] = ()
    """Links citing the excerpt (a document's excerpts) as evidence."""
    memo_ids: tuple[str, ...] = ()
    """Memos about the node, about its links, or about a document's excerpts."""
    document_ids: tuple[str, ...] = ()
    """A participant's documents."""

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in type(self).model_fields)


class NodeRef(Model):
    """What a node id is and where it belongs: enough to authorise a request about it."""

    kind: NodeKind
    project_id: str


class Event(Model):
    """One entry of a project's activity history: who did what to which nodes, with the
    values before and after (None where there were none)."""

    id: str
    project_id: str
    actor_id: str
    type: str
    target_ids: tuple[str, ...]
    at: datetime
    summary: str
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    reverts: str | None = None
    """The entry this change undid, when it was a revert."""


class EventPage(Model):
    """A page of activity, newest first; `cursors[i]` resumes after `events[i]`."""

    events: tuple[Event, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


class UserPage(Model):
    """A page of users by name; `cursors[i]` resumes after `users[i]`."""

    users: tuple[User, ...]
    cursors: tuple[str, ...]
    has_next_page: bool


class ConceptStats(Model):
    """Prevalence of a code or theme: distinct excerpts and distinct participants."""

    excerpt_count: int
    participant_count: int


class Page(Model):
    """One page of a keyset-paginated list; `cursors[i]` resumes after `items[i]`."""

    items: tuple[Excerpt, ...]
    cursors: tuple[str, ...]
    has_next_page: bool

    @classmethod
    def of_list(cls, excerpts: list[Excerpt], first: int | None, after: str | None) -> Page:
        """A page of a whole list of excerpts in document and text order (all the rest without `first`)."""
        if first is not None and first < 0:
            raise BadInput("first must be zero or more.")
        if after is not None:
            key = cursors.decode(after, *cursors.EXCERPT_KEY)
            excerpts = [e for e in excerpts if [e.document_id, e.start, e.end, e.id] > key]
        return cls.of_excerpts(excerpts, len(excerpts) if first is None else first)

    @classmethod
    def of_excerpts(cls, found: list[Excerpt], first: int) -> Page:
        """The page of `first` excerpts from `found` (in document and text order), read with one extra to
        tell whether more follow."""
        return cls.of_keyed([(e, [e.document_id, e.start, e.end, e.id]) for e in found], first)

    @classmethod
    def of_keyed(cls, found: list[tuple[Excerpt, list[Any]]], first: int) -> Page:
        """The page of `first` excerpts from `found`, each with its sort key, read with one extra."""
        chosen = found[:first]
        return cls(
            items=tuple(e for e, _ in chosen),
            has_next_page=len(found) > first,
            cursors=tuple(cursors.encode(key) for _, key in chosen),
        )


class MemoPage(Model):
    """One page of the memos about a node, oldest first; `cursors[i]` resumes after `items[i]`."""

    items: tuple[Memo, ...]
    cursors: tuple[str, ...]
    has_next_page: bool

    @classmethod
    def of_memos(cls, found: list[Memo], first: int, stored_at: Callable[[Memo], str]) -> MemoPage:
        """The page of `first` memos from `found` (read with one extra); `stored_at` is a memo's
        creation time as its store keeps and compares it."""
        items = found[:first]
        return cls(
            items=tuple(items),
            has_next_page=len(found) > first,
            cursors=tuple(cursors.encode([stored_at(m), m.id]) for m in items),
        )

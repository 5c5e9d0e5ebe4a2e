"""Bringing a kept snapshot up to date from the project's history instead of reading the
whole project again.

Every change appends one history entry, so the entries after a kept snapshot's last one
say what changed since. A snapshot has small parts (participants, codes, themes, their
memberships, links, documents: hundreds or a few thousand rows) and large ones (excerpts,
codings, speaker turns: up to millions). An update reads the small parts whole, which is
cheap and leaves nothing to derive (unless the entries are all codings: then they are the
kept snapshot's), and of the large parts only what the entries name:

- an `excerpt.*` entry: the excerpts among its targets, with their codings, read again
  (one that is gone is dropped);
- `code.deleted` and `code.merged`: the excerpts that had the code, read again;
- a `document.*` entry: that document's excerpts (with their codings) and speaker turns
  read again, whichever excerpts it has now;
- the rest of the large parts follow the small ones: excerpts of a document that is gone
  are dropped with their codings, and an excerpt's participant is its document's.

Reading what an entry names is idempotent (it reads the current state), so an entry seen
twice, or a change committed between two reads of a store without snapshot isolation,
does no harm. An entry of a kind not listed in `_SMALL` or handled above, a gap larger
than `GAP` entries, entries that do not account for the whole revision (one committed
late with an earlier time), or changes touching more than `SHARE` of the excerpts mean a
full read instead. A new kind of history entry that changes excerpts, codings or turns
must be handled in `touched`; until it is, it costs a full read, never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from graph.analysis.matrices import Change
from graph.analysis.snapshot import Basis, CodingFact, DocumentFact, ExcerptFact, Snapshot, TurnFact
from graph.models import Code, Link, Participant, Theme

GAP = 500
"""History entries at most applied to a kept snapshot; past that, the project is read whole."""
SHARE = 0.25
"""Share of a project's excerpts past which reading them whole is cheaper than reading them by id."""
FEW = 100
"""Excerpts that are always cheaper to read by id, however small the project."""

_SMALL: dict[str, set[str] | None] = {
    "project": None,
    "member": None,
    "participant": None,
    "code": {"created", "updated"},
    "theme": None,
    "link": None,
    "memo": None,
    "map": None,  # node positions: nothing a snapshot holds
}
"""Kinds of history entry (all verbs, or the verbs listed) that change only small parts."""
_LARGE_ONLY = frozenset({"excerpt.coded", "excerpt.coded_in_bulk"})
"""History entries that change only large parts: after only these, the small parts are the
kept snapshot's (coding, what a team does most, reads nothing else)."""


class Entry(NamedTuple):
    """What an update needs of a history entry."""

    type: str
    target_ids: tuple[str, ...]


@dataclass(frozen=True)
class Parts:
    """A snapshot's small parts, read whole on every update."""

    participants: list[Participant]
    codes: list[Code]
    themes: list[Theme]
    memberships: list[tuple[str, str]]
    links: list[Link]
    documents: dict[str, DocumentFact]
    document_lengths: dict[str, int]

    @classmethod
    def of(cls, snapshot: Snapshot) -> Parts:
        return cls(
            snapshot.participants,
            snapshot.codes,
            snapshot.themes,
            snapshot.memberships,
            snapshot.links,
            snapshot.documents,
            snapshot.document_lengths,
        )

    def snapshot(
        self,
        project_id: str,
        excerpts: list[ExcerptFact],
        codings: list[CodingFact],
        turns: list[TurnFact],
        revision: int,
        cursor: str | None,
        basis: Basis | None = None,
    ) -> Snapshot:
        """The snapshot of these small parts and those large ones."""
        return Snapshot(
            project_id=project_id,
            participants=self.participants,
            codes=self.codes,
            themes=self.themes,
            memberships=self.memberships,
            links=self.links,
            excerpts=excerpts,
            codings=codings,
            document_lengths=self.document_lengths,
            turns=turns,
            revision=revision,
            documents=self.documents,
            cursor=cursor,
            basis=basis,
        )


@dataclass(frozen=True)
class Touched:
    """What history entries change in a snapshot's large parts."""

    excerpts: frozenset[str]
    """Excerpts whose fact and codings are read again (absent when read: gone)."""
    documents: frozenset[str]
    """Documents whose excerpts (all they have now), codings and speaker turns are read again."""
    small: bool = True
    """Whether the small parts may have changed too, and are read again (else the kept snapshot's stand)."""


def touched(kept: Snapshot, events: Sequence[Entry], revision: int) -> Touched | None:
    """What the `events` after `kept` (oldest first) change in its large parts, or None when the
    project should be read whole (see the module's docstring)."""
    if kept.cursor is None or not events or len(events) != revision - kept.revision or len(events) > GAP:
        return None
    excerpts: set[str] = set()
    documents: set[str] = set()
    replaced: set[str] = set()
    for event in events:
        kind, _, verb = event.type.partition(".")
        if kind == "excerpt":
            excerpts.update(event.target_ids)  # other targets (its document, codes) are no excerpt: harmless
        elif event.type in ("code.deleted", "code.merged"):
            replaced.add(event.target_ids[0])
        elif kind == "document":
            documents.add(event.target_ids[0])
        elif kind not in _SMALL or ((verbs := _SMALL[kind]) is not None and verb not in verbs):
            return None
    if replaced:
        excerpts.update(c.excerpt_id for c in kept.codings if c.code_id in replaced)
    if documents:
        excerpts.update(f.id for f in kept.excerpts if f.document_id in documents)
    if len(excerpts) > max(SHARE * len(kept.excerpts), FEW):
        return None
    return Touched(frozenset(excerpts), frozenset(documents), any(e.type not in _LARGE_ONLY for e in events))


def updated(
    kept: Snapshot,
    touched: Touched,
    parts: Parts | None,
    excerpts: list[ExcerptFact],
    codings: list[CodingFact],
    turns: list[TurnFact],
    revision: int,
    cursor: str | None,
) -> Snapshot:
    """`kept` with the small parts as read (None: not read, as `touched.small` allows, so kept's),
    the touched excerpts (and their codings) and the touched documents' turns as read, and the
    rest of its large parts as they were."""
    parts = parts or Parts.of(kept)
    documents = parts.documents
    vanished = kept.documents.keys() - documents.keys()
    gone = (
        touched.excerpts | {f.id for f in kept.excerpts if f.document_id in vanished} if vanished else touched.excerpts
    )
    moved = {
        d
        for d, fact in documents.items()
        if d in kept.documents and kept.documents[d].participant_id != fact.participant_id
    }
    still = [
        f._replace(participant_id=documents[f.document_id].participant_id) if f.document_id in moved else f
        for f in kept.excerpts
        if f.id not in gone
    ]
    again = touched.documents | vanished
    change = Change(gone=frozenset(gone), excerpts=excerpts, codings=codings, moved=bool(moved))
    return parts.snapshot(
        kept.project_id,
        still + excerpts,
        [c for c in kept.codings if c.excerpt_id not in gone] + codings,
        [t for t in kept.turns if t.document_id not in again] + turns,
        revision,
        cursor,
        Basis.after(kept, change),
    )

"""The codebook and themes as they were at a past point, rebuilt from the history, and what
changed between two points (the audit trail a team keeps), also as Markdown.

The codebook is replayed forward from the project's first entry: every creation entry carries
the node's values, every update its values after, so the replay needs nothing else, and entries
recorded before reverts existed replay as well as new ones (what a deletion or merge moves
silently, the children of the node that goes, follows from the entry itself). Replaying backward
from now would need every entry's values before, which membership entries never had. What the
history cannot answer is a code or theme made before the project kept a history: the replay to
now is compared with the codebook as it is, and the answer says when they differ (`complete`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from graph.activity import REMOVED
from graph.errors import BadInput
from graph.models import Code, Event, Model, Theme

KINDS = ("code", "theme")
"""The kinds of history entry the codebook is replayed from."""


class Change(str, Enum):
    ADDED = "ADDED"
    RENAMED = "RENAMED"
    REDEFINED = "REDEFINED"
    MOVED = "MOVED"
    STATUS_CHANGED = "STATUS_CHANGED"
    CODES_CHANGED = "CODES_CHANGED"
    MERGED = "MERGED"
    DELETED = "DELETED"


@dataclass
class Replay:
    """The codebook as the entries applied so far leave it."""

    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    themes: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, set[str]] = field(default_factory=dict)
    """Theme id -> its codes' ids."""
    merged_into: dict[str, str] = field(default_factory=dict)
    """Each code merged away (and not split out again) -> the code it went into."""

    def apply(self, e: Event) -> None:
        before, after = _values(e.before), _values(e.after)
        removed = (e.before or {}).get(REMOVED) or (e.after or {}).get(REMOVED) or {}
        match e.type:
            case "code.created" | "code.updated" | "code.restored":
                self.codes[after["id"]] = after
                self.merged_into.pop(after["id"], None)
                if e.type == "code.restored":
                    self._back(self.codes, after["id"], removed)
            case "code.deleted":
                self._gone(self.codes, before)
            case "code.merged":
                source, target = before["id"], after["id"]
                for codes in self.members.values():
                    if source in codes:
                        codes.add(target)
                self._gone(self.codes, before, target)
                self.codes[target] = after
                self.merged_into[source] = target
            case "code.unmerged":
                source, target = after["id"], before["id"]
                self.codes[source] = after
                self.merged_into.pop(source, None)
                kept = set((removed.get("target_had") or {}).get("themes", []))
                for _, theme in removed.get("memberships", []):
                    if theme not in kept:
                        self.members.get(theme, set()).discard(target)
                self._back(self.codes, source, removed)
            case "theme.created" | "theme.updated" | "theme.restored":
                self.themes[after["id"]] = after
                self.members.setdefault(after["id"], set())
                if e.type == "theme.restored":
                    self._back(self.themes, after["id"], removed)
            case "theme.deleted":
                self._gone(self.themes, before)
            case "theme.code_added":
                self.members.setdefault(e.target_ids[0], set()).add(e.target_ids[1])
            case "theme.code_removed":
                self.members.get(e.target_ids[0], set()).discard(e.target_ids[1])

    def _gone(self, nodes: dict[str, dict[str, Any]], values: dict[str, Any], heir: str | None = None) -> None:
        """A code or theme goes: its children move to `heir` (a merge's target) or its parent, and
        it leaves every theme (a theme: its memberships go)."""
        id = values["id"]
        nodes.pop(id, None)
        for child in nodes.values():
            if child.get("parent_id") == id:
                child["parent_id"] = heir or values.get("parent_id")
        if nodes is self.themes:
            self.members.pop(id, None)
        for codes in self.members.values():
            codes.discard(id)

    def _back(self, nodes: dict[str, dict[str, Any]], id: str, removed: dict[str, Any]) -> None:
        """A code or theme comes back (a revert): its children and memberships as recorded."""
        for child in removed.get("children", []):
            if child in nodes:
                nodes[child]["parent_id"] = id
        for code, theme in removed.get("memberships", []):
            self.members.setdefault(theme, set()).add(code)

    def book(self) -> PastCodebook:
        return PastCodebook(
            codes=tuple(Code.model_validate(v) for v in sorted(self.codes.values(), key=_order)),
            themes=tuple(Theme.model_validate(v) for v in sorted(self.themes.values(), key=_order)),
            members=tuple(sorted((t, c) for t, codes in self.members.items() if t in self.themes for c in codes)),
            merged_into=tuple(sorted(self.merged_into.items())),
        )


class PastCodebook(Model):
    """Codes and themes as they were; `members` are (theme id, code id) pairs."""

    codes: tuple[Code, ...]
    themes: tuple[Theme, ...]
    members: tuple[tuple[str, str], ...]
    merged_into: tuple[tuple[str, str], ...] = ()
    at: datetime | None = None
    """When the last entry it includes was made (None: before any)."""
    complete: bool = True
    """False when the project has codes or themes whose creation the history does not record."""

    def theme_codes(self, theme_id: str) -> list[str]:
        return [c for t, c in self.members if t == theme_id]


class CodeChange(Model):
    id: str
    changes: tuple[Change, ...]
    before: Code | None
    after: Code | None
    merged_into: str | None = None


class ThemeChange(Model):
    id: str
    changes: tuple[Change, ...]
    before: Theme | None
    after: Theme | None
    codes_added: tuple[str, ...] = ()
    codes_removed: tuple[str, ...] = ()


class CodebookDiff(Model):
    before: PastCodebook
    after: PastCodebook
    codes: tuple[CodeChange, ...]
    themes: tuple[ThemeChange, ...]


def point(at: datetime | None, entry_id: str | None) -> datetime | str:
    """A point of the history as a request names it: a time or a history entry's id, exactly one."""
    if at is not None and entry_id is None:
        return at
    if entry_id is not None and at is None:
        return entry_id
    raise BadInput("A history point needs exactly one of at (a time) and entryId (a history entry's id).")


def diff(a: PastCodebook, b: PastCodebook) -> CodebookDiff:
    """What changed from `a` to `b` (a code merged away in between says into which)."""
    merged = dict(b.merged_into)
    old_codes, new_codes = {c.id: c for c in a.codes}, {c.id: c for c in b.codes}
    codes: list[CodeChange] = []
    for id in [*old_codes, *(i for i in new_codes if i not in old_codes)]:
        was, now = old_codes.get(id), new_codes.get(id)
        if was is None:
            codes.append(CodeChange(id=id, changes=(Change.ADDED,), before=None, after=now))
        elif now is None:
            into = merged.get(id)
            codes.append(
                CodeChange(
                    id=id,
                    changes=(Change.MERGED if into else Change.DELETED,),
                    before=was,
                    after=None,
                    merged_into=into,
                )
            )
        elif found := _changes(was, now):
            codes.append(CodeChange(id=id, changes=found, before=was, after=now))
    old_themes, new_themes = {t.id: t for t in a.themes}, {t.id: t for t in b.themes}
    themes: list[ThemeChange] = []
    for id in [*old_themes, *(i for i in new_themes if i not in old_themes)]:
        was_t, now_t = old_themes.get(id), new_themes.get(id)
        if was_t is None:
            themes.append(ThemeChange(id=id, changes=(Change.ADDED,), before=None, after=now_t))
        elif now_t is None:
            themes.append(ThemeChange(id=id, changes=(Change.DELETED,), before=was_t, after=None))
        else:
            old_members, new_members = set(a.theme_codes(id)), set(b.theme_codes(id))
            found = _changes(was_t, now_t)
            if old_members != new_members:
                found += (Change.CODES_CHANGED,)
            if found:
                themes.append(
                    ThemeChange(
                        id=id,
                        changes=found,
                        before=was_t,
                        after=now_t,
                        codes_added=tuple(sorted(new_members - old_members)),
                        codes_removed=tuple(sorted(old_members - new_members)),
                    )
                )
    return CodebookDiff(before=a, after=b, codes=tuple(codes), themes=tuple(themes))


def _changes(was: Code | Theme, now: Code | Theme) -> tuple[Change, ...]:
    found: list[Change] = []
    if was.name != now.name:
        found.append(Change.RENAMED)
    if was.description != now.description:
        found.append(Change.REDEFINED)
    if was.parent_id != now.parent_id:
        found.append(Change.MOVED)
    if isinstance(was, Theme) and isinstance(now, Theme) and was.status != now.status:
        found.append(Change.STATUS_CHANGED)
    return tuple(found)


def markdown(d: CodebookDiff) -> str:
    """The diff as an audit-trail section: one line per change, codes then themes."""
    names = {c.id: c.name for book in (d.before, d.after) for c in book.codes}
    names |= {t.id: t.name for book in (d.before, d.after) for t in book.themes}
    since = d.before.at.strftime("%Y-%m-%d %H:%M:%S UTC") if d.before.at else "the start"
    until = d.after.at.strftime("%Y-%m-%d %H:%M:%S UTC") if d.after.at else "the start"

    def name(id: str | None) -> str:
        return "the top level" if id is None else f"**{names.get(id, id)}**"

    lines = [f"## Codebook changes from {since} to {until}", ""]
    for title, changes in (("Codes", d.codes), ("Themes", d.themes)):
        lines += [f"### {title}", ""]
        if not changes:
            lines += ["No changes.", ""]
            continue
        for c in changes:
            lines += [f"- {line}" for line in _lines(c, name)]
        lines.append("")
    return "\n".join(lines)


def _lines(c: CodeChange | ThemeChange, name: Any) -> list[str]:
    was, now = c.before, c.after
    if now is None and was is not None:
        into = c.merged_into if isinstance(c, CodeChange) else None
        return [f"Merged **{was.name}** into {name(into)}" if into else f"Deleted **{was.name}**"]
    if was is None and now is not None:
        described = f": {_quote(now.description)}" if now.description else ""
        return [f"Added **{now.name}** under {name(now.parent_id)}{described}"]
    assert was is not None and now is not None
    out: list[str] = []
    for change in c.changes:
        match change:
            case Change.RENAMED:
                out.append(f"Renamed **{was.name}** to **{now.name}**")
            case Change.REDEFINED:
                out.append(f"Redefined **{now.name}**: {_quote(was.description)} became {_quote(now.description)}")
            case Change.MOVED:
                out.append(f"Moved **{now.name}** from under {name(was.parent_id)} to under {name(now.parent_id)}")
            case Change.STATUS_CHANGED:
                out.append(f"Status of **{now.name}**: {was.status.value} became {now.status.value}")  # type: ignore[union-attr]
            case Change.CODES_CHANGED:
                assert isinstance(c, ThemeChange)
                added = ", ".join(name(i) for i in c.codes_added) or "none"
                removed = ", ".join(name(i) for i in c.codes_removed) or "none"
                out.append(f"Codes of **{now.name}**: added {added}; removed {removed}")
    return out


def _quote(text: str) -> str:
    return f"“{text}”" if text else "(no definition)"


def _values(values: dict[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (values or {}).items() if k != REMOVED}


def _order(values: dict[str, Any]) -> tuple[str, str]:
    return (str(values.get("created_at")), str(values["id"]))

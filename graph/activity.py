"""Activity history entries, built the same way for every adapter. Each store write
appends one in its own transaction, so history and data never disagree."""

from __future__ import annotations

from typing import Any

from graph import cursors
from graph.models import (
    Code,
    Document,
    Event,
    Excerpt,
    Link,
    Membership,
    Memo,
    Participant,
    Project,
    SpeakerRole,
    Stamped,
    Theme,
)
from graph.rules import new_id, now

_KINDS: dict[type, str] = {
    Project: "project",
    Participant: "participant",
    Document: "document",
    Excerpt: "excerpt",
    Code: "code",
    Theme: "theme",
    Link: "link",
    Memo: "memo",
}
_LEFT_OUT = {"text"}
"""Document texts can be megabytes; an excerpt's text is its span of one."""


def _label(model: Stamped) -> str:
    for field in ("name", "title", "pseudonym"):
        if hasattr(model, field):
            return repr(getattr(model, field))
    if isinstance(model, Excerpt):
        return repr(_clip(model.text))
    if isinstance(model, Link):
        return f"{model.kind.value} link"
    return model.id


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def values(model: Stamped | None) -> dict[str, Any] | None:
    if model is None:
        return None
    left_out = _LEFT_OUT if isinstance(model, Document) else set()
    return model.model_dump(mode="json", exclude=left_out)


def event(
    project_id: str,
    actor: str,
    type: str,
    targets: tuple[str, ...],
    summary: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> Event:
    """One history entry, made now. A revert's entry says which entry it undid: the service
    stamps `reverts` on it as it is appended."""
    return Event(
        id=new_id(),
        project_id=project_id,
        actor_id=actor,
        type=type,
        target_ids=targets,
        at=now(),
        summary=summary,
        before=before,
        after=after,
    )


def _targets(model: Stamped) -> tuple[str, ...]:
    """The node, and the nodes it is about (so `activity(targetId:)` finds it from either)."""
    if isinstance(model, Link):
        return (model.id, model.source_id, model.target_id)
    if isinstance(model, Memo):
        return (model.id, model.target_id)
    if isinstance(model, Excerpt):
        return (model.id, model.document_id)
    return (model.id,)


def created(actor: str, model: Stamped) -> Event:
    kind = _KINDS[type(model)]
    return event(
        _project(model),
        actor,
        f"{kind}.created",
        _targets(model),
        f"created {kind} {_label(model)}",
        after=values(model),
    )


def updated(actor: str, before: Stamped, after: Stamped) -> Event:
    kind = _KINDS[type(after)]
    old, new = values(before) or {}, values(after) or {}
    changed = sorted(k for k in new if old.get(k) != new[k] and k not in ("version", "updated_at", "updated_by"))
    what = ", ".join(changed) or "nothing"
    return event(
        _project(after),
        actor,
        f"{kind}.updated",
        _targets(after),
        f"changed {what} of {kind} {_label(after)}",
        before=old,
        after=new,
    )


REMOVED = "removed"
"""The key of a deletion's (and a merge's) `before` under which it keeps what went with the node
(codings, memberships, links, memos, children...), so that a revert can bring it back. Entries
from before reverts existed lack it."""


def deleted(actor: str, model: Stamped, removed: dict[str, Any] | None = None) -> Event:
    kind = _KINDS[type(model)]
    before = values(model) or {}
    return event(
        _project(model),
        actor,
        f"{kind}.deleted",
        _targets(model),
        f"deleted {kind} {_label(model)}",
        before=before if removed is None else before | {REMOVED: removed},
    )


def restored(actor: str, model: Stamped, removed: dict[str, Any]) -> Event:
    """A deleted node brought back (a revert of its deletion) with what went with it."""
    kind = _KINDS[type(model)]
    return event(
        _project(model),
        actor,
        f"{kind}.restored",
        _targets(model),
        f"restored {kind} {_label(model)}",
        after=(values(model) or {}) | {REMOVED: removed},
    )


def coded(actor: str, excerpt: Excerpt, codes: list[Code], coder: str) -> Event:
    names = ", ".join(repr(c.name) for c in codes)
    return event(
        excerpt.project_id,
        actor,
        "excerpt.coded",
        (excerpt.id, *(c.id for c in codes)),
        f"coded {_label(excerpt)} with {names}",
        after={"coder": coder, "code_ids": [c.id for c in codes]},
    )


def uncoded(actor: str, excerpt: Excerpt, codes: list[Code], coder: str) -> Event:
    names = ", ".join(repr(c.name) for c in codes)
    return event(
        excerpt.project_id,
        actor,
        "excerpt.uncoded",
        (excerpt.id, *(c.id for c in codes)),
        f"removed code {names} from {_label(excerpt)}",
        before={"coder": coder, "code_ids": [c.id for c in codes]},
    )


def bulk_coded(actor: str, project_id: str, excerpt_ids: list[str], codings: int) -> Event:
    return event(
        project_id,
        actor,
        "excerpt.coded_in_bulk",
        tuple(dict.fromkeys(excerpt_ids)),
        f"coded {len(set(excerpt_ids))} passages ({codings} codings) in bulk",
    )


def pinned(actor: str, verb: str, excerpt: Excerpt, target: Code | Theme, before: list[str], after: list[str]) -> Event:
    """A quote pinned to (or unpinned from) a code or theme. An `excerpt.` entry, so blind coding
    hides it from the other coders as it hides the excerpt."""
    kind = _KINDS[type(target)]
    phrase = "pinned quote {e} to {k} {t}" if verb == "pinned" else "unpinned quote {e} from {k} {t}"
    return event(
        target.project_id,
        actor,
        f"excerpt.{verb}",
        (excerpt.id, target.id),
        phrase.format(e=_label(excerpt), k=kind, t=_label(target)),
        before={"pinned_excerpt_ids": before},
        after={"pinned_excerpt_ids": after},
    )


def merged(actor: str, source: Code, target: Code, removed: dict[str, Any]) -> Event:
    return event(
        target.project_id,
        actor,
        "code.merged",
        (source.id, target.id),
        f"merged code {source.name!r} into {target.name!r}",
        before=(values(source) or {}) | {REMOVED: removed},
        after=values(target),
    )


def unmerged(actor: str, source: Code, target: Code, removed: dict[str, Any]) -> Event:
    """A merge undone: the source back, with what it brought to the target."""
    return event(
        target.project_id,
        actor,
        "code.unmerged",
        (source.id, target.id),
        f"split code {source.name!r} back out of {target.name!r}",
        before=values(target),
        after=(values(source) or {}) | {REMOVED: removed},
    )


def speaker_role(
    actor: str, document: Document, speaker: str, before: SpeakerRole | None, after: SpeakerRole | None
) -> Event:
    said = {SpeakerRole.PARTICIPANT: "the participant", SpeakerRole.INTERVIEWER: "an interviewer"}
    return event(
        document.project_id,
        actor,
        "document.speaker_role_set",
        (document.id,),
        f"marked speaker {speaker!r} of document {_label(document)} as {said[after]}"
        if after
        else f"unmarked speaker {speaker!r} of document {_label(document)}",
        before={"speaker": speaker, "role": before.value if before else None},
        after={"speaker": speaker, "role": after.value if after else None},
    )


def theme_membership(actor: str, verb: str, code: Code, theme: Theme) -> Event:
    phrase = "added code {c} to theme {t}" if verb == "added" else "removed code {c} from theme {t}"
    return event(
        theme.project_id,
        actor,
        f"theme.code_{verb}",
        (theme.id, code.id),
        phrase.format(c=repr(code.name), t=repr(theme.name)),
    )


def membership(actor: str, verb: str, member: Membership, name: str, before: Membership | None = None) -> Event:
    return event(
        member.project_id,
        actor,
        f"member.{verb}",
        (member.project_id, member.user_id),
        f"{verb} member {name!r} as {member.role.value}" if verb != "removed" else f"removed member {name!r}",
        before=before.model_dump(mode="json") if before else None,
        after=member.model_dump(mode="json") if verb != "removed" else None,
    )


def arranged(actor: str, project_id: str, moved: dict[str, tuple[float, float]]) -> Event:
    return event(
        project_id,
        actor,
        "map.arranged",
        tuple(moved),
        f"moved {len(moved)} node{'' if len(moved) == 1 else 's'} on the map",
        after={"positions": {id: list(at) for id, at in moved.items()}},
    )


def cursor(e: Event) -> str:
    return cursors.of_event(e.at.isoformat(), e.id)


def _project(model: Stamped) -> str:
    return model.id if isinstance(model, Project) else model.project_id  # type: ignore[attr-defined]

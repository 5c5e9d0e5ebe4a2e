"""Contract: the role table of `graph.policy`, as the service applies it over every adapter.

A VIEWER writes nothing; an ANALYST edits the shared work and removes their own, but not
other people's; an OWNER may do everything; a non-member learns nothing, as if what they
name did not exist. Every refused write leaves the project and its history as they were.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from graph.errors import Forbidden, NotFound
from graph.inputs import (
    CodedPassage,
    CodePatch,
    LinkPatch,
    MemoPatch,
    NewCode,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
    NewTheme,
    ParticipantPatch,
    ProjectPatch,
    ThemePatch,
)
from graph.models import Excerpt, Link, LinkKind, Memo, Role
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import TEXT, Small, member, small_project

ANA, BO, VIC, OUT = "ana", "bo", "vic", "out"
GHOST = "no-such-node"
Attempt = Callable[[Actor], Awaitable[Any]]


@dataclass
class Team:
    """A project of ACTOR's (its OWNER), two ANALYSTs, a VIEWER and an outsider, with an
    excerpt, a link and a memo of the owner's."""

    s: Small
    owner: Actor
    ana: Actor
    bo: Actor
    vic: Actor
    out: Actor
    excerpt: Excerpt
    link: Link
    memo: Memo


async def team(service: Service) -> Team:
    s = await small_project(service)
    owner = Actor(ACTOR)
    ana = await member(service, s.project.id, ANA, Role.ANALYST)
    bo = await member(service, s.project.id, BO, Role.ANALYST)
    vic = await member(service, s.project.id, VIC, Role.VIEWER)
    await service.ensure_user(OUT, "Out")
    excerpt = await service.code_text(owner, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    link = await service.link_concepts(owner, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.CAUSES))
    memo = await service.add_memo(owner, NewMemo(target_id=s.fear.id, title="the owner's"))
    return Team(s, owner, ana, bo, vic, Actor(OUT), excerpt, link, memo)


def every_write(service: Service, t: Team) -> dict[str, Attempt]:
    """Each write use case on the team's project, valid but for who makes it, in an order in
    which an OWNER could make them one after the other."""
    s, p = t.s, t.s.project.id
    span = NewExcerpt(document_id=s.doc_b.id, start=1, end=4)
    return {
        "createCode": lambda a: service.create_code(a, NewCode(project_id=p, name="New")),
        "updateCode": lambda a: service.update_code(a, s.fear.id, CodePatch(name="Renamed")),
        "createTheme": lambda a: service.create_theme(a, NewTheme(project_id=p, name="New")),
        "updateTheme": lambda a: service.update_theme(a, s.theme.id, ThemePatch(name="Renamed")),
        "addCodeToTheme": lambda a: service.add_code_to_theme(a, s.fear.id, s.theme.id),
        "removeCodeFromTheme": lambda a: service.remove_code_from_theme(a, s.fear.id, s.theme.id),
        "addParticipant": lambda a: service.add_participant(a, NewParticipant(project_id=p, pseudonym="New")),
        "updateParticipant": lambda a: service.update_participant(a, s.amira.id, ParticipantPatch(pseudonym="A")),
        "addDocument": lambda a: service.add_document(a, NewDocument(project_id=p, title="New", text=TEXT)),
        "createExcerpt": lambda a: service.create_excerpt(a, span),
        "codeExcerpt": lambda a: service.code_excerpt(a, t.excerpt.id, s.hope.id),
        "codeText": lambda a: service.code_text(a, span, [s.hope.id]),
        "codePassages": lambda a: service.code_passages(
            a, p, [CodedPassage(coder_id=a.user_id, excerpt=span, code_ids=(s.hope.id,))]
        ),
        "uncodeExcerpt": lambda a: service.uncode_excerpt(a, t.excerpt.id, s.fear.id, coder_id=ACTOR),
        "linkConcepts": lambda a: service.link_concepts(
            a, NewLink(source_id=s.hope.id, target_id=s.theme.id, kind=LinkKind.IS_A)
        ),
        "updateLink": lambda a: service.update_link(a, t.link.id, LinkPatch(note="n")),
        "pinQuote": lambda a: service.pin_quote(a, s.theme.id, t.excerpt.id, None),
        "unpinQuote": lambda a: service.unpin_quote(a, s.theme.id, t.excerpt.id),
        "addMemo": lambda a: service.add_memo(a, NewMemo(target_id=s.hope.id, title="New")),
        "updateMemo": lambda a: service.update_memo(a, t.memo.id, MemoPatch(body="b")),
        "unlink": lambda a: service.unlink(a, t.link.id),
        "deleteMemo": lambda a: service.delete_memo(a, t.memo.id),
        "deleteExcerpt": lambda a: service.delete_excerpt(a, t.excerpt.id),
        "mergeCodes": lambda a: service.merge_codes(a, s.fear.id, s.hope.id),
        "deleteCode": lambda a: service.delete_code(a, s.hope.id),
        "deleteTheme": lambda a: service.delete_theme(a, s.theme.id),
        "deleteParticipant": lambda a: service.delete_participant(a, s.amira.id),
        "deleteDocument": lambda a: service.delete_document(a, s.doc_a.id),
        "addMember": lambda a: service.add_member(a, p, OUT, Role.ANALYST),
        "changeRole": lambda a: service.change_role(a, p, VIC, Role.OWNER),
        "removeMember": lambda a: service.remove_member(a, p, VIC),
        "updateProject": lambda a: service.update_project(a, p, ProjectPatch(name="Renamed")),
        "deleteProject": lambda a: service.delete_project(a, p),
    }


async def state(store: Store, project_id: str) -> tuple[Any, ...]:
    """What a refused write must leave as it was: the project's nodes, codings, memos, pinned quotes,
    members and history."""
    snapshot = await store.project_snapshot(project_id)
    return (
        snapshot,
        await store.pinned_quotes([c.id for c in snapshot.codes] + [t.id for t in snapshot.themes]),
        await store.memos_of_projects([project_id]),
        await store.members_of_projects([project_id]),
        await store.activity(project_id, 1000),
    )


async def refused(error: type[Exception], call: Awaitable[Any]) -> Any:
    with pytest.raises(error) as caught:
        await call
    return caught.value


async def test_a_viewer_writes_nothing(store: Store, service: Service) -> None:
    t = await team(service)
    before = await state(store, t.s.project.id)
    for name, attempt in every_write(service, t).items():
        error = await refused(Forbidden, attempt(t.vic))
        assert error.extensions["role"] == Role.VIEWER.value, name
    assert await state(store, t.s.project.id) == before


async def test_a_non_member_finds_nothing_to_write(store: Store, service: Service) -> None:
    t = await team(service)
    before = await state(store, t.s.project.id)
    for attempt in every_write(service, t).values():
        await refused(NotFound, attempt(t.out))
    assert await state(store, t.s.project.id) == before


@pytest.mark.parametrize("who", ["owner", "trusted"])
async def test_an_owner_and_a_trusted_actor_may_write_everything(store: Store, service: Service, who: str) -> None:
    t = await team(service)
    actor = t.owner if who == "owner" else Actor(OUT, trusted=True)
    for attempt in every_write(service, t).values():
        await attempt(actor)
    assert await store.get_projects([t.s.project.id]) == {}


async def test_an_analyst_edits_shared_work_and_removes_their_own(store: Store, service: Service) -> None:
    t = await team(service)
    s, ana = t.s, t.ana
    await service.update_code(ana, s.fear.id, CodePatch(description="shared codebook"))
    await service.update_link(ana, t.link.id, LinkPatch(note="anyone may edit"))
    await service.add_code_to_theme(ana, s.fear.id, s.theme.id)
    await service.remove_code_from_theme(ana, s.fear.id, s.theme.id)
    code = await service.create_code(ana, NewCode(project_id=s.project.id, name="Mine"))
    merged_away = await service.create_code(ana, NewCode(project_id=s.project.id, name="Also mine"))
    theme = await service.create_theme(ana, NewTheme(project_id=s.project.id, name="My theme"))
    participant = await service.add_participant(ana, NewParticipant(project_id=s.project.id, pseudonym="Mine"))
    document = await service.add_document(
        ana, NewDocument(project_id=s.project.id, title="Mine", text=TEXT, participant_id=participant.id)
    )
    excerpt = await service.code_text(ana, NewExcerpt(document_id=document.id, start=0, end=5), [code.id, s.fear.id])
    await service.uncode_excerpt(ana, excerpt.id, s.fear.id)  # her coding with the owner's code
    link = await service.link_concepts(ana, NewLink(source_id=code.id, target_id=s.hope.id, kind=LinkKind.CAUSES))
    memo = await service.add_memo(ana, NewMemo(target_id=s.fear.id, title="mine"))
    await service.update_memo(ana, memo.id, MemoPatch(body="edited"))

    await service.unlink(ana, link.id)
    await service.delete_memo(ana, memo.id)
    await service.merge_codes(ana, merged_away.id, s.hope.id)  # her code, into the owner's
    await service.delete_excerpt(ana, excerpt.id)
    await service.delete_code(ana, code.id)
    await service.delete_theme(ana, theme.id)
    await service.delete_document(ana, document.id)
    await service.delete_participant(ana, participant.id)
    gone = [code.id, merged_away.id, theme.id, participant.id, document.id, excerpt.id, link.id, memo.id]
    assert await store.node_refs(gone) == {}
    for admin in ("updateProject", "deleteProject", "addMember", "changeRole", "removeMember"):
        error = await refused(Forbidden, every_write(service, t)[admin](ana))
        assert (error.extensions["role"], error.extensions["needed"]) == (Role.ANALYST.value, Role.OWNER.value)


async def test_an_analyst_may_not_remove_other_peoples_work_and_an_owner_may(store: Store, service: Service) -> None:
    t = await team(service)
    s, ana, bo = t.s, t.ana, t.bo
    mine = await service.create_code(ana, NewCode(project_id=s.project.id, name="Mine"))
    marked = await service.create_excerpt(ana, NewExcerpt(document_id=s.doc_b.id, start=0, end=5))
    await service.code_excerpt(bo, marked.id, mine.id)  # another coder applies her code to her excerpt
    document = await service.add_document(ana, NewDocument(project_id=s.project.id, title="Mine", text=TEXT))
    held = await service.create_excerpt(bo, NewExcerpt(document_id=document.id, start=0, end=5))
    attempts: dict[str, Attempt] = {  # in an order the owner can then carry out one by one
        "uncoding another coder's coding": lambda a: service.uncode_excerpt(a, marked.id, mine.id, coder_id=BO),
        "merging away another member's code": lambda a: service.merge_codes(a, s.hope.id, mine.id),
        "another member's link": lambda a: service.unlink(a, t.link.id),
        "another member's memo": lambda a: service.delete_memo(a, t.memo.id),
        "her excerpt with another coder's codings": lambda a: service.delete_excerpt(a, marked.id),
        "her code that another coder applied": lambda a: service.delete_code(a, mine.id),
        "another member's code": lambda a: service.delete_code(a, s.fear.id),
        "her document holding another member's excerpt": lambda a: service.delete_document(a, document.id),
        "another member's theme": lambda a: service.delete_theme(a, s.theme.id),
        "another member's participant": lambda a: service.delete_participant(a, s.becky.id),
    }
    before = await state(store, s.project.id)
    for what, attempt in attempts.items():
        error = await refused(Forbidden, attempt(ana))
        assert (error.extensions["role"], error.extensions["needed"]) == (Role.ANALYST.value, Role.OWNER.value), what
    assert await state(store, s.project.id) == before

    for attempt in attempts.values():
        await attempt(t.owner)
    gone = [
        marked.id,
        mine.id,
        s.fear.id,
        s.hope.id,
        document.id,
        held.id,
        s.theme.id,
        s.becky.id,
        t.link.id,
        t.memo.id,
    ]
    assert await store.node_refs(gone) == {}


async def test_a_non_member_cannot_tell_another_projects_nodes_from_missing_ones(
    store: Store, service: Service
) -> None:
    t = await team(service)
    s, out = t.s, t.out
    own = await small_project(service, name="Outsider's", actor=out)
    span = NewExcerpt(document_id=own.doc_a.id, start=0, end=5)
    excerpt = await service.create_excerpt(out, span)
    link = await service.link_concepts(out, NewLink(source_id=own.fear.id, target_id=own.hope.id, kind=LinkKind.CAUSES))
    references: dict[str, tuple[str, Callable[[str], Awaitable[Any]]]] = {
        "createExcerpt": (
            s.doc_a.id,
            lambda id: service.create_excerpt(out, NewExcerpt(document_id=id, start=0, end=5)),
        ),
        "codeText": (s.fear.id, lambda id: service.code_text(out, span, [own.fear.id, id])),
        "codeExcerpt": (s.fear.id, lambda id: service.code_excerpt(out, excerpt.id, id)),
        "codePassages into a document": (
            s.doc_a.id,
            lambda id: service.code_passages(
                out,
                own.project.id,
                [
                    CodedPassage(
                        coder_id=OUT, excerpt=NewExcerpt(document_id=id, start=0, end=5), code_ids=(own.fear.id,)
                    )
                ],
            ),
        ),
        "codePassages into a project": (
            s.project.id,
            lambda id: service.code_passages(
                out, id, [CodedPassage(coder_id=OUT, excerpt=span, code_ids=(own.fear.id,))]
            ),
        ),
        "createCode under a parent": (
            s.fear.id,
            lambda id: service.create_code(out, NewCode(project_id=own.project.id, name="x", parent_id=id)),
        ),
        "createCode in a project": (
            s.project.id,
            lambda id: service.create_code(out, NewCode(project_id=id, name="x")),
        ),
        "addDocument about a participant": (
            s.amira.id,
            lambda id: service.add_document(
                out, NewDocument(project_id=own.project.id, title="x", text="x", participant_id=id)
            ),
        ),
        "linkConcepts": (
            s.fear.id,
            lambda id: service.link_concepts(out, NewLink(source_id=own.fear.id, target_id=id, kind=LinkKind.CAUSES)),
        ),
        "updateLink evidence": (
            t.excerpt.id,
            lambda id: service.update_link(out, link.id, LinkPatch(evidence_excerpt_ids=(id,))),
        ),
        "addCodeToTheme": (s.fear.id, lambda id: service.add_code_to_theme(out, id, own.theme.id)),
        "mergeCodes": (s.fear.id, lambda id: service.merge_codes(out, own.hope.id, id)),
        "addMemo": (s.fear.id, lambda id: service.add_memo(out, NewMemo(target_id=id, title="x"))),
        "updateCode": (s.fear.id, lambda id: service.update_code(out, id, CodePatch(name="x"))),
    }
    before = await state(store, s.project.id)
    for name, (id, attempt) in references.items():
        real: NotFound = await refused(NotFound, attempt(id))
        ghost: NotFound = await refused(NotFound, attempt(GHOST))
        assert real.message.replace(id, GHOST) == ghost.message, name
        assert {**real.extensions, "id": GHOST} == ghost.extensions, name
    assert await state(store, s.project.id) == before

    reader = service.reader(out)
    assert await reader.get_codes([s.fear.id, own.fear.id]) == {own.fear.id: own.fear}
    assert await reader.node_refs([s.doc_a.id, s.project.id]) == {}
    assert (await reader.codes_of_projects([s.project.id]))[s.project.id] == []
    real = await refused(NotFound, reader.theme_map(s.project.id))
    assert real.message.replace(s.project.id, GHOST) == (await refused(NotFound, reader.theme_map(GHOST))).message


async def test_blind_coding_keeps_an_analyst_to_their_own_codings(store: Store, service: Service) -> None:
    t = await team(service)
    s = t.s
    await service.update_project(TRUSTED, s.project.id, ProjectPatch(blind_coding=True))
    theirs = await service.code_text(t.bo, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    mine = await service.code_text(t.ana, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.fear.id])
    assert mine.id == theirs.id and mine.created_by == ANA, "another coder's marking is shown as her own"
    codings = await service.reader(t.ana).codings_of_excerpts([mine.id])
    assert [(c.code_id, c.coder_id) for c in codings[mine.id]] == [(s.fear.id, ANA)]
    everyone = await service.reader(t.owner).codings_of_excerpts([mine.id])
    assert sorted((c.code_id, c.coder_id) for c in everyone[mine.id]) == sorted([(s.hope.id, BO), (s.fear.id, ANA)])
    with pytest.raises(Forbidden):
        await service.uncode_excerpt(t.ana, mine.id, s.hope.id, coder_id=BO)


async def test_blind_coding_hides_other_coders_pinned_quotes(store: Store, service: Service) -> None:
    t = await team(service)
    s = t.s
    await service.update_project(TRUSTED, s.project.id, ProjectPatch(blind_coding=True))
    theirs = await service.code_text(t.bo, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    mine = await service.code_text(t.ana, NewExcerpt(document_id=s.doc_b.id, start=6, end=9), [s.hope.id])
    await service.pin_quote(t.owner, s.theme.id, theirs.id, None)
    assert (await service.reader(t.ana).pinned_quotes([s.theme.id]))[s.theme.id] == []
    await service.pin_quote(t.ana, s.theme.id, mine.id, 0)  # first of those she sees: after the hidden one
    assert (await store.pinned_quotes([s.theme.id]))[s.theme.id] == [theirs.id, mine.id]
    assert [e.id for e in (await service.reader(t.ana).pinned_quotes([s.theme.id]))[s.theme.id]] == [mine.id]
    assert [e.id for e in (await service.reader(t.vic).pinned_quotes([s.theme.id]))[s.theme.id]] == [
        theirs.id,
        mine.id,
    ]
    for attempt in (
        service.pin_quote(t.ana, s.theme.id, theirs.id, None),
        service.unpin_quote(t.ana, s.theme.id, theirs.id),
    ):
        real = await refused(NotFound, attempt)
        assert theirs.id in real.message
    history = await service.reader(t.ana).activity(s.project.id, 100, target_id=s.theme.id)
    assert [e.actor_id for e in history.events if e.type == "excerpt.pinned"] == [ANA]

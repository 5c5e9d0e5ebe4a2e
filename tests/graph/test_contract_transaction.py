"""Contract: the unit-of-work primitives of `graph.transaction` (every adapter).

Models are built here as the service builds them, with every field set: an adapter stores
what it is given verbatim and applies no rule, so these tests never go through a use case.
Data stays small (the neo4j runs go over a slow Bolt server).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from graph.models import (
    Code,
    Coding,
    Document,
    Event,
    Excerpt,
    Link,
    LinkKind,
    Memo,
    NodeKind,
    NodeRef,
    Participant,
    Project,
    Role,
    Stamped,
    Theme,
    ThemeStatus,
    User,
)
from graph.store import Store
from graph.transaction import Transaction

ACTOR = "tx-actor"
OTHER = "tx-other"
NOW = datetime.now(UTC)
LATER = NOW + timedelta(seconds=1)
TEXT = "I was scared they'd take her. Then Jo came. 😀 née"


@pytest.fixture
async def repo(new_store: Callable[[], Store]) -> AsyncIterator[Store]:
    """An open store of the adapter under test, on an empty database."""
    store = new_store()
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def stamps(by: str = ACTOR, at: datetime = NOW) -> dict[str, Any]:
    return {"created_by": by, "created_at": at, "updated_by": by, "updated_at": at}


def new_id(label: str) -> str:
    """Ids are unique across the whole store, so two worlds never share one."""
    return f"{label}-{uuid4().hex[:12]}"


def kind_of(node: Stamped) -> NodeKind:
    return NodeKind(type(node).__name__)


def code(project_id: str, name: str, parent_id: str | None = None, **fields: Any) -> Code:
    return Code(
        id=new_id("code"), project_id=project_id, parent_id=parent_id, name=name, version=1, **{**stamps(), **fields}
    )


def link(source: Code | Theme, target: Code | Theme, kind: LinkKind, evidence: tuple[str, ...] = ()) -> Link:
    return Link(
        id=new_id("link"),
        project_id=source.project_id,
        source_id=source.id,
        source_kind=kind_of(source),
        target_id=target.id,
        target_kind=kind_of(target),
        kind=kind,
        evidence_excerpt_ids=evidence,
        version=1,
        **stamps(),
    )


def memo(target: Stamped, title: str) -> Memo:
    return Memo(
        id=new_id("memo"),
        project_id=getattr(target, "project_id", target.id),
        target_id=target.id,
        target_kind=kind_of(target),
        title=title,
        body="Why: " + title,
        version=1,
        **stamps(),
    )


def coding(excerpt: Excerpt, code: Code, coder: str, at: datetime = NOW) -> Coding:
    return Coding(project_id=excerpt.project_id, excerpt_id=excerpt.id, code_id=code.id, coder_id=coder, created_at=at)


def event(project_id: str, type: str, at: datetime, *target_ids: str) -> Event:
    return Event(
        id=new_id("event"),
        project_id=project_id,
        actor_id=ACTOR,
        type=type,
        target_ids=target_ids,
        at=at,
        summary=f"{type} by {ACTOR}",
        before={"name": "Fear", "version": 1},
        after=None,
    )


def user(name: str, at: datetime = NOW) -> User:
    return User(id=new_id("user"), name=name, email=f"{name.lower()}@example.org", created_at=at)


@dataclass
class World:
    """One small project with a node of every kind: codes Fear > Worry and Hope, themes
    Theme > Subtheme, a link Fear CAUSES Hope with evidence (second, first), a memo on Fear."""

    project: Project
    participant: Participant
    document: Document
    first: Excerpt
    second: Excerpt
    fear: Code
    worry: Code
    hope: Code
    theme: Theme
    subtheme: Theme
    link: Link
    memo: Memo

    @property
    def nodes(self) -> list[Stamped]:
        """Every node, parents before children (the order `insert` needs)."""
        return [
            self.project,
            self.participant,
            self.document,
            self.first,
            self.second,
            self.fear,
            self.worry,
            self.hope,
            self.theme,
            self.subtheme,
            self.link,
            self.memo,
        ]

    @property
    def ids(self) -> list[str]:
        return [n.id for n in self.nodes]


def build(name: str = "Study") -> World:
    p = new_id("project")
    project = Project(id=p, name=name, description="A small study", **stamps())
    participant = Participant(
        id=new_id("participant"),
        project_id=p,
        pseudonym="Amira",
        attributes={"involvement": "CP plan", "age": 7, "consented": True},
        **stamps(),
    )
    document = Document(
        id=new_id("document"), project_id=p, participant_id=participant.id, title="Interview A", text=TEXT, **stamps()
    )
    first = Excerpt(
        id=new_id("excerpt"), project_id=p, document_id=document.id, start=0, end=5, text=TEXT[0:5], **stamps()
    )
    second = Excerpt(
        id=new_id("excerpt"), project_id=p, document_id=document.id, start=6, end=12, text=TEXT[6:12], **stamps(OTHER)
    )
    fear = code(p, "Fear", color="#ff0000", description="Being afraid")
    worry = code(p, "Worry", fear.id)
    hope = code(p, "Hope", codable=False)
    theme = Theme(
        id=new_id("theme"),
        project_id=p,
        parent_id=None,
        name="Living with fear",
        status=ThemeStatus.CANDIDATE,
        version=1,
        **stamps(),
    )
    subtheme = Theme(
        id=new_id("theme"),
        project_id=p,
        parent_id=theme.id,
        name="Removal",
        description="Sub",
        status=ThemeStatus.REVIEWED,
        version=1,
        **stamps(),
    )
    causes = link(fear, hope, LinkKind.CAUSES, (second.id, first.id)).model_copy(update={"label": "drives"})
    return World(
        project, participant, document, first, second, fear, worry, hope, theme, subtheme, causes, memo(fear, "On fear")
    )


async def given(repo: Store, name: str = "Study") -> World:
    world = build(name)
    await repo.write(lambda tx: tx.insert(world.nodes))
    return world


async def insert(repo: Store, *nodes: Stamped) -> None:
    await repo.write(lambda tx: tx.insert(nodes))


async def codings_of(repo: Store, excerpt: Excerpt) -> list[tuple[str, str, datetime]]:
    found = (await repo.codings_of_excerpts([excerpt.id]))[excerpt.id]
    return sorted((c.code_id, c.coder_id, c.created_at) for c in found)


# -- nodes ----------------------------------------------------------------------------------


async def test_inserted_nodes_read_back_verbatim(repo: Store) -> None:
    w = build()

    async def work(tx: Transaction) -> dict[str, Any]:
        await tx.insert(w.nodes)
        return await tx.nodes(NodeKind.LINK, [w.link.id])  # the transaction sees its own writes

    assert await repo.write(work) == {w.link.id: w.link}

    async def everything(tx: Transaction) -> dict[str, Any]:
        return {n.id: await tx.nodes(kind_of(n), [n.id, "missing"]) for n in w.nodes}

    assert await repo.read(everything) == {n.id: {n.id: n} for n in w.nodes}
    refs = await repo.read(lambda tx: tx.refs([*w.ids, "missing"]))
    assert refs == {n.id: NodeRef(kind=kind_of(n), project_id=w.project.id) for n in w.nodes}
    assert (await repo.get_links([w.link.id]))[w.link.id].evidence_excerpt_ids == (w.second.id, w.first.id)
    assert await repo.get_codes([w.fear.id, w.hope.id]) == {w.fear.id: w.fear, w.hope.id: w.hope}
    assert await repo.node_refs([w.memo.id]) == {w.memo.id: NodeRef(kind=NodeKind.MEMO, project_id=w.project.id)}


async def test_nodes_of_several_ids_and_of_the_wrong_kind(repo: Store) -> None:
    w = await given(repo)
    codes = await repo.read(lambda tx: tx.nodes(NodeKind.CODE, [w.fear.id, w.hope.id, w.theme.id]))
    assert codes == {w.fear.id: w.fear, w.hope.id: w.hope}


async def test_replace_overwrites_every_field(repo: Store) -> None:
    w = await given(repo)
    later = stamps(OTHER, LATER)
    changed: list[Stamped] = [
        w.project.model_copy(update={"name": "Renamed", "description": "", "blind_coding": True, **later}),
        w.participant.model_copy(update={"pseudonym": "Bea", "attributes": {"age": 9.5, "plan": "none"}, **later}),
        w.worry.model_copy(
            update={
                "parent_id": None,
                "name": "Dread",
                "description": "New",
                "color": "#00ff00",
                "codable": False,
                "version": 2,
                **later,
            }
        ),
        w.fear.model_copy(update={"color": None, "version": 7}),
        w.subtheme.model_copy(update={"parent_id": None, "status": ThemeStatus.DEFINED, "version": 3, **later}),
        w.link.model_copy(
            update={
                "kind": LinkKind.CONTRADICTS,
                "label": None,
                "note": "Seen twice",
                "evidence_excerpt_ids": (w.first.id,),
                "version": 2,
                **later,
            }
        ),
        w.memo.model_copy(update={"title": "Fear, again", "body": "", "version": 2, **later}),
    ]

    async def work(tx: Transaction) -> None:
        await tx.lock([n.id for n in changed])
        for node in changed:
            await tx.replace(node)

    await repo.write(work)

    async def everything(tx: Transaction) -> dict[str, Any]:
        return {n.id: (await tx.nodes(kind_of(n), [n.id]))[n.id] for n in changed}

    assert await repo.read(everything) == {n.id: n for n in changed}
    assert (await repo.get_links([w.link.id]))[w.link.id].evidence_excerpt_ids == (w.first.id,)


async def test_concurrent_writes_are_serialised(repo: Store) -> None:
    w = await given(repo)

    async def bump(tx: Transaction) -> None:
        await tx.lock([w.fear.id])
        fear = (await tx.nodes(NodeKind.CODE, [w.fear.id]))[w.fear.id]
        await asyncio.sleep(0.01)
        await tx.replace(fear.model_copy(update={"version": fear.version + 1}))

    await asyncio.gather(*(repo.write(bump) for _ in range(3)))
    assert (await repo.get_codes([w.fear.id]))[w.fear.id].version == 4


# -- deletes ----------------------------------------------------------------------------------


async def test_deleting_a_document_takes_its_excerpts_their_codings_evidence_and_memos(repo: Store) -> None:
    w = await given(repo)
    note = memo(w.first, "On the first excerpt")
    await insert(repo, note)
    await repo.write(lambda tx: tx.insert_codings([coding(w.first, w.fear, ACTOR), coding(w.second, w.hope, OTHER)]))

    await repo.write(lambda tx: tx.delete(NodeKind.DOCUMENT, w.document.id))
    gone = [w.document.id, w.first.id, w.second.id, note.id]
    assert await repo.node_refs(gone) == {}
    assert await repo.codings_of_excerpts([w.first.id, w.second.id]) == {w.first.id: [], w.second.id: []}
    assert (await repo.get_links([w.link.id]))[w.link.id].evidence_excerpt_ids == ()
    assert set(await repo.node_refs(w.ids)) == set(w.ids) - set(gone)


async def test_deleting_an_excerpt_takes_its_codings_and_evidence_entries(repo: Store) -> None:
    w = await given(repo)
    await repo.write(lambda tx: tx.insert_codings([coding(w.first, w.fear, ACTOR), coding(w.second, w.fear, ACTOR)]))
    await repo.write(lambda tx: tx.delete(NodeKind.EXCERPT, w.second.id))
    assert await repo.node_refs([w.second.id]) == {}
    assert (await repo.get_links([w.link.id]))[w.link.id].evidence_excerpt_ids == (w.first.id,)
    assert [c[0] for c in await codings_of(repo, w.first)] == [w.fear.id]


async def test_deleting_concepts_takes_their_codings_memberships_links_and_memos(repo: Store) -> None:
    w = await given(repo)
    about_hope, about_link = memo(w.hope, "On hope"), memo(w.link, "On the link")
    to_theme = link(w.subtheme, w.fear, LinkKind.PART_OF)
    await insert(repo, about_hope, about_link, to_theme)

    async def setup(tx: Transaction) -> None:
        await tx.insert_codings([coding(w.first, w.hope, ACTOR), coding(w.first, w.fear, ACTOR)])
        await tx.add_to_themes([(w.hope.id, w.theme.id)], w.project.id, ACTOR, NOW.isoformat())
        await tx.add_to_themes([(w.fear.id, w.subtheme.id)], w.project.id, ACTOR, NOW.isoformat())

    await repo.write(setup)
    await repo.write(lambda tx: tx.delete(NodeKind.CODE, w.hope.id))
    assert await repo.node_refs([w.hope.id, w.link.id, about_hope.id, about_link.id]) == {}
    assert [c[0] for c in await codings_of(repo, w.first)] == [w.fear.id]
    assert await repo.codes_of_themes([w.theme.id]) == {w.theme.id: []}

    await repo.write(lambda tx: tx.delete(NodeKind.THEME, w.subtheme.id))
    assert await repo.node_refs([w.subtheme.id, to_theme.id]) == {}
    assert await repo.themes_of_codes([w.fear.id]) == {w.fear.id: []}
    assert set(await repo.node_refs(w.ids)) == set(w.ids) - {w.hope.id, w.link.id, w.subtheme.id}


async def test_deleting_a_participant_keeps_their_documents(repo: Store) -> None:
    w = await given(repo)
    await repo.write(lambda tx: tx.delete(NodeKind.PARTICIPANT, w.participant.id))
    assert await repo.node_refs([w.participant.id]) == {}
    assert (await repo.get_documents([w.document.id]))[w.document.id].participant_id is None


async def test_deleting_a_project_takes_everything_of_it_and_nothing_else(repo: Store) -> None:
    w, kept = await given(repo), await given(repo, "Kept")
    ada = user("Ada")
    child, across = code(w.project.id, "Panic", w.worry.id), link(w.theme, w.fear, LinkKind.OTHER)
    await insert(repo, child, across)

    async def setup(tx: Transaction) -> None:
        await tx.insert_user(ada)
        for world in (w, kept):
            await tx.set_role(world.project.id, ada.id, Role.OWNER)
            await tx.insert_codings([coding(world.first, world.fear, ada.id)])
            await tx.add_to_themes([(world.fear.id, world.theme.id)], world.project.id, ada.id, NOW.isoformat())
            await tx.append([event(world.project.id, "project.created", NOW, world.project.id)])

    await repo.write(setup)
    await repo.write(lambda tx: tx.delete(NodeKind.PROJECT, w.project.id))
    assert await repo.node_refs([*w.ids, child.id, across.id]) == {}
    assert await repo.read(lambda tx: tx.role(w.project.id, ada.id)) is None
    assert await repo.events_since(w.project.id, None) == []
    assert await repo.get_projects([w.project.id]) == {}

    assert set(await repo.node_refs(kept.ids)) == set(kept.ids)
    assert await repo.read(lambda tx: tx.role(kept.project.id, ada.id)) is Role.OWNER
    assert len(await repo.events_since(kept.project.id, None)) == 1
    assert [c[0] for c in await codings_of(repo, kept.first)] == [kept.fear.id]


async def test_deleting_what_is_not_there_does_nothing(repo: Store) -> None:
    w = await given(repo)
    await repo.write(lambda tx: tx.delete(NodeKind.CODE, "missing"))
    assert set(await repo.node_refs(w.ids)) == set(w.ids)


# -- trees and names ----------------------------------------------------------------------------


async def test_named_ignores_case_within_the_scope_of_the_name(repo: Store) -> None:
    w = await given(repo)
    elan = code(w.project.id, "Élan")
    await insert(repo, elan)
    p = w.project.id

    async def names(tx: Transaction) -> list[list[str]]:
        return [
            await tx.named(NodeKind.CODE, p, "FEAR"),
            await tx.named(NodeKind.CODE, p, "fear", w.fear.id),
            await tx.named(NodeKind.CODE, p, "worry"),
            await tx.named(NodeKind.CODE, p, "WORRY", w.fear.id),
            await tx.named(NodeKind.CODE, p, "éLAN"),
            await tx.named(NodeKind.CODE, "missing", "Fear"),
            await tx.named(NodeKind.THEME, p, "removal"),
            await tx.named(NodeKind.THEME, p, "LIVING WITH FEAR", w.fear.id),
            await tx.named(NodeKind.THEME, p, "Fear"),
        ]

    assert await repo.read(names) == [
        [w.fear.id],
        [],
        [],
        [w.worry.id],
        [elan.id],
        [],
        [w.subtheme.id],
        [w.theme.id],
        [],
    ]


async def test_children_and_ancestors(repo: Store) -> None:
    w = await given(repo)
    panic = code(w.project.id, "Panic", w.worry.id)
    await insert(repo, panic)

    async def trees(tx: Transaction) -> list[Any]:
        return [
            await tx.children(NodeKind.CODE, w.fear.id),
            await tx.children(NodeKind.CODE, w.worry.id),
            await tx.children(NodeKind.CODE, w.hope.id),
            await tx.children(NodeKind.THEME, w.theme.id),
            await tx.ancestors(NodeKind.CODE, panic.id),
            await tx.ancestors(NodeKind.CODE, w.fear.id),
            await tx.ancestors(NodeKind.THEME, w.subtheme.id),
            await tx.ancestors(NodeKind.THEME, w.theme.id),
        ]

    assert await repo.read(trees) == [
        [w.worry],
        [panic],
        [],
        [w.subtheme],
        [w.worry.id, w.fear.id],
        [],
        [w.theme.id],
        [],
    ]


# -- excerpts and codings -----------------------------------------------------------------------


async def test_excerpts_at_spans_and_document_texts(repo: Store) -> None:
    w = await given(repo)
    d = w.document.id

    async def reads(tx: Transaction) -> tuple[Any, Any]:
        at = await tx.excerpts_at([(d, 0, 5), (d, 6, 12), (d, 0, 4), ("missing", 0, 5)])
        return at, await tx.document_texts([d, w.first.id, "missing"])

    assert await repo.read(reads) == ({(d, 0, 5): w.first.id, (d, 6, 12): w.second.id}, {d: TEXT})


async def test_codings_are_kept_once_and_deleted_one_by_one(repo: Store) -> None:
    w = await given(repo)
    await repo.write(lambda tx: tx.insert_codings([coding(w.first, w.fear, ACTOR), coding(w.first, w.fear, OTHER)]))
    again = [coding(w.first, w.fear, ACTOR, LATER), coding(w.first, w.hope, ACTOR, LATER)]
    await repo.write(lambda tx: tx.insert_codings(again))
    assert await codings_of(repo, w.first) == sorted(
        [(w.fear.id, ACTOR, NOW), (w.fear.id, OTHER, NOW), (w.hope.id, ACTOR, LATER)]
    )

    async def delete_twice(tx: Transaction) -> list[bool]:
        return [await tx.delete_coding(w.first.id, w.fear.id, ACTOR) for _ in range(2)]

    assert await repo.write(delete_twice) == [True, False]
    assert await repo.write(lambda tx: tx.delete_coding(w.second.id, w.fear.id, ACTOR)) is False
    assert await codings_of(repo, w.first) == sorted([(w.fear.id, OTHER, NOW), (w.hope.id, ACTOR, LATER)])


async def test_codings_of_excerpts_include_the_transactions_own_writes(repo: Store) -> None:
    w = await given(repo)
    committed = coding(w.first, w.fear, OTHER)
    await repo.write(lambda tx: tx.insert_codings([committed]))
    added = [coding(w.first, w.hope, ACTOR, LATER), coding(w.second, w.fear, ACTOR, LATER)]

    def ordered(*codings: Coding) -> list[Coding]:
        return sorted(codings, key=lambda c: (c.excerpt_id, c.code_id, c.coder_id))

    async def work(tx: Transaction) -> list[list[Coding]]:
        await tx.insert_codings(added)
        seen = [await tx.codings([w.second.id, w.first.id, w.first.id, "missing"])]
        await tx.delete_coding(w.first.id, w.fear.id, OTHER)
        seen.append(await tx.codings([w.first.id]))
        seen.append(await tx.codings(["missing"]))
        seen.append(await tx.codings([]))
        return seen

    assert await repo.write(work) == [ordered(committed, *added), [added[0]], [], []]
    assert await repo.read(lambda tx: tx.codings([w.first.id, w.second.id])) == ordered(*added)


async def test_coders_and_creators_under_a_node(repo: Store) -> None:
    w = await given(repo)
    codings = [coding(w.first, w.fear, ACTOR), coding(w.first, w.hope, OTHER), coding(w.second, w.fear, OTHER)]
    await repo.write(lambda tx: tx.insert_codings(codings))
    both = {ACTOR, OTHER}

    async def under(tx: Transaction) -> list[set[str]]:
        return [
            await tx.coders_under(NodeKind.EXCERPT, w.first.id),
            await tx.coders_under(NodeKind.EXCERPT, w.second.id),
            await tx.coders_under(NodeKind.DOCUMENT, w.document.id),
            await tx.coders_under(NodeKind.CODE, w.hope.id),
            await tx.coders_under(NodeKind.CODE, w.worry.id),
            await tx.coders_under(NodeKind.THEME, w.theme.id),
            await tx.creators_under(NodeKind.EXCERPT, w.second.id),
            await tx.creators_under(NodeKind.DOCUMENT, w.document.id),
            await tx.creators_under(NodeKind.CODE, w.fear.id),
        ]

    assert await repo.read(under) == [both, {OTHER}, both, {OTHER}, set(), set(), {OTHER}, both, set()]


# -- concepts -----------------------------------------------------------------------------------


async def test_theme_membership(repo: Store) -> None:
    w = await given(repo)

    async def add_twice(tx: Transaction) -> None:
        pairs = [(w.fear.id, w.theme.id), (w.fear.id, w.theme.id), (w.hope.id, w.subtheme.id)]
        for _ in range(2):
            await tx.add_to_themes(pairs, w.project.id, ACTOR, NOW.isoformat())

    await repo.write(add_twice)
    assert await repo.codes_of_themes([w.theme.id, w.subtheme.id]) == {w.theme.id: [w.fear], w.subtheme.id: [w.hope]}
    assert await repo.themes_of_codes([w.fear.id]) == {w.fear.id: [w.theme]}
    await repo.write(lambda tx: tx.add_to_themes([], w.project.id, ACTOR, NOW.isoformat()))

    async def remove_twice(tx: Transaction) -> list[bool]:
        return [await tx.remove_from_theme(w.fear.id, w.theme.id), await tx.remove_from_theme(w.fear.id, w.theme.id)]

    assert await repo.write(remove_twice) == [True, False]
    assert await repo.codes_of_themes([w.theme.id]) == {w.theme.id: []}


async def test_theme_codes_include_the_transactions_own_writes(repo: Store) -> None:
    w = await given(repo)
    await repo.write(lambda tx: tx.add_to_themes([(w.worry.id, w.theme.id)], w.project.id, OTHER, NOW.isoformat()))

    async def work(tx: Transaction) -> list[dict[str, list[str]]]:
        await tx.add_to_themes([(w.fear.id, w.theme.id)], w.project.id, ACTOR, NOW.isoformat())
        await tx.add_to_themes([(w.hope.id, w.subtheme.id)], w.project.id, ACTOR, NOW.isoformat())
        seen = [await tx.theme_codes([w.theme.id, w.subtheme.id, "missing", w.theme.id])]
        await tx.remove_from_theme(w.worry.id, w.theme.id)
        seen.append(await tx.theme_codes([w.theme.id]))
        seen.append(await tx.theme_codes([]))
        return seen

    assert await repo.write(work) == [
        {w.theme.id: sorted([w.fear.id, w.worry.id]), w.subtheme.id: [w.hope.id], "missing": []},
        {w.theme.id: [w.fear.id]},
        {},
    ]
    assert await repo.read(lambda tx: tx.theme_codes([w.subtheme.id, w.theme.id])) == {
        w.subtheme.id: [w.hope.id],
        w.theme.id: [w.fear.id],
    }


async def test_links_between_two_concepts_either_way(repo: Store) -> None:
    w = await given(repo)
    back, aside = link(w.hope, w.fear, LinkKind.ASSOCIATED_WITH), link(w.worry, w.hope, LinkKind.PRECEDES)
    await insert(repo, back, aside)

    async def between(tx: Transaction) -> list[set[Link]]:
        pairs = [(w.fear, w.hope), (w.hope, w.fear), (w.fear, w.worry)]
        return [set(await tx.links_between(a.id, b.id)) for a, b in pairs]

    assert await repo.read(between) == [{w.link, back}, {w.link, back}, set()]


async def test_merge_code_repoints_everything_to_the_target(repo: Store) -> None:
    w = await given(repo)
    onward, about_hope = link(w.hope, w.worry, LinkKind.PRECEDES), memo(w.hope, "On hope")
    await insert(repo, onward, about_hope)

    async def setup(tx: Transaction) -> None:
        await tx.insert_codings(
            [
                coding(w.first, w.fear, ACTOR),
                coding(w.first, w.hope, ACTOR, LATER),
                coding(w.second, w.hope, OTHER, LATER),
            ]
        )
        await tx.add_to_themes([(w.fear.id, w.theme.id)], w.project.id, ACTOR, NOW.isoformat())
        await tx.add_to_themes([(w.hope.id, w.theme.id)], w.project.id, ACTOR, NOW.isoformat())
        await tx.add_to_themes([(w.hope.id, w.subtheme.id)], w.project.id, ACTOR, NOW.isoformat())

    await repo.write(setup)
    await repo.write(lambda tx: tx.merge_code(w.hope.id, w.fear.id))

    assert await repo.node_refs([w.hope.id, w.link.id]) == {}, "the source and the link that became a loop go"
    assert await repo.get_codes([w.fear.id]) == {w.fear.id: w.fear}, "the target is left as it was"
    assert await codings_of(repo, w.first) == [(w.fear.id, ACTOR, NOW)]
    assert await codings_of(repo, w.second) == [(w.fear.id, OTHER, LATER)]
    assert {t.id for t in (await repo.themes_of_codes([w.fear.id]))[w.fear.id]} == {w.theme.id, w.subtheme.id}
    assert (await repo.get_links([onward.id]))[onward.id] == onward.model_copy(update={"source_id": w.fear.id})
    assert (await repo.get_memos([about_hope.id]))[about_hope.id].target_id == w.fear.id
    assert (await repo.get_memos([w.memo.id]))[w.memo.id] == w.memo


# -- users and membership -------------------------------------------------------------------------


async def test_users(repo: Store) -> None:
    ada, namesake = user("Ada"), user("ADA", LATER)

    async def setup(tx: Transaction) -> None:
        await tx.insert_user(ada)
        await tx.insert_user(namesake)

    await repo.write(setup)

    async def reads(tx: Transaction) -> list[Any]:
        return [
            await tx.users([ada.id, namesake.id, "missing"]),
            await tx.user_named("aDa"),
            await tx.user_named("Bob"),
        ]

    assert await repo.read(reads) == [{ada.id: ada, namesake.id: namesake}, ada, None]

    async def tokens(tx: Transaction) -> list[bool]:
        return [await tx.set_token_hash(ada.id, "hash-1"), await tx.set_token_hash("missing", "hash-2")]

    assert await repo.write(tokens) == [True, False]
    assert await repo.user_by_token_hash("hash-1") == (ada, "hash-1")
    assert await repo.write(lambda tx: tx.set_token_hash(ada.id, None)) is True
    assert await repo.user_by_token_hash("hash-1") is None


async def test_membership(repo: Store) -> None:
    w = await given(repo)
    ada, bob = user("Ada"), user("Bob")
    p = w.project.id

    async def setup(tx: Transaction) -> None:
        await tx.insert_user(ada)
        await tx.insert_user(bob)
        await tx.set_role(p, ada.id, Role.OWNER)
        await tx.set_role(p, bob.id, Role.VIEWER)
        await tx.set_role(p, bob.id, Role.ANALYST)

    await repo.write(setup)

    async def reads(tx: Transaction) -> list[Any]:
        return [await tx.role(p, ada.id), await tx.role(p, bob.id), await tx.role(p, "missing"), await tx.owners(p)]

    assert await repo.read(reads) == [Role.OWNER, Role.ANALYST, None, [ada.id]]
    assert await repo.roles(bob.id, [p]) == {p: Role.ANALYST}

    async def change(tx: Transaction) -> None:
        await tx.set_role(p, bob.id, Role.OWNER)
        await tx.remove_role(p, ada.id)
        await tx.remove_role(p, "missing")

    await repo.write(change)
    assert await repo.read(reads) == [None, Role.OWNER, None, [bob.id]]
    assert [(m.user_id, m.role) for m in (await repo.members_of_projects([p]))[p]] == [(bob.id, Role.OWNER)]


# -- history and the unit of work ----------------------------------------------------------------------


async def test_appended_events_are_the_activity_history(repo: Store) -> None:
    w = await given(repo)
    before = (await repo.project_snapshot(w.project.id)).revision
    created = event(w.project.id, "code.created", NOW, w.fear.id)
    updated = event(w.project.id, "code.updated", LATER, w.fear.id, w.hope.id)

    async def append(tx: Transaction) -> None:
        await tx.append([created, updated])  # one batch, kept in order

    await repo.write(append)
    assert (await repo.activity(w.project.id, 10)).events == (updated, created)
    assert (await repo.activity(w.project.id, 10, target_id=w.hope.id)).events == (updated,)
    assert await repo.events_since(w.project.id, None) == [created, updated]
    assert (await repo.project_snapshot(w.project.id)).revision == before + 2


async def test_removed_reads_deletions_and_merges_from_the_history(repo: Store) -> None:
    w = await given(repo)
    entries = [
        event(w.project.id, "code.deleted", NOW, w.fear.id),
        event(w.project.id, "code.deleted", LATER, w.fear.id),  # created again with its id, deleted again
        event(w.project.id, "code.merged", NOW, w.hope.id, w.fear.id),  # hope merged into fear
        event(w.project.id, "code.updated", LATER, w.theme.id),  # not a removal
        event(w.project.id, "link.deleted", NOW, "elsewhere-link", w.hope.id),  # names hope second: not hope's
        event("another-project", "theme.deleted", NOW, w.theme.id),
    ]

    async def append(tx: Transaction) -> None:
        await tx.append(entries)

    async def removed(tx: Transaction) -> dict[str, datetime]:
        return await tx.removed(w.project.id, [w.fear.id, w.hope.id, w.theme.id, "never-there"])

    await repo.write(append)
    assert await repo.read(removed) == {w.fear.id: LATER, w.hope.id: NOW}


async def test_a_failed_write_leaves_nothing_behind(repo: Store) -> None:
    w, ada = build(), user("Ada")

    class Boom(Exception):
        pass

    async def work(tx: Transaction) -> None:
        await tx.insert(w.nodes)
        await tx.insert_user(ada)
        await tx.append([event(w.project.id, "project.created", NOW, w.project.id)])
        assert (await tx.refs([w.fear.id])).keys() == {w.fear.id}
        raise Boom

    with pytest.raises(Boom):
        await repo.write(work)
    assert await repo.node_refs(w.ids) == {}
    assert await repo.get_users([ada.id]) == {}
    assert await repo.events_since(w.project.id, None) == []
    await insert(repo, w.project)  # the store is still usable
    assert await repo.get_projects([w.project.id]) == {w.project.id: w.project}


async def test_read_runs_over_committed_data_and_cannot_write(repo: Store) -> None:
    w = await given(repo)
    assert await repo.read(lambda tx: tx.refs([w.project.id])) == {
        w.project.id: NodeRef(kind=NodeKind.PROJECT, project_id=w.project.id)
    }
    extra = code(w.project.id, "Anger")
    with pytest.raises(Exception):  # noqa: B017 - each adapter refuses in its own way
        await repo.read(lambda tx: tx.insert([extra]))
    assert await repo.node_refs([extra.id]) == {}

"""Contract: codes, themes, links and memos, through the service over every adapter."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound, StaleVersion
from graph.inputs import (
    CodePatch,
    LinkPatch,
    MemoPatch,
    NewCode,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewTheme,
    ThemePatch,
)
from graph.models import LinkKind, NodeKind, Role, ThemeStatus
from graph.service import Service
from graph.service.concepts import MAX_PINNED
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import member, small_project


async def test_code_names_are_unique_per_parent_ignoring_case(store: Store, service: Service) -> None:
    s = await small_project(service)
    with pytest.raises(BadInput):
        await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="fear"))
    child = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="Fear", parent_id=s.hope.id))
    assert child.parent_id == s.hope.id
    with pytest.raises(BadInput):
        await service.update_code(TRUSTED, child.id, CodePatch(parent_id=None))
    other = await small_project(service, name="Other")
    assert other.fear.name == "Fear"


async def test_code_tree_rejects_cycles_and_cross_project_parents(store: Store, service: Service) -> None:
    s = await small_project(service)
    child = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    grandchild = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="grand", parent_id=child.id))
    for parent in (s.fear.id, grandchild.id):
        with pytest.raises(BadInput):
            await service.update_code(TRUSTED, s.fear.id, CodePatch(parent_id=parent))
    other = await small_project(service, name="Other")
    with pytest.raises(NotFound):  # a node of another project answers as one that does not exist
        await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="x", parent_id=other.fear.id))
    with pytest.raises(NotFound):
        await service.update_code(TRUSTED, s.fear.id, CodePatch(parent_id=other.fear.id))
    assert (await store.get_codes([s.fear.id]))[s.fear.id].parent_id is None
    assert [c.id for c in (await store.children_of_codes([s.fear.id]))[s.fear.id]] == [child.id]


async def test_optimistic_concurrency_on_codes(store: Store, service: Service) -> None:
    s = await small_project(service)
    first = await service.update_code(TRUSTED, s.fear.id, CodePatch(expected_version=1, name="Fear of removal"))
    assert first.version == 2
    with pytest.raises(StaleVersion) as caught:
        await service.update_code(TRUSTED, s.fear.id, CodePatch(expected_version=1, name="Lost update"))
    assert caught.value.extensions["currentVersion"] == 2
    current = (await store.get_codes([s.fear.id]))[s.fear.id]
    assert (current.name, current.version, current.color) == ("Fear of removal", 2, "#ff0000")
    cleared = await service.update_code(TRUSTED, s.fear.id, CodePatch(color=None, description="d"))
    assert (cleared.color, cleared.description, cleared.version) == (None, "d", 3)


async def test_delete_code_removes_codings_memberships_links_and_memos(store: Store, service: Service) -> None:
    s = await small_project(service)
    child = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    excerpt = await service.code_text(
        TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id]
    )
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    link = await service.link_concepts(TRUSTED, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.CAUSES))
    memo = await service.add_memo(TRUSTED, NewMemo(target_id=s.fear.id, title="about fear"))
    await service.delete_code(TRUSTED, s.fear.id)
    assert [c.code_id for c in (await store.codings_of_excerpts([excerpt.id]))[excerpt.id]] == [s.hope.id]
    assert (await store.codes_of_themes([s.theme.id]))[s.theme.id] == []
    assert await store.get_links([link.id]) == {} and await store.get_memos([memo.id]) == {}
    assert (await store.get_codes([child.id]))[child.id].parent_id is None, "children move up"


async def test_merge_codes_moves_everything_to_the_target(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, "other", Role.ANALYST)
    child = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    e1 = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    e2 = await service.code_text(other, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.fear.id])
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    third = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="third"))
    link = await service.link_concepts(TRUSTED, NewLink(source_id=s.fear.id, target_id=third.id, kind=LinkKind.CAUSES))
    self_link = await service.link_concepts(
        TRUSTED, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.IS_A)
    )
    memo = await service.add_memo(TRUSTED, NewMemo(target_id=s.fear.id, title="m"))

    merged = await service.merge_codes(TRUSTED, s.fear.id, s.hope.id)
    assert merged.id == s.hope.id and merged.version == 2
    assert await store.get_codes([s.fear.id]) == {}
    codings = await store.codings_of_excerpts([e1.id, e2.id])
    assert sorted((c.code_id, c.coder_id) for c in codings[e1.id]) == [(s.hope.id, ACTOR)]
    assert [(c.code_id, c.coder_id) for c in codings[e2.id]] == [(s.hope.id, "other")]
    assert [t.id for t in (await store.themes_of_codes([s.hope.id]))[s.hope.id]] == [s.theme.id]
    moved = (await store.get_links([link.id]))[link.id]
    assert (moved.source_id, moved.target_id) == (s.hope.id, third.id)
    assert await store.get_links([self_link.id]) == {}, "a link between the two merged codes would be a self-link"
    assert (await store.get_memos([memo.id]))[memo.id].target_id == s.hope.id
    assert (await store.get_codes([child.id]))[child.id].parent_id == s.hope.id
    assert (await store.code_stats([s.hope.id]))[s.hope.id].excerpt_count == 2

    with pytest.raises(BadInput):
        await service.merge_codes(TRUSTED, s.hope.id, s.hope.id)
    with pytest.raises(BadInput):
        await service.merge_codes(TRUSTED, s.hope.id, child.id)


async def test_themes_tree_names_status_and_membership(store: Store, service: Service) -> None:
    s = await small_project(service)
    with pytest.raises(BadInput):
        await service.create_theme(TRUSTED, NewTheme(project_id=s.project.id, name="LIVING WITH FEAR"))
    sub = await service.create_theme(TRUSTED, NewTheme(project_id=s.project.id, name="Sub", parent_id=s.theme.id))
    with pytest.raises(BadInput):
        await service.update_theme(TRUSTED, s.theme.id, ThemePatch(parent_id=sub.id))
    updated = await service.update_theme(
        TRUSTED, s.theme.id, ThemePatch(expected_version=1, status=ThemeStatus.DEFINED)
    )
    assert (updated.status, updated.version, updated.name) == (ThemeStatus.DEFINED, 2, "Living with fear")
    with pytest.raises(StaleVersion):
        await service.update_theme(TRUSTED, s.theme.id, ThemePatch(expected_version=1, name="x"))

    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)  # idempotent
    await service.add_code_to_theme(TRUSTED, s.fear.id, sub.id)  # a code may serve two themes
    assert {t.id for t in (await store.themes_of_codes([s.fear.id]))[s.fear.id]} == {s.theme.id, sub.id}
    await service.remove_code_from_theme(TRUSTED, s.fear.id, sub.id)
    with pytest.raises(NotFound):
        await service.remove_code_from_theme(TRUSTED, s.fear.id, sub.id)
    other = await small_project(service, name="Other")
    with pytest.raises(NotFound):
        await service.add_code_to_theme(TRUSTED, other.fear.id, s.theme.id)
    with pytest.raises(NotFound):
        await service.remove_code_from_theme(TRUSTED, other.fear.id, s.theme.id)

    await service.delete_theme(TRUSTED, s.theme.id)
    assert (await store.get_themes([sub.id]))[sub.id].parent_id is None


async def test_theme_stats_roll_up_subthemes(store: Store, service: Service) -> None:
    s = await small_project(service)
    sub = await service.create_theme(TRUSTED, NewTheme(project_id=s.project.id, name="Sub", parent_id=s.theme.id))
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    await service.add_code_to_theme(TRUSTED, s.hope.id, sub.id)
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=6, end=9), [s.fear.id])
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    stats = await store.theme_stats([s.theme.id, sub.id])
    # theme: excerpts {a0, a6} via fear plus {a0, b0} via the subtheme's hope = 3 excerpts, 2 participants
    assert (stats[s.theme.id].excerpt_count, stats[s.theme.id].participant_count) == (3, 2)
    assert (stats[sub.id].excerpt_count, stats[sub.id].participant_count) == (2, 2)


async def test_links_between_concepts(store: Store, service: Service) -> None:
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    link = await service.link_concepts(
        TRUSTED,
        NewLink(
            source_id=s.fear.id,
            target_id=s.theme.id,
            kind=LinkKind.CONTRADICTS,
            label="l",
            note="n",
            evidence_excerpt_ids=(excerpt.id,),
        ),
    )
    assert (link.source_kind, link.target_kind, link.evidence_excerpt_ids) == (
        NodeKind.CODE,
        NodeKind.THEME,
        (excerpt.id,),
    )
    with pytest.raises(BadInput):  # symmetric: the reverse is the same link
        await service.link_concepts(
            TRUSTED, NewLink(source_id=s.theme.id, target_id=s.fear.id, kind=LinkKind.CONTRADICTS)
        )
    reverse_cause = await service.link_concepts(
        TRUSTED, NewLink(source_id=s.theme.id, target_id=s.fear.id, kind=LinkKind.CAUSES)
    )
    with pytest.raises(BadInput):
        await service.link_concepts(TRUSTED, NewLink(source_id=s.fear.id, target_id=s.fear.id, kind=LinkKind.CAUSES))
    with pytest.raises(NotFound):
        await service.link_concepts(TRUSTED, NewLink(source_id=s.fear.id, target_id=s.doc_a.id, kind=LinkKind.CAUSES))
    other = await small_project(service, name="Other")
    with pytest.raises(NotFound):
        await service.link_concepts(
            TRUSTED, NewLink(source_id=s.fear.id, target_id=other.fear.id, kind=LinkKind.CAUSES)
        )
    other_excerpt = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=other.doc_a.id, start=0, end=3))
    with pytest.raises(NotFound):
        await service.update_link(TRUSTED, link.id, LinkPatch(evidence_excerpt_ids=(other_excerpt.id,)))
    assert (await store.get_links([link.id]))[link.id] == link, "a failed update changes nothing"

    updated = await service.update_link(
        TRUSTED, link.id, LinkPatch(expected_version=1, label=None, evidence_excerpt_ids=())
    )
    assert (updated.label, updated.note, updated.evidence_excerpt_ids, updated.version) == (None, "n", (), 2)
    with pytest.raises(StaleVersion):
        await service.update_link(TRUSTED, link.id, LinkPatch(expected_version=1, note="x"))
    assert [x.id for x in (await store.links_of_projects([s.project.id]))[s.project.id]] == [link.id, reverse_cause.id]
    await service.unlink(TRUSTED, link.id)
    with pytest.raises(NotFound):
        await service.unlink(TRUSTED, link.id)


async def test_memos_about_any_node(store: Store, service: Service) -> None:
    s = await small_project(service)
    targets = [s.project.id, s.amira.id, s.doc_a.id, s.fear.id, s.theme.id]
    memos = [await service.add_memo(TRUSTED, NewMemo(target_id=t, title=f"on {t}", body="b")) for t in targets]
    assert [m.target_kind for m in memos] == [
        NodeKind.PROJECT,
        NodeKind.PARTICIPANT,
        NodeKind.DOCUMENT,
        NodeKind.CODE,
        NodeKind.THEME,
    ]
    assert [m.id for m in (await store.memos_of_projects([s.project.id]))[s.project.id]] == [m.id for m in memos]
    updated = await service.update_memo(TRUSTED, memos[0].id, MemoPatch(expected_version=1, body="new"))
    assert (updated.title, updated.body, updated.version) == (memos[0].title, "new", 2)
    with pytest.raises(StaleVersion):
        await service.update_memo(TRUSTED, memos[0].id, MemoPatch(expected_version=1, body="lost"))
    await service.delete_participant(TRUSTED, s.amira.id)
    assert await store.get_memos([memos[1].id]) == {}
    await service.delete_memo(TRUSTED, memos[0].id)
    with pytest.raises(NotFound):
        await service.add_memo(TRUSTED, NewMemo(target_id="missing", title="x"))
    assert len((await store.memos_of_projects([s.project.id]))[s.project.id]) == 3


async def test_pinned_quotes_keep_their_order_and_go_with_their_excerpt(store: Store, service: Service) -> None:
    s = await small_project(service)
    e1, e2, e3 = [
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=start, end=start + 4), [s.fear.id])
        for start in (0, 10, 20)
    ]
    await service.pin_quote(TRUSTED, s.theme.id, e1.id, None)
    await service.pin_quote(TRUSTED, s.theme.id, e2.id, 0)
    await service.pin_quote(TRUSTED, s.theme.id, e3.id, None)
    moved = await service.pin_quote(TRUSTED, s.theme.id, e3.id, 1)
    assert moved.id == s.theme.id
    await service.pin_quote(TRUSTED, s.fear.id, e1.id, None)
    pinned = await store.pinned_quotes([s.theme.id, s.fear.id, s.hope.id])
    assert pinned == {s.theme.id: [e2.id, e3.id, e1.id], s.fear.id: [e1.id]}

    with pytest.raises(BadInput) as caught:
        await service.pin_quote(TRUSTED, s.theme.id, e1.id, 3)  # two others: 0 to 2
    assert "0 (first) to 2 (last)" in caught.value.message
    other = await small_project(service, name="Other")
    elsewhere = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=other.doc_a.id, start=0, end=4))
    for target, excerpt in [(s.theme.id, elsewhere.id), (other.theme.id, e1.id), (s.doc_a.id, e1.id)]:
        with pytest.raises(NotFound):
            await service.pin_quote(TRUSTED, target, excerpt, None)
    with pytest.raises(NotFound):
        await service.unpin_quote(TRUSTED, s.hope.id, e1.id)
    assert await store.pinned_quotes([s.theme.id, s.fear.id]) == pinned

    await service.unpin_quote(TRUSTED, s.theme.id, e3.id)
    history = await store.activity(s.project.id, 100, target_id=s.theme.id)
    kinds = [e.type for e in history.events]
    assert kinds.count("excerpt.pinned") == 4 and kinds.count("excerpt.unpinned") == 1
    assert history.events[0].after == {"pinned_excerpt_ids": [e2.id, e1.id]}

    await service.delete_excerpt(TRUSTED, e2.id)
    assert await store.pinned_quotes([s.theme.id]) == {s.theme.id: [e1.id]}
    await service.delete_theme(TRUSTED, s.theme.id)
    assert await store.pinned_quotes([s.theme.id, s.fear.id]) == {s.fear.id: [e1.id]}


async def test_pinned_quotes_are_bounded(store: Store, service: Service) -> None:
    s = await small_project(service)
    passages = [
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=i, end=i + 1), [s.hope.id])
        for i in range(MAX_PINNED + 1)
    ]
    for excerpt in passages[:MAX_PINNED]:
        await service.pin_quote(TRUSTED, s.hope.id, excerpt.id, None)
    with pytest.raises(BadInput):
        await service.pin_quote(TRUSTED, s.hope.id, passages[-1].id, 0)
    assert (await store.pinned_quotes([s.hope.id]))[s.hope.id] == [e.id for e in passages[:MAX_PINNED]]

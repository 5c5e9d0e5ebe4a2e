"""Contract: codes, themes, links and memos (every adapter)."""

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
from graph.models import LinkKind, NodeKind, ThemeStatus
from graph.store import Store
from tests.conftest import ACTOR
from tests.graph.builders import small_project


async def test_code_names_are_unique_per_parent_ignoring_case(store: Store) -> None:
    s = await small_project(store)
    with pytest.raises(BadInput):
        await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="fear"))
    child = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="Fear", parent_id=s.hope.id))
    assert child.parent_id == s.hope.id
    with pytest.raises(BadInput):
        await store.update_code(ACTOR, child.id, CodePatch(parent_id=None))
    other = await small_project(store, name="Other")
    assert other.fear.name == "Fear"


async def test_code_tree_rejects_cycles_and_cross_project_parents(store: Store) -> None:
    s = await small_project(store)
    child = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    grandchild = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="grand", parent_id=child.id))
    for parent in (s.fear.id, grandchild.id):
        with pytest.raises(BadInput):
            await store.update_code(ACTOR, s.fear.id, CodePatch(parent_id=parent))
    other = await small_project(store, name="Other")
    with pytest.raises(BadInput):
        await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="x", parent_id=other.fear.id))
    assert (await store.get_codes([s.fear.id]))[s.fear.id].parent_id is None
    assert [c.id for c in (await store.children_of_codes([s.fear.id]))[s.fear.id]] == [child.id]


async def test_optimistic_concurrency_on_codes(store: Store) -> None:
    s = await small_project(store)
    first = await store.update_code(ACTOR, s.fear.id, CodePatch(expected_version=1, name="Fear of removal"))
    assert first.version == 2
    with pytest.raises(StaleVersion) as caught:
        await store.update_code(ACTOR, s.fear.id, CodePatch(expected_version=1, name="Lost update"))
    assert caught.value.extensions["currentVersion"] == 2
    current = (await store.get_codes([s.fear.id]))[s.fear.id]
    assert (current.name, current.version, current.color) == ("Fear of removal", 2, "#ff0000")
    cleared = await store.update_code(ACTOR, s.fear.id, CodePatch(color=None, description="d"))
    assert (cleared.color, cleared.description, cleared.version) == (None, "d", 3)


async def test_delete_code_removes_codings_memberships_links_and_memos(store: Store) -> None:
    s = await small_project(store)
    child = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    excerpt = await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)
    link = await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.CAUSES))
    memo = await store.add_memo(ACTOR, NewMemo(target_id=s.fear.id, title="about fear"))
    await store.delete_code(ACTOR, s.fear.id)
    assert [c.code_id for c in (await store.codings_of_excerpts([excerpt.id]))[excerpt.id]] == [s.hope.id]
    assert (await store.codes_of_themes([s.theme.id]))[s.theme.id] == []
    assert await store.get_links([link.id]) == {} and await store.get_memos([memo.id]) == {}
    assert (await store.get_codes([child.id]))[child.id].parent_id is None, "children move up"


async def test_merge_codes_moves_everything_to_the_target(store: Store) -> None:
    s = await small_project(store)
    await store.ensure_user("other", "Other")
    child = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="child", parent_id=s.fear.id))
    e1 = await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    e2 = await store.code_text("other", NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.fear.id])
    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)
    third = await store.create_code(ACTOR, NewCode(project_id=s.project.id, name="third"))
    link = await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=third.id, kind=LinkKind.CAUSES))
    self_link = await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.IS_A))
    memo = await store.add_memo(ACTOR, NewMemo(target_id=s.fear.id, title="m"))

    merged = await store.merge_codes(ACTOR, s.fear.id, s.hope.id)
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
        await store.merge_codes(ACTOR, s.hope.id, s.hope.id)
    with pytest.raises(BadInput):
        await store.merge_codes(ACTOR, s.hope.id, child.id)


async def test_themes_tree_names_status_and_membership(store: Store) -> None:
    s = await small_project(store)
    with pytest.raises(BadInput):
        await store.create_theme(ACTOR, NewTheme(project_id=s.project.id, name="LIVING WITH FEAR"))
    sub = await store.create_theme(ACTOR, NewTheme(project_id=s.project.id, name="Sub", parent_id=s.theme.id))
    with pytest.raises(BadInput):
        await store.update_theme(ACTOR, s.theme.id, ThemePatch(parent_id=sub.id))
    updated = await store.update_theme(ACTOR, s.theme.id, ThemePatch(expected_version=1, status=ThemeStatus.DEFINED))
    assert (updated.status, updated.version, updated.name) == (ThemeStatus.DEFINED, 2, "Living with fear")
    with pytest.raises(StaleVersion):
        await store.update_theme(ACTOR, s.theme.id, ThemePatch(expected_version=1, name="x"))

    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)
    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)  # idempotent
    await store.add_code_to_theme(ACTOR, s.fear.id, sub.id)  # a code may serve two themes
    assert {t.id for t in (await store.themes_of_codes([s.fear.id]))[s.fear.id]} == {s.theme.id, sub.id}
    await store.remove_code_from_theme(ACTOR, s.fear.id, sub.id)
    with pytest.raises(NotFound):
        await store.remove_code_from_theme(ACTOR, s.fear.id, sub.id)
    other = await small_project(store, name="Other")
    with pytest.raises(BadInput):
        await store.add_code_to_theme(ACTOR, other.fear.id, s.theme.id)

    await store.delete_theme(ACTOR, s.theme.id)
    assert (await store.get_themes([sub.id]))[sub.id].parent_id is None


async def test_theme_stats_roll_up_subthemes(store: Store) -> None:
    s = await small_project(store)
    sub = await store.create_theme(ACTOR, NewTheme(project_id=s.project.id, name="Sub", parent_id=s.theme.id))
    await store.add_code_to_theme(ACTOR, s.fear.id, s.theme.id)
    await store.add_code_to_theme(ACTOR, s.hope.id, sub.id)
    await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_a.id, start=6, end=9), [s.fear.id])
    await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    stats = await store.theme_stats([s.theme.id, sub.id])
    # theme: excerpts {a0, a6} via fear plus {a0, b0} via the subtheme's hope = 3 excerpts, 2 participants
    assert (stats[s.theme.id].excerpt_count, stats[s.theme.id].participant_count) == (3, 2)
    assert (stats[sub.id].excerpt_count, stats[sub.id].participant_count) == (2, 2)


async def test_links_between_concepts(store: Store) -> None:
    s = await small_project(store)
    excerpt = await store.code_text(ACTOR, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    link = await store.link_concepts(
        ACTOR,
        NewLink(source_id=s.fear.id, target_id=s.theme.id, kind=LinkKind.CONTRADICTS, label="l", note="n",
                evidence_excerpt_ids=(excerpt.id,)),
    )
    assert (link.source_kind, link.target_kind, link.evidence_excerpt_ids) == (NodeKind.CODE, NodeKind.THEME, (excerpt.id,))
    with pytest.raises(BadInput):  # symmetric: the reverse is the same link
        await store.link_concepts(ACTOR, NewLink(source_id=s.theme.id, target_id=s.fear.id, kind=LinkKind.CONTRADICTS))
    reverse_cause = await store.link_concepts(ACTOR, NewLink(source_id=s.theme.id, target_id=s.fear.id, kind=LinkKind.CAUSES))
    with pytest.raises(BadInput):
        await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=s.fear.id, kind=LinkKind.CAUSES))
    with pytest.raises(NotFound):
        await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=s.doc_a.id, kind=LinkKind.CAUSES))
    other = await small_project(store, name="Other")
    with pytest.raises(BadInput):
        await store.link_concepts(ACTOR, NewLink(source_id=s.fear.id, target_id=other.fear.id, kind=LinkKind.CAUSES))
    other_excerpt = await store.create_excerpt(ACTOR, NewExcerpt(document_id=other.doc_a.id, start=0, end=3))
    with pytest.raises(BadInput):
        await store.update_link(ACTOR, link.id, LinkPatch(evidence_excerpt_ids=(other_excerpt.id,)))
    assert (await store.get_links([link.id]))[link.id] == link, "a failed update changes nothing"

    updated = await store.update_link(ACTOR, link.id, LinkPatch(expected_version=1, label=None, evidence_excerpt_ids=()))
    assert (updated.label, updated.note, updated.evidence_excerpt_ids, updated.version) == (None, "n", (), 2)
    with pytest.raises(StaleVersion):
        await store.update_link(ACTOR, link.id, LinkPatch(expected_version=1, note="x"))
    assert [x.id for x in (await store.links_of_projects([s.project.id]))[s.project.id]] == [link.id, reverse_cause.id]
    await store.unlink(ACTOR, link.id)
    with pytest.raises(NotFound):
        await store.unlink(ACTOR, link.id)


async def test_memos_about_any_node(store: Store) -> None:
    s = await small_project(store)
    targets = [s.project.id, s.amira.id, s.doc_a.id, s.fear.id, s.theme.id]
    memos = [await store.add_memo(ACTOR, NewMemo(target_id=t, title=f"on {t}", body="b")) for t in targets]
    assert [m.target_kind for m in memos] == [
        NodeKind.PROJECT, NodeKind.PARTICIPANT, NodeKind.DOCUMENT, NodeKind.CODE, NodeKind.THEME
    ]
    assert [m.id for m in (await store.memos_of_projects([s.project.id]))[s.project.id]] == [m.id for m in memos]
    updated = await store.update_memo(ACTOR, memos[0].id, MemoPatch(expected_version=1, body="new"))
    assert (updated.title, updated.body, updated.version) == (memos[0].title, "new", 2)
    with pytest.raises(StaleVersion):
        await store.update_memo(ACTOR, memos[0].id, MemoPatch(expected_version=1, body="lost"))
    await store.delete_participant(ACTOR, s.amira.id)
    assert await store.get_memos([memos[1].id]) == {}
    await store.delete_memo(ACTOR, memos[0].id)
    with pytest.raises(NotFound):
        await store.add_memo(ACTOR, NewMemo(target_id="missing", title="x"))
    assert len((await store.memos_of_projects([s.project.id]))[s.project.id]) == 3

"""Contract: reaching a theme's excerpts and a node's memos, paginated, over every adapter."""

from __future__ import annotations

import pytest

from graph.analysis.filters import Where
from graph.analysis.results import ExcerptOrder, MatchOrder, PairOrder
from graph.errors import BadInput
from graph.inputs import NewCode, NewExcerpt, NewMemo, NewTheme
from graph.models import Role
from graph.service import Service
from graph.store import Store
from tests.conftest import TRUSTED
from tests.graph.builders import member, small_project

OTHER = "second-coder"


async def test_a_themes_excerpts_are_its_codes_and_its_subthemes_codes(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    sub = await service.create_theme(TRUSTED, NewTheme(project_id=s.project.id, name="Sub", parent_id=s.theme.id))
    loose = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="Loose"))
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    await service.add_code_to_theme(TRUSTED, s.hope.id, sub.id)
    feared = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=10, end=15), [s.fear.id])
    both = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    await service.code_excerpt(other, both.id, s.hope.id)  # two codes of the theme, two coders: listed once
    hoped = await service.code_text(other, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_b.id, start=20, end=25), [loose.id])

    expected = sorted([feared, both, hoped], key=lambda e: (e.document_id, e.start, e.end, e.id))
    seen, after = [], None
    while True:
        page = (await store.excerpts_of_themes([s.theme.id], 2, after))[s.theme.id]
        seen.extend(page.ids)
        assert len(page.cursors) == len(page.ids)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == [e.id for e in expected]

    pages = await store.excerpts_of_themes([sub.id, s.theme.id, "missing"], 5, None)
    assert pages[sub.id].ids == tuple(e.id for e in sorted([both, hoped], key=lambda e: e.document_id))
    assert pages["missing"].ids == () and not pages["missing"].has_next_page
    by_other = await store.excerpts_of_themes([s.theme.id], 5, None, OTHER)
    assert set(by_other[s.theme.id].ids) == {both.id, hoped.id}
    assert (await store.excerpts_of_themes([s.fear.id], 5, None))[s.fear.id].ids == ()  # a code is no theme
    with pytest.raises(BadInput):
        await store.excerpts_of_themes([s.theme.id], 2, "not a cursor")


async def test_a_nodes_memos_come_oldest_first_a_page_at_a_time(store: Store, service: Service) -> None:
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    on_code = [await service.add_memo(TRUSTED, NewMemo(target_id=s.fear.id, title=f"note {i}")) for i in range(5)]
    on_excerpt = await service.add_memo(TRUSTED, NewMemo(target_id=excerpt.id, title="quote"))
    await service.add_memo(TRUSTED, NewMemo(target_id=s.hope.id, title="elsewhere"))

    seen, after = [], None
    while True:
        page = (await store.memos_of_targets([s.fear.id], 2, after))[s.fear.id]
        seen.extend(page.items)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert [m.id for m in seen] == [m.id for m in on_code]
    assert seen[0].target_id == s.fear.id and seen[0].target_kind.value == "Code"

    pages = await store.memos_of_targets([excerpt.id, s.theme.id, s.fear.id], 1, None)
    assert [m.id for m in pages[excerpt.id].items] == [on_excerpt.id] and not pages[excerpt.id].has_next_page
    assert pages[s.theme.id].items == ()
    assert [m.id for m in pages[s.fear.id].items] == [on_code[0].id] and pages[s.fear.id].has_next_page
    await service.delete_memo(TRUSTED, on_code[0].id)
    assert (await store.memos_of_targets([s.fear.id], 1, None))[s.fear.id].items[0].id == on_code[1].id
    with pytest.raises(BadInput):
        await store.memos_of_targets([s.fear.id], 2, "not a cursor")


async def test_a_code_counted_with_its_descendants_counts_each_excerpt_and_participant_once(
    store: Store, service: Service
) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    p = s.project.id
    category = await service.create_code(TRUSTED, NewCode(project_id=p, name="Feelings", codable=False))
    fear = await service.create_code(TRUSTED, NewCode(project_id=p, name="Fear", parent_id=category.id))
    hope = await service.create_code(TRUSTED, NewCode(project_id=p, name="Hope", parent_id=category.id))
    dread = await service.create_code(TRUSTED, NewCode(project_id=p, name="Dread", parent_id=fear.id))
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [fear.id, hope.id])
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=10, end=15), [hope.id])
    await service.code_text(other, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [dread.id])

    def counts(found: dict, id: str) -> tuple[int, int]:
        return (found[id].excerpt_count, found[id].participant_count)

    ids = [category.id, fear.id, hope.id, dread.id]
    direct = await store.code_stats(ids)
    family = await store.code_stats(ids, with_descendants=True)
    assert [counts(direct, i) for i in ids] == [(0, 0), (1, 1), (2, 1), (1, 1)]
    assert [counts(family, i) for i in ids] == [(3, 2), (2, 2), (2, 1), (1, 1)]
    by_other = await store.code_stats(ids, OTHER, with_descendants=True)
    assert [counts(by_other, i) for i in ids] == [(1, 1), (1, 1), (0, 0), (1, 1)]

    await service.add_code_to_theme(TRUSTED, category.id, s.theme.id)  # a theme holding the category
    await service.add_code_to_theme(TRUSTED, hope.id, s.theme.id)
    plain_theme = (await store.theme_stats([s.theme.id]))[s.theme.id]
    family_theme = (await store.theme_stats([s.theme.id], with_descendants=True))[s.theme.id]
    assert (plain_theme.excerpt_count, family_theme.excerpt_count, family_theme.participant_count) == (2, 3, 2)

    nodes = {n.id: n for n in (await store.theme_map(p, with_descendants=True)).nodes}
    assert (nodes[category.id].excerpt_count, nodes[category.id].participant_count) == (3, 2)
    assert nodes[s.theme.id].excerpt_count == 3
    plain = {n.id: n for n in (await store.theme_map(p)).nodes}
    assert plain[category.id].excerpt_count == 0 and plain[fear.id].excerpt_count == 1
    assert plain[s.theme.id].excerpt_count == 2


async def test_analysis_answers_come_in_order_a_page_at_a_time(store: Store, service: Service) -> None:
    s = await small_project(service)
    calm = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="Calm"))
    for doc, start, codes in [
        (s.doc_a, 0, [s.fear.id, s.hope.id]),
        (s.doc_a, 10, [s.fear.id, s.hope.id]),
        (s.doc_a, 20, [s.fear.id]),
        (s.doc_a, 30, [calm.id, s.fear.id]),
        (s.doc_b, 0, [calm.id, s.hope.id]),
        (s.doc_b, 10, [calm.id]),
        (s.doc_a, 40, [s.hope.id]),
    ]:
        await service.code_text(TRUSTED, NewExcerpt(document_id=doc.id, start=start, end=start + 5), codes)
    p = s.project.id

    pairs = list(await store.cooccurrence(p))
    reader = service.reader(TRUSTED)  # pages are cut by the Reader from the store's answer
    for order in PairOrder:
        whole = await reader.cooccurrence_page(p, order=order)
        assert sorted(whole.items, key=str) == sorted(pairs, key=str) and not whole.has_next_page
        score = [x.count if order is PairOrder.COUNT else x.jaccard for x in whole.items]
        assert score == sorted(score, reverse=True)
        seen, after = [], None
        while True:
            page = await reader.cooccurrence_page(p, order=order, first=1, after=after)
            seen += page.items
            if not page.has_next_page:
                break
            after = page.cursors[-1]
        assert seen == list(whole.items), order
    assert [x.count for x in pairs][0] == 2 and list((await reader.cooccurrence_page(p)).items) == pairs
    with pytest.raises(BadInput):
        await reader.cooccurrence_page(p, order=PairOrder.JACCARD, after="nope")

    where = Where(any_of=(calm.id,))
    by_name = await store.participants_matching_page(p, where)
    assert [m.participant_id for m in by_name.items] == [s.amira.id, s.becky.id]
    most = await store.participants_matching_page(p, where, MatchOrder.EVIDENCE, first=1)
    assert [m.participant_id for m in most.items] == [s.becky.id] and most.has_next_page
    rest = await store.participants_matching_page(p, where, MatchOrder.EVIDENCE, first=1, after=most.cursors[0])
    assert [m.participant_id for m in rest.items] == [s.amira.id] and not rest.has_next_page
    with pytest.raises(BadInput):  # a cursor of the other order
        await store.participants_matching_page(p, where, MatchOrder.PSEUDONYM, after=most.cursors[0])

    hits = await store.sequences(p, s.fear.id, s.hope.id)
    assert len(hits) == 4
    first = await store.sequences_page(p, s.fear.id, s.hope.id, count=3)
    second = await store.sequences_page(p, s.fear.id, s.hope.id, count=3, after=first.cursors[-1])
    assert list(first.items + second.items) == hits and first.has_next_page and not second.has_next_page


async def test_a_codes_excerpts_most_recently_coded_first(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    made = [
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=i, end=i + 5), [s.fear.id])
        for i in (20, 0, 10)
    ]
    await service.code_excerpt(other, made[0].id, s.fear.id)  # later, by another coder: the first coding counts

    seen, after = [], None
    while True:
        page = (await store.excerpts_of_codes([s.fear.id], 2, after, order=ExcerptOrder.RECENT))[s.fear.id]
        seen += [e.id for e in page.items]
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert seen == [made[2].id, made[1].id, made[0].id]
    by_other = (await store.excerpts_of_codes([s.fear.id], 5, None, OTHER, ExcerptOrder.RECENT))[s.fear.id]
    assert [e.id for e in by_other.items] == [made[0].id] and by_other.items[0].text == made[0].text
    assert (await store.excerpts_of_codes([s.hope.id], 5, None, order=ExcerptOrder.RECENT))[s.hope.id].items == ()
    text_order = (await store.excerpts_of_codes([s.fear.id], 1, None))[s.fear.id]
    with pytest.raises(BadInput):  # a cursor of the other order
        await store.excerpts_of_codes([s.fear.id], 1, text_order.cursors[0], order=ExcerptOrder.RECENT)

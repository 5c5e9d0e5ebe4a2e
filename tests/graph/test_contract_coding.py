"""Contract: excerpts and codings, through the service over every adapter."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, Conflict, Forbidden, NotFound
from graph.inputs import CodedPassage, CodePatch, NewCode, NewDocument, NewExcerpt, NewMemo
from graph.models import Role
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import TEXT, member, small_project

OTHER = "second-coder"


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("ab😀cd", 2, 3, "😀"),
        ("e\u0301te\u0301", 0, 2, "e\u0301"),
        ("hello שלום world", 6, 10, "שלום"),
        ("👩‍👧 mum", 0, 3, "👩‍👧"),
    ],
)
async def test_excerpt_text_is_the_code_point_slice(
    store: Store, service: Service, text: str, start: int, end: int, expected: str
) -> None:
    s = await small_project(service)
    doc = await service.add_document(TRUSTED, NewDocument(project_id=s.project.id, title="U", text=text))
    excerpt = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=doc.id, start=start, end=end))
    assert excerpt.text == expected == text[start:end]
    assert (await store.get_excerpts([excerpt.id]))[excerpt.id].text == expected


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, len(TEXT) + 1)])
async def test_bad_spans_are_refused_and_change_nothing(store: Store, service: Service, start: int, end: int) -> None:
    s = await small_project(service)
    with pytest.raises(BadInput):
        await service.create_excerpt(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=start, end=end))
    with pytest.raises(BadInput):
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=start, end=end), [s.fear.id])
    assert (await store.excerpts_of_documents([s.doc_a.id]))[s.doc_a.id] == []


async def test_codings_are_kept_apart_per_coder(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    again = await service.code_text(other, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    assert again.id == excerpt.id, "the same span is reused, not duplicated"
    await service.code_excerpt(TRUSTED, excerpt.id, s.fear.id)  # idempotent
    codings = (await store.codings_of_excerpts([excerpt.id]))[excerpt.id]
    assert sorted((c.code_id, c.coder_id) for c in codings) == sorted(
        [(s.fear.id, ACTOR), (s.fear.id, OTHER), (s.hope.id, OTHER)]
    )
    stats = await store.code_stats([s.fear.id, s.hope.id])
    assert stats[s.fear.id].excerpt_count == 1 and stats[s.fear.id].participant_count == 1

    await service.uncode_excerpt(TRUSTED, excerpt.id, s.fear.id)
    with pytest.raises(NotFound):
        await service.uncode_excerpt(TRUSTED, excerpt.id, s.fear.id)
    await service.uncode_excerpt(TRUSTED, excerpt.id, s.hope.id, coder_id=OTHER)
    codings = (await store.codings_of_excerpts([excerpt.id]))[excerpt.id]
    assert [(c.code_id, c.coder_id) for c in codings] == [(s.fear.id, OTHER)]


async def test_code_text_is_atomic(store: Store, service: Service) -> None:
    s = await small_project(service)
    with pytest.raises(NotFound):
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, "missing"])
    assert (await store.excerpts_of_documents([s.doc_a.id]))[s.doc_a.id] == []
    with pytest.raises(BadInput):
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [])


async def test_coding_with_another_projects_code_is_not_found(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await small_project(service, name="Other")
    excerpt = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5))
    with pytest.raises(NotFound):
        await service.code_excerpt(TRUSTED, excerpt.id, other.fear.id)
    with pytest.raises(NotFound):
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=1, end=5), [other.fear.id])
    assert (await store.codings_of_excerpts([excerpt.id]))[excerpt.id] == []
    assert len((await store.excerpts_of_documents([s.doc_a.id]))[s.doc_a.id]) == 1


async def test_excerpts_of_code_paginate_by_keyset(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    made = []
    for doc in (s.doc_a, s.doc_b):
        for start in (10, 0, 20):
            made.append(
                await service.code_text(
                    TRUSTED, NewExcerpt(document_id=doc.id, start=start, end=start + 5), [s.fear.id]
                )
            )
    await service.code_excerpt(other, made[0].id, s.fear.id)  # two coders: still listed once
    seen, after = [], None
    while True:
        page = (await store.excerpts_of_codes([s.fear.id], 2, after))[s.fear.id]
        seen.extend(page.items)
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert len(seen) == 6 and len({e.id for e in seen}) == 6
    keys = [(e.document_id, e.start) for e in seen]
    assert keys == sorted(keys)
    with pytest.raises(BadInput):
        await store.excerpts_of_codes([s.fear.id], 2, "not a cursor")


async def test_excerpts_of_several_codes_are_each_codes_own_page(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    feared = [
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=i, end=i + 5), [s.fear.id])
        for i in (0, 10, 20)
    ]
    hoped = await service.code_text(other, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    pages = await store.excerpts_of_codes([s.fear.id, s.hope.id, s.fear.id], 2, None)
    assert set(pages) == {s.fear.id, s.hope.id}
    assert [e.id for e in pages[s.fear.id].items] == [e.id for e in feared[:2]] and pages[s.fear.id].has_next_page
    assert [e.id for e in pages[s.hope.id].items] == [hoped.id] and not pages[s.hope.id].has_next_page
    by_other = await store.excerpts_of_codes([s.fear.id, s.hope.id], 5, None, OTHER)
    assert by_other[s.fear.id].items == () and [e.id for e in by_other[s.hope.id].items] == [hoped.id]
    missing = await store.excerpts_of_codes([s.fear.id, "missing"], 2, None)
    assert missing["missing"].items == ()


async def test_deleting_a_document_removes_excerpts_codings_evidence_and_memos(store: Store, service: Service) -> None:
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    memo = await service.add_memo(TRUSTED, NewMemo(target_id=excerpt.id, title="note"))
    kept = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.fear.id])
    await service.delete_document(TRUSTED, s.doc_a.id)
    assert await store.get_excerpts([excerpt.id]) == {}
    assert await store.get_memos([memo.id]) == {}
    assert (await store.codings_of_excerpts([excerpt.id]))[excerpt.id] == []
    assert (await store.code_stats([s.fear.id]))[s.fear.id].excerpt_count == 1
    assert [e.id for e in (await store.excerpts_of_codes([s.fear.id], 10, None))[s.fear.id].items] == [kept.id]


async def test_delete_excerpt(store: Store, service: Service) -> None:
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    await service.delete_excerpt(TRUSTED, excerpt.id)
    assert (await store.code_stats([s.fear.id]))[s.fear.id].excerpt_count == 0
    with pytest.raises(NotFound):
        await service.delete_excerpt(TRUSTED, excerpt.id)
    code = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="x"))
    with pytest.raises(NotFound):
        await service.code_excerpt(TRUSTED, excerpt.id, code.id)


async def test_update_excerpt_moves_its_span_keeping_codings_and_records_before_and_after(
    store: Store, service: Service
) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    neighbour = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=30, end=40))
    memo = await service.add_memo(TRUSTED, NewMemo(target_id=excerpt.id, title="note"))

    moved = await service.update_excerpt(TRUSTED, excerpt.id, 0, 13)
    assert (moved.start, moved.end, moved.text) == (0, 13, TEXT[0:13])
    stored = (await store.get_excerpts([excerpt.id]))[excerpt.id]
    assert (stored.start, stored.end, stored.text, stored.document_id) == (0, 13, TEXT[0:13], s.doc_a.id)
    assert [c.code_id for c in (await store.codings_of_excerpts([excerpt.id]))[excerpt.id]] == [s.fear.id]
    assert (await store.get_memos([memo.id]))[memo.id].target_id == excerpt.id
    event = (await store.activity(s.project.id, 1)).events[0]
    assert event.type == "excerpt.updated" and event.target_ids[0] == excerpt.id
    assert event.before is not None and event.after is not None
    assert (event.before["start"], event.before["end"], event.before["text"]) == (0, 5, TEXT[0:5])
    assert (event.after["start"], event.after["end"], event.after["text"]) == (0, 13, TEXT[0:13])

    revision = len((await store.activity(s.project.id, 500)).events)
    await service.update_excerpt(TRUSTED, excerpt.id, 0, 13)  # the same span: nothing to record
    for start, end in [(5, 5), (-1, 4), (0, len(TEXT) + 1)]:
        with pytest.raises(BadInput):
            await service.update_excerpt(TRUSTED, excerpt.id, start, end)
    with pytest.raises(BadInput, match=neighbour.id):
        await service.update_excerpt(TRUSTED, excerpt.id, 30, 40)
    with pytest.raises(NotFound):
        await service.update_excerpt(TRUSTED, "missing", 0, 5)
    with pytest.raises(Forbidden):  # the OWNER marked it: an ANALYST may not move it
        await service.update_excerpt(other, excerpt.id, 1, 5)
    assert len((await store.activity(s.project.id, 500)).events) == revision
    assert (await store.get_excerpts([excerpt.id]))[excerpt.id].end == 13

    mine = await service.code_text(other, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.hope.id])
    assert (await service.update_excerpt(other, mine.id, 2, 9)).text == TEXT[2:9]
    await service.code_excerpt(TRUSTED, mine.id, s.fear.id)  # now it holds the OWNER's coding too
    with pytest.raises(Forbidden):
        await service.update_excerpt(other, mine.id, 2, 8)
    assert (await service.update_excerpt(TRUSTED, mine.id, 2, 8)).text == TEXT[2:8]


async def test_reverting_a_move_puts_the_excerpt_back_where_the_rules_allow(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    await service.update_excerpt(TRUSTED, excerpt.id, 0, 13)
    moved = (await store.activity(s.project.id, 1)).events[0]
    with pytest.raises(Forbidden):  # the OWNER's excerpt: an ANALYST may not move it back either
        await service.revert(other, moved.id)
    blocker = await service.create_excerpt(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5))
    with pytest.raises(Conflict):  # another excerpt marks the old span now
        await service.revert(TRUSTED, moved.id)
    await service.delete_excerpt(TRUSTED, blocker.id)
    reverted = await service.revert(TRUSTED, moved.id)
    assert reverted.type == "excerpt.updated" and reverted.after is not None and reverted.after["end"] == 5
    back = (await store.get_excerpts([excerpt.id]))[excerpt.id]
    assert (back.start, back.end, back.text) == (0, 5, TEXT[0:5])


async def test_code_passages_in_bulk(store: Store, service: Service) -> None:
    s = await small_project(service)
    await service.ensure_user(OTHER, "Second")
    span = NewExcerpt(id="bulk-1", document_id=s.doc_a.id, start=0, end=5)
    ids = await service.code_passages(
        TRUSTED,
        s.project.id,
        [
            CodedPassage(coder_id=ACTOR, excerpt=span, code_ids=(s.fear.id,)),
            CodedPassage(coder_id=OTHER, excerpt=span, code_ids=(s.fear.id, s.hope.id)),
            CodedPassage(
                coder_id=OTHER, excerpt=NewExcerpt(document_id=s.doc_b.id, start=2, end=9), code_ids=(s.hope.id,)
            ),
        ],
    )
    assert ids[0] == ids[1] == "bulk-1" and ids[2] != ids[0]
    codings = await store.codings_of_excerpts(ids)
    assert sorted((c.code_id, c.coder_id) for c in codings["bulk-1"]) == sorted(
        [(s.fear.id, ACTOR), (s.fear.id, OTHER), (s.hope.id, OTHER)]
    )
    assert (await store.get_excerpts([ids[2]]))[ids[2]].text == TEXT[2:9]
    again = await service.code_passages(
        TRUSTED, s.project.id, [CodedPassage(coder_id=ACTOR, excerpt=span, code_ids=(s.fear.id,))]
    )
    assert again == ["bulk-1"], "re-coding the same span reuses its excerpt"


async def test_only_trusted_callers_code_passages_as_someone_else(store: Store, service: Service) -> None:
    s = await small_project(service)
    other = await member(service, s.project.id, OTHER, Role.ANALYST)
    span = NewExcerpt(document_id=s.doc_a.id, start=0, end=5)
    with pytest.raises(BadInput):
        await service.code_passages(
            other, s.project.id, [CodedPassage(coder_id=ACTOR, excerpt=span, code_ids=(s.fear.id,))]
        )
    assert (await store.excerpts_of_documents([s.doc_a.id]))[s.doc_a.id] == []
    [id] = await service.code_passages(
        other, s.project.id, [CodedPassage(coder_id=OTHER, excerpt=span, code_ids=(s.fear.id,))]
    )
    assert [(c.code_id, c.coder_id) for c in (await store.codings_of_excerpts([id]))[id]] == [(s.fear.id, OTHER)]


@pytest.mark.parametrize("bad", ["span", "code", "other-project", "document", "document-of-other-project"])
async def test_code_passages_is_atomic(store: Store, service: Service, bad: str) -> None:
    s = await small_project(service)
    other = await small_project(service, name="Other")
    good = CodedPassage(
        coder_id=ACTOR, excerpt=NewExcerpt(document_id=s.doc_a.id, start=0, end=5), code_ids=(s.fear.id,)
    )
    wrong, error = {
        "span": (good.model_copy(update={"excerpt": NewExcerpt(document_id=s.doc_a.id, start=5, end=500)}), BadInput),
        "code": (good.model_copy(update={"code_ids": ("missing",)}), NotFound),
        "other-project": (good.model_copy(update={"code_ids": (other.fear.id,)}), NotFound),
        "document": (good.model_copy(update={"excerpt": NewExcerpt(document_id="missing", start=0, end=1)}), NotFound),
        "document-of-other-project": (
            good.model_copy(update={"excerpt": NewExcerpt(document_id=other.doc_a.id, start=0, end=1)}),
            NotFound,
        ),
    }[bad]
    with pytest.raises(error):
        await service.code_passages(TRUSTED, s.project.id, [good, wrong])
    assert (await store.excerpts_of_documents([s.doc_a.id, other.doc_a.id])) == {s.doc_a.id: [], other.doc_a.id: []}


async def test_a_category_code_cannot_be_applied(store: Store, service: Service) -> None:
    s = await small_project(service)
    category = await service.create_code(TRUSTED, NewCode(project_id=s.project.id, name="Emotions", codable=False))
    assert category.codable is False and s.fear.codable is True
    span = NewExcerpt(document_id=s.doc_a.id, start=0, end=5)
    with pytest.raises(BadInput):
        await service.code_text(TRUSTED, span, [s.fear.id, category.id])
    with pytest.raises(BadInput):
        await service.code_passages(
            TRUSTED, s.project.id, [CodedPassage(coder_id=ACTOR, excerpt=span, code_ids=(category.id,))]
        )
    assert (await store.excerpts_of_documents([s.doc_a.id]))[s.doc_a.id] == []
    opened = await service.update_code(TRUSTED, category.id, CodePatch(codable=True))
    assert opened.codable and (await service.code_text(TRUSTED, span, [category.id])).text == TEXT[:5]

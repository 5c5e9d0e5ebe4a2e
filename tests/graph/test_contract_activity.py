"""Contract: every write of the service appends to the project's activity history (every adapter)."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound
from graph.inputs import CodedPassage, CodePatch, NewExcerpt, NewLink, NewMemo
from graph.models import LinkKind, Role
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import small_project


async def history(store: Store, project_id: str) -> list[str]:
    page = await store.activity(project_id, 500)
    return [e.type for e in reversed(page.events)]


async def test_every_write_is_recorded_with_before_and_after(store: Store, service: Service) -> None:
    s = await small_project(service)
    assert await history(store, s.project.id) == [
        "project.created",
        "participant.created",
        "participant.created",
        "document.created",
        "document.created",
        "code.created",
        "code.created",
        "theme.created",
    ]
    renamed = await service.update_code(TRUSTED, s.fear.id, CodePatch(name="Fear of removal"))
    excerpt = await service.code_text(
        TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id]
    )
    await service.uncode_excerpt(TRUSTED, excerpt.id, s.hope.id)
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    link = await service.link_concepts(TRUSTED, NewLink(source_id=s.fear.id, target_id=s.hope.id, kind=LinkKind.CAUSES))
    await service.add_memo(TRUSTED, NewMemo(target_id=link.id, title="why"))
    await service.code_passages(
        TRUSTED,
        s.project.id,
        [
            CodedPassage(
                coder_id=ACTOR, code_ids=(s.hope.id,), excerpt=NewExcerpt(document_id=s.doc_b.id, start=1, end=4)
            )
        ],
    )
    ada = await service.create_user("Ada")
    await service.add_member(TRUSTED, s.project.id, ada.id, Role.VIEWER)
    await service.merge_codes(TRUSTED, s.hope.id, s.fear.id)
    await service.delete_document(TRUSTED, s.doc_b.id)
    with pytest.raises(BadInput):  # a failed write records nothing
        await service.update_code(TRUSTED, s.fear.id, CodePatch(parent_id=s.fear.id))
    assert (await history(store, s.project.id))[8:] == [
        "code.updated",
        "excerpt.coded",
        "excerpt.uncoded",
        "theme.code_added",
        "link.created",
        "memo.created",
        "excerpt.coded_in_bulk",
        "member.added",
        "code.merged",
        "document.deleted",
    ]
    page = await store.activity(s.project.id, 100, target_id=s.fear.id)
    updated = next(e for e in page.events if e.type == "code.updated")
    assert updated.actor_id == ACTOR and updated.target_ids == (s.fear.id,)
    assert updated.before["name"] == "Fear" and updated.after["name"] == renamed.name == "Fear of removal"
    assert "name" in updated.summary and "Fear of removal" in updated.summary
    coded = next(e for e in page.events if e.type == "excerpt.coded")
    assert coded.target_ids == (excerpt.id, s.fear.id, s.hope.id)
    deleted = (await store.activity(s.project.id, 1)).events[0]
    assert deleted.type == "document.deleted" and "text" not in deleted.before and deleted.after is None


async def test_activity_pages_newest_first_and_filters(store: Store, service: Service) -> None:
    s = await small_project(service)
    ada = await service.create_user("Ada")
    await service.add_member(TRUSTED, s.project.id, ada.id, Role.ANALYST)
    await service.update_code(Actor(ada.id), s.fear.id, CodePatch(description="by Ada"))
    seen, after = [], None
    while True:
        page = await store.activity(s.project.id, 3, after)
        seen += page.events
        if not page.has_next_page:
            break
        after = page.cursors[-1]
    assert len(seen) == 10 and len({e.id for e in seen}) == 10
    assert [(e.at, e.id) for e in seen] == sorted(((e.at, e.id) for e in seen), reverse=True)
    mine = await store.activity(s.project.id, 100, actor_id=ada.id)
    assert [e.type for e in mine.events] == ["code.updated"]
    second_newest = (await store.activity(s.project.id, 2)).cursors[1]
    assert [e.type for e in await store.events_since(s.project.id, second_newest)] == ["code.updated"]
    assert len(await store.events_since(s.project.id, None)) == 10
    assert (await store.activity("missing", 5)).events == (), "a reader, not a rule: nothing there"
    with pytest.raises(NotFound):
        await service.reader(TRUSTED).activity("missing", 5)

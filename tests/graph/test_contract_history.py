"""Contract: the reads a revert makes inside its unit of work (every adapter): what holds on to
a node (`Transaction.related`) and a history entry by id (`Transaction.event`)."""

from __future__ import annotations

from graph import activity
from graph.inputs import NewExcerpt, NewLink, NewMemo
from graph.models import LinkKind, Related
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import small_project


async def test_related_names_what_holds_on_to_each_kind_of_node(store: Store, service: Service) -> None:
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    link = await service.link_concepts(
        TRUSTED,
        NewLink(source_id=s.fear.id, target_id=s.theme.id, kind=LinkKind.PART_OF, evidence_excerpt_ids=[excerpt.id]),
    )
    on_link = await service.add_memo(TRUSTED, NewMemo(target_id=link.id, title="why"))
    on_excerpt = await service.add_memo(TRUSTED, NewMemo(target_id=excerpt.id, title="this"))
    on_becky = await service.add_memo(TRUSTED, NewMemo(target_id=s.becky.id, title="who"))

    async def related(id: str) -> Related:
        return await store.read(lambda tx: tx.related(id))

    code = await related(s.fear.id)
    assert [(c.excerpt_id, c.code_id, c.coder_id) for c in code.codings] == [(excerpt.id, s.fear.id, ACTOR)]
    assert code.memberships == ((s.fear.id, s.theme.id),)
    assert code.link_ids == (link.id,) and code.memo_ids == (on_link.id,)
    assert (code.excerpt_ids, code.citing_link_ids, code.document_ids) == ((), (), ())
    theme = await related(s.theme.id)
    assert theme.memberships == ((s.fear.id, s.theme.id),) and theme.link_ids == (link.id,) and not theme.codings
    ex = await related(excerpt.id)
    assert len(ex.codings) == 1 and ex.citing_link_ids == (link.id,) and ex.memo_ids == (on_excerpt.id,)
    document = await related(s.doc_a.id)
    assert document.excerpt_ids == (excerpt.id,) and len(document.codings) == 1
    assert document.citing_link_ids == (link.id,) and document.memo_ids == (on_excerpt.id,)
    becky = await related(s.becky.id)
    assert becky.document_ids == (s.doc_b.id,) and becky.memo_ids == (on_becky.id,)
    assert (await related(s.hope.id)).empty and (await related("nothing")).empty


async def test_event_reads_one_entry_by_id(store: Store, service: Service) -> None:
    s = await small_project(service)
    newest = (await store.activity(s.project.id, 1)).events[0]
    assert await store.read(lambda tx: tx.event(newest.id)) == newest
    assert await store.read(lambda tx: tx.event("nothing")) is None
    reverted = await service.revert(TRUSTED, newest.id)
    assert reverted.reverts == newest.id
    assert await store.read(lambda tx: tx.event(reverted.id)) == reverted


async def test_events_since_keeps_to_kinds_of_entry(store: Store, service: Service) -> None:
    s = await small_project(service)
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    everything = await store.events_since(s.project.id, None, 100)
    codebook = await store.events_since(s.project.id, None, 100, ("code", "theme"))
    assert [e.type for e in codebook] == ["code.created", "code.created", "theme.created"]
    assert codebook == [e for e in everything if e.type.split(".")[0] in ("code", "theme")]
    assert await store.events_since(s.project.id, None, 100, ()) == []
    after_first = await store.events_since(s.project.id, activity.cursor(codebook[0]), 1, ("code", "theme"))
    assert after_first == codebook[1:2]


async def test_revision_counts_the_history_entries_and_grows_with_each_change(store: Store, service: Service) -> None:
    s = await small_project(service)
    before = await store.revision(s.project.id)
    assert before == len(await store.events_since(s.project.id, None, 1000)) > 0
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    assert await store.revision(s.project.id) == before + 1
    assert await store.revision("nothing") == 0

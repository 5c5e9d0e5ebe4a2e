"""The embedded adapter keeps everything across a close and reopen (the kill -9 case is
tested end to end in tests/api/test_durability.py)."""

from __future__ import annotations

from pathlib import Path

from graph.embedded import EmbeddedStore
from graph.inputs import NewExcerpt
from graph.models import Role
from graph.service import Service
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import small_project


async def test_reopened_store_has_every_write(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    await store.open()
    service = Service(store)
    await service.ensure_user(ACTOR, "Tester")
    s = await small_project(service)
    excerpt = await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id])
    await store.close()

    reopened = EmbeddedStore(tmp_path)
    await reopened.open()
    try:
        assert (await reopened.get_excerpts([excerpt.id]))[excerpt.id] == excerpt
        assert [c.code_id for c in (await reopened.codings_of_excerpts([excerpt.id]))[excerpt.id]] == [s.fear.id]
        assert [p.id for p in await reopened.list_projects()] == [s.project.id]
        assert await reopened.roles(ACTOR, [s.project.id]) == {s.project.id: Role.OWNER}
    finally:
        await reopened.close()

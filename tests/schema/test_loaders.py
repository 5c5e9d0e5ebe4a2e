"""No N+1: the number of store round trips for a nested query does not grow with the data."""

from __future__ import annotations

from collections.abc import Callable

from api.settings import Settings
from graph.inputs import NewCode, NewDocument, NewExcerpt, NewProject, NewTheme
from graph.store import Store
from tests.support import CountingStore, serve_in_process

QUERY = """query($p: ID!) { project(id: $p) {
  codes { excerptCount participantCount themes { name } parent { name } }
  themes { codes { name } excerptCount subthemes { name } }
  documents { participant { pseudonym } excerpts { codes { name } codings { coder { name } } } }
} }"""


async def store_calls(settings: Settings, new_store: Callable[[], Store], n_codes: int) -> int:
    store = CountingStore(new_store())
    async with serve_in_process(settings, store) as api:  # type: ignore[arg-type]
        me = (await api.ok("{ me { id } }"))["me"]["id"]
        project = await store.create_project(me, NewProject(name="P"))
        doc = await store.add_document(me, NewDocument(project_id=project.id, title="d", text="x" * 1000))
        themes = [await store.create_theme(me, NewTheme(project_id=project.id, name=f"t{i}")) for i in range(n_codes // 5)]
        for i in range(n_codes):
            code = await store.create_code(me, NewCode(project_id=project.id, name=f"c{i}"))
            await store.add_code_to_theme(me, code.id, themes[i % len(themes)].id)
            await store.code_text(me, NewExcerpt(document_id=doc.id, start=i, end=i + 5), [code.id])
        store.calls.clear()
        data = await api.ok(QUERY, p=project.id)
        assert len(data["project"]["codes"]) == n_codes
        assert all(c["excerptCount"] == 1 and len(c["themes"]) == 1 for c in data["project"]["codes"])
        return store.total


async def test_store_calls_do_not_grow_with_the_number_of_codes(settings: Settings, new_store: Callable[[], Store]) -> None:
    at_10 = await store_calls(settings, new_store, 10)
    at_100 = await store_calls(settings, new_store, 100)
    assert at_10 == at_100, (at_10, at_100)
    assert at_10 <= 15, at_10

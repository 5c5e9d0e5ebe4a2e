"""No N+1: the number of store round trips for a nested query, and for each analytic
question, does not grow with the data. (Each request also spends one round trip on its
token and one on the caller's roles.)"""

from __future__ import annotations

from collections.abc import Callable

from api.settings import Settings
from graph.inputs import NewCode, NewDocument, NewExcerpt, NewLink, NewParticipant, NewProject, NewTheme
from graph.models import LinkKind
from graph.policy import Actor
from graph.store import Store
from tests.support import CountingStore, serve_in_process

TREE = """query($p: ID!) { project(id: $p) {
  codes { excerptCount participantCount themes { name } parent { name } memos { edges { node { title } } } }
  themes { codes { name } excerptCount subthemes { name } excerpts(first: 3) { edges { node { text codes { name } } } }
    memos(first: 2) { edges { node { title } } } }
  documents { participant { pseudonym } excerpts { codes { name } codings { coder { name } } memos { edges { node { title } } } } }
} }"""

QUESTIONS = {
    "themeMap": """query($p: ID!) { themeMap(projectId: $p, cooccurrenceMin: 1) {
        nodes { id excerptCount concept { ... on Code { name } ... on Theme { name } } } edges { kind link { label } } } }""",
    "cooccurrence": """query($p: ID!) { cooccurrence(projectId: $p) {
        a { ... on Code { name } } b { ... on Code { name } } count } }""",
    "caseMatrix": """query($p: ID!) { caseMatrix(projectId: $p) {
        columns { ... on Code { name } } rows { participant { pseudonym } cells { count excerpts(first: 2) { text } } } } }""",
    "compareGroups": """query($p: ID!) { compareGroups(projectId: $p, attribute: "group", columns: CODE) {
        value n concepts { concept { ... on Code { name } } proportion } } }""",
    "findExcerpts": """query($p: ID!, $c: ID!) { findExcerpts(projectId: $p, where: {anyOf: [$c], text: "x"}, first: 50) {
        edges { node { text participant { pseudonym } codes { name } } } } }""",
    "participantsMatching": """query($p: ID!, $c: ID!) { participantsMatching(projectId: $p, where: {anyOf: [$c]}) {
        participant { pseudonym } excerpts { text } } }""",
    "sequences": """query($p: ID!, $c: ID!, $e: ID!) { sequences(projectId: $p, first: $c, then: $e) {
        document { title } participant { pseudonym } first { text } then { text } } }""",
    "conceptPaths": """query($p: ID!, $c: ID!, $d: ID!) { conceptPaths(projectId: $p, from: $c, to: $d, via: [LINK]) {
        steps { from { ... on Code { name } } to { ... on Code { name } } link { evidence { text } } } } }""",
    "search": """query($p: ID!) { search(projectId: $p, text: "x", first: 50) {
        edges { node { document { title } participant { pseudonym } } } } }""",
}


async def store_calls(settings: Settings, new_store: Callable[[], Store], n: int) -> dict[str, int]:
    """Round trips per operation on a project with `n` codes (and n/5 participants, documents, themes)."""
    store = CountingStore(new_store())
    async with serve_in_process(settings, store) as api:  # type: ignore[arg-type]
        service = api.service
        assert service is not None
        me = Actor((await api.ok("{ me { id } }"))["me"]["id"])
        project = await service.create_project(me, NewProject(name="P"))
        docs = []
        for i in range(n // 5):
            who = await service.add_participant(
                me, NewParticipant(project_id=project.id, pseudonym=f"p{i}", attributes={"group": i % 2})
            )
            docs.append(
                await service.add_document(
                    me, NewDocument(project_id=project.id, title=f"d{i}", text="x " * 500, participant_id=who.id)
                )
            )
        themes = [await service.create_theme(me, NewTheme(project_id=project.id, name=f"t{i}")) for i in range(n // 5)]
        codes = []
        for i in range(n):
            codes.append(await service.create_code(me, NewCode(project_id=project.id, name=f"c{i}")))
            await service.add_code_to_theme(me, codes[-1].id, themes[i % len(themes)].id)
            for doc in (docs[i % len(docs)], docs[(i + 1) % len(docs)]):
                await service.code_text(
                    me,
                    NewExcerpt(document_id=doc.id, start=10 * (i % 20), end=10 * (i % 20) + 5),
                    [c.id for c in codes[-2:]],
                )
            if i:
                await service.link_concepts(
                    me, NewLink(source_id=codes[i - 1].id, target_id=codes[i].id, kind=LinkKind.CAUSES)
                )
        calls = {}
        for name, query in {"project tree": TREE, **QUESTIONS}.items():
            store.calls.clear()
            await api.ok(
                query,
                **{
                    k: v
                    for k, v in {"p": project.id, "c": codes[0].id, "d": codes[3].id, "e": codes[1].id}.items()
                    if f"${k}" in query
                },
            )
            calls[name] = store.total
        return calls


async def test_store_calls_do_not_grow_with_the_project(settings: Settings, new_store: Callable[[], Store]) -> None:
    at_10 = await store_calls(settings, new_store, 10)
    at_100 = await store_calls(settings, new_store, 100)
    assert at_10 == at_100, (at_10, at_100)
    assert at_10["project tree"] <= 22, at_10  # with memos of codes, themes and excerpts, and themes' excerpts
    assert all(calls <= 9 for name, calls in at_10.items() if name != "project tree"), at_10

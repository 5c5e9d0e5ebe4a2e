"""Differential test: seeded random projects built on both adapters at once, through the
same sequence of use cases of the service (including ones that must fail, for a rule or
for a role), then every read of the store port compared. The service over each adapter
must give the same answer or error to every write, and the adapters the same to every read."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from graph.analysis.agreement import AgreementUnit
from graph.analysis.filters import AttributeCondition, CaseFilter, Where
from graph.analysis.results import ConceptKind, CooccurrenceScope, MatchOrder
from graph.embedded import EmbeddedStore
from graph.errors import DomainError
from graph.inputs import (
    CodedPassage,
    CodePatch,
    LinkPatch,
    NewCode,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
    NewProject,
    NewTheme,
    ThemePatch,
)
from graph.models import LinkKind, MemoPage, Role, ThemeStatus
from graph.neo4j import Neo4jStore
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.bolt.server import BoltServer
from tests.conftest import _wipe

WORDS = [
    "fear",
    "social",
    "worker",
    "baby",
    "née",
    "שלום",
    "😀",
    "e\u0301te",
    "known",
    "Judged",
    "crèche",
    "plan",
    "mum",
]
CODERS = ["coder-a", "coder-b", "coder-c"]
"""The first owns each project; the others are its ANALYSTs."""
OWNER, ANALYST, OTHER_ANALYST = (Actor(c) for c in CODERS)
SEEDER = Actor(CODERS[0], trusted=True)
"""Bulk coding as several coders at once is for trusted callers (the seed loaders)."""
TIMESTAMPS = {"created_at", "updated_at"}


def normal(value: Any) -> Any:
    """Comparable form: models without their timestamps (each store stamps its own clock), and
    pages of memos without their cursors (which hold the memos' creation times)."""
    if isinstance(value, MemoPage):
        return [normal(value.items), value.has_next_page]
    if isinstance(value, BaseModel):
        return {k: normal(v) for k, v in value.model_dump().items() if k not in TIMESTAMPS}
    if isinstance(value, dict):
        return {k: normal(v) for k, v in value.items() if k not in TIMESTAMPS}
    if isinstance(value, list | tuple):
        return [normal(v) for v in value]
    return value


class Twins:
    """Apply each operation on both adapters (a write through the service over each, a read
    of the store itself); they must give the same result or the same error."""

    def __init__(self, embedded: Store, neo4j: Store) -> None:
        self.stores = (embedded, neo4j)
        self.services = (Service(embedded), Service(neo4j))
        self.failures = 0

    async def write(self, method: str, *args: Any) -> Any:
        return await self._both(self.services, method, args)

    async def call(self, method: str, *args: Any) -> Any:
        return await self._both(self.stores, method, args)

    async def _both(self, targets: tuple[Any, Any], method: str, args: tuple[Any, ...]) -> Any:
        outcomes = []
        for target in targets:
            try:
                outcomes.append(("ok", await getattr(target, method)(*args)))
            except DomainError as exc:
                outcomes.append(("error", type(exc).__name__))
        assert normal(outcomes[0]) == normal(outcomes[1]), (method, args, outcomes)
        if outcomes[0][0] == "error":
            self.failures += 1
            return None
        return outcomes[0][1]


@pytest.fixture
async def twins(tmp_path: Path, bolt_server: BoltServer) -> AsyncIterator[Twins]:
    _wipe(bolt_server)
    embedded = EmbeddedStore(tmp_path)
    neo4j = Neo4jStore(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database)
    for store in (embedded, neo4j):
        await store.open()
    try:
        yield Twins(embedded, neo4j)
    finally:
        for store in (embedded, neo4j):
            await store.close()


def text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60)))


async def build(t: Twins, rng: random.Random, tag: str) -> dict[str, list[str]]:
    """A random project, mostly valid writes with some that must fail (bad spans, duplicate
    names, cycles, self-links, stale versions, an ANALYST removing others' work). Returns the
    ids created, by kind; "ghost" holds ids whose creation failed."""
    kinds = ("participant", "document", "excerpt", "code", "theme", "link", "memo", "ghost")
    ids: dict[str, list[str]] = {k: [] for k in kinds}
    count = iter(range(10**6))

    async def create(kind: str, method: str, *args: Any) -> None:
        """Call a creation whose input carries the id `pending`; keep the id if it succeeded."""
        result = await t.write(method, *args)
        if result is None:
            ids["ghost"].append(pending[0])
        else:
            ids[kind].append(result.id)  # code_text may reuse an excerpt with the same span

    pending: list[str] = []

    def new(kind: str) -> str:
        pending[:] = [f"{tag}-{kind}-{next(count)}"]
        return pending[0]

    project = f"{tag}-project"
    await t.write("create_project", OWNER, NewProject(id=project, name=f"Project {tag}"))
    for coder in CODERS[1:]:
        await t.write("add_member", OWNER, project, coder, Role.ANALYST)
    for _ in range(rng.randint(2, 5)):
        await create(
            "participant",
            "add_participant",
            OWNER,
            NewParticipant(
                id=new("participant"),
                project_id=project,
                pseudonym=rng.choice(WORDS).title(),
                attributes={
                    "involvement": rng.choice(["CIN", "CP plan"]),
                    "age": rng.randint(6, 9),
                    "tp": rng.random() < 0.5,
                },
            ),
        )
    texts: dict[str, str] = {}
    for participant in [*ids["participant"], None]:
        doc = new("document")
        texts[doc] = text(rng)
        await create(
            "document",
            "add_document",
            OWNER,
            NewDocument(
                id=doc,
                project_id=project,
                title=f"Interview {rng.choice(WORDS)}",
                text=texts[doc],
                participant_id=participant,
            ),
        )
    for _ in range(rng.randint(6, 12)):
        parent = rng.choice([None, *ids["code"]]) if ids["code"] else None
        await create(
            "code",
            "create_code",
            OWNER,
            NewCode(
                id=new("code"),
                project_id=project,
                name=rng.choice(WORDS) + rng.choice(["", f" {len(ids['code'])}"]),
                parent_id=parent,
                color=rng.choice([None, "#ff0000"]),
            ),
        )
    for _ in range(rng.randint(3, 6)):
        parent = rng.choice([None, *ids["theme"]]) if ids["theme"] else None
        await create(
            "theme",
            "create_theme",
            OWNER,
            NewTheme(
                id=new("theme"),
                project_id=project,
                name=rng.choice(WORDS) + rng.choice(["", " theme"]),
                status=rng.choice(list(ThemeStatus)),
                parent_id=parent,
            ),
        )
    for _ in range(10):
        await t.write("add_code_to_theme", ANALYST, rng.choice(ids["code"]), rng.choice(ids["theme"]))

    def span(doc: str) -> tuple[int, int]:
        """Mostly inside the text; about one in ten is out of range."""
        start = rng.randint(-1, len(texts[doc]) - 30) if rng.random() < 0.1 else rng.randint(0, len(texts[doc]) - 30)
        return start, start + rng.randint(1, 40)

    for _ in range(25):
        doc = rng.choice(list(texts))
        start, end = span(doc)
        await create(
            "excerpt",
            "code_text",
            Actor(rng.choice(CODERS)),
            NewExcerpt(id=new("excerpt"), document_id=doc, start=start, end=end),
            rng.sample(ids["code"], rng.randint(1, 2)),
        )
    batch = []
    for _ in range(15):
        doc = rng.choice([d for d in texts if d in ids["document"]])
        start, end = span(doc)
        start = max(start, 0)
        end = min(end, len(texts[doc]))
        batch.append(
            CodedPassage(
                coder_id=rng.choice(CODERS),
                code_ids=tuple(rng.sample(ids["code"], 2)),
                excerpt=NewExcerpt(id=new("excerpt"), document_id=doc, start=start, end=end),
            )
        )
    excerpt_ids = await t.write("code_passages", SEEDER, project, batch)
    assert excerpt_ids is not None, "the batch is valid"
    ids["excerpt"].extend(dict.fromkeys(excerpt_ids))
    for _ in range(8):
        concepts = ids["code"] + ids["theme"]
        await create(
            "link",
            "link_concepts",
            OTHER_ANALYST,
            NewLink(
                id=new("link"),
                source_id=rng.choice(concepts),
                target_id=rng.choice(concepts),
                kind=rng.choice(list(LinkKind)),
                label=rng.choice([None, "because"]),
                evidence_excerpt_ids=tuple(rng.sample(ids["excerpt"], 2)),
            ),
        )
    for _ in range(6):
        target = rng.choice([project, *ids["participant"], *ids["code"], *ids["theme"], *ids["excerpt"], *ids["link"]])
        await create("memo", "add_memo", ANALYST, NewMemo(id=new("memo"), target_id=target, title=rng.choice(WORDS)))
    for _ in range(6):
        code = rng.choice(ids["code"])
        await t.write(
            "update_code",
            ANALYST,
            code,
            CodePatch(
                name=rng.choice([None, *WORDS]),
                parent_id=rng.choice([None, *ids["code"]]),
                expected_version=rng.choice([None, 1]),
            ),
        )
        theme = rng.choice(ids["theme"])
        await t.write("update_theme", ANALYST, theme, ThemePatch(parent_id=rng.choice([None, *ids["theme"]])))
    for link in ids["link"][:3]:
        await t.write("update_link", OTHER_ANALYST, link, LinkPatch(note="revised", kind=rng.choice(list(LinkKind))))
    for actor in (ANALYST, OTHER_ANALYST, OWNER):  # moved where all its work is the actor's (or by the OWNER)
        start, end = span(rng.choice(list(texts)))
        await t.write("update_excerpt", actor, rng.choice(ids["excerpt"]), start, end)
    for analyst in (ANALYST, OTHER_ANALYST):  # allowed where all the excerpt's work is theirs, else Forbidden
        await t.write("delete_excerpt", analyst, rng.choice(ids["excerpt"]))
    await t.write("uncode_excerpt", ANALYST, rng.choice(ids["excerpt"]), rng.choice(ids["code"]), CODERS[2])
    await t.write("uncode_excerpt", OWNER, rng.choice(ids["excerpt"]), rng.choice(ids["code"]))
    await t.write("merge_codes", OWNER, rng.choice(ids["code"]), rng.choice(ids["code"]))
    await t.write("delete_code", OWNER, rng.choice(ids["code"]))
    await t.write("delete_theme", OWNER, rng.choice(ids["theme"]))
    await t.write("delete_excerpt", OWNER, rng.choice(ids["excerpt"]))
    await t.write("delete_document", OWNER, rng.choice(ids["document"]))
    await t.write("remove_code_from_theme", OWNER, rng.choice(ids["code"]), rng.choice(ids["theme"]))
    ids["project"] = [project]
    ids["excerpt"] = list(dict.fromkeys(ids["excerpt"]))
    return ids


async def read_everything(t: Twins, ids: dict[str, list[str]]) -> None:
    every = [i for group in ids.values() for i in group] + ["missing"]
    ids = {kind: [*group, *ids["ghost"]] for kind, group in ids.items()}
    await t.call("list_projects")
    for method, kind in [
        ("get_projects", "project"),
        ("get_participants", "participant"),
        ("get_documents", "document"),
        ("get_excerpts", "excerpt"),
        ("get_codes", "code"),
        ("get_themes", "theme"),
        ("get_links", "link"),
        ("get_memos", "memo"),
        ("participants_of_projects", "project"),
        ("documents_of_projects", "project"),
        ("documents_of_participants", "participant"),
        ("excerpts_of_documents", "document"),
        ("codings_of_excerpts", "excerpt"),
        ("codes_of_projects", "project"),
        ("children_of_codes", "code"),
        ("code_stats", "code"),
        ("themes_of_projects", "project"),
        ("subthemes_of_themes", "theme"),
        ("codes_of_themes", "theme"),
        ("themes_of_codes", "code"),
        ("theme_stats", "theme"),
        ("links_of_projects", "project"),
        ("memos_of_projects", "project"),
    ]:
        await t.call(method, [*ids[kind], "missing"])
    await t.call("get_users", [*CODERS, "missing"])
    await t.call("node_refs", every)
    await t.call("excerpts_of_codes", ids["code"], 3, None)
    await t.call("code_stats", [*ids["code"], "missing"], None, True)
    await t.call("theme_stats", [*ids["theme"], "missing"], None, True)
    await t.call("excerpts_of_themes", [*ids["theme"], "missing"], 4, None)
    await t.call("memos_of_targets", [i for group in ids.values() for i in group], 2, None)
    for code in ids["code"]:
        after = None
        while True:
            pages = await t.call("excerpts_of_codes", [code], 3, after)
            if pages is None or not pages[code].has_next_page:
                break
            after = pages[code].cursors[-1]


async def ask_everything(t: Twins, ids: dict[str, list[str]], rng: random.Random) -> None:
    """Every cross-case question, with and without coders and case filters."""
    project = ids["project"][0]
    concepts = [*ids["code"], *ids["theme"]]
    filters = [
        None,
        CaseFilter(attributes=(AttributeCondition(name="involvement", equals="CP plan"),)),
        CaseFilter(
            attributes=(AttributeCondition(name="age", min=7, max=8),), participant_ids=tuple(ids["participant"][:2])
        ),
    ]
    for case_filter, coders in [(f, c) for f in filters for c in (None, tuple(CODERS[:2]))]:
        await t.call("theme_map", project, case_filter, coders, 1)
        for scope in CooccurrenceScope:
            await t.call("cooccurrence", project, scope, ids["code"], ids["theme"][:2], 1, case_filter, coders)
        for kind in ConceptKind:
            await t.call("case_matrix", project, kind, (), case_filter, coders)
            await t.call("compare_groups", project, "involvement", kind, (), case_filter, coders)
        where = Where(
            all_of=tuple(rng.sample(concepts, 1)),
            none_of=tuple(rng.sample(concepts, 1)),
            filter=case_filter or CaseFilter(),
            coders=coders,
        )
        await t.call("find_excerpts", project, where, 5, None)
        await t.call(
            "find_excerpts", project, Where(any_of=tuple(rng.sample(concepts, 3)), text=rng.choice(WORDS)), 50, None
        )
        await t.call("participants_matching", project, where)
        await t.call("participants_matching_page", project, where, MatchOrder.EVIDENCE, 2, None)
        await t.call("theme_map", project, case_filter, coders, None, True)
        await t.call(
            "sequences",
            project,
            rng.choice(concepts),
            rng.choice(concepts),
            rng.choice([None, 30]),
            case_filter,
            coders,
        )
        await t.call(
            "sequences_page", project, rng.choice(concepts), rng.choice(concepts), None, case_filter, coders, 2
        )
        await t.call("concept_paths", project, rng.choice(concepts), rng.choice(concepts), 6, (), case_filter, coders)
    for word in [*WORDS, '"social worker"', "MUM fear"]:
        await t.call("search", project, word, 100, None)
    for unit in AgreementUnit:
        await t.call("agreement", project, CODERS, (), (), unit)
        await t.call("agreement", project, CODERS[:2], ids["code"][:3], ids["document"][:2], unit)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_adapters_agree_on_random_projects(twins: Twins, seed: int) -> None:
    for coder in CODERS:
        await twins.write("ensure_user", coder, coder.title(), None)
    rng = random.Random(seed)
    ids = await build(twins, rng, f"s{seed}")
    other = await build(twins, rng, f"s{seed}b")
    failures = twins.failures
    await twins.write("code_text", OWNER, NewExcerpt(document_id=ids["document"][0], start=0, end=5), other["code"])
    await twins.write(
        "link_concepts", OWNER, NewLink(source_id=ids["code"][0], target_id=other["code"][0], kind=LinkKind.CAUSES)
    )
    assert twins.failures == failures + 2, "a node of another project answers as one that does not exist"
    await read_everything(twins, ids)
    await read_everything(twins, other)
    await ask_everything(twins, ids, rng)
    assert twins.failures >= 3, "the generator should also exercise failing writes"
    stats = await twins.stores[0].code_stats(ids["code"])
    assert sum(s.excerpt_count for s in stats.values()) > 0

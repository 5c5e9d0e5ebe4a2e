"""Snapshots read without snapshot isolation (Neo4j reads committed data statement by
statement) may name an excerpt, code or theme created after its list was read; the
questions leave such rows out instead of failing."""

from __future__ import annotations

import dataclasses

from graph.analysis import questions
from graph.analysis.filters import CaseFilter
from graph.analysis.snapshot import CodingFact
from graph.inputs import NewExcerpt
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED
from tests.graph.builders import small_project


async def test_rows_naming_nodes_read_later_are_left_out(store: Store, service: Service) -> None:
    s = await small_project(service)
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    await service.add_code_to_theme(TRUSTED, s.fear.id, s.theme.id)
    read = await store.project_snapshot(s.project.id)
    late = dataclasses.replace(
        read,
        codings=[
            *read.codings,
            CodingFact("excerpt-created-later", s.fear.id, ACTOR),
            CodingFact(read.excerpts[0].id, "code-created-later", ACTOR),
        ],
        memberships=[*read.memberships, ("code-created-later", s.theme.id), (s.hope.id, "theme-created-later")],
    )
    expected = questions.theme_map(read.scope(None, CaseFilter()), 1)
    assert questions.theme_map(late.scope(None, CaseFilter()), 1) == expected
    assert {n.id: n.excerpt_count for n in expected.nodes}[s.theme.id] == 1

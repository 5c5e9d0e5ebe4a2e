"""The fastest direct way we know to get co-occurrence and the case matrix: read the
coding table in one query (SQL on the embedded store's file, Cypher over Bolt on the
neo4j store) and multiply sparse matrices with SciPy. The bench divides our HTTP
latency by these to show how far the API is from the floor.

Co-occurrence counts what the API counts at EXCERPT scope (one excerpt coded with both
codes, or two overlapping excerpts, one coded with each); the floor leaves out the
Jaccard share and the authorisation, loading and GraphQL work the API does."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from neo4j import AsyncGraphDatabase
from scipy import sparse

from api.settings import Settings
from graph.analysis.matrices import overlapping

Rows = tuple[list[tuple[Any, ...]], dict[str, str | None], list[tuple[str, str]], dict[str, str | None]]
"""(excerpt id, code id, document id, start, end) codings in document and text order;
excerpt -> participant; (code, theme) memberships; theme -> parent."""
Floor = dict[str, Callable[[], Awaitable[Any]]]

_SQL = (
    'SELECT DISTINCT c.excerpt_id, c.code_id, e.document_id, e.start, e."end" FROM codings c '
    'JOIN excerpts e ON e.id = c.excerpt_id WHERE c.project_id = ? ORDER BY e.document_id, e.start, e."end", e.id',
    "SELECT e.id, d.participant_id FROM excerpts e JOIN documents d ON d.id = e.document_id WHERE e.project_id = ?",
    "SELECT code_id, theme_id FROM theme_codes WHERE project_id = ?",
    "SELECT id, parent_id FROM themes WHERE project_id = ?",
)
_CYPHER = (
    "MATCH (e:Excerpt {project_id: $p})-[:CODED_AS]->(c:Code) MATCH (e)-[:OF]->(d:Document) "
    "RETURN DISTINCT e.id AS a, c.id AS b, d.id AS d, e.start AS s, e.`end` AS e ORDER BY d, s, e, a",
    "MATCH (e:Excerpt {project_id: $p})-[:OF]->(d:Document) OPTIONAL MATCH (d)-[:ABOUT]->(x:Participant) "
    "RETURN e.id AS a, x.id AS b",
    "MATCH (c:Code {project_id: $p})-[:IN_THEME]->(t:Theme) RETURN c.id AS a, t.id AS b",
    "MATCH (t:Theme {project_id: $p}) OPTIONAL MATCH (t)-[:SUBTHEME_OF]->(u:Theme) RETURN t.id AS a, u.id AS b",
)


def for_store(store: str, settings: Settings, project_id: str) -> Floor:
    async def read() -> Rows:
        if store == "embedded":
            return _read_sqlite(settings, project_id)
        return await _read_bolt(settings, project_id)

    async def cooccurrence() -> Any:
        return cooccurrence_pairs((await read())[0])

    async def case_matrix() -> Any:
        return case_matrix_themes(*await read())

    return {"cooccurrence EXCERPT": cooccurrence, "caseMatrix THEME": case_matrix}


def _read_sqlite(settings: Settings, project_id: str) -> Rows:
    db = sqlite3.connect(f"file:{settings.data_dir / 'thememap.sqlite3'}?mode=ro", uri=True)
    try:
        codings, excerpts, members, themes = (db.execute(sql, (project_id,)).fetchall() for sql in _SQL)
    finally:
        db.close()
    return codings, dict(excerpts), members, dict(themes)


async def _read_bolt(settings: Settings, project_id: str) -> Rows:
    async with AsyncGraphDatabase.driver(
        settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value())
    ) as driver:
        out = []
        for cypher in _CYPHER:
            records, _, _ = await driver.execute_query(cypher, p=project_id, database_=settings.neo4j_database)
            out.append([tuple(r.values()) for r in records])
    return out[0], dict(out[1]), out[2], dict(out[3])


def _index(values: list[str]) -> dict[str, int]:
    return {v: i for i, v in enumerate(dict.fromkeys(values))}


def _incidence(pairs: list[tuple[str, str]], rows: dict[str, int], cols: dict[str, int]) -> sparse.csr_matrix:
    r = np.fromiter((rows[a] for a, _ in pairs), dtype=np.int32, count=len(pairs))
    c = np.fromiter((cols[b] for _, b in pairs), dtype=np.int32, count=len(pairs))
    m = sparse.csr_matrix((np.ones(len(pairs), dtype=np.int32), (r, c)), shape=(len(rows), len(cols)))
    m.data[:] = 1  # duplicates summed by the constructor count once
    return m


def cooccurrence_pairs(codings: list[tuple[Any, ...]]) -> list[tuple[str, str, int]]:
    """Code pairs with their count of instances, most frequent first (then by code order)."""
    excerpts, codes = _index([c[0] for c in codings]), _index([c[1] for c in codings])
    x = _incidence([c[:2] for c in codings], excerpts, codes)
    spans = {c[0]: c[2:] for c in codings}
    documents = _index([d for d, _, _ in spans.values()])
    order = list(excerpts)  # first seen in document and text order
    xs, ys = overlapping(
        np.array([spans[e][1] for e in order]),
        np.array([spans[e][2] for e in order]),
        np.array([documents[spans[e][0]] for e in order]),
    )
    sx, sy = x[xs], x[ys]
    both = sx.multiply(sy)
    across = sx.T @ sy
    together = sparse.triu(x.T @ x + across + across.T - both.T @ both, k=1).tocoo()
    names = list(codes)
    ranked = np.lexsort((together.col, together.row, -together.data))
    return [(names[together.row[i]], names[together.col[i]], int(together.data[i])) for i in ranked]


def case_matrix_themes(
    codings: list[tuple[str, str]],
    participant_of: dict[str, str | None],
    members: list[tuple[str, str]],
    parent_of: dict[str, str | None],
) -> np.ndarray:
    """Participants x themes: excerpts coded with any code of the theme or its subthemes."""
    rolled: list[tuple[str, str]] = []
    for code, theme in members:  # a code counts for its theme and every ancestor theme
        t: str | None = theme
        while t is not None:
            rolled.append((code, t))
            t = parent_of.get(t)
    excerpts = _index(list(participant_of))
    codes = _index([c[1] for c in codings] + [c for c, _ in rolled])
    themes = _index(list(parent_of))
    people = _index([p for p in participant_of.values() if p is not None])
    has_theme = (_incidence([c[:2] for c in codings], excerpts, codes) @ _incidence(rolled, codes, themes)) > 0
    by_excerpt = defaultdict(list)
    for e, p in participant_of.items():
        if p is not None:
            by_excerpt[e].append(p)
    cases = _incidence([(p, e) for e, ps in by_excerpt.items() for p in ps], people, excerpts)
    return (cases @ has_theme.astype(np.int32)).toarray()

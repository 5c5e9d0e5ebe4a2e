"""What the fuzz tests share: how many examples to run, the live schema, the demo study's ids
to draw from (so lookups hit), and the invariants every answer must keep."""

from __future__ import annotations

import os
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from schema.build import build_schema
from tests.faults.conftest import Demo
from tests.servers import DEMO_PROJECT

EXAMPLES = int(os.environ.get("THEMEMAP_FUZZ_EXAMPLES", "120"))
"""Examples per fuzz test and adapter (more for a long run)."""
SCHEMA = build_schema()._schema

IDS_OF_STUDY = """query($p: ID!) { project(id: $p) { id members { user { id } } participants { id }
  documents { id excerpts { id } } codes { id } themes { id } } }"""


def fuzz_settings(examples: int) -> settings:
    """Hypothesis against a live server: no deadline (a request's time is the server's), no
    example database (the study's ids differ per run), slow generation tolerated."""
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


def weighted(*options: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """One of the strategies, each chosen in proportion to its weight (shrinking to the first)."""
    return st.sampled_from([s for weight, s in options for _ in range(weight)]).flatmap(lambda s: s)


def study_ids_by_kind(demo: Demo) -> dict[str, list[str]]:
    """Ids of the demo study by kind (project, user, participant, document, code, theme,
    excerpt), a few of each."""
    body = httpx.post(
        f"{demo.url}/graphql",
        json={"query": IDS_OF_STUDY, "variables": {"p": DEMO_PROJECT}},
        headers={"Authorization": f"Bearer {demo.token}"},
        timeout=30,
    ).json()
    project = body["data"]["project"]
    ids = {"project": [project["id"]], "user": [m["user"]["id"] for m in project["members"]]}
    for kind in ("participant", "document", "code", "theme"):
        ids[kind] = [node["id"] for node in project[f"{kind}s"]][:6]
    ids["excerpt"] = [e["id"] for d in project["documents"][:3] for e in d["excerpts"][:3]]
    return ids


def study_ids(demo: Demo) -> list[str]:
    """Ids of every kind of node of the demo study, a few of each."""
    return [id for ids in study_ids_by_kind(demo).values() for id in ids]


def check(response: httpx.Response, operation: str) -> list[str]:
    """The error codes of the answer (none: it succeeded); fails on a 5xx or INTERNAL."""
    assert response.status_code < 500, f"{response.status_code} for\n{operation}\n{response.text[:2000]}"
    body: dict[str, Any] = response.json()
    codes = []
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code and code != "INTERNAL", f"{error} for\n{operation}"
        codes.append(code)
    return codes

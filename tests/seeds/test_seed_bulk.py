"""The seeds load through the import's batched whole-project load (`seeds.bulk`) and store exactly
what loading node by node through the use cases stored: the digests below were taken from that
loading (ids, texts, attributes, trees, memberships, links with their evidence and authors,
memos, excerpts and every coding; times left out), and so was the count of history entries."""

from __future__ import annotations

import pytest

from graph.service import Service
from graph.store import Store
from seeds.registry import datasets
from tests.seeds.fingerprint import fingerprint

EXPECTED = {
    "synthetic": (
        {
            "participants": 12,
            "documents": 24,
            "codes": 40,
            "themes": 8,
            "memberships": 71,
            "links": 8,
            "memos": 2,
            "excerpts": 1200,
            "codings": 3600,
        },
        "2f6ea65f9da2a4c38ac79490b78f313609508284d376091ea39541745b944400",
        169,
    ),
    "perinatal-social-work": (
        {
            "participants": 18,
            "documents": 18,
            "codes": 35,
            "themes": 10,
            "memberships": 33,
            "links": 12,
            "memos": 6,
            "excerpts": 203,
            "codings": 539,
        },
        "0554f0d0a0ddbdaed81ff8c4b85433a96789a7b756b9642ba2fb1b7145e0b1e1",
        136,
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_a_seed_stores_what_loading_node_by_node_stored(service: Service, store: Store, name: str) -> None:
    dataset = datasets("S")[name]
    steps: list[int] = []
    project_id = await dataset.load(service, steps.append)
    counts, digest, revision = EXPECTED[name]
    assert await fingerprint(store, project_id) == (counts, digest)
    assert (await store.project_snapshot(project_id)).revision == revision, "one history entry per change, as before"
    assert sum(steps) == dataset.steps(), "the progress bar ends full"
    assert await dataset.is_loaded(service)


async def test_seeding_again_after_removing_stores_the_same(service: Service, store: Store) -> None:
    dataset = datasets("S")["perinatal-social-work"]
    first = await fingerprint(store, await dataset.load(service, lambda n: None))
    await dataset.remove(service)
    assert await fingerprint(store, await dataset.load(service, lambda n: None)) == first

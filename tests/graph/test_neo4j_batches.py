"""The neo4j adapter's bulk writes go in UNWIND batches bounded in rows and in text: a Bolt
message has a limit (ArcadeDB's is 16 MiB, past which the driver waited for ever), and the
seed of size L sends a thousand long transcripts in one import."""

from __future__ import annotations

from graph.neo4j.transaction import BATCH, BATCH_CHARS, batches


def test_batches_keep_every_row_in_order_within_both_bounds() -> None:
    rows = [{"id": str(i), "text": "x" * (BATCH_CHARS // 3), "groups": ["a", "b"]} for i in range(7)]
    rows += [{"id": str(i), "n": i} for i in range(7, 7 + 2 * BATCH + 5)]
    found = list(batches(rows))
    assert [row for batch in found for row in batch] == rows
    assert [len(batch) for batch in found[:3]] == [2, 2, 2], "three long texts would pass the bound"
    assert all(len(batch) <= BATCH for batch in found)
    assert [len(batch) for batch in found[3:]] == [BATCH, BATCH, 6]


def test_a_row_longer_than_the_bound_goes_alone() -> None:
    rows = [{"text": "y" * (BATCH_CHARS + 1)}, {"text": "z"}]
    assert list(batches(rows)) == [[rows[0]], [rows[1]]]
    assert list(batches([])) == []

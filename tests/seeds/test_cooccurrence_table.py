"""The compact co-occurrence answer (issue 16, in part): the same pairs as `cooccurrence`, in the
same order, as arrays indexing one list of concepts; on every adapter, over HTTP."""

from __future__ import annotations

from tests.support import GraphQLClient

ARGS = "projectId: $p, minCount: $m, scope: $s"
PAIRS = f"query($p: ID!, $m: Int!, $s: CooccurrenceScope!) {{ cooccurrence({ARGS}) {{ a {{ ... on Node {{ id }} }} b {{ ... on Node {{ id }} }} count jaccard }} }}"
TABLE = f"query($p: ID!, $m: Int!, $s: CooccurrenceScope!) {{ cooccurrenceTable({ARGS}) {{ conceptIds pairs size }} }}"


async def test_the_table_holds_the_same_pairs_as_the_list(demo: GraphQLClient) -> None:
    [project] = [p["id"] for p in (await demo.ok("{ projects { id name } }"))["projects"]]
    for scope in ("EXCERPT", "PARTICIPANT"):
        for min_count in (1, 3):
            listed = (await demo.ok(PAIRS, p=project, m=min_count, s=scope))["cooccurrence"]
            table = (await demo.ok(TABLE, p=project, m=min_count, s=scope))["cooccurrenceTable"]
            ids, pairs = table["conceptIds"], table["pairs"]
            rebuilt = [
                {"a": {"id": ids[a]}, "b": {"id": ids[b]}, "count": n, "jaccard": j}
                for a, b, n, j in zip(pairs["a"], pairs["b"], pairs["count"], pairs["jaccard"], strict=True)
            ]
            assert listed and rebuilt == listed and table["size"] == len(listed), (scope, min_count)
            assert len(ids) == len(set(ids))
    refused = await demo.error(TABLE, p=project, m=1, s="NOPE")
    assert refused["extensions"]["code"] == "BAD_USER_INPUT"

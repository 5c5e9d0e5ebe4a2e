"""Generated GraphQL operations (hypothesis-graphql, from the live schema) against a real
server holding the demo study, as its owner, so resolvers run on real data: whatever the
operation, the answer is never a 5xx and never INTERNAL, and every error has a code.

Ids are drawn mostly from the study's own (so lookups hit), sometimes made up; every
mutation is generated except deleteProject, which would leave nothing to find. A third
of the operations break the schema in one place (hypothesis-graphql's negative mode),
and must be refused like any bad request. Each run sends THEMEMAP_FUZZ_EXAMPLES
operations per adapter (default 120; more for a long run).
"""

from __future__ import annotations

from collections import Counter

import graphql
import httpx
from hypothesis import given
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries

from tests.faults.conftest import Demo
from tests.faults.fuzzing import EXAMPLES, SCHEMA, check, fuzz_settings, study_ids


def json_value() -> st.SearchStrategy[graphql.ValueNode]:
    """JSON scalar literals: strings, numbers, booleans, null, and small objects of them."""
    leaf = st.one_of(
        st.text(max_size=20).map(lambda v: graphql.StringValueNode(value=v)),
        st.integers(-(10**6), 10**6).map(lambda v: graphql.IntValueNode(value=str(v))),
        st.floats(allow_nan=False, allow_infinity=False).map(lambda v: graphql.FloatValueNode(value=repr(v))),
        st.booleans().map(lambda v: graphql.BooleanValueNode(value=v)),
        st.just(graphql.NullValueNode()),
    )
    field = st.tuples(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), leaf).map(
        lambda kv: graphql.ObjectFieldNode(name=graphql.NameNode(value=kv[0]), value=kv[1])
    )
    return st.one_of(
        leaf,
        st.lists(field, max_size=4, unique_by=lambda f: f.name.value).map(
            lambda fields: graphql.ObjectValueNode(fields=tuple(fields))
        ),
    )


def operations(ids: list[str]) -> st.SearchStrategy[str]:
    scalars = {
        "ID": st.one_of(st.sampled_from(ids), st.text(max_size=40)).map(lambda v: graphql.StringValueNode(value=v)),
        "JSON": json_value(),
        "DateTime": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=30)).map(
            lambda v: graphql.StringValueNode(value=v)
        ),
    }
    assert SCHEMA.mutation_type is not None
    kept = [name for name in SCHEMA.mutation_type.fields if name != "deleteProject"]
    return st.one_of(
        *(
            strategy
            for mode in (Mode.POSITIVE, Mode.POSITIVE, Mode.NEGATIVE)
            for strategy in (
                queries(SCHEMA, custom_scalars=scalars, mode=mode),
                mutations(SCHEMA, fields=kept, custom_scalars=scalars, mode=mode),
            )
        )
    )


def test_generated_operations_never_fail_internally(demo_server: Demo) -> None:
    ids = study_ids(demo_server)
    outcomes: Counter[str] = Counter()
    with httpx.Client(
        base_url=demo_server.url, timeout=60, headers={"Authorization": f"Bearer {demo_server.token}"}
    ) as http:

        @fuzz_settings(EXAMPLES)
        @given(operations(ids))
        def fuzz(operation: str) -> None:
            response = http.post("/graphql", json={"query": operation})
            codes = check(response, operation)
            outcomes.update(set(codes) or {"ok"})
            body = response.json()
            if not codes or any(error.get("path") for error in body.get("errors") or []):
                outcomes["executed"] += 1  # its resolvers ran (an error at a field has a path)

        fuzz()
    print(f"fuzz[{demo_server.adapter}]: {sum(outcomes.values())} outcomes {dict(outcomes)}")
    # Many operations must have run their resolvers, rather than all being refused before execution
    # (wholly successful ones are few: one made-up id or value among many fields is enough for an error).
    assert outcomes["executed"] > EXAMPLES // 10, outcomes

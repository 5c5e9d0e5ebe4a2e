"""Offsets are Unicode code points through the API, whatever the script."""

from __future__ import annotations

import pytest

from tests.support import GraphQLClient

TEXT = "Mum 👩‍👧 said: “ça va” — e\u0301 then שלום עליכם and مرحبا 😀!"


@pytest.mark.parametrize("needle", ["👩‍👧", "ça va", "e\u0301", "שלום עליכם", "مرحبا", "😀!"])
async def test_excerpt_text_is_the_code_point_slice(api: GraphQLClient, needle: str) -> None:
    pid = (await api.ok('mutation { createProject(input: {name: "U"}) { id } }'))["createProject"]["id"]
    doc = (
        await api.ok(
            'mutation($p: ID!, $t: String!) { addDocument(input: {projectId: $p, title: "t", text: $t}) { id length text } }',
            p=pid,
            t=TEXT,
        )
    )["addDocument"]
    assert doc["text"] == TEXT and doc["length"] == len(TEXT)
    code = (await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "c"}) { id } }', p=pid))[
        "createCode"
    ]
    start = TEXT.index(needle)
    excerpt = (
        await api.ok(
            "mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) { codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) "
            "{ start end text document { text } } }",
            d=doc["id"],
            s=start,
            e=start + len(needle),
            c=[code["id"]],
        )
    )["codeText"]
    assert excerpt["text"] == needle == excerpt["document"]["text"][excerpt["start"] : excerpt["end"]]

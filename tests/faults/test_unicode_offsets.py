"""Property: offsets are Unicode code points (0-based, end exclusive) and an excerpt's text
is always `document.text[start:end]`, for any text, through GraphQL on both adapters:
astral characters, combining marks, CRLF, zero-width and bidirectional characters
included. Spans outside the text are refused and change nothing.

THEMEMAP_UNICODE_EXAMPLES sets the number of texts per adapter (default 25)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import GraphQLClient

EXAMPLES = int(os.environ.get("THEMEMAP_UNICODE_EXAMPLES", "25"))

TRICKY = [
    "\r\n",
    "\r",
    "\n",
    "\u0301",
    "\u0308",
    "\u200b",
    "\u200d",
    "\ufeff",
    "\u202e",
    "😀",
    "👩‍👧",
    "\U0001f1eb\U0001f1f7",
    "𝔘",
    "é",
    "ß",
    "İ",
    "\u05e9",
    "\u0645",
    "\t",
    "\U0010fffd",
]
"""Characters that break offsets counted in UTF-16 units, bytes or grapheme clusters."""

XML_TEXT = st.characters(
    exclude_categories=("Cs", "Cc"), include_characters="\t\n\r", exclude_characters="\ufffe\uffff"
)
"""Any character a document may hold: what XML 1.0 can carry (the rest is refused, see test_input_hygiene)."""
texts = st.lists(st.one_of(st.sampled_from(TRICKY), XML_TEXT), min_size=1, max_size=60).map("".join)

CREATE = """mutation($p: ID!, $t: String!) { addDocument(input: {projectId: $p, title: "t", text: $t}) { id text length } }"""
CODE_TEXT = """mutation($d: ID!, $s: Int!, $e: Int!, $c: [ID!]!) {
  codeText(input: {documentId: $d, start: $s, end: $e, codeIds: $c}) { id start end text document { text } } }"""
EXCERPT = """mutation($d: ID!, $s: Int!, $e: Int!) {
  createExcerpt(input: {documentId: $d, start: $s, end: $e}) { id start end text } }"""
READ = "query($d: ID!) { document(id: $d) { text excerpts { start end text } } }"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texts, data=st.data())
async def test_excerpts_are_code_point_slices(api: GraphQLClient, text: str, data: st.DataObject) -> None:
    project = (await api.ok('mutation { createProject(input: {name: "U"}) { id } }'))["createProject"]["id"]
    doc = (await api.ok(CREATE, p=project, t=text))["addDocument"]
    assert doc["text"] == text and doc["length"] == len(text)
    code = (await api.ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "c"}) { id } }', p=project))[
        "createCode"
    ]["id"]

    spans = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(text)), st.integers(0, len(text))).map(sorted).filter(lambda s: s[0] < s[1]),
            min_size=1,
            max_size=3,
        )
    )
    for start, end in spans:
        coded = (await api.ok(CODE_TEXT, d=doc["id"], s=start, e=end, c=[code]))["codeText"]
        assert (coded["start"], coded["end"]) == (start, end)
        assert coded["text"] == text[start:end] == coded["document"]["text"][start:end]
        marked = (await api.ok(EXCERPT, d=doc["id"], s=start, e=end))["createExcerpt"]
        assert marked["text"] == text[start:end]

    outside = data.draw(st.sampled_from([(-1, 1), (0, len(text) + 1), (len(text), len(text) + 2), (1, 1)]))
    before = (await api.ok(READ, d=doc["id"]))["document"]
    error = await api.error(CODE_TEXT, d=doc["id"], s=outside[0], e=outside[1], c=[code])
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    after = (await api.ok(READ, d=doc["id"]))["document"]
    assert after == before
    assert all(e["text"] == text[e["start"] : e["end"]] for e in after["excerpts"])

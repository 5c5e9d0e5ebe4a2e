"""Write-up exports of the demo study over HTTP, on both adapters."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import docx

from seeds.registry import datasets
from tests.seeds.conftest import DEMO
from tests.support import GraphQLClient, new_user


async def test_report_and_tables(demo: GraphQLClient) -> None:
    project = datasets()[DEMO].project_id
    report = await demo.http.get(f"/projects/{project}/report.md")
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/markdown")
    text = report.text
    assert text.startswith("# Perinatal mental health and social work (synthetic demo)")
    assert "## Fear of judgement and of losing the baby" in text
    assert text.count("\n## ") == 10 and text.count("- Prevalence: ") == 10
    assert "- Prevalence: 18 of 18 participants (100%)" in text
    assert text.count("\n> “") >= 20, "illustrative quotes with pseudonyms"
    matrix = list(csv.reader(io.StringIO((await demo.http.get(f"/projects/{project}/case-matrix.csv")).text)))
    assert matrix[0][:2] == ["participant", "babyAgeMonths"] and len(matrix) == 19
    themes = (
        await demo.ok(
            "query($p: ID!) { caseMatrix(projectId: $p, columns: THEME) { columns { ... on Theme "
            "{ name } } rows { participant { pseudonym } cells { count } } } }",
            p=project,
        )
    )["caseMatrix"]
    header = matrix[0]
    first = themes["rows"][0]
    row = next(r for r in matrix if r[0] == first["participant"]["pseudonym"])
    for column, cell in zip(themes["columns"], first["cells"]):
        assert int(row[header.index(column["name"])]) == cell["count"]
    pairs = list(csv.reader(io.StringIO((await demo.http.get(f"/projects/{project}/cooccurrence.csv")).text)))
    assert pairs[0] == ["code a", "code b", "count", "jaccard"]
    assert pairs[1] == ["Focus on risk to the baby only", "Mother's own needs ignored", "9", "0.473684"]
    unknown = await demo.http.get(f"/projects/{project}/report.pdf")
    assert unknown.status_code == 404


FEELING_KNOWN = "be05ffbc-19cd-565d-95b6-9db37d41eb5f"  # "Feeling known, understood and respected"
PIN = "mutation($t: ID!, $e: ID!, $at: Int) { pinQuote(targetId: $t, excerptId: $e, position: $at) { __typename } }"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def quoted(text: str) -> dict[str, list[str]]:
    """The pseudonyms quoted under each theme of report.md."""
    out: dict[str, list[str]] = {}
    for section in text.split("\n## ")[1:]:
        name = section.split("\n", 1)[0]
        out[name] = re.findall(r"^> “.*” — ([^ (]+)", section, flags=re.M)
    return out


async def test_unpinned_quotes_are_spread_across_participants(demo: GraphQLClient) -> None:
    project = datasets()[DEMO].project_id
    text = (await demo.http.get(f"/projects/{project}/report.md")).text
    by_theme = quoted(text)
    assert len(by_theme) == 10 and all(len(set(names)) == len(names) == 3 for names in by_theme.values())
    everyone = Counter(name for names in by_theme.values() for name in names)
    assert len(everyone) == 18 and max(everyone.values()) == 2, everyone
    assert text.count("Illustrative quotes, chosen across participants and attribute groups (none pinned):") == 10
    assert "involvement: child protection plan" in text, "each quote with its participant's attributes"


async def test_pinned_quotes_lead_their_theme_in_both_reports(demo: GraphQLClient) -> None:
    project = datasets()[DEMO].project_id
    page = (
        await demo.ok(
            "query($t: ID!) { theme(id: $t) { name codes { excerpts(first: 3) { edges { node { id text "
            "participant { pseudonym } } } } } } }",
            t=FEELING_KNOWN,
        )
    )["theme"]
    picked = [e["node"] for e in page["codes"][0]["excerpts"]["edges"][:2]]
    for excerpt in picked:
        await demo.ok(PIN, t=FEELING_KNOWN, e=excerpt["id"], at=0)  # each goes first: the report has them reversed
    text = (await demo.http.get(f"/projects/{project}/report.md")).text
    section = text.split(f"\n## {page['name']}\n", 1)[1].split("\n## ", 1)[0]
    assert "Illustrative quotes, pinned by the team, in their order:" in section
    quotes = re.findall(r"^> “(.*)” — ([^ (]+)", section, flags=re.M)
    expected = [(" ".join(e["text"].split()), e["participant"]["pseudonym"]) for e in reversed(picked)]
    assert quotes == expected
    assert text.count("(none pinned)") == 9

    response = await demo.http.get(f"/projects/{project}/report.docx")
    assert response.status_code == 200 and response.headers["content-type"] == DOCX
    assert response.headers["content-disposition"] == f'attachment; filename="{project}-report.docx"'
    document = docx.Document(io.BytesIO(response.content))
    headings = [p.text for p in document.paragraphs if p.style is not None and p.style.name.startswith("Heading")]
    assert "Perinatal mental health and social work (synthetic demo)" == document.paragraphs[0].text
    assert page["name"] in headings and len([h for h in headings if h != document.paragraphs[0].text]) == 10
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index(page["name"])
    shown = [p.text for p in document.paragraphs[start:] if p.style is not None and p.style.name == "Quote"][:2]
    assert [q.split(" — ")[:2] for q in shown] == [[f"“{text}”", f"{who} ("] for text, who in expected] or [
        (q.split(" — ")[0], q.split(" — ")[1].split(" (")[0]) for q in shown
    ] == [(f"“{text}”", who) for text, who in expected]
    assert any("pinned by the team" in p for p in paragraphs[start:])


async def test_a_blind_analysts_reports_leave_out_what_they_cannot_see(demo: GraphQLClient) -> None:
    project = datasets()[DEMO].project_id
    assert demo.service is not None
    owner_pin = (
        await demo.ok(
            "query($t: ID!) { theme(id: $t) { codes { excerpts(first: 1) { edges { node { id text } } } } } }",
            t=FEELING_KNOWN,
        )
    )["theme"]["codes"][0]["excerpts"]["edges"][0]["node"]
    await demo.ok(PIN, t=FEELING_KNOWN, e=owner_pin["id"])
    user, token = await new_user(demo.service, "Blind analyst")
    await demo.ok(
        "mutation($p: ID!, $u: ID!) { addMember(projectId: $p, userId: $u, role: ANALYST) { role } }",
        p=project,
        u=user.id,
    )
    await demo.ok("mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=project)
    headers = {"Authorization": f"Bearer {token}"}
    quote = " ".join(owner_pin["text"].split())
    owners = docx.Document(io.BytesIO((await demo.http.get(f"/projects/{project}/report.docx")).content))
    assert any(quote in p.text for p in owners.paragraphs)
    for what in ("report.md", "report.docx"):
        response = await demo.http.get(f"/projects/{project}/{what}", headers=headers)
        assert response.status_code == 200, response.text
        text = (
            response.text
            if what == "report.md"
            else "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)
        )
        assert quote not in text and "“" not in text, (what, "a blind analyst with no codings has nothing to quote")

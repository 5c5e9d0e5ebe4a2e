"""Write-up exports of the demo study over HTTP, on both adapters."""

from __future__ import annotations

import csv
import io

from seeds.registry import datasets
from tests.seeds.conftest import DEMO
from tests.support import GraphQLClient


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

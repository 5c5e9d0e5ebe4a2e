"""The README's five-minute tour works as written against the demo study."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.support import GraphQLClient

README = Path(__file__).resolve().parents[2] / "README.md"
CAPTURE = {"createCode": "NEW_CODE_ID", "createTheme": "NEW_THEME_ID", "codeText": "NEW_EXCERPT_ID"}


def tour_steps() -> list[tuple[str, str]]:
    """(operation, variables JSON) pairs of the tour section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Five-minute tour", 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[str, str]] = []
    for lang, body in re.findall(r"```(graphql|json)\n(.*?)```", section, re.S):
        if lang == "graphql":
            steps.append((body, "{}"))
        else:
            steps[-1] = (steps[-1][0], body)
    return steps


async def test_readme_tour_runs_as_written(demo: GraphQLClient) -> None:
    steps = tour_steps()
    assert len(steps) == 7
    ids: dict[str, str] = {}
    results = []
    for operation, variables in steps:
        for placeholder, value in ids.items():
            operation = operation.replace(placeholder, value)
            variables = variables.replace(placeholder, value)
        data = await demo.ok(operation, **json.loads(variables))
        results.append(data)
        for field, placeholder in CAPTURE.items():
            if field in data:
                ids[placeholder] = data[field]["id"]
    assert set(ids) == set(CAPTURE.values())
    coded = results[2]["codeText"]
    assert coded["text"] == "She always texted before she came, always, because I'd told her about the door."
    assert coded["participant"]["pseudonym"] == "Leanne"
    assert results[4]["addCodeToTheme"]["codes"] == [{"name": "Warned before visits"}]
    assert results[5]["linkConcepts"]["evidence"][0]["participant"] == {"pseudonym": "Leanne"}
    assert results[6]["code"]["excerptCount"] >= 10

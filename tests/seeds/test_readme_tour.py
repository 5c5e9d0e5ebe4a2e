"""The README's five-minute tour works as written against the demo study, and gives the
same answers on both adapters."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from api.cli import app
from api.settings import Settings
from graph.embedded import EmbeddedStore
from graph.neo4j import Neo4jStore
from graph.store import Store
from tests.bolt.server import BoltServer
from tests.conftest import _wipe
from tests.seeds.conftest import seed_for
from tests.support import GraphQLClient, serve_in_process

README = Path(__file__).resolve().parents[2] / "README.md"
runner = CliRunner()
CAPTURE = {"createCode": "NEW_CODE_ID", "createTheme": "NEW_THEME_ID", "codeText": "NEW_EXCERPT_ID"}


def tour_steps(heading: str = "Five-minute tour") -> list[tuple[str, str]]:
    """(operation, variables JSON) pairs of a README section, in order."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    steps: list[tuple[str, str]] = []
    for lang, body in re.findall(r"```(graphql|json)\n(.*?)```", section, re.S):
        if lang == "graphql":
            steps.append((body, "{}"))
        else:
            steps[-1] = (steps[-1][0], body)
    return steps


async def run_tour(api: GraphQLClient) -> list[dict[str, Any]]:
    """Run every step, putting the ids earlier steps returned where the README says to;
    return the answers with those ids put back as placeholders and instants dropped."""
    ids: dict[str, str] = {}
    results = []
    for operation, variables in tour_steps():
        for placeholder, value in ids.items():
            operation = operation.replace(placeholder, value)
            variables = variables.replace(placeholder, value)
        data = await api.ok(operation, **json.loads(variables))
        for field, placeholder in CAPTURE.items():
            if field in data:
                ids[placeholder] = data[field]["id"]
        answer = json.dumps(data)
        for placeholder, value in ids.items():
            answer = answer.replace(value, placeholder)
        results.append(json.loads(re.sub(r'"createdAt": "[^"]*"', '"createdAt": "…"', answer)))
    assert set(ids) == set(CAPTURE.values())
    return results


async def test_readme_tour_runs_as_written(demo: GraphQLClient) -> None:
    results = await run_tour(demo)
    assert len(results) == 9
    coded = results[2]["codeText"]
    assert coded["text"] == "She always texted before she came, always, because I'd told her about the door."
    assert coded["participant"]["pseudonym"] == "Leanne"
    assert results[4]["addCodeToTheme"]["codes"] == [{"name": "Warned before visits"}]
    assert results[5]["linkConcepts"]["evidence"][0]["participant"] == {"pseudonym": "Leanne"}
    assert results[6]["code"]["excerptCount"] >= 10
    pinned = results[7]["pinQuote"]
    assert pinned["pinnedQuotes"][0] == {"text": coded["text"], "participant": {"pseudonym": "Leanne"}}
    report = (await demo.http.get("/projects/1a6c493d-0a0b-5a74-9aae-21d1aec186e8/report.md")).text
    section = README.read_text(encoding="utf-8").split("## Five-minute tour", 1)[1]
    [shown] = re.findall(r"```text\n(.*?)```", section.split("\n## ", 1)[0], re.S)
    assert shown in report, "the README's report excerpt is what the report says"
    sorted_ = results[8]
    counts = [c["excerptCount"] for c in sorted_["project"]["codes"]]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    assert all(c["withChildren"] >= c["excerptCount"] for c in sorted_["project"]["codes"])
    reach = [t["participantCount"] for t in sorted_["project"]["themes"]]
    assert reach == sorted(reach, reverse=True)
    for theme in sorted_["project"]["themes"]:
        assert 0 < len(theme["excerpts"]["edges"]) <= 2 if theme["participantCount"] else not theme["excerpts"]["edges"]
    parent = sorted_["code"]
    assert parent["excerptCount"] == 0 and parent["total"] >= max(c["excerptCount"] for c in parent["children"]) > 0
    jaccard = [p["jaccard"] for p in sorted_["cooccurrence"]]
    assert len(jaccard) == 5 and jaccard == sorted(jaccard, reverse=True)


async def test_readme_tour_answers_the_same_on_both_adapters(settings: Settings, bolt_server: BoltServer) -> None:
    _wipe(bolt_server)
    makers: list[Callable[[], Store]] = [
        lambda: EmbeddedStore(settings.data_dir),
        lambda: Neo4jStore(bolt_server.uri, bolt_server.user, bolt_server.password, bolt_server.database),
    ]
    answers = []
    for make in makers:
        async with serve_in_process(settings, make(), user_name="Tour taker") as api:
            await seed_for(api)
            answers.append(await run_tour(api))
    assert answers[0] == answers[1]


async def test_readme_cross_case_questions_run_as_written(demo: GraphQLClient) -> None:
    steps = tour_steps("Asking cross-case questions")
    assert len(steps) == 7
    answers = [await demo.ok(operation, **json.loads(variables)) for operation, variables in steps]
    fear = {g["value"]: g["concepts"][0]["proportion"] for g in answers[0]["compareGroups"]}
    assert fear["child protection plan"] > fear["assessment only"]
    assert len(answers[1]["participantsMatching"]) >= 6 and answers[1]["cooccurrence"]
    evidence = [len(m["excerpts"]) for m in answers[1]["participantsMatching"]]
    assert evidence == sorted(evidence, reverse=True)
    assert answers[2]["conceptPaths"][0]["length"] == 2
    more = answers[3]
    assert more["themeMap"]["nodes"] and more["findExcerpts"]["edges"] and more["sequences"]
    assert more["search"]["edges"] and all(e["node"]["text"].lower() == "core group" for e in more["search"]["edges"])
    near = [(e["node"]["text"], e["node"]["participant"]["pseudonym"]) for e in answers[4]["search"]["edges"]]
    assert near == [("scared", "Nicole"), ("losing", "Nicole")]
    # The saturation and network results the README reports.
    saturation = answers[5]["saturation"]
    assert (saturation["status"], saturation["baseCodes"], saturation["totalCodes"]) == ("REACHED", 31, 31)
    assert saturation["interviewsNeeded"] == 4 and saturation["point"] == {
        "first": 5,
        "last": 6,
        "newCodes": 0,
        "share": 0,
    }
    assert [c["cumulative"] for c in saturation["curve"][:4]] == [15, 23, 31, 31]
    assert [c["cumulativeHighFrequency"] for c in saturation["curve"][:2]] == [5, 8]
    assert len(saturation["highFrequencyCodes"]) == 8
    bootstrap = saturation["bootstrap"]
    assert bootstrap["median"] == 4 and bootstrap["notReached"] == 0
    assert [(d["interviews"], d["permutations"]) for d in bootstrap["distribution"]] == [
        (4, 519),
        (5, 274),
        (6, 154),
        (7, 37),
        (8, 11),
        (9, 4),
        (10, 1),
    ]
    network = answers[6]["conceptNetwork"]
    assert network["modularity"] == 0.626378 and len(network["communities"]) == 7
    bridges = sorted(network["nodes"], key=lambda n: -n["betweenness"])[:3]
    assert [(n["code"]["name"], round(n["betweenness"], 2)) for n in bridges] == [
        ("Poor communication", 0.24),
        ("Honesty and transparency", 0.22),
        ("Feeling watched", 0.18),
    ]
    turning = next(c for c in network["communities"] if {"name": "Turning point"} in c["codes"])
    assert turning["acrossThemes"] and {t["name"] for t in turning["themes"]} == {
        "Collaboration between professionals",
        "Turning points",
    }
    assert sorted(t["theme"]["name"] for t in network["themes"] if t["splits"]) == [
        "A focus on risk that ignored the mother",
        "Feeling known, understood and respected",
        "Intervention intensifying pressure",
        "Not accepted as a good mother: set up to fail",
    ]


async def test_readme_agreement_example_runs_as_written(demo: GraphQLClient) -> None:
    [(operation, variables)] = tour_steps("Independent coding and agreement")
    result = (await demo.ok(operation, **json.loads(variables)))["agreement"]
    assert [c["name"] for c in result["coders"]] == ["Hannah Okafor", "Sam Whitfield"]
    scored = [c for c in result["codes"] if c["score"]["krippendorffAlpha"] is not None]
    lowest = min(scored, key=lambda c: c["score"]["krippendorffAlpha"])
    assert lowest["code"]["name"] == "Positive relationship with a social worker"


def readme_commands(heading: str) -> list[list[str]]:
    """The `thememap` command lines of a README section's shell blocks, comments dropped."""
    section = README.read_text(encoding="utf-8").split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    lines = [line for body in re.findall(r"```sh\n(.*?)```", section, re.S) for line in body.splitlines()]
    return [shlex.split(line, comments=True)[1:] for line in lines if line.startswith(".venv/bin/thememap ")]


def test_readme_user_commands_run_as_written_on_the_demo(tmp_path: Path) -> None:
    where = ["--data-dir", str(tmp_path)]
    assert runner.invoke(app, ["seed", "perinatal-social-work", *where]).exit_code == 0
    commands = readme_commands("Users, tokens and roles")
    assert [c[:2] for c in commands] == [
        ["user", "add"],
        ["user", "list"],
        ["user", "list"],
        ["user", "token"],
        ["user", "revoke"],
    ]
    outputs = []
    for command in commands:
        result = runner.invoke(app, [*command, *where])
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.output)
    assert "Rosa Mendes" in outputs[1] and "Sam Whitfield" in outputs[1] and "Hannah Okafor" in outputs[1]
    assert "Sam Whitfield" in outputs[2] and "Hannah Okafor" not in outputs[2]
    sam_id = outputs[3].split("User id: ")[1].split()[0]
    assert sam_id in outputs[2]


async def test_readme_user_search_runs_as_written(demo: GraphQLClient) -> None:
    [find, _members] = tour_steps("Users, tokens and roles")
    found = (await demo.ok(find[0]))["users"]["edges"]
    assert [e["node"]["name"] for e in found] == ["Sam Whitfield"]

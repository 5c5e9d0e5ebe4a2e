"""The benchmark suite at size S, so it cannot rot: every row is measured and the HTTP
answers match the direct ones. No timings are asserted (see README, Performance)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.bench import floors


def test_bench_runs_at_size_s_and_writes_its_table(tmp_path: Path) -> None:
    out = tmp_path / "S-embedded.json"
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.suite",
            "--size",
            "S",
            "--repeat",
            "3",
            "--seconds",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    result = json.loads(out.read_text())
    rows = {r["name"]: r for r in result["rows"]}
    questions = [
        "project tree",
        "themeMap",
        "themeMap, co-occurrence ≥ 5",
        "cooccurrence EXCERPT",
        "cooccurrence EXCERPT ≥ 5",
        "caseMatrix THEME",
        "compareGroups",
        "findExcerpts page 1",
        "participantsMatching",
        "sequences",
        "conceptPaths",
        "search",
        "saturation",
        "saturation, 1,000 random orders",
        "conceptNetwork",
        "conceptNetwork, no betweenness",
    ]
    for name in questions:
        assert rows[name]["http_median_ms"] > 0 and rows[name]["direct_median_ms"] > 0, name
        assert rows[name]["cold_median_ms"] > 0, name
        assert f"| {name} |" in printed
    assert rows["cooccurrence EXCERPT"]["floor_median_ms"] > 0 and rows["caseMatrix THEME"]["floor_median_ms"] > 0
    assert rows["codeText"]["http_median_ms"] > 0
    assert "0 errors" in rows["throughput, 16 clients"]["note"]
    assert "codings/s" in rows["seed"]["note"] and "MB" in rows["server peak RSS"]["note"]
    trips = rows["round trips per request"]["note"]
    assert trips.split("page size 10: ")[1].split(",")[0] == trips.split("page size 100: ")[1], trips


def test_floor_cooccurrence_counts_one_excerpt_or_two_overlapping_ones() -> None:
    pairs = floors.cooccurrence_pairs(
        [  # e1 and e2 overlap; e3 stands apart
            ("e1", "a", "d", 0, 10),
            ("e1", "b", "d", 0, 10),
            ("e2", "a", "d", 5, 20),
            ("e2", "c", "d", 5, 20),
            ("e3", "c", "d", 30, 40),
            ("e3", "b", "d", 30, 40),
            ("e4", "a", "d", 50, 60),
            ("e4", "b", "d", 50, 60),
        ]
    )
    assert pairs == [("a", "b", 3), ("a", "c", 2), ("b", "c", 2)]


def test_floor_case_matrix_rolls_codes_up_into_parent_themes() -> None:
    matrix = floors.case_matrix_themes(
        codings=[("e1", "a", "d", 0, 1), ("e2", "b", "d", 2, 3), ("e3", "b", "d", 4, 5)],
        participant_of={"e1": "p", "e2": "p", "e3": "q"},
        members=[("a", "t"), ("b", "u")],
        parent_of={"t": None, "u": "t"},
    )
    assert matrix.tolist() == [[2, 1], [1, 1]]  # rows p, q; columns t (with subtheme u), u


def test_team_session_runs_tiny_with_one_and_two_workers(tmp_path: Path) -> None:
    """The team-session benchmark on the demo study, for a few seconds: both runs happen,
    every coding the coders were told committed is in the store, and nothing failed."""
    out = tmp_path / "team.json"
    printed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.bench.team",
            "--size",
            "demo",
            "--seconds",
            "2",  # each coder codes about twice per run
            "--coders",
            "2",
            "--viewers",
            "2",
            "--workers",
            "1,2",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    ).stdout
    runs = json.loads(out.read_text())["runs"]
    assert [r["workers"] for r in runs] == [1, 2]
    for run in runs:
        assert run["errors"] == 0, run["first_errors"]
        assert run["lost_writes"] == 0, run
        assert run["codings"] > 0 and run["refetches"] > 0 and run["events_per_viewer"] > 0, run
    assert "2 workers ÷ 1 worker: refetch p50" in printed

"""Inter-coder agreement through GraphQL over HTTP, on both adapters: a textbook example
with known values, and random fixtures checked against independent implementations
(the `krippendorff` package and scikit-learn's `cohen_kappa_score`)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from api.settings import Settings
from graph.inputs import CodedPassage, NewCode, NewDocument, NewExcerpt, NewProject
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.support import GraphQLClient, serve_in_process

P = "agree"
A = Actor("A", trusted=True)
"""Coder A arranges the fixtures, coding as every coder, as a seed loader does."""
QUERY = """query($p: ID!, $c: [ID!]!, $k: [ID!], $d: [ID!], $u: AgreementUnit!) {
  agreement(projectId: $p, coders: $c, codeIds: $k, documentIds: $d, unit: $u) {
    unit coders { id }
    overall { units percentAgreement cohensKappa krippendorffAlpha }
    codes { code { ... on Code { id } } score { units percentAgreement cohensKappa krippendorffAlpha } } } }"""


@dataclass
class Fixture:
    api: GraphQLClient
    service: Service

    async def agreement(
        self, coders: list[str], unit: str, codes: list[str] | None = None, documents: list[str] | None = None
    ) -> dict:
        return (await self.api.ok(QUERY, p=P, c=coders, k=codes, d=documents, u=unit))["agreement"]


@pytest.fixture
async def fixture(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[Fixture]:
    async with serve_in_process(settings, new_store()) as api:
        assert api.service is not None
        for coder in ("A", "B", "C"):
            await api.service.ensure_user(coder, f"Coder {coder}")
        await api.service.create_project(Actor(api.user_id), NewProject(id=P, name="Agreement"))
        yield Fixture(api, api.service)


async def test_textbook_example(fixture: Fixture) -> None:
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", binary data, two
    observers, no missing data: alpha = 0.095. Cohen's kappa by hand: observed 6/10,
    expected .2 x .4 + .8 x .6 = .56, kappa = .04 / .44 = 0.0909."""
    service = fixture.service
    await service.add_document(A, NewDocument(id="d", project_id=P, title="d", text="x" * 100))
    for code in ("X", "all"):
        await service.create_code(A, NewCode(id=code, project_id=P, name=code))
    a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    passages = []
    for unit in range(10):
        span = NewExcerpt(id=f"u{unit}", document_id="d", start=10 * unit, end=10 * unit + 5)
        for coder, values in (("A", a), ("B", b)):
            codes = ("all", "X") if values[unit] else ("all",)  # "all" makes every excerpt a unit
            passages.append(CodedPassage(coder_id=coder, excerpt=span, code_ids=codes))
    await service.code_passages(A, P, passages)
    result = await fixture.agreement(["A", "B"], "EXCERPT", codes=["X"])
    assert result["unit"] == "EXCERPT" and [c["id"] for c in result["coders"]] == ["A", "B"]
    score = result["codes"][0]["score"]
    assert (score["units"], score["percentAgreement"], score["cohensKappa"]) == (10, 0.6, 0.090909)
    assert score["krippendorffAlpha"] == pytest.approx(0.095, abs=5e-4)  # the paper gives three decimals
    # at CHARACTER level: each coded excerpt covers 5 of the document's 100 characters
    chars = await fixture.agreement(["A", "B"], "CHARACTER", codes=["all"])
    assert chars["overall"] == {"units": 100, "percentAgreement": 1.0, "cohensKappa": 1.0, "krippendorffAlpha": 1.0}


def character_arrays(
    excerpts: dict[str, tuple[str, int, int]],
    codings: list[tuple[str, str, str]],
    lengths: dict[str, int],
    coders: list[str],
    code: str,
) -> np.ndarray:
    """Coder-by-character 0/1 matrix for one code, built the plain way."""
    rows = []
    for coder in coders:
        row = []
        for document, length in sorted(lengths.items()):
            values = [0] * length
            for x, c, who in codings:
                if c == code and who == coder and excerpts[x][0] == document:
                    for i in range(excerpts[x][1], excerpts[x][2]):
                        values[i] = 1
            row += values
        rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize("seed", [7, 8])
async def test_against_independent_implementations(fixture: Fixture, seed: int) -> None:
    rng = random.Random(seed)
    service = fixture.service
    lengths = {"d1": 120, "d2": 80}
    for document, length in lengths.items():
        await service.add_document(A, NewDocument(id=document, project_id=P, title=document, text="y" * length))
    codes = ["K1", "K2", "K3"]
    for code in codes:
        await service.create_code(A, NewCode(id=code, project_id=P, name=code))
    excerpts: dict[str, tuple[str, int, int]] = {}
    codings: list[tuple[str, str, str]] = []
    passages = []
    for i in range(25):
        document = rng.choice(list(lengths))
        start = rng.randrange(lengths[document] - 10)
        excerpts[f"x{i}"] = (document, start, start + rng.randint(1, 10))
        for coder in ("A", "B", "C"):
            chosen = tuple(c for c in codes if rng.random() < 0.45)
            if chosen:
                passages.append(
                    CodedPassage(
                        coder_id=coder,
                        code_ids=chosen,
                        excerpt=NewExcerpt(
                            id=f"x{i}", document_id=document, start=excerpts[f"x{i}"][1], end=excerpts[f"x{i}"][2]
                        ),
                    )
                )
                codings += [(f"x{i}", c, coder) for c in chosen]
    ids = await service.code_passages(A, P, passages)
    # identical spans are one excerpt: map each generated id to the stored one
    stored = dict(zip([p.excerpt.id for p in passages], ids))
    codings = [(stored[x], c, who) for x, c, who in codings]
    excerpts = {stored[x]: span for x, span in excerpts.items() if x in stored}

    for coders in (["A", "B"], ["A", "B", "C"]):
        result = await fixture.agreement(coders, "CHARACTER")
        pooled = []
        for entry in result["codes"]:
            data = character_arrays(excerpts, codings, lengths, coders, entry["code"]["id"])
            pooled.append(data)
            check(entry["score"], data)
        check(result["overall"], np.concatenate(pooled, axis=1))

        result = await fixture.agreement(coders, "EXCERPT")
        units = sorted({x for x, _, who in codings if who in coders})  # coded by one of them, with any code
        pooled = []
        for entry in result["codes"]:
            code = entry["code"]["id"]
            data = np.array([[int((x, code, who) in set(codings)) for x in units] for who in coders])
            pooled.append(data)
            check(entry["score"], data)
        check(result["overall"], np.concatenate(pooled, axis=1))


def check(score: dict, data: np.ndarray) -> None:
    assert score["units"] == data.shape[1]
    assert score["percentAgreement"] == pytest.approx(np.mean(np.all(data == data[0], axis=0)), abs=1e-6)
    if len(set(data.flatten())) > 1:
        assert score["krippendorffAlpha"] == pytest.approx(
            krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-5
        )
    if data.shape[0] == 2 and score["cohensKappa"] is not None:
        assert score["cohensKappa"] == pytest.approx(cohen_kappa_score(data[0], data[1]), abs=1e-5)
    if data.shape[0] != 2:
        assert score["cohensKappa"] is None


@pytest.mark.parametrize(
    ("coders", "codes", "documents"),
    [
        (["A"], None, None),
        (["A", "A"], None, None),
        (["A", "B"], ["nope"], None),
        (["A", "B"], None, ["nope"]),
    ],
)
async def test_bad_agreement_questions(
    fixture: Fixture, coders: list[str], codes: list[str] | None, documents: list[str] | None
) -> None:
    error = await fixture.api.error(QUERY, p=P, c=coders, k=codes, d=documents, u="EXCERPT")
    assert error["extensions"]["code"] == "BAD_USER_INPUT"

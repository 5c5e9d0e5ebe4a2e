"""Synthetic studies of a chosen size, for benchmarks and load tests.

`thememap seed synthetic --size S|M|L [--seed N]` builds the same project for the same
size and seed on every machine: participants with attributes, two interviews each of a
few thousand words, overlapping excerpts of one to four sentences, a nested codebook
whose use follows a Zipf-like law (a few codes are everywhere, most are rare), themes
and subthemes sharing codes, concept links with evidence, and several coders who mostly
agree. Excerpts, codings and texts are made up from word lists, nothing else.
"""

from __future__ import annotations

import itertools
import random
import re
import uuid
from bisect import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

from graph.errors import NotFound
from graph.inputs import (
    CodedPassage,
    NewCode,
    NewDocument,
    NewExcerpt,
    NewLink,
    NewMemo,
    NewParticipant,
    NewProject,
    NewTheme,
)
from graph.models import AttributeValue, LinkKind, Role, ThemeStatus
from graph.policy import Actor
from graph.service import Service
from graph.service.imports import FileUser, ImportPlan, PlannedSet
from seeds.bulk import PASSAGES, load_plan

_NAMESPACE = uuid.UUID("0d7c1a52-9e4b-4b8e-8f0e-3c2a9d6b5e17")


@dataclass(frozen=True)
class Size:
    participants: int
    documents: int
    excerpts: int
    codes: int
    themes: int
    codings: int
    coders: int
    words_per_document: tuple[int, int] = (2_000, 4_000)


SIZES: dict[str, Size] = {
    "S": Size(
        participants=12,
        documents=24,
        excerpts=1_200,
        codes=40,
        themes=8,
        codings=3_600,
        coders=3,
        words_per_document=(1_000, 2_000),
    ),
    "M": Size(participants=100, documents=200, excerpts=20_000, codes=300, themes=40, codings=60_000, coders=3),
    "L": Size(
        participants=500, documents=1_000, excerpts=200_000, codes=1_000, themes=150, codings=1_000_000, coders=5
    ),
}


_WORDS = [
    "worker",
    "social",
    "visit",
    "plan",
    "baby",
    "mum",
    "mother",
    "health",
    "visitor",
    "nurse",
    "midwife",
    "meeting",
    "judge",
    "judged",
    "fear",
    "afraid",
    "removal",
    "care",
    "support",
    "trust",
    "help",
    "ask",
    "told",
    "felt",
    "feel",
    "known",
    "listened",
    "heard",
    "report",
    "assessment",
    "conference",
    "depression",
    "anxiety",
    "psychosis",
    "medication",
    "sleep",
    "night",
    "crying",
    "partner",
    "family",
    "home",
    "house",
    "kitchen",
    "school",
    "appointment",
    "letter",
    "phone",
    "call",
    "doctor",
    "team",
    "ward",
    "unit",
    "nursery",
    "court",
    "child",
    "protection",
    "need",
    "early",
    "review",
    "honest",
    "hide",
    "hid",
    "mask",
    "coping",
    "struggling",
    "better",
    "worse",
    "week",
    "month",
    "day",
    "time",
    "first",
    "again",
    "always",
    "never",
    "kind",
    "cold",
    "rushed",
    "changed",
    "turning",
    "point",
    "relief",
    "safe",
    "unsafe",
    "watched",
    "checked",
    "boxes",
    "notes",
    "record",
    "file",
]
_GLUE = [
    "the",
    "a",
    "and",
    "but",
    "so",
    "then",
    "because",
    "when",
    "I",
    "she",
    "he",
    "they",
    "we",
    "it",
    "was",
    "were",
    "had",
    "have",
    "not",
    "just",
    "really",
]
_CODE_HEADS = (
    "Fear",
    "Trust",
    "Judgement",
    "Support",
    "Concealment",
    "Stigma",
    "Relationship",
    "Power",
    "Recovery",
    "Identity",
    "Communication",
    "Continuity",
    "Safety",
    "Isolation",
    "Advocacy",
)
_CODE_TAILS = (
    "of removal",
    "in the worker",
    "by professionals",
    "from family",
    "of symptoms",
    "at home",
    "with services",
    "over decisions",
    "after birth",
    "as a mother",
    "in meetings",
    "of care",
    "for the baby",
    "from peers",
    "in court",
)
_INVOLVEMENT = ("none", "early help", "child in need", "child protection plan", "care proceedings")
_DIFFICULTY = ("postnatal depression", "anxiety", "psychosis", "bipolar disorder", "OCD")
_REGIONS = ("north", "south", "east", "west", "city")
_LINK_KINDS = tuple(LinkKind)
_SENTENCE = re.compile(r"[^.\s][^.]*\.")


def _zipf_cumulative(n: int, s: float = 1.07) -> list[float]:
    return list(accumulate(1 / (rank + 1) ** s for rank in range(n)))


class SyntheticDataset:
    """A generated study; `load` writes it through the service like any dataset."""

    summary = "Generated study for benchmarks: --size S|M|L, --seed N (deterministic)"

    def __init__(self, size: str = "S", seed: int = 1) -> None:
        if size not in SIZES:
            raise ValueError(f"Unknown size {size!r}; choose one of {', '.join(SIZES)}.")
        self.size_name = size
        self.size = SIZES[size]
        self.seed = seed
        self.name = "synthetic"
        self.project_id = self.id("project", "")

    def id(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"synthetic/{self.size_name}/{self.seed}/{kind}/{key}"))

    @cached_property
    def coders(self) -> list[str]:
        return [self.id("coder", i) for i in range(self.size.coders)]

    @property
    def lead(self) -> str:
        return self.coders[0]

    @property
    def actor(self) -> Actor:
        """The loader acts as the study's lead, with every right (a seed is trusted)."""
        return Actor(self.lead, trusted=True)

    def steps(self) -> int:
        z = self.size
        return 2 + z.participants + z.documents + z.codes + z.themes + z.codings

    async def is_loaded(self, service: Service) -> bool:
        return bool(await service.reader(self.actor).get_projects([self.project_id]))

    async def remove(self, service: Service) -> None:
        try:
            await service.delete_project(self.actor, self.project_id)
        except NotFound:
            pass

    async def load(self, service: Service, advance: Callable[[int], None]) -> str:
        z, rng, lead = self.size, random.Random(self.seed), self.actor
        for i, coder in enumerate(self.coders):
            await service.ensure_user(coder, f"Coder {i + 1} ({self.size_name}{self.seed})")
        await service.create_project(
            lead,
            NewProject(
                id=self.project_id,
                name=f"Synthetic study {self.size_name} (seed {self.seed})",
                description=f"Generated by `thememap seed synthetic --size {self.size_name} --seed {self.seed}`.",
            ),
        )
        for coder in self.coders[1:]:
            await service.add_member(lead, self.project_id, coder, Role.ANALYST)
        advance(2)

        plan = ImportPlan(
            self.project_id,
            NewProject(name=f"Synthetic study {self.size_name} (seed {self.seed})"),
            users=[FileUser(coder, coder) for coder in self.coders],
        )
        participants = [self.id("participant", i) for i in range(z.participants)]
        for i, pid in enumerate(participants):
            plan.participants.append(
                NewParticipant(
                    id=pid, project_id=self.project_id, pseudonym=f"P{i + 1:04d}", attributes=self._attributes(rng)
                )
            )

        texts: list[str] = []
        for d in range(z.documents):
            text = self._text(rng)
            texts.append(text)
            owner = d % z.participants
            plan.documents.append(
                NewDocument(
                    id=self.id("document", d),
                    project_id=self.project_id,
                    participant_id=participants[owner],
                    title=f"Interview {d // z.participants + 1} with P{owner + 1:04d}",
                    text=text,
                )
            )

        codes = [self.id("code", i) for i in range(z.codes)]
        for i, code in enumerate(codes):
            plan.codes.append(
                NewCode(
                    id=code,
                    project_id=self.project_id,
                    name=self._code_name(i),
                    description=f"Generated code {i + 1}; rank {i + 1} by expected frequency.",
                    parent_id=codes[self._code_parent(i)] if i >= self._top_level_codes else None,
                )
            )

        themes = [self.id("theme", i) for i in range(z.themes)]
        top_themes = max(1, z.themes * 2 // 3)
        for i, theme in enumerate(themes):
            new = NewTheme(
                id=theme,
                project_id=self.project_id,
                name=f"Theme {i + 1}",
                description=f"Generated theme {i + 1}.",
                status=rng.choice(list(ThemeStatus)),
                parent_id=themes[rng.randrange(top_themes)] if i >= top_themes else None,
            )
            plan.sets.append(PlannedSet(new, tuple(rng.sample(codes, rng.randint(3, min(12, len(codes)))))))

        excerpts: list[str] = []
        for batch in self._batches(self._passages(rng, texts, codes)):
            plan.passages.extend(batch)
            excerpts.extend(dict.fromkeys(p.excerpt.id for p in batch if p.excerpt.id is not None))

        concepts, linked = codes + themes, set[tuple[str, str, LinkKind]]()
        authors: dict[str, str] = {}
        for i in range(max(1, z.codes // 5)):
            source, target = rng.sample(concepts, 2)
            kind = rng.choice(_LINK_KINDS)
            if (source, target, kind) in linked or (target, source, kind) in linked:
                continue  # the service refuses a second link of one kind between two concepts
            linked.add((source, target, kind))
            authors[self.id("link", i)] = self.coders[i % z.coders]
            plan.links.append(
                NewLink(
                    id=self.id("link", i),
                    source_id=source,
                    target_id=target,
                    kind=kind,
                    evidence_excerpt_ids=tuple(rng.sample(excerpts, rng.randint(0, 2))),
                )
            )
        for i in range(max(1, z.themes // 4)):
            authors[self.id("memo", i)] = self.coders[i % z.coders]
            plan.memos.append(
                NewMemo(
                    id=self.id("memo", i),
                    target_id=rng.choice(themes),
                    title=f"Memo {i + 1}",
                    body="Generated memo about how this theme holds together.",
                )
            )
        await load_plan(service, lead, plan, authors, advance)
        return self.project_id

    @staticmethod
    def _attributes(rng: random.Random) -> dict[str, AttributeValue]:
        return {
            "involvement": rng.choice(_INVOLVEMENT),
            "primaryDifficulty": rng.choice(_DIFFICULTY),
            "region": rng.choice(_REGIONS),
            "babyAgeMonths": rng.randint(0, 24),
            "firstBaby": rng.random() < 0.5,
            "partnerSupport": rng.random() < 0.6,
        }

    def _text(self, rng: random.Random) -> str:
        """Sentences of 6 to 24 words, paragraphs of 3 to 8 sentences."""
        words = rng.randint(*self.size.words_per_document)
        paragraphs, sentences, written = [], [], 0
        while written < words:
            n = rng.randint(6, 24)
            body = rng.choices(_WORDS, k=n) + rng.choices(_GLUE, k=n // 3)
            rng.shuffle(body)
            sentence = " ".join(body)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
            written += len(body)
            if len(sentences) >= rng.randint(3, 8):
                paragraphs.append(" ".join(sentences))
                sentences = []
        paragraphs.append(" ".join(sentences))
        return "\n\n".join(p for p in paragraphs if p)

    @property
    def _top_level_codes(self) -> int:
        return max(1, self.size.codes // 10)

    def _code_parent(self, i: int) -> int:
        """Codes nest two or three levels: the first tenth are categories, each later code
        sits under an earlier code."""
        return (i * 7919) % min(i, self._top_level_codes * 4)

    def _code_name(self, i: int) -> str:
        head, tail = _CODE_HEADS[i % len(_CODE_HEADS)], _CODE_TAILS[(i // len(_CODE_HEADS)) % len(_CODE_TAILS)]
        return f"{head} {tail} {i + 1}"

    def _passages(self, rng: random.Random, texts: list[str], codes: list[str]) -> Iterator[CodedPassage]:
        """Every excerpt once, each coded `codings / excerpts` times (the remainder spread
        over the first excerpts) by coders who share the excerpt's likely codes four times
        in five."""
        z = self.size
        weights = _zipf_cumulative(len(codes))
        total = weights[-1]

        def zipf_code() -> str:
            return codes[min(bisect(weights, rng.random() * total), len(codes) - 1)]

        per_excerpt, extra = divmod(z.codings, z.excerpts)
        spans = self._spans(rng, texts)
        for n, (doc, start, end) in enumerate(spans):
            wanted = per_excerpt + (n < extra)
            likely = [zipf_code() for _ in range(2)]
            chosen: dict[str, list[str]] = {}
            pairs: set[tuple[str, str]] = set()
            for coder in itertools.islice(itertools.cycle(self.coders), 10 * wanted):
                if len(pairs) == wanted:
                    break
                code = rng.choice(likely) if rng.random() < 0.8 else zipf_code()
                if (coder, code) not in pairs:
                    pairs.add((coder, code))
                    chosen.setdefault(coder, []).append(code)
            excerpt = NewExcerpt(id=self.id("excerpt", n), document_id=self.id("document", doc), start=start, end=end)
            for coder, code_ids in chosen.items():
                yield CodedPassage(coder_id=coder, excerpt=excerpt, code_ids=tuple(code_ids))

    def _spans(self, rng: random.Random, texts: list[str]) -> list[tuple[int, int, int]]:
        """Distinct spans of one to four whole sentences, spread evenly over the documents;
        spans in one document often overlap."""
        z = self.size
        spans: list[tuple[int, int, int]] = []
        per_document, extra = divmod(z.excerpts, z.documents)
        for d, text in enumerate(texts):
            sentences = [m.span() for m in _SENTENCE.finditer(text)]
            candidates = [(i, k) for i in range(len(sentences)) for k in range(1, 5) if i + k <= len(sentences)]
            wanted = per_document + (d < extra)
            if wanted > len(candidates):
                raise ValueError(f"Document {d} is too short for {wanted} distinct excerpts.")
            for i, k in rng.sample(candidates, wanted):
                spans.append((d, sentences[i][0], sentences[i + k - 1][1]))
        return spans

    @staticmethod
    def _batches(passages: Iterator[CodedPassage]) -> Iterator[list[CodedPassage]]:
        """The passages in the parts `load_plan` imports: the excerpts links cite are drawn from
        a list made part by part (an excerpt two parts share is in it twice), as they always were."""
        while batch := list(itertools.islice(passages, PASSAGES)):
            yield batch

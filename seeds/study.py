"""Load a study dataset shipped as files under `seeds/datasets/<folder>/`:

- `study.json`: project, coders, codebook (codes with parents), themes (with parents
  and member codes), participants with attributes;
- `transcripts/<participant>.txt`: one transcript per participant;
- `codings/<participant>.json`: coded passages `{"quote", "<coder>": [code keys]}`, the
  span found by searching the quote in the transcript (so the files stay readable and
  offsets can never drift from the text);
- `links.json`, `memos.json`: concept links with evidence quotes, and memos.

Ids are derived from the dataset and item keys (UUID v5), so loading is repeatable and
ids are stable across machines.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

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
from graph.models import LinkKind, Role, ThemeStatus
from graph.policy import Actor
from graph.service import Service
from graph.service.imports import FileUser, ImportPlan, PlannedSet
from seeds.bulk import load_plan

_NAMESPACE = uuid.UUID("5b7f0e4e-2a51-4c1e-9d0a-7f3c6a1e9b21")


@dataclass(frozen=True)
class Passage:
    participant: str
    start: int
    end: int
    codes: dict[str, list[str]]


class StudyDataset:
    def __init__(self, folder: str) -> None:
        self.root = resources.files("seeds") / "datasets" / folder
        self.study: dict[str, Any] = json.loads((self.root / "study.json").read_text(encoding="utf-8"))
        self.name: str = self.study["key"]
        self.summary: str = self.study["name"]
        self.project_id = self.id("project", "")

    def id(self, kind: str, key: str) -> str:
        return str(uuid.uuid5(_NAMESPACE, f"{self.name}/{kind}/{key}"))

    def _json(self, name: str) -> Any:
        path = self.root / name
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []

    def transcript(self, participant: str) -> str:
        return (self.root / "transcripts" / f"{participant}.txt").read_text(encoding="utf-8")

    def passages(self) -> Iterator[Passage]:
        for p in self.study["participants"]:
            text = self.transcript(p["key"])
            for row in self._json(f"codings/{p['key']}.json"):
                yield self._passage(
                    p["key"], text, row["quote"], {c["key"]: row.get(c["key"], []) for c in self.study["coders"]}
                )

    def _passage(self, participant: str, text: str, quote: str, codes: dict[str, list[str]]) -> Passage:
        start = text.find(quote)
        if start < 0:
            raise ValueError(f"{self.name}: quote not found in {participant}'s transcript: {quote[:60]!r}")
        return Passage(participant, start, start + len(quote), codes)

    def _evidence_id(self, ref: dict[str, str]) -> str:
        passage = self._passage(ref["participant"], self.transcript(ref["participant"]), ref["quote"], {})
        return self._excerpt_id(passage)

    def _excerpt_id(self, passage: Passage) -> str:
        return self.id("excerpt", f"{passage.participant}:{passage.start}:{passage.end}")

    def steps(self) -> int:
        s = self.study
        return (
            2
            + 2 * len(s["participants"])
            + len(s["codes"])
            + len(s["themes"])
            + sum(1 for _ in self.passages())
            + len(self._json("links.json"))
            + len(self._json("memos.json"))
        )

    async def is_loaded(self, service: Service) -> bool:
        """Loaded completely. Loading takes many transactions, so a load that was killed
        leaves the project without its last node; the history records that node's creation
        even if someone deleted it since, so a finished load is never taken for a broken one."""
        reader = service.reader(self.actor)
        if not await reader.get_projects([self.project_id]):
            return False
        page = await reader.activity(self.project_id, first=1, target_id=self._final_id())
        return bool(page.events)

    def _final_id(self) -> str:
        """The id of the node `load` creates last."""
        memos, links = self._json("memos.json"), self._json("links.json")
        if memos:
            return self.id("memo", str(len(memos) - 1))
        if links:
            return self.id("link", str(len(links) - 1))
        return self.id("theme", self.study["themes"][-1]["key"])

    async def remove(self, service: Service) -> None:
        try:
            await service.delete_project(self.actor, self.project_id)
        except NotFound:
            pass

    @property
    def lead(self) -> str:
        return self.id("coder", self.study["coders"][0]["key"])

    @property
    def actor(self) -> Actor:
        """The loader acts as the study's lead, with every right (a seed is trusted)."""
        return Actor(self.lead, trusted=True)

    async def load(self, service: Service, advance: Callable[[int], None]) -> str:
        """Load into a store where the dataset is not loaded completely (`is_loaded`);
        the remains of an interrupted load are removed first."""
        await self.remove(service)
        s, lead = self.study, self.actor
        coder = {c["key"]: self.id("coder", c["key"]) for c in s["coders"]}
        for c in s["coders"]:
            await service.ensure_user(coder[c["key"]], c["name"], c.get("email"))
        await service.create_project(lead, NewProject(id=self.project_id, name=s["name"], description=s["description"]))
        for member in s.get("members", []):
            user = await service.ensure_user(self.id("user", member["key"]), member["name"])
            await service.add_member(lead, self.project_id, user.id, Role(member["role"]))
        for c in s["coders"][1:]:
            await service.add_member(lead, self.project_id, coder[c["key"]], Role.ANALYST)
        advance(2)

        plan = ImportPlan(
            self.project_id, NewProject(name=s["name"]), users=[FileUser(id, key) for key, id in coder.items()]
        )
        for p in s["participants"]:
            plan.participants.append(
                NewParticipant(
                    id=self.id("participant", p["key"]),
                    project_id=self.project_id,
                    pseudonym=p["pseudonym"],
                    attributes=p["attributes"],
                )
            )
            plan.documents.append(
                NewDocument(
                    id=self.id("document", p["key"]),
                    project_id=self.project_id,
                    title=f"Interview with {p['pseudonym']}",
                    text=self.transcript(p["key"]),
                    participant_id=self.id("participant", p["key"]),
                )
            )
        for c in s["codes"]:  # parents come before their children in the file
            plan.codes.append(
                NewCode(
                    id=self.id("code", c["key"]),
                    project_id=self.project_id,
                    name=c["name"],
                    description=c["description"],
                    color=c.get("color"),
                    parent_id=self.id("code", c["parent"]) if c.get("parent") else None,
                )
            )
        for t in s["themes"]:
            theme = NewTheme(
                id=self.id("theme", t["key"]),
                project_id=self.project_id,
                name=t["name"],
                description=t["description"],
                status=ThemeStatus(t["status"]),
                parent_id=self.id("theme", t["parent"]) if t.get("parent") else None,
            )
            plan.sets.append(PlannedSet(theme, tuple(self.id("code", k) for k in t["codes"])))
        plan.passages = [
            CodedPassage(
                coder_id=coder[coder_key],
                excerpt=NewExcerpt(
                    id=self._excerpt_id(p), document_id=self.id("document", p.participant), start=p.start, end=p.end
                ),
                code_ids=tuple(self.id("code", k) for k in code_keys),
            )
            for p in self.passages()
            for coder_key, code_keys in p.codes.items()
            if code_keys
        ]
        authors: dict[str, str] = {}
        for i, link in enumerate(self._json("links.json")):
            authors[self.id("link", str(i))] = self._author(coder, link)
            plan.links.append(
                NewLink(
                    id=self.id("link", str(i)),
                    source_id=self._concept(link["source"]),
                    target_id=self._concept(link["target"]),
                    kind=LinkKind(link["kind"]),
                    label=link.get("label"),
                    note=link.get("note"),
                    evidence_excerpt_ids=tuple(self._evidence_id(e) for e in link.get("evidence", [])),
                )
            )
        for i, memo in enumerate(self._json("memos.json")):
            authors[self.id("memo", str(i))] = self._author(coder, memo)
            plan.memos.append(
                NewMemo(
                    id=self.id("memo", str(i)),
                    target_id=self._target(memo["target"]),
                    title=memo["title"],
                    body=memo["body"],
                )
            )
        await load_plan(service, lead, plan, authors, lambda n: None)
        advance(self.steps() - 2)
        return self.project_id

    def _author(self, coders: dict[str, str], item: dict[str, Any]) -> str:
        """Who the dataset says wrote an item (the lead if it names no one): the seed acts for them."""
        return coders[item.get("author", self.study["coders"][0]["key"])]

    def _concept(self, ref: str) -> str:
        """`code:<key>` or `theme:<key>`."""
        kind, key = ref.split(":", 1)
        return self.id(kind, key)

    def _target(self, ref: str) -> str:
        """`project`, `code:<key>`, `theme:<key>`, `participant:<key>` or `excerpt:<participant>:<quote>`."""
        if ref == "project":
            return self.project_id
        kind, key = ref.split(":", 1)
        if kind == "excerpt":
            participant, quote = key.split(":", 1)
            return self._evidence_id({"participant": participant, "quote": quote})
        return self.id(kind, key)

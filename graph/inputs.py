"""Inputs for store writes, validated by pydantic before any store sees them.

Creation inputs take an optional `id` so that importers and seeds can keep ids stable
(DESIGN.md: ids are stable across export and import). Patch inputs distinguish a field
that was not given from one set to null through `model_fields_set`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

from graph.models import AttributeValue, LinkKind, SpeakerRole, ThemeStatus
from graph.rules import check_text

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Text = Annotated[str, Field(max_length=100_000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]

_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$")


def _check_color(value: str | None) -> str | None:
    if value is not None and not _COLOR.match(value):
        raise ValueError("must be a hex colour such as #1f77b4")
    return value


Color = Annotated[str | None, AfterValidator(_check_color)]


def _leaves(value: Any) -> Iterator[Any]:
    """Every value inside a field's value as given (dict keys and values, list and tuple items),
    in order. A loop, not recursion: a JSON value may nest deeper than the interpreter's stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(reversed([part for pair in item.items() for part in pair]))
        elif isinstance(item, list | tuple):
            pending.extend(reversed(item))
        else:
            yield item


class Input(BaseModel):
    """Every input the store takes, by any path (GraphQL, imports, the CLI, seeds): numbers are
    finite and text is what XML 1.0 can carry, so a stored value always serialises as JSON and
    always exports as REFI-QDA."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _finite(cls, value: Any) -> Any:
        for number in _leaves(value):
            if isinstance(number, float) and not math.isfinite(number):
                raise ValueError(f"holds {number}: numbers must be finite (JSON has no NaN or Infinity)")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _carried_by_xml(cls, value: Any) -> Any:
        for text in _leaves(value):
            if isinstance(text, str):
                check_text(text)
        return value


class Patch(Input):
    def given(self, field: str) -> bool:
        """Whether the caller supplied `field` (possibly as null)."""
        return field in self.model_fields_set


class NewProject(Input):
    id: Id | None = None
    name: Name
    description: Text = ""


class ProjectPatch(Patch):
    name: Name | None = None
    description: Text | None = None
    blind_coding: bool | None = None


class NewParticipant(Input):
    id: Id | None = None
    project_id: Id
    pseudonym: Name
    attributes: dict[Name, AttributeValue] = {}


class ParticipantPatch(Patch):
    pseudonym: Name | None = None
    attributes: dict[Name, AttributeValue] | None = None


def distinct(groups: tuple[str, ...]) -> tuple[str, ...]:
    """Each document set once (names compared ignoring case: the first spelling wins), in order."""
    kept: dict[str, str] = {}
    for group in groups:
        kept.setdefault(group.casefold(), group)
    return tuple(kept.values())


Groups = Annotated[tuple[Name, ...], Field(max_length=100), AfterValidator(distinct)]
"""The document sets a document is in, by name."""


class NewDocument(Input):
    id: Id | None = None
    project_id: Id
    title: Name
    text: Annotated[str, Field(max_length=10_000_000)]
    participant_id: Id | None = None
    kind: Name = "transcript"
    groups: Groups = ()


class DocumentGroups(Input):
    """Which document sets a document is in (all of them: the ones it leaves are left)."""

    document_id: Id
    groups: Groups


class NewExcerpt(Input):
    id: Id | None = None
    document_id: Id
    start: int
    end: int


class CodedPassage(Input):
    """One coder's coding of a span with codes: the unit of bulk coding (seeds, imports)."""

    coder_id: Id
    excerpt: NewExcerpt
    code_ids: Annotated[tuple[Id, ...], Field(min_length=1)]
    created_at: datetime | None = None
    """When it was coded, if a file says (an import keeps it); else now."""


class NewCode(Input):
    id: Id | None = None
    project_id: Id
    name: Name
    description: Text = ""
    color: Color = None
    parent_id: Id | None = None
    codable: bool = True


class CodePatch(Patch):
    expected_version: int | None = None
    name: Name | None = None
    description: Text | None = None
    color: Color = None
    parent_id: Id | None = None
    codable: bool | None = None


class NewTheme(Input):
    id: Id | None = None
    project_id: Id
    name: Name
    description: Text = ""
    status: ThemeStatus = ThemeStatus.CANDIDATE
    parent_id: Id | None = None


class ThemePatch(Patch):
    expected_version: int | None = None
    name: Name | None = None
    description: Text | None = None
    status: ThemeStatus | None = None
    parent_id: Id | None = None


class NewLink(Input):
    id: Id | None = None
    source_id: Id
    target_id: Id
    kind: LinkKind
    label: Annotated[str, StringConstraints(max_length=500)] | None = None
    note: Text | None = None
    evidence_excerpt_ids: tuple[Id, ...] = ()


class LinkPatch(Patch):
    expected_version: int | None = None
    kind: LinkKind | None = None
    label: Annotated[str, StringConstraints(max_length=500)] | None = None
    note: Text | None = None
    evidence_excerpt_ids: tuple[Id, ...] | None = None


class NewMemo(Input):
    id: Id | None = None
    target_id: Id
    title: Name
    body: Text = ""


class MemoPatch(Patch):
    expected_version: int | None = None
    title: Name | None = None
    body: Text | None = None


class NewTurn(Input):
    """A speaker turn of a new transcript: `text[start:end]` in code points."""

    speaker: Name
    start: int
    end: int


class NewTranscript(Input):
    """A document read from a transcript file, with its speaker turns (in text order) and what
    is known of who some speakers are."""

    document: NewDocument
    turns: tuple[NewTurn, ...] = ()
    roles: dict[Name, SpeakerRole] = {}


Coordinate = Annotated[float, Field(ge=-1_000_000, le=1_000_000)]


class NodePosition(Input):
    """Where a code or theme is drawn on its project's map, in the drawing's own units."""

    node_id: Id
    x: Coordinate
    y: Coordinate


class MapPositions(Input):
    """Positions to save for some of a project's codes and themes (the others keep theirs)."""

    project_id: Id
    positions: Annotated[tuple[NodePosition, ...], Field(min_length=1, max_length=10_000)]

"""GraphQL input types, and their conversion to the domain's validated inputs."""

from __future__ import annotations

from typing import Any, TypeVar

import strawberry
from pydantic import BaseModel
from strawberry.scalars import JSON

from schema.types import LinkKind, ThemeStatus

P = TypeVar("P", bound=BaseModel)


def to_domain(model: type[P], given: Any, *, keep_null: bool = False, exclude: tuple[str, ...] = ()) -> P:
    """Build the domain input from a strawberry input, leaving out fields not given
    (UNSET) and, unless `keep_null` (patches, where null means "clear"), fields given as
    null (creations, where null means "the default"). Pydantic validates the result; a
    ValidationError becomes BAD_USER_INPUT (schema.errors)."""
    fields = {
        k: v
        for k, v in vars(given).items()
        if k not in exclude and v is not strawberry.UNSET and (keep_null or v is not None)
    }
    return model(**fields)


def to_patch(model: type[P], given: Any) -> P:
    """The domain patch for an update input; its `id` names the target, not a change."""
    return to_domain(model, given, keep_null=True, exclude=("id",))


@strawberry.input
class CreateProjectInput:
    name: str
    description: str | None = strawberry.UNSET


@strawberry.input
class UpdateProjectInput:
    id: strawberry.ID
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    blind_coding: bool | None = strawberry.field(
        default=strawberry.UNSET, description="Turn blind coding on or off (OWNER only, like every project change)."
    )


@strawberry.input
class AddParticipantInput:
    project_id: strawberry.ID
    pseudonym: str
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET, description="String, number or boolean values."
    )


@strawberry.input
class UpdateParticipantInput:
    id: strawberry.ID
    pseudonym: str | None = strawberry.UNSET
    attributes: JSON | None = strawberry.field(default=strawberry.UNSET, description="Replaces all attributes.")


@strawberry.input
class AddDocumentInput:
    project_id: strawberry.ID
    title: str
    text: str
    participant_id: strawberry.ID | None = strawberry.UNSET
    kind: str | None = strawberry.UNSET
    groups: list[str] | None = strawberry.field(default=strawberry.UNSET, description="Its document sets, by name.")


@strawberry.input(description="A span of a document in Unicode code points, 0-based, end exclusive.")
class CreateExcerptInput:
    document_id: strawberry.ID
    start: int
    end: int


@strawberry.input(description="Mark a span and code it with one or more codes, atomically.")
class CodeTextInput:
    document_id: strawberry.ID
    start: int
    end: int
    code_ids: list[strawberry.ID]


@strawberry.input
class CreateCodeInput:
    project_id: strawberry.ID
    name: str
    description: str | None = strawberry.UNSET
    color: str | None = strawberry.field(default=strawberry.UNSET, description="A hex colour such as #1f77b4.")
    parent_id: strawberry.ID | None = strawberry.UNSET
    codable: bool | None = strawberry.field(
        default=strawberry.UNSET, description="False for a category (default true)."
    )


@strawberry.input
class UpdateCodeInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="The version you read; a stale one gives CONFLICT and changes nothing."
    )
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    color: str | None = strawberry.field(default=strawberry.UNSET, description="Null removes the colour.")
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null moves it to the top level."
    )
    codable: bool | None = strawberry.UNSET


@strawberry.input
class CreateThemeInput:
    project_id: strawberry.ID
    name: str
    description: str | None = strawberry.UNSET
    status: ThemeStatus | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.UNSET


@strawberry.input
class UpdateThemeInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.field(
        default=strawberry.UNSET, description="The version you read; a stale one gives CONFLICT and changes nothing."
    )
    name: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    status: ThemeStatus | None = strawberry.UNSET
    parent_id: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET, description="Null makes it a top-level theme."
    )


@strawberry.input
class LinkConceptsInput:
    source_id: strawberry.ID
    target_id: strawberry.ID
    kind: LinkKind
    label: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    evidence_excerpt_ids: list[strawberry.ID] | None = strawberry.UNSET


@strawberry.input
class UpdateLinkInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.UNSET
    kind: LinkKind | None = strawberry.UNSET
    label: str | None = strawberry.UNSET
    note: str | None = strawberry.UNSET
    evidence_excerpt_ids: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Replaces the evidence list."
    )


@strawberry.input
class AddMemoInput:
    target_id: strawberry.ID = strawberry.field(
        description="Any node: project, participant, document, excerpt, code, theme or link."
    )
    title: str
    body: str | None = strawberry.UNSET


@strawberry.input
class UpdateMemoInput:
    id: strawberry.ID
    expected_version: int | None = strawberry.UNSET
    title: str | None = strawberry.UNSET
    body: str | None = strawberry.UNSET

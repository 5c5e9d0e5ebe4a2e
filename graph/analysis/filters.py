"""Which cases and which coders an analytic question looks at."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import model_validator

from graph.errors import BadInput
from graph.inputs import Id, Input, Name
from graph.models import AttributeValue, Participant, SpeakerRole


class AttributeCondition(Input):
    """A condition on one participant attribute: `equals`, `one_of`, or a numeric range
    (`min`/`max`, inclusive). A participant without the attribute never matches."""

    name: Name
    equals: AttributeValue | None = None
    one_of: tuple[AttributeValue, ...] | None = None
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> AttributeCondition:
        given = [self.equals is not None, self.one_of is not None, self.min is not None or self.max is not None]
        if sum(given) != 1:
            raise ValueError(f"attribute condition on {self.name!r} needs exactly one of equals, oneOf, or min/max")
        return self

    def matches(self, attributes: dict[str, AttributeValue]) -> bool:
        if self.name not in attributes:
            return False
        value = attributes[self.name]
        if self.equals is not None:
            return _same(value, self.equals)
        if self.one_of is not None:
            return any(_same(value, option) for option in self.one_of)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)


def _same(a: AttributeValue, b: AttributeValue) -> bool:
    """Equality that keeps booleans apart from 1 and 0."""
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


class CaseFilter(Input):
    """Which participants (cases) count: those listed (if any) that meet every
    attribute condition (and, with document sets named, the documents in them). With any
    filter given, documents about no participant drop out."""

    participant_ids: tuple[Id, ...] | None = None
    attributes: tuple[AttributeCondition, ...] = ()
    document_groups: tuple[Name, ...] | None = None
    """Keep to the documents in any of these document sets (and the participants they are about)."""

    @property
    def active(self) -> bool:
        return self.participant_ids is not None or bool(self.attributes) or self.document_groups is not None

    def matches(self, participant: Participant) -> bool:
        if self.participant_ids is not None and participant.id not in self.participant_ids:
            return False
        return all(c.matches(participant.attributes) for c in self.attributes)

    def check(self, participants: Sequence[Participant]) -> None:
        """Refuse a filter naming what the project lacks, which would quietly match no one:
        an unknown participant or attribute, or a numeric range on an attribute that holds no numbers."""
        check_given("participantIds", self.participant_ids, "every participant")
        check_known("Participant", self.participant_ids or (), {p.id for p in participants})
        for condition in self.attributes:
            values = check_attribute(condition.name, participants)
            if (condition.min is not None or condition.max is not None) and not any(
                isinstance(v, int | float) and not isinstance(v, bool) for v in values
            ):
                shown = ", ".join(repr(v) for v in list(dict.fromkeys(values))[:3])
                raise BadInput(
                    f"Attribute {condition.name!r} holds no numbers (values such as {shown}), so min/max match no "
                    "one; use equals or oneOf.",
                    attribute=condition.name,
                )


class Where(Input):
    """Boolean conditions on concepts (codes or themes, themes rolled up) and text."""

    all_of: tuple[Id, ...] = ()
    any_of: tuple[Id, ...] = ()
    none_of: tuple[Id, ...] = ()
    text: str | None = None
    filter: CaseFilter = CaseFilter()
    coders: tuple[Id, ...] | None = None
    spoken_by: SpeakerRole | None = None
    """Only excerpts lying within the turns of speakers with this role (see `Spoken`)."""

    @property
    def concepts(self) -> tuple[str, ...]:
        return (*self.all_of, *self.any_of, *self.none_of)


def check_known(kind: str, ids: Sequence[str], known: set[str] | frozenset[str]) -> None:
    """Every id a question names must exist in its project."""
    missing = [i for i in ids if i not in known]
    if missing:
        raise BadInput(f"{kind} {missing[0]!r} is not in this project; check the id.", ids=missing)


def check_given(argument: str, given: Sequence[object] | None, otherwise: str) -> None:
    """An empty list where leaving the argument out means `otherwise` is a slip, not a question."""
    if given is not None and not given:
        raise BadInput(f"{argument} is an empty list: name at least one, or leave it out for {otherwise}.")


def check_attribute(name: str, participants: Sequence[Participant]) -> list[AttributeValue]:
    """The values participants hold for attribute `name`, which some participant must have."""
    values = [p.attributes[name] for p in participants if name in p.attributes]
    if not values:
        known = sorted({a for p in participants for a in p.attributes}, key=str.lower)
        listed = ", ".join(repr(a) for a in known) if known else "none yet"
        raise BadInput(
            f"No participant has the attribute {name!r}; attributes in this project: {listed}.", attribute=name
        )
    return values

"""Import one transcript file as a document with its speaker turns, into a project where the
importer may edit. The file is read and checked first, writing nothing; then the service stores
the document and its turns in one unit of work, so a refused or failed import leaves no trace."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath

from pydantic import ValidationError

from graph.errors import BadInput
from graph.inputs import NewDocument, NewTranscript, NewTurn
from graph.models import SpeakerRole
from graph.policy import Actor, Need
from graph.rules import unsafe_character
from graph.service import Service
from seeds.transcripts.kinds import READERS, Kind
from seeds.transcripts.speakers import Said, turns


@dataclass(frozen=True)
class Options:
    """What the importer knows that the file does not say: whom the transcript is about, and which
    speaker labels are that participant's and which an interviewer's (compared ignoring case; a
    label a file does not have is reported, not refused, so one set of options fits many files)."""

    participant_id: str | None = None
    participant_speakers: tuple[str, ...] = ()
    interviewers: tuple[str, ...] = ()


@dataclass
class Summary:
    """What an import made."""

    project_id: str
    document_id: str
    title: str
    kind: Kind
    encoding: str | None
    length: int
    turns: list[Said]
    roles: dict[str, SpeakerRole]
    missing: list[str] = field(default_factory=list)
    """Speaker labels of the options that the file does not have."""
    preview: bool = False
    """A preview: what the import would do, with nothing written."""

    def lines(self) -> list[str]:
        read = f"{self.kind.value}" + (f" read as {self.encoding}" if self.encoding else "")
        out = ["preview: nothing was written; importing the file would do this"] if self.preview else []
        out += [
            f"project {self.project_id}",
            f"document {self.document_id}: {self.title!r} ({read}), {self.length:,} characters",
        ]
        said = Counter(t.speaker for t in self.turns)
        out.append(
            f"turns: {len(self.turns)}"
            + (f" by {len(said)} speaker{'s' if len(said) > 1 else ''}: " if said else "")
            + ", ".join(
                f"{speaker} ({n}{', ' + self.roles[speaker].value if speaker in self.roles else ''})"
                for speaker, n in said.items()
            )
        )
        out += [f"no speaker {label!r} in this file" for label in self.missing]
        return out


def title_of(filename: str | None) -> str:
    """A document's title: its file's name without the extension."""
    return (PurePath(filename or "").stem.strip() or "Transcript")[:500]


def plan(
    data: bytes, kind: Kind, filename: str | None, project_id: str, options: Options
) -> tuple[NewTranscript, Summary]:
    """Read and check a transcript file without writing anything."""
    read = READERS[kind](data)
    name = PurePath(filename or "").name or "The file"
    if not read.text.strip():
        raise BadInput(f"{name} holds no text.")
    if (at := unsafe_character(read.text)) is not None:
        raise BadInput(
            f"{name}: {read.place(at)} is the character U+{ord(read.text[at]):04X}, which the project's exports "
            "(XML) cannot carry; remove it and import the file again.",
            character=f"U+{ord(read.text[at]):04X}",
        )
    said = turns(read)
    labels = {t.speaker.casefold(): t.speaker for t in said}
    roles: dict[str, SpeakerRole] = {}
    missing: list[str] = []
    for given, role in [
        *((label, SpeakerRole.PARTICIPANT) for label in options.participant_speakers),
        *((label, SpeakerRole.INTERVIEWER) for label in options.interviewers),
    ]:
        if given.strip().casefold() in labels:
            roles[labels[given.strip().casefold()]] = role
        else:
            missing.append(given)
    title = title_of(filename)
    try:
        new = NewTranscript(
            document=NewDocument(
                project_id=project_id, title=title, text=read.text, participant_id=options.participant_id
            ),
            turns=tuple(NewTurn(speaker=t.speaker, start=t.start, end=t.end) for t in said),
            roles=roles,
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise BadInput(f"{name} cannot be imported: {where} {error['msg']}.") from None
    return new, Summary(project_id, "", title, kind, read.encoding, len(read.text), said, roles, missing)


async def import_transcript(
    service: Service,
    actor: Actor,
    data: bytes,
    kind: Kind,
    filename: str | None,
    project_id: str,
    options: Options = Options(),
    preview: bool = False,
) -> Summary:
    """Import into a project the actor may edit; refused before the file is read if they may not
    (the service asks again in its own transaction). `preview`: the same import, rolled back."""
    await service.reader(actor).require(project_id, Need.EDIT)
    new, summary = await asyncio.to_thread(plan, data, kind, filename, project_id, options)
    summary.document_id = (await service.import_transcript(actor, new, preview)).id
    summary.preview = preview
    return summary

"""Import any file thememap takes, a REFI-QDA project or codebook or a transcript, with the
importer its kind calls for: the one way in for the command line and the HTTP import route."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from graph.errors import BadInput
from graph.policy import Actor
from graph.service import Service
from seeds.refi.content import Offsets
from seeds.refi.imports import import_file
from seeds.transcripts.imports import Options, import_transcript
from seeds.transcripts.kinds import Kind, kind_of


@dataclass(frozen=True)
class ImportOptions:
    """What the importer says beside the file (each applies to the kinds its name says)."""

    users: Mapping[str, str] = field(default_factory=dict)
    """REFI-QDA: the file's users (GUIDs) mapped to members (OWNER only)."""
    match_users: bool = False
    """REFI-QDA: the file's users whose GUID or name is a member's code as that member (OWNER only)."""
    offsets: Offsets = Offsets.AUTO
    """REFI-QDA: the unit of the selections' positions."""
    transcript: Options = field(default_factory=Options)
    """Transcripts: whom it is about, and which speakers are whose."""
    preview: bool = False
    """Say what the import would do, and write nothing."""


@dataclass(frozen=True)
class Uploaded:
    project_id: str
    document_id: str | None
    """The document a transcript became (None for a REFI-QDA file)."""
    lines: list[str]
    """The summary of what came in."""


async def import_upload(
    service: Service,
    actor: Actor,
    data: bytes,
    filename: str | None,
    project_id: str | None,
    options: ImportOptions = ImportOptions(),
) -> Uploaded:
    """Import the file into the project (a REFI-QDA file, without one, into a new project)."""
    kind = kind_of(data, filename)
    if kind is Kind.REFI:
        summary = await import_file(
            service,
            actor,
            data,
            project_id,
            fallback_name=PurePath(filename or "").stem or "Imported project",
            users=options.users,
            match_users=options.match_users,
            offsets=options.offsets,
            preview=options.preview,
        )
        return Uploaded(summary.project_id, None, summary.lines())
    if project_id is None:
        raise BadInput(
            "A transcript becomes a document of an existing project: give --project ID (the project to import it into)."
        )
    done = await import_transcript(
        service, actor, data, kind, filename, project_id, options.transcript, options.preview
    )
    return Uploaded(done.project_id, done.document_id, done.lines())

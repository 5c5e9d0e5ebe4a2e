"""Transcripts and their speaker turns: importing one as a document, and saying who its speakers
are. Turns are spans of the document's text, in code points like excerpts, so the questions that
keep to what one kind of speaker says (`spoken_by`) compare offsets and nothing else."""

from __future__ import annotations

from graph import activity
from graph.errors import BadInput
from graph.inputs import NewTranscript
from graph.models import Document, NodeKind, SpeakerRole, Turn
from graph.policy import Actor, Need
from graph.service.projects import Projects
from graph.transaction import Transaction


def _turns(new: NewTranscript) -> list[Turn]:
    """The transcript's turns with their speakers' roles: inside the text, in text order, none
    overlapping; a role only for a speaker who has turns."""
    length, done = len(new.document.text), 0
    for t in new.turns:
        if not done <= t.start < t.end <= length:
            raise BadInput(
                f"The turn of {t.speaker!r} at [{t.start}, {t.end}) does not fit: turns lie inside the text "
                f"(length {length} code points), in text order, each after the one before.",
                start=t.start,
                end=t.end,
                length=length,
            )
        done = t.end
    speakers = dict.fromkeys(t.speaker for t in new.turns)
    unknown = [s for s in new.roles if s not in speakers]
    if unknown:
        raise BadInput(
            f"The transcript has no speaker {unknown[0]!r}; its speakers are: {', '.join(speakers) or 'none'}."
        )
    return [Turn(speaker=t.speaker, start=t.start, end=t.end, role=new.roles.get(t.speaker)) for t in new.turns]


class Transcripts(Projects):
    async def import_transcript(self, actor: Actor, new: NewTranscript, preview: bool = False) -> Document:
        """A new document with its speaker turns, in a project where the actor may edit: one unit
        of work, so it comes in whole or not at all (`preview`: rolled back, writing nothing)."""

        async def work(tx: Transaction) -> Document:
            principal = await self.in_project(tx, actor, new.document.project_id, Need.EDIT)
            turns = _turns(new)
            document = await self.new_document(tx, principal, new.document)
            await tx.set_turns(document.id, turns)
            return document

        return await (self._rehearse(work) if preview else self._write(work))

    async def set_speaker_role(
        self, actor: Actor, document_id: str, speaker: str, role: SpeakerRole | None
    ) -> Document:
        """Say that a speaker of a transcript is its participant or an interviewer (None: neither,
        or not known); it applies to all their turns there, and is recorded in the history."""

        async def work(tx: Transaction) -> Document:
            found, principal = await self.at_node(tx, actor, document_id, Need.EDIT, NodeKind.DOCUMENT)
            document: Document = found
            turns = (await tx.turns([document_id]))[document_id]
            theirs = [t for t in turns if t.speaker == speaker]
            if not theirs:
                speakers = ", ".join(dict.fromkeys(t.speaker for t in turns))
                raise BadInput(
                    f"Document {document.title!r} has no speaker by that name; "
                    + (f"its speakers are: {speakers}." if speakers else "it has no speaker turns.")
                )
            if theirs[0].role is not role:
                await tx.set_speaker_role(document_id, speaker, role)
                await self.log(tx, activity.speaker_role(principal.user_id, document, speaker, theirs[0].role, role))
            return document

        return await self._write(work)

"""Exports for the write-up: a report of the themes (Markdown and Word), and CSV tables of the
case-by-theme matrix and of code co-occurrence. Each reads the project once, through the
reader of whoever asks (so under blind coding an ANALYST's files hold their own codings
only), and answers with the same analytic functions as the API, so the numbers match what
the API says to them."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import partial

import docx

from graph.analysis import questions
from graph.analysis.results import CaseMatrix, CooccurrenceScope
from graph.analysis.snapshot import Scope, Snapshot
from graph.analysis.worker import FILES, off_loop, stopping
from graph.models import Excerpt, Participant
from graph.service.reading import Reader

QUOTES_PER_THEME = 3
"""Quotes chosen for a theme none were pinned to; pinned quotes are all shown (at most MAX_PINNED)."""
QUOTABLE = 300
"""The longest excerpt (in characters) preferred as a chosen quote: long enough to say something,
short enough to read in a report."""
PINNED = "pinned by the team, in their order"
SPREAD = "chosen across participants and attribute groups (none pinned)"
METHOD = (
    "Illustrative quotes are those the team pinned to each theme (pinQuote), in their order. For a theme with "
    f"none pinned, up to {QUOTES_PER_THEME} are chosen, one per participant: first those quoted least elsewhere in "
    "this report, then those whose attribute values are not yet represented among the theme's quotes; "
    f"each participant's quote is their longest excerpt on the theme of at most {QUOTABLE} characters."
)


@dataclass(frozen=True)
class Quote:
    text: str
    pseudonym: str
    attributes: tuple[tuple[str, str], ...]

    def attribution(self) -> str:
        """'Amira (involvement: CP plan; age: 7)'."""
        details = "; ".join(f"{name}: {value}" for name, value in self.attributes)
        return f"{self.pseudonym} ({details})" if details else self.pseudonym


@dataclass(frozen=True)
class Section:
    """One theme of the report."""

    name: str
    status: str
    description: str
    facts: tuple[str, ...]
    quotes: tuple[Quote, ...]
    pinned: bool

    @property
    def how(self) -> str:
        return PINNED if self.pinned else SPREAD


@dataclass(frozen=True)
class Report:
    title: str
    description: str
    summary: str
    sections: tuple[Section, ...]


async def build_report(reader: Reader, project_id: str) -> Report:
    """Per theme: its definition, status, codes, prevalence across participants, and illustrative
    quotes with pseudonyms and attributes: the pinned ones, else a spread (`choose_quotes`)."""
    project = (await reader.get_projects([project_id])).get(project_id)
    snapshot = await reader.project_snapshot(project_id)
    matrix = await off_loop(partial(questions.case_matrix, Scope(snapshot), "THEME", ()), FILES)
    pinned = await reader.pinned_quotes([t.id for t in snapshot.themes])
    chosen = await off_loop(partial(choose_quotes, snapshot, matrix, set(pinned)), FILES)
    excerpts = await reader.get_excerpts([e for ids in chosen.values() for e in ids])
    participants = {p.id: p for p in snapshot.participants}
    codes = {c.id: c for c in snapshot.codes}
    members: dict[str, list[str]] = {}
    for code_id, theme_id in snapshot.memberships:
        members.setdefault(theme_id, []).append(codes[code_id].name)

    def quote(excerpt: Excerpt) -> Quote:
        fact = snapshot.documents.get(excerpt.document_id)
        person = participants.get(fact.participant_id) if fact and fact.participant_id else None
        attributes = tuple(sorted((k, str(v)) for k, v in person.attributes.items())) if person else ()
        return Quote(" ".join(excerpt.text.split()), person.pseudonym if person else "(no participant)", attributes)

    total = len(participants)
    sections = []
    for theme in sorted(snapshot.themes, key=lambda t: t.name.lower()):
        index = matrix.column_ids.index(theme.id)
        having = [row for row in matrix.rows if row.cells[index].count]
        share = f"{len(having)} of {total} participants" + (f" ({len(having) / total:.0%})" if total else "")
        quotes = pinned.get(theme.id) or [excerpts[e] for e in chosen.get(theme.id, []) if e in excerpts]
        sections.append(
            Section(
                name=theme.name,
                status=theme.status.value.lower(),
                description=theme.description,
                facts=(
                    f"Prevalence: {share}; {sum(r.cells[index].count for r in having)} excerpts.",
                    f"Codes: {', '.join(sorted(members.get(theme.id, []), key=str.lower)) or 'none directly'}.",
                ),
                quotes=tuple(quote(e) for e in quotes),
                pinned=theme.id in pinned,
            )
        )
    return Report(
        title=project.name if project else project_id,
        description=project.description if project else "",
        summary=f"{total} participants, {len(snapshot.themes)} themes, {len(snapshot.codes)} codes.",
        sections=tuple(sections),
    )


def choose_quotes(snapshot: Snapshot, matrix: CaseMatrix, pinned: set[str]) -> dict[str, list[str]]:
    """For each theme without pinned quotes, up to QUOTES_PER_THEME excerpt ids, one per participant:
    greedily the participant quoted least so far in the report, then the one bringing the most attribute
    values (name=value) not yet represented among the theme's quotes, then by pseudonym; so quotes
    spread across participants and attribute groups instead of being the first matches."""
    people = {p.id: p for p in snapshot.participants}
    lengths = {e.id: e.end - e.start for e in snapshot.excerpts}
    quoted: dict[str, int] = {}
    chosen: dict[str, list[str]] = {}
    for theme in sorted(snapshot.themes, key=lambda t: t.name.lower()):
        stopping()
        if theme.id in pinned:
            continue
        index = matrix.column_ids.index(theme.id)
        candidates = {r.participant_id: r.cells[index].excerpt_ids for r in matrix.rows if r.cells[index].count}
        covered: set[tuple[str, str]] = set()
        picks: list[str] = []
        while candidates and len(picks) < QUOTES_PER_THEME:
            best = min(candidates, key=partial(_merit, people, covered, quoted))
            excerpts = candidates.pop(best)
            fitting = [e for e in excerpts if lengths.get(e, 0) <= QUOTABLE]
            picks.append(max(fitting, key=lengths.__getitem__) if fitting else min(excerpts, key=lengths.__getitem__))
            covered |= {(k, str(v)) for k, v in people[best].attributes.items()}
            quoted[best] = quoted.get(best, 0) + 1
        chosen[theme.id] = picks
    return chosen


def _merit(
    people: dict[str, Participant], covered: set[tuple[str, str]], quoted: dict[str, int], id: str
) -> tuple[int, int, str]:
    """How a participant ranks as the next quote of a theme (least first)."""
    values = {(k, str(v)) for k, v in people[id].attributes.items()}
    return (quoted.get(id, 0), -len(values - covered), people[id].pseudonym)


async def report_markdown(reader: Reader, project_id: str) -> str:
    """The report as Markdown (report.md)."""
    report = await build_report(reader, project_id)
    lines = [f"# {report.title}", ""]
    if report.description:
        lines += [report.description, ""]
    lines += [report.summary, "", f"*{METHOD}*", ""]
    for section in report.sections:
        lines += [f"## {section.name}", "", f"*{section.status}*. {section.description}".rstrip(), ""]
        lines += [f"- {fact}" for fact in section.facts]
        if section.quotes:
            lines += ["", f"Illustrative quotes, {section.how}:", ""]
            for quote in section.quotes:
                lines += [f"> “{quote.text}” — {quote.attribution()}", ""]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


async def report_docx(reader: Reader, project_id: str) -> bytes:
    """The report as a Word document (report.docx), for a team to edit into its write-up."""
    return await off_loop(partial(_docx, await build_report(reader, project_id)), FILES)


def _docx(report: Report) -> bytes:
    document = docx.Document()
    document.core_properties.title = report.title
    document.add_heading(report.title, level=0)
    if report.description:
        document.add_paragraph(report.description)
    document.add_paragraph(report.summary)
    document.add_paragraph().add_run(METHOD).italic = True
    for section in report.sections:
        stopping()
        document.add_heading(section.name, level=1)
        lead = document.add_paragraph()
        lead.add_run(section.status).italic = True
        lead.add_run(f". {section.description}".rstrip())
        for fact in section.facts:
            document.add_paragraph(fact, style="List Bullet")
        if section.quotes:
            document.add_paragraph(f"Illustrative quotes, {section.how}:")
            for quote in section.quotes:
                document.add_paragraph(f"“{quote.text}” — {quote.attribution()}", style="Quote")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


async def case_matrix_csv(reader: Reader, project_id: str) -> str:
    """Rows: participants with their attributes; columns: themes; cells: excerpt counts."""
    return await off_loop(partial(_case_matrix_csv, await reader.project_snapshot(project_id)), FILES)


def _case_matrix_csv(snapshot: Snapshot) -> str:
    matrix = questions.case_matrix(Scope(snapshot), "THEME", ())
    names = {t.id: t.name for t in snapshot.themes}
    attributes = sorted({a for p in snapshot.participants for a in p.attributes})
    participants = {p.id: p for p in snapshot.participants}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["participant", *attributes, *(names[c] for c in matrix.column_ids)])
    for row in matrix.rows:
        person = participants[row.participant_id]
        writer.writerow(
            [person.pseudonym, *(person.attributes.get(a, "") for a in attributes), *(cell.count for cell in row.cells)]
        )
    return out.getvalue()


async def cooccurrence_csv(reader: Reader, project_id: str) -> str:
    """Pairs of codes that occur together (EXCERPT scope), most frequent first."""
    return await off_loop(partial(_cooccurrence_csv, await reader.project_snapshot(project_id)), FILES)


def _cooccurrence_csv(snapshot: Snapshot) -> str:
    names = {c.id: c.name for c in snapshot.codes}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code a", "code b", "count", "jaccard"])
    for pair in questions.cooccurrence(Scope(snapshot), CooccurrenceScope.EXCERPT, [], [], 1):
        writer.writerow([names[pair.a], names[pair.b], pair.count, pair.jaccard])
    return out.getvalue()

"""Exports for the write-up: a Markdown report of the themes, and CSV tables of the
case-by-theme matrix and of code co-occurrence. Each reads the project once, through the
reader of whoever asks (so under blind coding an ANALYST's files hold their own codings
only), and answers with the same analytic functions as the API, so the numbers match what
the API says to them."""

from __future__ import annotations

import csv
import io
from functools import partial

from graph.analysis import questions
from graph.analysis.results import CooccurrenceScope
from graph.analysis.snapshot import Scope, Snapshot
from graph.analysis.worker import FILES, off_loop
from graph.service.reading import Reader

QUOTES_PER_THEME = 3


async def report_markdown(reader: Reader, project_id: str) -> str:
    """Per theme: its definition, status, codes, prevalence across participants, and
    illustrative quotes with pseudonyms."""
    project = (await reader.get_projects([project_id])).get(project_id)
    snapshot = await reader.project_snapshot(project_id)
    matrix = await off_loop(partial(questions.case_matrix, Scope(snapshot), "THEME", ()), FILES)
    participants = {p.id: p for p in snapshot.participants}
    codes = {c.id: c for c in snapshot.codes}
    members: dict[str, list[str]] = {}
    for code_id, theme_id in snapshot.memberships:
        members.setdefault(theme_id, []).append(codes[code_id].name)
    excerpt_ids = [e for row in matrix.rows for cell in row.cells for e in cell.excerpt_ids]
    excerpts = await reader.get_excerpts(excerpt_ids)
    total = len(participants)
    lines = [f"# {project.name if project else project_id}", ""]
    if project and project.description:
        lines += [project.description, ""]
    lines += [f"{total} participants, {len(snapshot.themes)} themes, {len(snapshot.codes)} codes.", ""]
    for theme in sorted(snapshot.themes, key=lambda t: t.name.lower()):
        index = matrix.column_ids.index(theme.id)
        having = [row for row in matrix.rows if row.cells[index].count]
        share = f"{len(having)} of {total} participants" + (f" ({len(having) / total:.0%})" if total else "")
        lines += [f"## {theme.name}", "", f"*{theme.status.value.lower()}*. {theme.description}".rstrip(), ""]
        lines += [f"- Prevalence: {share}; {sum(r.cells[index].count for r in having)} excerpts."]
        lines += [f"- Codes: {', '.join(sorted(members.get(theme.id, []), key=str.lower)) or 'none directly'}."]
        quotes = [(participants[r.participant_id].pseudonym, e) for r in having for e in r.cells[index].excerpt_ids[:1]]
        if quotes:
            lines += ["", "Illustrative quotes:", ""]
            for pseudonym, excerpt_id in quotes[:QUOTES_PER_THEME]:
                text = " ".join(excerpts[excerpt_id].text.split())
                lines.append(f"> “{text}” — {pseudonym}")
                lines.append("")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


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

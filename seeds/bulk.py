"""Loading a seed's dataset through the service's whole-project load, the REFI-QDA import
(`Service.import_plan`), so that a seed checks what an import checks and writes what it writes:
each kind of node in a few batched statements, not a transaction per node.

A seed is not one import, though: the codebook, the cases and their documents go in one, the
coded passages in parts of `PASSAGES` (each one transaction with one history entry, as bulk
coding writes them: a million codings need not be one transaction), and the links and memos in
one import per author, since an import's nodes are its importer's. A seed interrupted midway is
completed by running it again (the seeds start by removing what is there).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping

from graph.policy import Actor
from graph.service import Service
from graph.service.imports import ImportPlan

PASSAGES = 5_000
"""Passages per import of codings: large enough to amortise a transaction, small enough for the
progress bar to move and for a store to hold one transaction's writes."""


async def load_plan(
    service: Service,
    actor: Actor,
    plan: ImportPlan,
    authors: Mapping[str, str],
    advance: Callable[[int], None],
) -> None:
    """Load `plan` into the existing project `plan.project_id`, acting as `actor` (trusted; the file's
    users are members of the project, by the same ids). `authors`: the user who wrote a link or memo,
    by its id (the actor if absent). `advance` counts the cases, documents, codes and themes, then codings."""
    members = {u.id: u.id for u in plan.users}
    empty = ImportPlan(plan.project_id, plan.project, users=plan.users)
    await service.import_plan(actor, plan.project_id, dataclasses.replace(plan, passages=[], links=[], memos=[]))
    advance(len(plan.participants) + len(plan.documents) + len(plan.codes) + len(plan.sets))
    for i in range(0, len(plan.passages), PASSAGES):
        part = plan.passages[i : i + PASSAGES]
        await service.import_plan(actor, plan.project_id, dataclasses.replace(empty, passages=part), members)
        advance(sum(len(p.code_ids) for p in part))
    parts: dict[str, ImportPlan] = {}
    for kind, items in (("links", plan.links), ("memos", plan.memos)):
        for item in items:
            author = authors.get(item.id or "", actor.user_id)
            part = parts.pop(author, None) or dataclasses.replace(empty, users=[], links=[], memos=[])
            getattr(part, kind).append(item)
            parts[author] = part  # last again: parts go in the order of their last items
    for author, part in parts.items():  # so the dataset's last link or memo is the last node created
        await service.import_plan(Actor(author, trusted=True), plan.project_id, part)

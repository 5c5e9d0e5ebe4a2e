"""Differential test of incremental snapshots (graph.analysis.incremental): after every change
of a random sequence, made through this store or through another instance on the same data
(another process, as far as this one can tell), the snapshot this store brings up to date from
the history must equal one read whole by a fresh instance, and so must the answers."""

from __future__ import annotations

import gc
import random
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from graph.analysis import incremental
from graph.analysis.filters import CaseFilter
from graph.analysis.matrices import Change, Indexed, Update, excerpt_pairs
from graph.analysis.results import ConceptKind, CooccurrenceScope
from graph.analysis.snapshot import Basis, Snapshot
from graph.embedded import EmbeddedStore
from graph.errors import BadInput, DomainError
from graph.inputs import (
    DocumentGroups,
    MapPositions,
    NewDocument,
    NewExcerpt,
    NewTranscript,
    NewTurn,
    NodePosition,
    ParticipantPatch,
)
from graph.models import SpeakerRole
from graph.neo4j import Neo4jStore
from graph.service import Service
from graph.store import Store
from tests.bolt.server import BoltServer
from tests.conftest import TRUSTED
from tests.graph.builders import small_project
from tests.graph.test_differential import CODERS, OWNER, build, normal, text


def canonical(snapshot: Snapshot, with_index: bool = True) -> dict[str, Any]:
    """A snapshot without the order of its large parts, which no answer depends on."""
    return {
        "participants": normal(snapshot.participants),
        "codes": normal(snapshot.codes),
        "themes": normal(snapshot.themes),
        "memberships": sorted(snapshot.memberships),
        "links": normal(snapshot.links),
        "excerpts": sorted(snapshot.excerpts),
        "codings": sorted(snapshot.codings),
        "document_lengths": snapshot.document_lengths,
        "turns": sorted(snapshot.turns),
        "documents": snapshot.documents,
        "revision": snapshot.revision,
        "index": index(snapshot.indexed) if with_index else None,
    }


def index(found: Indexed) -> dict[str, Any]:
    """An index by ids, not numbers (an updated index may number documents and coders apart)."""
    people = [*found.participant_ids, None]  # -1: no one
    rolled = found.rollup.tocoo()
    return {
        "rows": [
            (e, found.document_ids[d], s, t, people[p])
            for e, d, s, t, p in zip(
                found.excerpt_ids,
                found.documents.tolist(),
                found.starts.tolist(),
                found.ends.tolist(),
                found.participants.tolist(),
                strict=True,
            )
        ],
        "facts": found.facts,
        "positions": found.positions,
        "codings": sorted(
            (found.excerpt_ids[e], found.code_ids[c], found.coder_ids[k])
            for e, c, k in zip(
                found.coding_excerpts.tolist(), found.coding_codes.tolist(), found.coding_coders.tolist(), strict=True
            )
        ),
        "concepts": (found.participant_ids, found.code_ids, found.theme_ids),
        "rollup": sorted(zip(rolled.row.tolist(), rolled.col.tolist(), strict=True)),
    }


def pair_counts(snapshot: Snapshot) -> list[Any]:
    """Co-occurrence counts at EXCERPT scope of codes, and of codes and themes, for everyone's codings and
    for one coder's: an updated snapshot updates the kept snapshot's tallies of each (see `Scope.pair_tallies`)."""
    codes = tuple(c.id for c in snapshot.codes)
    concepts = (*codes, *(t.id for t in snapshot.themes))
    found = []
    for coders in (None, CODERS[1:2]):
        scope = snapshot.scope(coders, CaseFilter())
        for chosen in (codes, concepts):
            pairs = excerpt_pairs(scope, chosen)
            found.append(
                [
                    [chosen[i] for i in pairs.a.tolist()],
                    [chosen[i] for i in pairs.b.tolist()],
                    *(column.tolist() for column in (pairs.count, pairs.taking_part, pairs.either)),
                ]
            )
    return found


async def answers(store: Store, project: str) -> list[Any]:
    return normal(
        [
            await store.theme_map(project, None, None, 1),
            *[await store.cooccurrence(project, scope) for scope in CooccurrenceScope],
            *[await store.case_matrix(project, kind) for kind in ConceptKind],
            await refused_or(store.compare_groups(project, "involvement")),
            await store.agreement(project, CODERS),
        ]
    )


async def refused_or(answer: Awaitable[Any]) -> Any:
    """The answer, or the refusal's message: a question about an attribute no participant has yet
    is refused, and must be refused alike by an updated snapshot and a fresh read."""
    try:
        return await answer
    except BadInput as exc:
        return exc.message


class Watched:
    """Does what `build` asks through one of two instances on the same data, at random, and
    after about every other change compares this store's kept-and-updated snapshot with a
    fresh read."""

    def __init__(self, store: Store, other: Store, fresh: Callable[[], Store], rng: random.Random) -> None:
        self.store, self.fresh, self.rng = store, fresh, rng
        self.services = (Service(store), Service(other))
        self.failures = 0
        self.project: str | None = None
        self.checks = 0
        self.changed = 0
        """Checks that found a new revision."""
        self.revision = -1

    async def write(self, method: str, *args: Any) -> Any:
        try:
            result = await getattr(self.rng.choice(self.services), method)(*args)
        except DomainError:
            self.failures += 1
            return None
        if method == "create_project":
            self.project = result.id
        if self.project is not None and self.rng.random() < 0.5:  # else the next update applies several entries
            await self.check(with_answers=self.checks % 5 == 0)
        return result

    async def check(self, with_answers: bool = False) -> None:
        assert self.project is not None
        self.checks += 1
        kept = await self.store.project_snapshot(self.project)
        self.changed += kept.revision != self.revision
        self.revision = kept.revision
        fresh = self.fresh()
        await fresh.open()
        indexed = with_answers or self.rng.random() < 0.5  # else the next index is updated along a chain
        try:
            read = await fresh.project_snapshot(self.project)
            assert canonical(kept, indexed) == canonical(read, indexed)
            if indexed:
                assert pair_counts(kept) == pair_counts(read)
            if with_answers:
                assert await answers(self.store, self.project) == await answers(fresh, self.project)
        finally:
            await fresh.close()


@pytest.fixture
async def instances(
    new_store: Callable[[], Store], adapter: str, request: pytest.FixtureRequest
) -> AsyncIterator[tuple[Store, Store, Callable[[], Store]]]:
    """Two open instances on one database, and a factory of more (unopened) on it."""
    first = new_store()

    def another() -> Store:
        if isinstance(first, EmbeddedStore):
            return EmbeddedStore(first.path.parent)
        server: BoltServer = request.getfixturevalue("bolt_server")
        return Neo4jStore(server.uri, server.user, server.password, server.database)

    second = another()
    for s in (first, second):
        await s.open()
    try:
        yield first, second, another
    finally:
        for s in (first, second):
            await s.close()


@pytest.mark.parametrize("seed", [1, 2])
async def test_updated_snapshots_equal_fresh_reads(
    instances: tuple[Store, Store, Callable[[], Store]], seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, other, fresh = instances
    updates = 0
    update, reindex, carry = incremental.updated, Indexed.updated, Snapshot.carried_tallies
    reindexed = carried = 0

    def counted(*args: Any) -> Snapshot:
        nonlocal updates
        updates += 1
        return update(*args)

    def counted_index(*args: Any) -> Update | None:
        nonlocal reindexed
        found = reindex(*args)
        reindexed += found is not None
        return found

    chained = 0
    after = Basis.after

    def counted_basis(previous: Snapshot, change: Change) -> Basis:
        nonlocal chained
        found = after(previous, change)
        chained += found.links > 1
        return found

    through = 0

    def counted_carry(snapshot: Snapshot, *args: Any) -> Any:
        nonlocal carried, through
        found = carry(snapshot, *args)
        carried += found is not None
        through += found is not None and snapshot.basis is not None and snapshot.basis.through
        return found

    monkeypatch.setattr(incremental, "updated", counted)
    monkeypatch.setattr(Snapshot, "carried_tallies", counted_carry)
    monkeypatch.setattr(Indexed, "updated", counted_index)
    monkeypatch.setattr(Basis, "after", counted_basis)
    for coder in CODERS:
        await Service(store).ensure_user(coder, coder.title(), None)
    rng = random.Random(seed)
    watched = Watched(store, other, fresh, rng)
    ids = await build(watched, rng, f"i{seed}")
    project = ids["project"][0]
    participant, document = ids["participant"][0], ids["document"][-1]

    # Changes `build` does not make: a case's attributes and removal, document sets, a transcript and its speakers,
    # the map's arrangement.
    await watched.write("update_participant", OWNER, participant, ParticipantPatch(attributes={"involvement": "CIN"}))
    await watched.write("set_document_groups", OWNER, DocumentGroups(document_id=document, groups=("wave 2",)))
    words = text(rng)
    transcript = await watched.write(
        "import_transcript",
        OWNER,
        NewTranscript(
            document=NewDocument(project_id=project, title="Transcript", text=words, participant_id=participant),
            turns=(NewTurn(speaker="Q", start=0, end=10), NewTurn(speaker="A", start=10, end=len(words))),
        ),
    )
    await watched.write("set_speaker_role", OWNER, transcript.id, "A", SpeakerRole.PARTICIPANT)
    await watched.write("delete_participant", OWNER, participant)
    for node in [*ids["code"][:3], *ids["theme"][:2]]:  # arranging the map changes nothing a question reads
        at = (NodePosition(node_id=node, x=rng.uniform(-500, 500), y=rng.uniform(-500, 500)),)
        await watched.write("save_map_positions", OWNER, MapPositions(project_id=project, positions=at))
    # Undoing changes (deletions restored with what went with them, merges split, codings put back).
    history = await store.events_since(project, None, 1000)
    for entry in [*reversed(history[-16:]), *rng.sample(history, 8)]:  # the latest first: nothing since blocks them
        await watched.write("revert", OWNER, entry.id)
    await watched.check(with_answers=True)

    assert watched.checks > 30
    assert updates > watched.changed * 0.8, "most changes should update the kept snapshot, not read it whole"
    assert reindexed > updates * 0.5, "and most updates its index"
    assert chained > 3, "some along a chain of snapshots whose index was never built"
    assert carried > reindexed * 0.3, "and the pair tallies kept with the earlier snapshot's scopes"
    assert through > 0, "some through a chain of snapshots that had none"


async def test_a_snapshot_no_longer_kept_is_freed_at_once(store: Store, service: Service) -> None:
    """A snapshot and its scopes refer to each other; once an updated one replaces it, it lets them go,
    so it is freed as soon as nothing needs it (the updated one, once its index is built from the old
    one's), rather than whenever the cycle collector runs."""
    s = await small_project(service)
    await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_a.id, start=0, end=5), [s.fear.id, s.hope.id])
    old = await store.project_snapshot(s.project.id)
    await store.cooccurrence(s.project.id)  # a scope, with its answers
    assert old._scopes
    gone = weakref.ref(old)
    del old
    collecting = gc.isenabled()
    gc.disable()
    try:
        await service.code_text(TRUSTED, NewExcerpt(document_id=s.doc_b.id, start=0, end=5), [s.fear.id])
        assert (await store.project_snapshot(s.project.id)).basis is not None  # updated from the old one
        await store.cooccurrence(s.project.id)  # its index built from the old one's
        assert gone() is None
    finally:
        if collecting:
            gc.enable()

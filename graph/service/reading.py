"""The read side of the service: the store's batch readers as one actor may see them.

A `Reader` is made per request (per websocket operation): it resolves the actor's
principal in each project once, drops whatever lies in a project the actor cannot read
(so it answers as if it did not exist), and under blind coding keeps an ANALYST to their
own codings, the excerpts they marked or coded, and the history of both. Exports,
reports and GraphQL loaders all read through it, so none of them can forget a rule.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any, TypeVar

from graph import activity, codebook_history, cursors
from graph.analysis import questions
from graph.analysis.agreement import AgreementUnit
from graph.analysis.filters import CaseFilter, Where, check_given
from graph.analysis.results import (
    Agreement,
    CaseMatrix,
    ConceptKind,
    ConceptNetwork,
    ConceptOrder,
    ConceptPath,
    CooccurrenceScope,
    ExcerptOrder,
    Group,
    IdPage,
    MatchOrder,
    Paged,
    Pair,
    PairOrder,
    Pairs,
    ParticipantMatch,
    ParticipantOrder,
    Relation,
    Saturation,
    SearchPage,
    SequenceHit,
    ThemeMap,
)
from graph.analysis.snapshot import Snapshot
from graph.analysis.worker import off_loop
from graph.codebook_history import CodebookDiff, PastCodebook
from graph.errors import BadInput, Forbidden, NotFound
from graph.models import (
    Code,
    Coding,
    ConceptStats,
    Document,
    Event,
    EventPage,
    Excerpt,
    Link,
    Membership,
    Memo,
    MemoPage,
    NodeRef,
    Page,
    Participant,
    Project,
    SpeakerRole,
    Stamped,
    Theme,
    Turn,
    User,
    UserPage,
)
from graph.policy import Actor, Need, Principal, ProjectView
from graph.store import Store

M = TypeVar("M")
HISTORY_BATCH = 200
"""Events read at a time while skipping those blind coding hides."""
HISTORY_PAGE = 1000
"""Codebook entries read at a time while replaying the codebook."""
Point = datetime | str | None
"""A point in a project's history: a time, a history entry's id (just after it), or None (now)."""
_NOW = (datetime.max.replace(tzinfo=timezone.utc), "")


class Reader:
    def __init__(self, store: Store, actor: Actor) -> None:
        self.store = store
        self.actor = actor
        self._principals: dict[str, Principal] = {}
        self._projects: dict[str, Project] = {}
        """Projects read while resolving principals, so the request need not read them again."""
        self._project_of: dict[str, str] = {}
        """The project of every node this reader has handed out."""
        self._resolving = asyncio.Lock()

    # -- principals -----------------------------------------------------------------------
    async def principals(self, project_ids: Sequence[str]) -> dict[str, Principal]:
        """The actor in each project (a non-member, or a project that does not exist, has no role).
        Resolvers running side by side wait for one another, so a project is read once per request."""
        async with self._resolving:
            await self._resolve([p for p in dict.fromkeys(project_ids) if p not in self._principals])
        return {p: self._principals[p] for p in project_ids}

    async def _resolve(self, wanted: list[str]) -> None:
        if not wanted:
            return
        projects = await self.store.get_projects(wanted)
        self._projects |= projects
        roles = {} if self.actor.trusted else await self.store.roles(self.actor.user_id, wanted)
        for id in wanted:
            project = projects.get(id)
            self._principals[id] = (
                Principal.of(self.actor, id, roles.get(id), project.blind_coding)
                if project
                else Principal(self.actor, id, None, False)
            )

    async def principal(self, project_id: str) -> Principal:
        return (await self.principals([project_id]))[project_id]

    async def require(self, project_id: str, need: Need = Need.READ) -> Principal:
        principal = await self.principal(project_id)
        principal.require(need, "project", project_id)
        return principal

    async def project_view(self, project_id: str) -> ProjectView:
        """What the actor is shown of the project now (NotFound for a non-member), for sharing
        answers between readers: see `ProjectView`."""
        principal = await self.require(project_id)
        return ProjectView(project_id, await self.store.revision(project_id), principal.coder)

    def forget(self) -> None:
        """Drop the principals resolved so far (a live connection re-reads them per event)."""
        self._principals.clear()
        self._projects.clear()

    async def _readable(self, found: dict[str, M]) -> dict[str, M]:
        """Models (with `project_id`) in projects the actor may read."""
        principals = await self.principals([_project_of(m) for m in found.values()])
        kept = {key: m for key, m in found.items() if principals[_project_of(m)].may(Need.READ)}
        self._project_of |= {m.id: _project_of(m) for m in kept.values() if isinstance(m, Stamped)}
        return kept

    async def _grouped(self, found: dict[str, list[M]]) -> dict[str, list[M]]:
        flat = {f"{k}\0{i}": m for k, ms in found.items() for i, m in enumerate(ms)}
        kept = await self._readable(flat)
        return {k: [kept[f"{k}\0{i}"] for i in range(len(ms)) if f"{k}\0{i}" in kept] for k, ms in found.items()}

    # -- nodes ------------------------------------------------------------------------------
    async def get_users(self, ids: Sequence[str]) -> dict[str, User]:
        """Users are named wherever their work is shown: any signed-in actor may read a name."""
        return await self.store.get_users(ids)

    async def find_users(self, search: str, first: int, after: str | None = None) -> UserPage:
        """Users to add to a project, found by the start of their name or their exact email (both
        ignoring case), by name. Any signed-in actor may look, as a name is shown wherever its
        holder's work is; a search must be given, so the directory cannot be read whole in one go,
        and an email is matched, never shown (User.email is its holder's alone)."""
        search = search.strip()
        if not search:
            raise BadInput("Give the start of a name, or an exact email address, to search for.")
        if first < 0:
            raise BadInput("first must be zero or more.")
        key = cursors.decode(after, *cursors.USER_KEY) if after else None
        found = await self.store.find_users(search, (key[0], key[1]) if key else None, first + 1)
        shown = found[:first]
        return UserPage(
            users=tuple(u for _, u in shown),
            cursors=tuple(cursors.encode([k, u.id]) for k, u in shown),
            has_next_page=len(found) > first,
        )

    async def node_refs(self, ids: Sequence[str]) -> dict[str, NodeRef]:
        found = await self.store.node_refs(ids)
        principals = await self.principals([r.project_id for r in found.values()])
        kept = {id: r for id, r in found.items() if principals[r.project_id].may(Need.READ)}
        self._project_of |= {id: r.project_id for id, r in kept.items()}
        return kept

    async def list_projects(self) -> list[Project]:
        found = await self.store.list_projects()
        principals = await self.principals([p.id for p in found])
        return [p for p in found if principals[p.id].may(Need.READ)]

    async def get_projects(self, ids: Sequence[str]) -> dict[str, Project]:
        principals = await self.principals(ids)
        return {id: self._projects[id] for id in ids if principals[id].may(Need.READ)}

    async def get_participants(self, ids: Sequence[str]) -> dict[str, Participant]:
        return await self._readable(await self.store.get_participants(ids))

    async def get_documents(self, ids: Sequence[str]) -> dict[str, Document]:
        return await self._readable(await self.store.get_documents(ids))

    async def get_excerpts(self, ids: Sequence[str]) -> dict[str, Excerpt]:
        found = await self._readable(await self.store.get_excerpts(ids))
        return {e.id: e for e in await self._blind_excerpts(list(found.values()))}

    async def get_codes(self, ids: Sequence[str]) -> dict[str, Code]:
        return await self._readable(await self.store.get_codes(ids))

    async def get_themes(self, ids: Sequence[str]) -> dict[str, Theme]:
        return await self._readable(await self.store.get_themes(ids))

    async def get_links(self, ids: Sequence[str]) -> dict[str, Link]:
        return await self._readable(await self.store.get_links(ids))

    async def get_memos(self, ids: Sequence[str]) -> dict[str, Memo]:
        return await self._readable(await self.store.get_memos(ids))

    # -- lists ------------------------------------------------------------------------------
    async def members_of_projects(self, ids: Sequence[str]) -> dict[str, list[Membership]]:
        principals = await self.principals(ids)
        found = await self.store.members_of_projects([p for p in ids if principals[p].may(Need.READ)])
        return {p: found.get(p, []) for p in ids}

    async def participants_of_projects(self, ids: Sequence[str]) -> dict[str, list[Participant]]:
        return await self._grouped(await self.store.participants_of_projects(ids))

    async def documents_of_projects(self, ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._grouped(await self.store.documents_of_projects(ids))

    async def documents_of_participants(self, ids: Sequence[str]) -> dict[str, list[Document]]:
        return await self._grouped(await self.store.documents_of_participants(ids))

    async def _readable_ids(self, ids: Sequence[str]) -> list[str]:
        """The ids of nodes in projects the actor may read (nodes handed out already are not read again)."""
        unknown = [id for id in ids if id not in self._project_of]
        if unknown:
            await self.node_refs(unknown)
        known = [id for id in ids if id in self._project_of]
        principals = await self.principals([self._project_of[id] for id in known])
        return [id for id in known if principals[self._project_of[id]].may(Need.READ)]

    async def turns_of_documents(self, ids: Sequence[str]) -> dict[str, list[Turn]]:
        """The speaker turns of the documents the actor may read."""
        return await self.store.turns_of_documents(await self._readable_ids(ids))

    async def pinned_quotes(self, ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        """The quotes pinned to each code or theme, in their order; under blind coding an ANALYST's
        only (the excerpts they marked or coded), as everywhere else."""
        found = await self.store.pinned_quotes(await self._readable_ids(ids))
        excerpts = await self.get_excerpts([e for es in found.values() for e in es])
        return {id: [excerpts[e] for e in es if e in excerpts] for id, es in found.items()}

    async def memos_of_targets(self, ids: Sequence[str], first: int, after: str | None) -> dict[str, MemoPage]:
        """A page of the memos about each node the actor may read (an empty one for any other id)."""
        if first < 0:
            raise BadInput("first must be zero or more.")
        found = await self.store.memos_of_targets(await self._readable_ids(ids), first, after)
        empty = MemoPage(items=(), cursors=(), has_next_page=False)
        return {id: found.get(id, empty) for id in ids}

    async def excerpts_of_documents(self, ids: Sequence[str]) -> dict[str, list[Excerpt]]:
        found = await self._grouped(await self.store.excerpts_of_documents(ids))
        kept = {e.id: e for e in await self._blind_excerpts([e for es in found.values() for e in es])}
        return {d: [kept[e.id] for e in es if e.id in kept] for d, es in found.items()}

    async def codings_of_excerpts(self, ids: Sequence[str]) -> dict[str, list[Coding]]:
        found = await self._grouped(await self.store.codings_of_excerpts(ids))
        principals = await self.principals([c.project_id for cs in found.values() for c in cs])
        return {e: [c for c in cs if principals[c.project_id].sees_coder(c.coder_id)] for e, cs in found.items()}

    async def codes_of_projects(self, ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._grouped(await self.store.codes_of_projects(ids))

    async def children_of_codes(self, ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._grouped(await self.store.children_of_codes(ids))

    async def themes_of_projects(self, ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._grouped(await self.store.themes_of_projects(ids))

    async def subthemes_of_themes(self, ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._grouped(await self.store.subthemes_of_themes(ids))

    async def codes_of_themes(self, ids: Sequence[str]) -> dict[str, list[Code]]:
        return await self._grouped(await self.store.codes_of_themes(ids))

    async def themes_of_codes(self, ids: Sequence[str]) -> dict[str, list[Theme]]:
        return await self._grouped(await self.store.themes_of_codes(ids))

    async def links_of_projects(self, ids: Sequence[str]) -> dict[str, list[Link]]:
        return await self._grouped(await self.store.links_of_projects(ids))

    async def memos_of_projects(self, ids: Sequence[str]) -> dict[str, list[Memo]]:
        return await self._grouped(await self.store.memos_of_projects(ids))

    async def _blind_excerpts(self, excerpts: list[Excerpt]) -> list[Excerpt]:
        """Under blind coding, only the excerpts the principal marked or coded, shown as theirs."""
        principals = await self.principals([e.project_id for e in excerpts])
        blind = [e.id for e in excerpts if principals[e.project_id].blind]
        coded_at: dict[str, datetime] = {}  # when the principal first coded each blind excerpt
        if blind:
            for excerpt_id, codings in (await self.store.codings_of_excerpts(blind)).items():
                mine = [c.created_at for c in codings if c.coder_id == self.actor.user_id]
                if mine:
                    coded_at[excerpt_id] = min(mine)
        return [
            principals[e.project_id].view(e, coded_at.get(e.id))
            for e in excerpts
            if principals[e.project_id].sees_excerpt(e, e.id in coded_at)
        ]

    # -- prevalence and pages of a code's excerpts (scoped to the coder blind coding allows) ---
    async def _coder(self, concept_ids: Sequence[str], coder_id: str | None) -> dict[str, str | None]:
        """Whose codings count for each readable concept: `coder_id`, or the principal under blind coding."""
        unknown = [id for id in concept_ids if id not in self._project_of]
        if unknown:
            await self.node_refs(unknown)
        projects = {id: self._project_of[id] for id in concept_ids if id in self._project_of}
        principals = await self.principals(list(projects.values()))
        return {id: principals[p].coder or coder_id for id, p in projects.items() if principals[p].may(Need.READ)}

    async def code_stats(self, ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        return await self._stats(self.store.code_stats, ids, coder_id)

    async def code_family_stats(self, ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        """Each code's counts with its descendant codes' (distinct excerpts and participants)."""
        return await self._stats(partial(self.store.code_stats, with_descendants=True), ids, coder_id)

    async def theme_family_stats(self, ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        """Each theme's counts with the codes below its codes (distinct excerpts and participants)."""
        return await self._stats(partial(self.store.theme_stats, with_descendants=True), ids, coder_id)

    async def theme_stats(self, ids: Sequence[str], coder_id: str | None = None) -> dict[str, ConceptStats]:
        return await self._stats(self.store.theme_stats, ids, coder_id)

    async def _stats(
        self,
        fetch: Callable[[Sequence[str], str | None], Awaitable[dict[str, ConceptStats]]],
        ids: Sequence[str],
        coder_id: str | None,
    ) -> dict[str, ConceptStats]:
        coders = await self._coder(ids, coder_id)
        out: dict[str, ConceptStats] = {}
        for coder in set(coders.values()):
            out |= await fetch([i for i in ids if i in coders and coders[i] == coder], coder)
        return out

    async def excerpts_of_codes(
        self,
        ids: Sequence[str],
        first: int,
        after: str | None,
        coder_id: str | None = None,
        order: ExcerptOrder = ExcerptOrder.TEXT,
    ) -> dict[str, Page]:
        """Pages of each code's excerpts; under blind coding, RECENT is by when the principal coded them."""
        if first < 0:
            raise BadInput("first must be zero or more.")
        coders = await self._coder(ids, coder_id)
        out: dict[str, Page] = {}
        for coder in set(coders.values()):
            out |= await self.store.excerpts_of_codes(
                [i for i in ids if coders.get(i) == coder], first, after, coder, order
            )
        shown = {e.id: e for e in await self._blind_excerpts([e for page in out.values() for e in page.items])}
        empty = Page(items=(), cursors=(), has_next_page=False)
        return {
            id: out[id].model_copy(update={"items": tuple(shown[e.id] for e in out[id].items if e.id in shown)})
            if id in out
            else empty
            for id in ids
        }

    async def excerpts_of_themes(
        self, ids: Sequence[str], first: int, after: str | None, coder_id: str | None = None
    ) -> dict[str, Page]:
        """Per theme, a page of the excerpts coded with its codes or its subthemes' codes, as `Code.excerpts`
        pages are: under blind coding, by the principal only and shown as theirs."""
        if first < 0:
            raise BadInput("first must be zero or more.")
        coders = await self._coder(ids, coder_id)
        pages: dict[str, IdPage] = {}
        for coder in set(coders.values()):
            pages |= await self.store.excerpts_of_themes(
                [i for i in ids if coders.get(i) == coder], first, after, coder
            )
        found = await self.store.get_excerpts(list(dict.fromkeys(e for page in pages.values() for e in page.ids)))
        shown = {e.id: e for e in await self._blind_excerpts(list(found.values()))}
        out: dict[str, Page] = {}
        for id in ids:
            page = pages.get(id, IdPage(ids=(), cursors=(), has_next_page=False))
            kept = [(shown[e], c) for e, c in zip(page.ids, page.cursors) if e in shown]  # none deleted since
            out[id] = Page(
                items=tuple(e for e, _ in kept), cursors=tuple(c for _, c in kept), has_next_page=page.has_next_page
            )
        return out

    # -- history ----------------------------------------------------------------------------
    async def activity(
        self,
        project_id: str,
        first: int,
        after: str | None = None,
        actor_id: str | None = None,
        target_id: str | None = None,
    ) -> EventPage:
        """A page of history; under blind coding the hidden events are skipped inside the read, so
        neither the page nor its cursors reveal them."""
        principal = await self.require(project_id)
        if first < 0:
            raise BadInput("first must be zero or more.")
        if after is not None:
            cursors.decode(after, *cursors.EVENT_KEY)
        if not principal.blind:
            return await self.store.activity(project_id, first, after, actor_id, target_id)
        events: list[Event] = []
        more, cursor = True, after
        while more and len(events) <= first:
            page = await self.store.activity(project_id, max(first + 1, HISTORY_BATCH), cursor, actor_id, target_id)
            events += [principal.view_event(e) for e in page.events if principal.sees_event(e)]
            more, cursor = page.has_next_page, (page.cursors[-1] if page.cursors else cursor)
        shown = events[:first]
        return EventPage(
            events=tuple(shown), cursors=tuple(activity.cursor(e) for e in shown), has_next_page=len(events) > first
        )

    async def events_since(self, project_id: str, cursor: str | None) -> tuple[list[Event], str | None]:
        """New events for a live subscriber, and the cursor to poll from next (past hidden ones too)."""
        principal = await self.require(project_id)
        found = await self.store.events_since(project_id, cursor)
        shown = [principal.view_event(e) for e in found if principal.sees_event(e)]
        return shown, activity.cursor(found[-1]) if found else cursor

    # -- the codebook as it was -------------------------------------------------------------
    async def codebook_at(self, project_id: str, point: Point = None) -> PastCodebook:
        """The codes and themes as they were at `point` (a time, or just after a history entry the
        actor may see; None: now), replayed from the history (`graph.codebook_history`)."""
        [book] = await self._codebooks(project_id, [point])
        return book

    async def codebook_diff(self, project_id: str, since: Point, until: Point = None) -> CodebookDiff:
        """What changed in the codebook and themes from `since` to `until` (None: now)."""
        before, after = await self._codebooks(project_id, [since, until])
        return codebook_history.diff(before, after)

    async def _codebooks(self, project_id: str, points: Sequence[Point]) -> list[PastCodebook]:
        """One replay of the codebook's entries, kept at each point, and compared at the end with the
        codebook as it is (`complete`)."""
        principal = await self.require(project_id)
        cuts = [await self._cut(principal, point) for point in points]
        order = sorted(range(len(cuts)), key=lambda i: cuts[i] or _NOW)
        books: dict[int, PastCodebook] = {}
        replay, cursor, last = codebook_history.Replay(), None, None
        while True:
            page = await self.store.events_since(project_id, cursor, HISTORY_PAGE, codebook_history.KINDS)
            for e in page:
                while order and (cuts[order[0]] or _NOW) < (_utc(e.at), e.id):
                    books[order.pop(0)] = replay.book().model_copy(update={"at": last})
                replay.apply(e)
                last = _utc(e.at)
            if len(page) < HISTORY_PAGE:
                break
            cursor = activity.cursor(page[-1])
        now = replay.book()
        for i in order:
            books[i] = now.model_copy(update={"at": last})
        codes = (await self.store.codes_of_projects([project_id])).get(project_id, [])
        themes = (await self.store.themes_of_projects([project_id])).get(project_id, [])
        complete = {c.id for c in codes} == {c.id for c in now.codes} and {t.id for t in themes} == {
            t.id for t in now.themes
        }
        return [books[i].model_copy(update={"complete": complete}) for i in range(len(cuts))]

    async def _cut(self, principal: Principal, point: Point) -> tuple[datetime, str] | None:
        """Where a point falls in the history: the last (instant, id) it includes (None: now)."""
        if point is None:
            return None
        if isinstance(point, datetime):
            return (_utc(point), "\uffff")
        entry = await self.store.read(lambda tx: tx.event(point))
        if entry is None or entry.project_id != principal.project_id or not principal.sees_event(entry):
            raise NotFound("history entry", point)
        return (_utc(entry.at), entry.id)

    # -- analysis (one store call each; coders narrowed by blind coding) ----------------------
    async def _coders(self, project_id: str, coders: Sequence[str] | None) -> Sequence[str] | None:
        """Whose codings a question counts: those named (every one a coder of the project), or
        everyone's; under blind coding an ANALYST's own, and naming anyone else is refused exactly as
        naming no one who exists, so the answer reveals nothing about other coders."""
        principal = await self.require(project_id)
        check_given("coders", coders, "everyone's codings")
        if coders is not None:
            await self._check_coders(principal, coders)
        return coders if principal.coder is None else (principal.coder,)

    async def _check_coders(self, principal: Principal, coders: Sequence[str]) -> None:
        """Coders are the project's members and whoever has coded in it (a former member, a seed's
        coder); a name that is neither is a typo, which would otherwise count as no codings at all.
        Under blind coding an ANALYST may name only themselves, and anyone else, real or not, is
        refused alike."""
        wanted = list(dict.fromkeys(coders))
        if principal.coder is not None:
            if others := [c for c in wanted if c != principal.coder]:
                raise BadInput(
                    f"Blind coding is on, so your questions count your own codings only: coders may name only "
                    f"you ({principal.coder!r}), not {others[0]!r}. Leave coders out for your own codings.",
                    ids=others,
                )
            return
        found = await self.store.members_of_projects([principal.project_id])
        members = {m.user_id for m in found.get(principal.project_id, [])}
        unknown = [c for c in wanted if c not in members]
        if unknown:
            snapshot = await self.store.project_snapshot(principal.project_id)
            coded = await off_loop(lambda: snapshot.coder_ids)
            unknown = [c for c in unknown if c not in coded]
        if unknown:
            raise BadInput(
                f"Coder {unknown[0]!r} is neither a member of this project nor has coded in it; check the id "
                "(a User id, as in Project.members).",
                ids=unknown,
            )

    async def project_snapshot(self, project_id: str, with_text: bool = False) -> Snapshot:
        """The project for exports and reports; under blind coding, with the principal's codings only."""
        principal = await self.require(project_id)
        snapshot = await self.store.project_snapshot(project_id, with_text)
        if principal.coder is None:
            return snapshot
        codings = [c for c in snapshot.codings if c.coder_id == principal.coder]
        coded = {c.excerpt_id for c in codings}
        return dataclasses.replace(  # a snapshot of its own, indexed afresh (not from the whole project's index)
            snapshot, codings=codings, excerpts=[e for e in snapshot.excerpts if e.id in coded], revision=-1, basis=None
        )

    async def theme_map(
        self,
        project_id: str,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        cooccurrence_min: int | None = None,
        with_descendants: bool = False,
    ) -> ThemeMap:
        return await self.store.theme_map(
            project_id, filter, await self._coders(project_id, coders), cooccurrence_min, with_descendants
        )

    async def cooccurrence(
        self,
        project_id: str,
        scope: CooccurrenceScope = CooccurrenceScope.EXCERPT,
        code_ids: Sequence[str] | None = None,
        theme_ids: Sequence[str] | None = None,
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        order: PairOrder = PairOrder.COUNT,
    ) -> Pairs:
        """Without codeIds and themeIds, all codes."""
        scoped = await self._coders(project_id, coders)
        check_given("codeIds", code_ids, "all codes")
        check_given("themeIds", theme_ids, "all codes")
        return await self.store.cooccurrence(
            project_id, scope, code_ids or (), theme_ids or (), min_count, filter, scoped, order
        )

    async def cooccurrence_page(
        self,
        project_id: str,
        scope: CooccurrenceScope = CooccurrenceScope.EXCERPT,
        code_ids: Sequence[str] | None = None,
        theme_ids: Sequence[str] | None = None,
        min_count: int = 1,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        order: PairOrder = PairOrder.COUNT,
        first: int | None = None,
        after: str | None = None,
    ) -> Paged[Pair]:
        """The pairs of `cooccurrence` in `order`, a page at a time (all of them without `first`)."""
        found = await self.cooccurrence(project_id, scope, code_ids, theme_ids, min_count, filter, coders, order)
        return await off_loop(lambda: questions.pairs_page(found, order, first, after))

    async def case_matrix(
        self,
        project_id: str,
        columns: ConceptKind = ConceptKind.CODE,
        column_ids: Sequence[str] | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> CaseMatrix:
        scoped = await self._coders(project_id, coders)
        check_given("columnIds", column_ids, f"every {columns.value.lower()}")
        return await self.store.case_matrix(project_id, columns, column_ids or (), filter, scoped)

    async def compare_groups(
        self,
        project_id: str,
        attribute: str,
        columns: ConceptKind = ConceptKind.THEME,
        column_ids: Sequence[str] | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[Group]:
        scoped = await self._coders(project_id, coders)
        check_given("columnIds", column_ids, f"every {columns.value.lower()}")
        return await self.store.compare_groups(project_id, attribute, columns, column_ids or (), filter, scoped)

    async def find_excerpts(self, project_id: str, where: Where, first: int, after: str | None) -> IdPage:
        scoped = where.model_copy(update={"coders": await self._coders(project_id, where.coders)})
        return await self.store.find_excerpts(project_id, scoped, first, after)

    async def participants_matching(self, project_id: str, where: Where) -> list[ParticipantMatch]:
        scoped = where.model_copy(update={"coders": await self._coders(project_id, where.coders)})
        return await self.store.participants_matching(project_id, scoped)

    async def participants_matching_page(
        self,
        project_id: str,
        where: Where,
        order: MatchOrder = MatchOrder.PSEUDONYM,
        first: int | None = None,
        after: str | None = None,
    ) -> Paged[ParticipantMatch]:
        """The participants of `participants_matching` in `order`, a page at a time (all without `first`)."""
        scoped = where.model_copy(update={"coders": await self._coders(project_id, where.coders)})
        return await self.store.participants_matching_page(project_id, scoped, order, first, after)

    async def sequences_page(
        self,
        project_id: str,
        first: str,
        then: str,
        max_gap: int | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
        count: int | None = None,
        after: str | None = None,
    ) -> Paged[SequenceHit]:
        """The hits of `sequences`, `count` at a time (all without it)."""
        return await self.store.sequences_page(
            project_id, first, then, max_gap, filter, await self._coders(project_id, coders), count, after
        )

    async def concept_paths(
        self,
        project_id: str,
        source: str,
        target: str,
        max_length: int = 4,
        via: Sequence[Relation] | None = None,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> list[ConceptPath]:
        scoped = await self._coders(project_id, coders)
        check_given("via", via, "every relation")
        return await self.store.concept_paths(project_id, source, target, max_length, via or (), filter, scoped)

    async def saturation(
        self,
        project_id: str,
        order_by: str | None = None,
        document_ids: Sequence[str] = (),
        base: int = 4,
        run: int = 2,
        threshold: float = 0.05,
        high_frequency: float = 0.5,
        permutations: int = 0,
        seed: int = 0,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> Saturation:
        return await self.store.saturation(
            project_id,
            order_by,
            document_ids,
            base,
            run,
            threshold,
            high_frequency,
            permutations,
            seed,
            filter,
            await self._coders(project_id, coders),
        )

    async def concept_network(
        self,
        project_id: str,
        cooccurrence_min: int | None = 1,
        links: bool = True,
        resolution: float = 1.0,
        seed: int = 0,
        betweenness: bool = True,
        filter: CaseFilter | None = None,
        coders: Sequence[str] | None = None,
    ) -> ConceptNetwork:
        return await self.store.concept_network(
            project_id,
            cooccurrence_min,
            links,
            resolution,
            seed,
            betweenness,
            filter,
            await self._coders(project_id, coders),
        )

    async def search(
        self,
        project_id: str,
        text: str,
        first: int = 20,
        after: str | None = None,
        spoken_by: SpeakerRole | None = None,
        near: int | None = None,
    ) -> SearchPage:
        await self.require(project_id)
        return await self.store.search(project_id, text, first, after, spoken_by, near)

    async def agreement(
        self,
        project_id: str,
        coders: Sequence[str],
        code_ids: Sequence[str] | None = None,
        document_ids: Sequence[str] | None = None,
        unit: AgreementUnit = AgreementUnit.EXCERPT,
    ) -> Agreement:
        principal = await self.require(project_id)
        if principal.blind:
            raise Forbidden("Agreement compares coders, which blind coding hides from ANALYSTs; ask an OWNER.")
        check_given("codeIds", code_ids, "every code")
        check_given("documentIds", document_ids, "every document")
        await self._check_coders(principal, coders)
        return await self.store.agreement(project_id, coders, code_ids or (), document_ids or (), unit)


def _utc(at: datetime) -> datetime:
    """Instants compare in UTC; one without a zone is taken to be UTC."""
    return at.replace(tzinfo=timezone.utc) if at.tzinfo is None else at.astimezone(timezone.utc)


def _project_of(model: Any) -> str:
    return model.id if isinstance(model, Project) else str(model.project_id)


C = TypeVar("C", Code, Theme)


def concepts_in_order(concepts: list[C], order: ConceptOrder, stats: Sequence[ConceptStats] | None = None) -> list[C]:
    """Codes or themes (given by name) in `order`; EXCERPTS and PARTICIPANTS need each one's `stats`
    (as the caller sees them, in the same order). Ties keep the name order."""
    if order is ConceptOrder.NAME:
        return concepts
    if order is ConceptOrder.RECENT:
        return sorted(concepts, key=lambda c: c.updated_at, reverse=True)
    if stats is None:
        raise ValueError(f"ordering by {order.value} needs the concepts' counts")

    def most_first(pair: tuple[ConceptStats, C]) -> int:
        counts = pair[0]
        return -(counts.excerpt_count if order is ConceptOrder.EXCERPTS else counts.participant_count)

    return [c for _, c in sorted(zip(stats, concepts, strict=True), key=most_first)]


def participants_in_order(participants: list[Participant], order: ParticipantOrder) -> list[Participant]:
    """Participants (given by pseudonym) in `order`."""
    if order is ParticipantOrder.RECENT:
        return sorted(participants, key=lambda p: p.updated_at, reverse=True)
    return participants

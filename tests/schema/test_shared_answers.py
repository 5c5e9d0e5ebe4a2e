"""Analysis answers shared between requests (schema/sharing.py), over HTTP on both adapters:
members shown the same project get one answer worked out once, a change makes a fresh one,
and the sharing never shows anyone what they may not see: a blind ANALYST gets their own,
and an outsider or a removed member is refused as before."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from graph.store import Store
from tests.schema.conftest import World, populate
from tests.schema.test_api_blind_coding import CODE_TEXT
from tests.support import CountingStore, serve_in_process

THEME_MAP = "query($p: ID!) { themeMap(projectId: $p) { nodes { id label excerptCount } edges { source target } } }"


@pytest.fixture
async def counted(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[tuple[World, CountingStore]]:
    store = CountingStore(new_store())
    async with serve_in_process(settings, store) as owner:  # type: ignore[arg-type]
        assert owner.service is not None
        yield World(owner, owner.service, await populate(owner)), store


def counts(answer: dict) -> dict[str, int]:
    return {n["label"]: n["excerptCount"] for n in answer["themeMap"]["nodes"]}


async def test_members_shown_the_same_project_share_one_answer_until_it_changes(
    counted: tuple[World, CountingStore],
) -> None:
    world, store = counted
    p = world.ids["project"]
    viewer, _ = await world.user("Vi", "VIEWER")
    analyst, _ = await world.user("An", "ANALYST")
    first = await world.owner.ok(THEME_MAP, p=p)
    asked = store.calls["theme_map"]
    together = await asyncio.gather(*(member.ok(THEME_MAP, p=p) for member in [viewer, analyst] * 4))
    assert together == [first] * 8
    assert store.calls["theme_map"] == asked, "worked out once, for the owner"

    await analyst.ok(CODE_TEXT, d=world.ids["document"], s=30, e=40, c=[world.ids["code"]])
    after = await asyncio.gather(*(member.ok(THEME_MAP, p=p) for member in [viewer, world.owner] * 4))
    assert after == [after[0]] * 8
    assert counts(after[0])["Fear"] == counts(first)["Fear"] + 1, "a change makes a fresh answer"
    assert store.calls["theme_map"] == asked + 1

    other = "query($p: ID!) { themeMap(projectId: $p, withDescendants: true) { nodes { id label excerptCount } } }"
    await viewer.ok(other, p=p)
    assert store.calls["theme_map"] == asked + 2, "other arguments, another answer"


async def test_a_blind_analyst_gets_their_own_answer_and_refusals_stay_refusals(
    counted: tuple[World, CountingStore],
) -> None:
    world, store = counted
    p = world.ids["project"]
    first, _ = await world.user("First", "ANALYST")
    second, _ = await world.user("Second", "ANALYST")
    viewer, viewer_id = await world.user("Vi", "VIEWER")
    outsider, _ = await world.user("Out")
    await world.owner.ok("mutation($p: ID!) { updateProject(input: {id: $p, blindCoding: true}) { id } }", p=p)
    await second.ok(CODE_TEXT, d=world.ids["document"], s=30, e=40, c=[world.ids["code2"]])

    everyone = await world.owner.ok(THEME_MAP, p=p)
    assert await viewer.ok(THEME_MAP, p=p) == everyone
    theirs = await second.ok(THEME_MAP, p=p)
    mine = await first.ok(THEME_MAP, p=p)
    assert counts(everyone)["Hope"] == 1 and counts(theirs)["Hope"] == 1 and counts(mine)["Hope"] == 0
    assert counts(mine)["Fear"] == 0 < counts(everyone)["Fear"], "the owner's coding is not the blind analyst's"
    assert store.calls["theme_map"] == 3, "one answer per view: everyone's and each blind analyst's"

    assert (await outsider.error(THEME_MAP, p=p))["extensions"]["code"] == "NOT_FOUND"
    await world.owner.ok("mutation($p: ID!, $u: ID!) { removeMember(projectId: $p, userId: $u) }", p=p, u=viewer_id)
    assert (await viewer.error(THEME_MAP, p=p))["extensions"]["code"] == "NOT_FOUND", "removed, though still kept"


async def test_questions_reading_beyond_the_answer_are_not_shared(counted: tuple[World, CountingStore]) -> None:
    world, store = counted
    p = world.ids["project"]
    viewer, _ = await world.user("Vi", "VIEWER")
    plain = "query($p: ID!) { cooccurrence(projectId: $p) { a { ... on Code { id name } } b { __typename } count } }"
    deeper = "query($p: ID!) { cooccurrence(projectId: $p) { a { ... on Code { id excerpts { edges { node { id } } } } } count } }"
    await world.owner.ok(plain, p=p)
    await viewer.ok(plain, p=p)
    assert store.calls["cooccurrence"] == 1
    await world.owner.ok(deeper, p=p)
    await viewer.ok(deeper, p=p)
    assert store.calls["cooccurrence"] == 3, "a resolver beneath (Code.excerpts) reads the store afresh each time"
    both = "query($p: ID!) { themeMap(projectId: $p) { nodes { id } } project(id: $p) { name } }"
    before = store.calls["theme_map"]
    await world.owner.ok(both, p=p)
    await viewer.ok(both, p=p)
    assert store.calls["theme_map"] == before + 2, "a root field that is no analysis question"

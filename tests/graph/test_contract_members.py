"""Contract: users, token hashes and project membership (every adapter)."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound
from graph.inputs import NewProject
from graph.models import Role
from graph.store import Store
from tests.conftest import ACTOR


async def test_users_and_token_hashes(store: Store) -> None:
    ada = await store.create_user("Ada", "ada@example.org")
    with pytest.raises(BadInput):
        await store.create_user("ADA")
    assert await store.get_user_by_name("ada") == ada
    assert await store.get_user_by_name("nobody") is None
    assert await store.user_by_token_hash("h1") is None
    await store.set_token_hash(ada.id, "h1")
    assert await store.user_by_token_hash("h1") == (ada, "h1")
    await store.set_token_hash(ada.id, "h2")
    assert await store.user_by_token_hash("h1") is None
    await store.set_token_hash(ada.id, None)
    assert await store.user_by_token_hash("h2") is None
    with pytest.raises(NotFound):
        await store.set_token_hash("missing", "h3")


async def test_membership_and_the_last_owner(store: Store) -> None:
    project = await store.create_project(ACTOR, NewProject(name="P"))
    other = await store.create_project(ACTOR, NewProject(name="Q"))
    ada = await store.create_user("Ada")
    assert await store.roles(ACTOR, [project.id, other.id, "missing"]) == {project.id: Role.OWNER, other.id: Role.OWNER}
    assert await store.roles(ada.id, [project.id]) == {}

    await store.add_member(ACTOR, project.id, ada.id, Role.VIEWER)
    with pytest.raises(BadInput):
        await store.add_member(ACTOR, project.id, ada.id, Role.ANALYST)
    with pytest.raises(NotFound):
        await store.add_member(ACTOR, project.id, "missing", Role.ANALYST)
    assert await store.roles(ada.id, [project.id, other.id]) == {project.id: Role.VIEWER}
    members = (await store.members_of_projects([project.id]))[project.id]
    assert [(m.user_id, m.role) for m in members] == [(ada.id, Role.VIEWER), (ACTOR, Role.OWNER)]

    with pytest.raises(BadInput):
        await store.change_role(ACTOR, project.id, ACTOR, Role.ANALYST)  # the last owner
    with pytest.raises(BadInput):
        await store.remove_member(ACTOR, project.id, ACTOR)
    await store.change_role(ACTOR, project.id, ada.id, Role.OWNER)
    await store.change_role(ACTOR, project.id, ACTOR, Role.ANALYST)
    assert await store.roles(ACTOR, [project.id]) == {project.id: Role.ANALYST}
    await store.remove_member(ada.id, project.id, ACTOR)
    with pytest.raises(NotFound):
        await store.remove_member(ada.id, project.id, ACTOR)
    assert [m.user_id for m in (await store.members_of_projects([project.id]))[project.id]] == [ada.id]

"""Contract: users, token hashes and project membership, through the service over every adapter."""

from __future__ import annotations

import pytest

from graph.errors import BadInput, NotFound
from graph.inputs import NewProject
from graph.models import Role
from graph.policy import Actor
from graph.service import Service
from graph.store import Store
from tests.conftest import ACTOR, TRUSTED


async def test_users_and_token_hashes(store: Store, service: Service) -> None:
    ada = await service.create_user("Ada", "ada@example.org")
    with pytest.raises(BadInput):
        await service.create_user("ADA")
    with pytest.raises(BadInput):
        await service.create_user("  ")
    assert await store.get_user_by_name("ada") == ada == await service.user_named("ADA")
    assert await store.get_user_by_name("nobody") is None
    assert await service.ensure_user(ada.id, "Someone else") == ada, "an existing user is kept as is"
    assert await store.user_by_token_hash("h1") is None
    await service.set_token_hash(ada.id, "h1")
    assert await store.user_by_token_hash("h1") == (ada, "h1") == await service.user_by_token_hash("h1")
    await service.set_token_hash(ada.id, "h2")
    assert await store.user_by_token_hash("h1") is None
    await service.set_token_hash(ada.id, None)
    assert await store.user_by_token_hash("h2") is None
    with pytest.raises(NotFound):
        await service.set_token_hash("missing", "h3")


async def test_finding_users_by_name_prefix_or_email(store: Store, service: Service) -> None:
    zoe = await service.create_user("Zoë Quist", "Zoe.Quist@example.org")
    zed = await service.create_user("zed Quarry")
    zara = await service.create_user("Zara Quell", "zara@example.org")
    await service.create_user("Yusuf Zq")
    found = await store.find_users("z", None, 10)
    assert [u for _, u in found] == [zara, zed, zoe], "by name ignoring case, then id"
    assert [u for _, u in await store.find_users("ZE", None, 10)] == [zed]
    assert [u for _, u in await store.find_users("zoe.quist@EXAMPLE.org", None, 10)] == [zoe], "exact email"
    assert await store.find_users("zoe.quist@", None, 10) == [], "an email matches whole, never by its start"
    first = await store.find_users("z", None, 2)
    assert [u for _, u in first] == [zara, zed]
    rest = await store.find_users("z", (first[-1][0], first[-1][1].id), 2)
    assert [u for _, u in rest] == [zoe]
    everyone = await service.list_users()
    assert {zoe.id, zed.id, zara.id} <= {u.id for u in everyone} and everyone == sorted(
        everyone, key=lambda u: (u.name.lower(), u.id)
    )
    assert await service.list_users("zed") == [zed]


async def test_user_names_and_emails_are_checked(service: Service) -> None:
    for name, email in (("", None), ("   ", None), ("Ann", "ann"), ("Ann", "ann@localhost"), ("Ann", "a b@c.org")):
        with pytest.raises(BadInput):
            await service.create_user(name, email)
    assert (await service.create_user("  Ann  ", "Ann@Example.ORG")).email == "Ann@example.org"
    with pytest.raises(BadInput):
        await service.ensure_user("someone", " ")


async def test_membership_and_the_last_owner(store: Store, service: Service) -> None:
    project = await service.create_project(TRUSTED, NewProject(name="P"))
    other = await service.create_project(TRUSTED, NewProject(name="Q"))
    ada = await service.create_user("Ada")
    assert await store.roles(ACTOR, [project.id, other.id, "missing"]) == {project.id: Role.OWNER, other.id: Role.OWNER}
    assert await store.roles(ada.id, [project.id]) == {}

    await service.add_member(TRUSTED, project.id, ada.id, Role.VIEWER)
    with pytest.raises(BadInput):
        await service.add_member(TRUSTED, project.id, ada.id, Role.ANALYST)
    with pytest.raises(NotFound):
        await service.add_member(TRUSTED, project.id, "missing", Role.ANALYST)
    with pytest.raises(NotFound):
        await service.add_member(TRUSTED, "missing", ada.id, Role.ANALYST)
    assert await store.roles(ada.id, [project.id, other.id]) == {project.id: Role.VIEWER}
    members = (await store.members_of_projects([project.id]))[project.id]
    assert [(m.user_id, m.role) for m in members] == [(ada.id, Role.VIEWER), (ACTOR, Role.OWNER)]

    with pytest.raises(BadInput):
        await service.change_role(TRUSTED, project.id, ACTOR, Role.ANALYST)  # the last owner
    with pytest.raises(BadInput):
        await service.remove_member(TRUSTED, project.id, ACTOR)
    with pytest.raises(NotFound):
        await service.change_role(TRUSTED, other.id, ada.id, Role.ANALYST)  # not a member there
    await service.change_role(TRUSTED, project.id, ada.id, Role.OWNER)
    await service.change_role(TRUSTED, project.id, ACTOR, Role.ANALYST)
    assert await store.roles(ACTOR, [project.id]) == {project.id: Role.ANALYST}
    await service.remove_member(Actor(ada.id), project.id, ACTOR)
    with pytest.raises(NotFound):
        await service.remove_member(Actor(ada.id), project.id, ACTOR)
    assert [m.user_id for m in (await store.members_of_projects([project.id]))[project.id]] == [ada.id]

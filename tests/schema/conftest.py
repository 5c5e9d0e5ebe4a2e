"""A project A, populated through the API by its owner, with helpers to add users."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest

from api.settings import Settings
from graph.service import Service
from graph.store import Store
from tests.schema.test_api_errors import SNAPSHOT
from tests.support import GraphQLClient, new_user, serve_in_process

TEXT = "Interviewer: How was it?\n\nAmira: I was scared they'd take her. Then Jo came and it changed."


@dataclass
class World:
    owner: GraphQLClient
    service: Service
    ids: dict[str, str]

    def client(self, token: str | None) -> GraphQLClient:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        http = httpx.AsyncClient(transport=self.owner.http._transport, base_url="http://localhost", headers=headers)
        return GraphQLClient(http)

    async def user(self, name: str, role: str | None = None) -> tuple[GraphQLClient, str]:
        user, token = await new_user(self.service, name)
        if role:
            await self.owner.ok(
                "mutation($p: ID!, $u: ID!, $r: Role!) { addMember(projectId: $p, userId: $u, role: $r) { role } }",
                p=self.ids["project"],
                u=user.id,
                r=role,
            )
        return self.client(token), user.id

    async def snapshot(self) -> dict:
        return await self.owner.ok(SNAPSHOT, p=self.ids["project"])


async def populate(api: GraphQLClient) -> dict[str, str]:
    ok = api.ok
    p = (await ok('mutation { createProject(input: {name: "A"}) { id } }'))["createProject"]["id"]
    who = await ok(  # the probes' compareGroups asks about the attribute "social"
        'mutation($p: ID!) { addParticipant(input: {projectId: $p, pseudonym: "Amira", attributes: {social: "worker"}}) '
        "{ id } }",
        p=p,
    )
    who_id = who["addParticipant"]["id"]
    imported = await api.http.post(
        f"/projects/{p}/import", files={"file": ("I.txt", TEXT.encode())}, data={"participant": who_id}
    )
    assert imported.status_code == 200, imported.text
    doc = imported.json()["documentId"]  # a transcript: its speakers are Interviewer and Amira
    code = (await ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Fear"}) { id } }', p=p))[
        "createCode"
    ]["id"]
    code2 = (await ok('mutation($p: ID!) { createCode(input: {projectId: $p, name: "Hope"}) { id } }', p=p))[
        "createCode"
    ]["id"]
    theme = (await ok('mutation($p: ID!) { createTheme(input: {projectId: $p, name: "T"}) { id } }', p=p))[
        "createTheme"
    ]["id"]
    excerpt = (
        await ok(
            "mutation($d: ID!, $c: [ID!]!) { codeText(input: {documentId: $d, start: 0, end: 5, codeIds: $c}) { id } }",
            d=doc,
            c=[code],
        )
    )["codeText"]["id"]
    await ok("mutation($c: ID!, $t: ID!) { addCodeToTheme(codeId: $c, themeId: $t) { id } }", c=code, t=theme)
    link = (
        await ok(
            "mutation($a: ID!, $b: ID!) { linkConcepts(input: {sourceId: $a, targetId: $b, kind: CAUSES}) { id } }",
            a=code,
            b=code2,
        )
    )["linkConcepts"]["id"]
    memo = (await ok('mutation($t: ID!) { addMemo(input: {targetId: $t, title: "m"}) { id } }', t=code))["addMemo"][
        "id"
    ]
    latest = await ok("query($p: ID!) { activity(projectId: $p, first: 1) { edges { node { id } } } }", p=p)
    return {
        "activity": latest["activity"]["edges"][0]["node"]["id"],  # the memo's creation
        "project": p,
        "participant": who_id,
        "document": doc,
        "code": code,
        "code2": code2,
        "theme": theme,
        "excerpt": excerpt,
        "link": link,
        "memo": memo,
        "user": api.user_id,
    }


@pytest.fixture
async def world(settings: Settings, new_store: Callable[[], Store]) -> AsyncIterator[World]:
    async with serve_in_process(settings, new_store()) as owner:
        assert owner.service is not None
        yield World(owner, owner.service, await populate(owner))

"""Users, their API tokens, and project membership."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from graph import activity
from graph.errors import BadInput, NotFound
from graph.models import Membership, Role, User
from graph.policy import Actor, Need
from graph.rules import check_text, new_id, now
from graph.service.base import UseCases
from graph.transaction import Transaction

USERS_AT_ONCE = 500
"""Users read per store call while listing them all."""


class People(UseCases):
    # -- users (the CLI and the app's start; no project is involved) ----------------------
    async def ensure_user(self, id: str, name: str, email: str | None = None) -> User:
        """The user with this id, created if absent (the local user, seeds' coders)."""
        name, email = _checked(name, email)

        async def work(tx: Transaction) -> User:
            found = (await tx.users([id])).get(id)
            if found is None:
                found = User(id=id, name=name, email=email, created_at=now())
                await tx.insert_user(found)
            return found

        return await self._write(work)

    async def create_user(self, name: str, email: str | None = None) -> User:
        name, email = _checked(name, email)

        async def work(tx: Transaction) -> User:
            if await tx.user_named(name) is not None:
                raise BadInput(f"A user named {name!r} exists already; choose another name.")
            user = User(id=new_id(), name=name, email=email, created_at=now())
            await tx.insert_user(user)
            return user

        return await self._write(work)

    async def list_users(self, search: str | None = None) -> list[User]:
        """Every user (or those whose name starts with `search`, or whose email it is), by name: the
        operator's view, emails included, for the CLI; read a batch at a time."""
        out: list[User] = []
        after: tuple[str, str] | None = None
        while batch := await self.store.find_users(search, after, USERS_AT_ONCE):
            out += [u for _, u in batch]
            after = (batch[-1][0], batch[-1][1].id)
            if len(batch) < USERS_AT_ONCE:
                break
        return out

    async def user_named(self, name: str) -> User | None:
        """The user with this name, ignoring case (the CLI names users)."""
        return await self.store.get_user_by_name(name)

    async def user_by_token_hash(self, token_hash: str) -> tuple[User, str] | None:
        """The holder of a token with this hash, and the stored hash (compared in constant time by the caller)."""
        return await self.store.user_by_token_hash(token_hash)

    async def set_token_hash(self, user_id: str, token_hash: str | None) -> None:
        """Replace a user's token hash (None revokes every token of theirs)."""

        async def work(tx: Transaction) -> None:
            if not await tx.set_token_hash(user_id, token_hash):
                raise NotFound("user", user_id)

        await self._write(work)

    # -- membership ----------------------------------------------------------------------------
    async def _parties(self, tx: Transaction, actor: Actor, project_id: str, user_id: str) -> tuple[Role | None, User]:
        """The user's current role (None if not a member) once the actor is known to be an OWNER."""
        await self.in_project(tx, actor, project_id, Need.ADMIN)
        user = (await tx.users([user_id])).get(user_id)
        if user is None:
            raise NotFound("user", user_id)
        return await tx.role(project_id, user_id), user

    async def add_member(self, actor: Actor, project_id: str, user_id: str, role: Role) -> Membership:
        async def work(tx: Transaction) -> Membership:
            old, user = await self._parties(tx, actor, project_id, user_id)
            if old is not None:
                raise BadInput("That user is a member already; use changeRole to change their role.")
            await tx.set_role(project_id, user_id, role)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            await self.log(tx, activity.membership(actor.user_id, "added", member, user.name))
            return member

        return await self._write(work)

    async def change_role(self, actor: Actor, project_id: str, user_id: str, role: Role) -> Membership:
        async def work(tx: Transaction) -> Membership:
            old, user = await self._parties(tx, actor, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            if role is not Role.OWNER:
                await self._keep_an_owner(tx, project_id, user_id)
            await tx.set_role(project_id, user_id, role)
            member = Membership(project_id=project_id, user_id=user_id, role=role)
            before = Membership(project_id=project_id, user_id=user_id, role=old)
            await self.log(tx, activity.membership(actor.user_id, "changed", member, user.name, before))
            return member

        return await self._write(work)

    async def remove_member(self, actor: Actor, project_id: str, user_id: str) -> None:
        async def work(tx: Transaction) -> None:
            old, user = await self._parties(tx, actor, project_id, user_id)
            if old is None:
                raise NotFound("membership of that user in that project", f"{project_id}/{user_id}")
            await self._keep_an_owner(tx, project_id, user_id)
            await tx.remove_role(project_id, user_id)
            member = Membership(project_id=project_id, user_id=user_id, role=old)
            await self.log(tx, activity.membership(actor.user_id, "removed", member, user.name, member))

        await self._write(work)

    @staticmethod
    async def _keep_an_owner(tx: Transaction, project_id: str, leaving: str) -> None:
        """A project never loses its last OWNER."""
        if not [o for o in await tx.owners(project_id) if o != leaving]:
            raise BadInput("A project must keep at least one OWNER; make someone else OWNER first.")


def _checked(name: str, email: str | None) -> tuple[str, str | None]:
    """A user's name (not blank) and email address (well formed, in its normalised spelling)."""
    name = name.strip()
    if not name:
        raise BadInput("A user needs a name; give one that is not blank.")
    for field, value in (("name", name), ("email", email or "")):
        try:
            check_text(value)
        except ValueError as exc:
            raise BadInput(f"The user's {field} {exc}.") from None
    if email is None:
        return name, None
    try:
        return name, validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise BadInput(f"The email address {email!r} is not valid: {exc}") from None

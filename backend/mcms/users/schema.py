"""GraphQL for accounts and API tokens (``me``; administration mutations)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from mcms.core.auth import Permission, Role
from mcms.core.errors import Forbidden
from mcms.core.pagination import Page, PageRequest
from mcms.core.validation import parse_id
from mcms.graphql.context import Info
from mcms.graphql.loaders import required
from mcms.graphql.relay import Connection, build_connection
from mcms.users import service
from mcms.users.models import ApiToken as ApiTokenModel
from mcms.users.models import User as UserModel

RoleEnum = strawberry.enum(Role, name="Role", description="What a user may do (SPEC §2).")


@strawberry.type(description="A person or an add-in machine that signs in to MCMS.")
class User:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    username: str = strawberry.field(description="Sign-in name; shown as `actor` in history.")
    display_name: str = strawberry.field(description="Full name shown in the UI.")
    role: RoleEnum = strawberry.field(description="The user's role.")  # type: ignore[valid-type]
    is_active: bool = strawberry.field(description="False once deactivated.")
    created_at: datetime = strawberry.field(description="When the account was created.")

    @classmethod
    def from_row(cls, row: Row[Any] | UserModel) -> User:
        return cls(
            id=strawberry.ID(str(row.id)),
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            is_active=row.is_active,
            created_at=row.created_at,
        )


@strawberry.type(description="An API token (its secret is shown only once, at creation).")
class ApiToken:
    id: strawberry.ID = strawberry.field(description="Stable id; pass to `revokeApiToken`.")
    name: str = strawberry.field(description="Label, e.g. the workstation or script using it.")
    prefix: str = strawberry.field(description="First characters of the token, to recognise it.")
    created_at: datetime = strawberry.field(description="When it was created.")
    last_used_at: datetime | None = strawberry.field(
        description="Last use, to the minute; null if never used."
    )
    revoked_at: datetime | None = strawberry.field(description="When it was revoked, if it was.")
    user_id: strawberry.Private[int]

    @strawberry.field(description="Whose token this is.")
    async def user(self, info: Info) -> User:
        row = await info.context.loaders.user.load(self.user_id)
        return User.from_row(required(row, "user"))

    @classmethod
    def from_model(cls, token: ApiTokenModel) -> ApiToken:
        return cls(
            id=strawberry.ID(str(token.id)),
            name=token.name,
            prefix=token.prefix,
            created_at=token.created_at,
            last_used_at=token.last_used_at,
            revoked_at=token.revoked_at,
            user_id=token.user_id,
        )


@strawberry.type(description="A new token and its secret, which is never shown again.")
class CreatedApiToken:
    token: ApiToken = strawberry.field(description="The token's record.")
    secret: str = strawberry.field(
        description="Send as `Authorization: Bearer <secret>`. Store it now; only a hash is kept."
    )


@strawberry.input(description="A new account.")
class CreateUserInput:
    username: str = strawberry.field(description="Sign-in name: letters, digits, . _ - @.")
    role: RoleEnum = strawberry.field(description="Role of the new user.")  # type: ignore[valid-type]
    display_name: str | None = strawberry.field(default=None, description="Defaults to username.")
    password: str | None = strawberry.field(
        default=None, description="At least 8 characters; omit for token-only accounts (agents)."
    )


@strawberry.input(description="A new API token.")
class CreateApiTokenInput:
    name: str = strawberry.field(description="Label for the token.")
    user_id: strawberry.ID | None = strawberry.field(
        default=None, description="Whose token (administrators only); defaults to yourself."
    )


@strawberry.type
class UserQuery:
    @strawberry.field(description="The signed-in user, or null when not signed in.")
    async def me(self, info: Info) -> User | None:
        principal = info.context.principal
        if principal is None:
            return None
        row = await info.context.loaders.user.load(principal.user_id)
        return User.from_row(row) if row is not None else None

    @strawberry.field(description="All accounts (administrators and auditors).")
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[User]:
        principal = info.context.require(Permission.READ)
        if principal.role not in (Role.ADMIN, Role.AUDITOR):
            raise Forbidden("Only administrators and auditors may list users.")
        request = PageRequest.from_relay(first, after)
        async with info.context.db.read_session() as session:
            users, total = await service.list_users(
                session=session, offset=request.offset, limit=request.limit + 1
            )
        page = Page(
            items=users[: request.limit], offset=request.offset, has_next=len(users) > request.limit
        )

        async def count() -> int:
            return total

        return build_connection(page, User.from_row, count)

    @strawberry.field(
        description="API tokens: your own, or a given user's (administrators), newest last."
    )
    async def api_tokens(self, info: Info, user_id: strawberry.ID | None = None) -> list[ApiToken]:
        # A read: auditors (read all, write nothing) see every token's record too.
        principal = info.context.require(Permission.READ)
        owner = parse_id(user_id, "userId") if user_id is not None else principal.user_id
        if owner != principal.user_id and principal.role not in (Role.ADMIN, Role.AUDITOR):
            raise Forbidden("Only administrators and auditors may see other users' tokens.")
        async with info.context.db.read_session() as session:
            tokens = await service.list_tokens(session=session, user_id=owner)
        return [ApiToken.from_model(t) for t in tokens]


@strawberry.type
class UserMutation:
    @strawberry.mutation(description="Create an account (administrators).")
    async def create_user(self, info: Info, input: CreateUserInput) -> User:
        info.context.require(Permission.MANAGE_USERS)
        async with info.context.db.unit_of_work() as session:
            user = await service.create_user(
                session=session,
                username=input.username,
                role=Role(input.role),
                password=input.password,
                display_name=input.display_name,
            )
            return User.from_row(user)

    @strawberry.mutation(description="Give a user another role (administrators).")
    async def change_user_role(
        self,
        info: Info,
        id: strawberry.ID,
        role: RoleEnum,  # type: ignore[valid-type]
    ) -> User:
        actor = info.context.require(Permission.MANAGE_USERS)
        async with info.context.db.unit_of_work() as session:
            user = await service.change_role(
                session=session, actor=actor, user_id=parse_id(id), role=Role(role)
            )
            return User.from_row(user)

    @strawberry.mutation(
        description="Deactivate a user: signed out everywhere, tokens refused, history kept."
    )
    async def deactivate_user(self, info: Info, id: strawberry.ID) -> User:
        actor = info.context.require(Permission.MANAGE_USERS)
        async with info.context.db.unit_of_work() as session:
            user = await service.deactivate_user(session=session, actor=actor, user_id=parse_id(id))
            return User.from_row(user)

    @strawberry.mutation(description="Create an API token; its secret is returned once.")
    async def create_api_token(self, info: Info, input: CreateApiTokenInput) -> CreatedApiToken:
        actor = info.context.require(Permission.MANAGE_OWN_TOKENS)
        owner = parse_id(input.user_id, "userId") if input.user_id else actor.user_id
        if owner != actor.user_id and not actor.can(Permission.MANAGE_USERS):
            raise Forbidden("Only administrators may create tokens for other users.")
        async with info.context.db.unit_of_work() as session:
            token, secret = await service.create_token(
                session=session, user_id=owner, name=input.name
            )
            return CreatedApiToken(token=ApiToken.from_model(token), secret=secret)

    @strawberry.mutation(description="Revoke an API token (your own, or any as administrator).")
    async def revoke_api_token(self, info: Info, id: strawberry.ID) -> ApiToken:
        actor = info.context.require(Permission.MANAGE_OWN_TOKENS)
        async with info.context.db.unit_of_work() as session:
            token = await service.revoke_token(session=session, actor=actor, token_id=parse_id(id))
            return ApiToken.from_model(token)

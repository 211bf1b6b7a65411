"""Users, API tokens and browser sessions. Callers own the transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.auth import (
    Principal,
    Role,
    burn_password_check,
    hash_password,
    new_secret,
    secret_hash,
    verify_password,
)
from mcms.core.db import add_unique, utcnow
from mcms.core.errors import Conflict, Forbidden, InvalidArgument, NotFound, Unauthenticated
from mcms.core.validation import clean_text
from mcms.users.models import ApiToken, User, WebSession

USERNAME_MAX = 64
MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024
TOKEN_LAST_USED_RESOLUTION = timedelta(minutes=1)
"""Bearer calls refresh ``last_used_at`` at most this often, so reads stay reads."""


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )


def _clean_username(username: str) -> str:
    name = clean_text(username, "username", max_length=USERNAME_MAX, required=True)
    if not all(ch.isalnum() or ch in "._-@" for ch in name):
        raise InvalidArgument("username may hold letters, digits and . _ - @ only.")
    return name


def _clean_password(password: str) -> str:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidArgument(
            f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters."
        )
    if any("\ud800" <= ch <= "\udfff" for ch in password):
        raise InvalidArgument("password is not valid Unicode text.")
    return password


async def create_user(
    *,
    session: AsyncSession,
    username: str,
    role: Role,
    password: str | None = None,
    display_name: str | None = None,
) -> User:
    """A new active account. Agents usually have no password and sign in by token."""
    name = _clean_username(username)
    display = clean_text(display_name or name, "displayName", max_length=200, required=True)
    user = User(
        username=name,
        display_name=display,
        role=role,
        password_hash=hash_password(_clean_password(password)) if password else None,
        is_active=True,
    )
    await add_unique(session, user, f"A user named {name!r} already exists.")
    return user


async def get_user(*, session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"User {user_id} does not exist.")
    return user


async def get_user_by_name(*, session: AsyncSession, username: str) -> User:
    user = await session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"User {username!r} does not exist.")
    return user


async def list_users(*, session: AsyncSession, offset: int, limit: int) -> tuple[list[User], int]:
    rows = await session.scalars(select(User).order_by(User.username).offset(offset).limit(limit))
    total = await session.scalar(select(func.count()).select_from(User))
    return list(rows), int(total or 0)


async def change_role(*, session: AsyncSession, actor: Principal, user_id: int, role: Role) -> User:
    user = await get_user(session=session, user_id=user_id)
    if user.id == actor.user_id and role is not Role.ADMIN:
        raise Forbidden("Administrators cannot take their own ADMIN role away.")
    user.role = role
    return user


async def deactivate_user(*, session: AsyncSession, actor: Principal, user_id: int) -> User:
    """Sign the user out everywhere and refuse their tokens; their history stays."""
    user = await get_user(session=session, user_id=user_id)
    if user.id == actor.user_id:
        raise Forbidden("Administrators cannot deactivate themselves.")
    user.is_active = False
    await _end_all_sessions(session=session, user_id=user.id)
    return user


async def _end_all_sessions(*, session: AsyncSession, user_id: int) -> None:
    await session.execute(
        update(WebSession).where(WebSession.user_id == user_id).values(expires_at=utcnow())
    )


# --- sign-in -----------------------------------------------------------------


async def authenticate(*, session: AsyncSession, username: str, password: str) -> User:
    """The active user with that password, or ``UNAUTHENTICATED`` that says no more."""
    name = username[:USERNAME_MAX]
    # A name no account can have (NUL, lone surrogates …) is never sent to the database,
    # which would refuse it with an error instead of finding nobody.
    valid = bool(name) and all(ch.isalnum() or ch in "._-@" for ch in name)
    user = await session.scalar(select(User).where(User.username == name)) if valid else None
    if user is None or not user.is_active or not user.password_hash:
        burn_password_check(password[:MAX_PASSWORD_LENGTH])
        raise Unauthenticated("Wrong username or password.")
    if not verify_password(user.password_hash, password[:MAX_PASSWORD_LENGTH]):
        raise Unauthenticated("Wrong username or password.")
    return user


@dataclass(frozen=True, slots=True)
class IssuedSecret:
    """A freshly made token or session secret: shown once, only its hash kept."""

    secret: str
    record_id: int


async def start_web_session(*, session: AsyncSession, user: User, ttl: timedelta) -> IssuedSecret:
    secret = new_secret(prefix="")
    record = WebSession(user_id=user.id, secret_hash=secret_hash(secret), expires_at=utcnow() + ttl)
    session.add(record)
    await session.flush()
    return IssuedSecret(secret=secret, record_id=record.id)


async def end_web_session(*, session: AsyncSession, secret: str) -> None:
    await session.execute(
        update(WebSession)
        .where(WebSession.secret_hash == secret_hash(secret))
        .values(expires_at=utcnow())
    )


async def principal_for_session(*, session: AsyncSession, secret: str) -> Principal | None:
    row = (
        await session.execute(
            select(User)
            .join(WebSession, WebSession.user_id == User.id)
            .where(
                WebSession.secret_hash == secret_hash(secret),
                WebSession.expires_at > utcnow(),
                User.is_active.is_(True),
            )
        )
    ).scalar_one_or_none()
    return principal_of(row) if row else None


# --- API tokens ---------------------------------------------------------------


async def create_token(*, session: AsyncSession, user_id: int, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user_id``; the plain token is returned once, here only."""
    user = await get_user(session=session, user_id=user_id)
    if not user.is_active:
        raise Conflict(f"User {user.username!r} is deactivated.")
    label = clean_text(name or "token", "name", max_length=100, required=True)
    plain = new_secret()
    token = ApiToken(user_id=user.id, name=label, token_hash=secret_hash(plain), prefix=plain[:12])
    session.add(token)
    await session.flush()
    return token, plain


async def list_tokens(*, session: AsyncSession, user_id: int | None) -> list[ApiToken]:
    query = select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    return list(await session.scalars(query))


async def revoke_token(*, session: AsyncSession, actor: Principal, token_id: int) -> ApiToken:
    """Revoke a token; people may revoke their own, administrators anyone's."""
    token = await session.get(ApiToken, token_id)
    if token is None or (token.user_id != actor.user_id and actor.role is not Role.ADMIN):
        raise NotFound(f"Token {token_id} does not exist.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


async def principal_for_token(
    *, session: AsyncSession, plain: str
) -> tuple[Principal, int, bool] | None:
    """The owner of an unrevoked token of an active user, the token's id, and
    whether its ``last_used_at`` is stale enough to refresh (see ``touch_token``)."""
    row = (
        await session.execute(
            select(User, ApiToken.id, ApiToken.last_used_at)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_hash == secret_hash(plain),
                ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
                User.is_active.is_(True),
            )
        )
    ).one_or_none()
    if row is None:
        return None
    user, token_id, last_used = row
    stale = last_used is None or utcnow() - last_used > TOKEN_LAST_USED_RESOLUTION
    return principal_of(user), token_id, stale


async def touch_token(*, session: AsyncSession, token_id: int) -> None:
    await session.execute(
        update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow())
    )

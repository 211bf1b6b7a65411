"""API keys for add-in machines: hashed at rest, renewed with an overlap.

An add-in key is an API token (``kind = 'addin_key'``) of an AGENT account. A
renewal issues a new key and lets the previous ones run out after the overlap
(``MCMS_ADDIN_KEY_OVERLAP_HOURS``), so the workstations can be switched to the
new key one by one without a moment where the add-in is locked out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.auth import Permission, Principal, Role, new_secret, require, secret_hash
from mcms.core.db import utcnow
from mcms.core.errors import InvalidArgument, NotFound
from mcms.users import service as users
from mcms.users.models import ApiToken, User

ADDIN_KEY = "addin_key"
DEFAULT_AGENT = "addin"
"""The AGENT account a key belongs to when the caller names none; created on the
first renewal."""


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What may be shown about a key: never the key itself (only its hash is kept)."""

    id: int
    agent: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken, agent: str) -> KeyInfo:
        return cls(
            id=token.id,
            agent=agent,
            prefix=token.prefix,
            created_at=token.created_at,
            expires_at=token.expires_at,
            last_used_at=token.last_used_at,
        )


async def _valid_keys(session: AsyncSession, user_id: int) -> list[ApiToken]:
    """The account's add-in keys that still work, newest first."""
    query = (
        select(ApiToken)
        .where(
            ApiToken.user_id == user_id,
            ApiToken.kind == ADDIN_KEY,
            ApiToken.revoked_at.is_(None),
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()),
        )
        .order_by(ApiToken.id.desc())
    )
    return list(await session.scalars(query))


async def _agent(session: AsyncSession, username: str, *, create: bool) -> User:
    try:
        user = await users.get_user_by_name(session=session, username=username)
    except NotFound:
        if not create:
            raise NotFound(f"No add-in key has been issued for {username!r} yet.") from None
        return await users.create_user(session=session, username=username, role=Role.AGENT)
    if user.role is not Role.AGENT:
        raise InvalidArgument(f"{username!r} is not an AGENT account; add-in keys are for agents.")
    return user


async def current_keys(
    *, session: AsyncSession, actor: Principal, agent: str = DEFAULT_AGENT
) -> list[KeyInfo]:
    """The keys that work now, newest (the current one) first (administrators)."""
    require(actor, Permission.MANAGE_ADDIN_KEYS)
    try:
        user = await _agent(session, agent, create=False)
    except NotFound:
        return []  # no key issued yet: nothing works, which is an answer, not an error
    return [KeyInfo.of(key, user.username) for key in await _valid_keys(session, user.id)]


async def renew_key(
    *, session: AsyncSession, actor: Principal, overlap: timedelta, agent: str = DEFAULT_AGENT
) -> tuple[KeyInfo, str, list[KeyInfo]]:
    """Issue a new key (returned once, here only); the previous keys keep working
    for ``overlap`` more. Returns the new key, its secret, and the previous keys."""
    require(actor, Permission.MANAGE_ADDIN_KEYS)
    user = await _agent(session, agent, create=True)
    previous = await _valid_keys(session, user.id)
    until = utcnow() + overlap
    for key in previous:
        if key.expires_at is None or key.expires_at > until:
            key.expires_at = until
    plain = new_secret()
    token = ApiToken(
        user_id=user.id,
        name=f"add-in key by {actor.username}",
        token_hash=secret_hash(plain),
        prefix=plain[:12],
        kind=ADDIN_KEY,
    )
    session.add(token)
    await session.flush()
    await session.refresh(token)
    return (
        KeyInfo.of(token, user.username),
        plain,
        [KeyInfo.of(key, user.username) for key in previous],
    )

"""Resolve the caller of an HTTP or WebSocket request to a ``Principal``.

Two ways in: ``Authorization: Bearer <token>`` (scripts, agents) or the session
cookie set by ``POST /auth/login`` (the SPA). A bad or revoked credential is
treated as no credential; resolvers then answer ``UNAUTHENTICATED``.
"""

from __future__ import annotations

import hashlib
import time

from starlette.requests import HTTPConnection

from mcms.core.auth import Principal
from mcms.core.db import Database
from mcms.users import service

MAX_CREDENTIAL_LENGTH = 512


def bearer_token(connection: HTTPConnection) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()[:MAX_CREDENTIAL_LENGTH]


async def principal_from_token(db: Database, token: str) -> Principal | None:
    async with db.read_session() as session:
        found = await service.principal_for_token(session=session, plain=token)
    if found is None:
        return None
    principal, token_id, stale = found
    if stale:
        async with db.unit_of_work() as session:
            await service.touch_token(session=session, token_id=token_id)
    return principal


async def principal_from_cookie(db: Database, secret: str) -> Principal | None:
    async with db.read_session() as session:
        return await service.principal_for_session(
            session=session, secret=secret[:MAX_CREDENTIAL_LENGTH]
        )


async def authenticate_connection(
    db: Database,
    connection: HTTPConnection,
    cookie_name: str,
    *,
    cache: PrincipalCache | None = None,
    version: str | None = None,
) -> Principal | None:
    """The caller, looked up in ``cache`` first when the database ``version`` is known."""
    token = bearer_token(connection)
    cookie = None if token is not None else connection.cookies.get(cookie_name)
    if token is None and not cookie:
        return None
    credential = f"bearer:{token}" if token is not None else f"cookie:{cookie}"
    if cache is not None and version is not None:
        found, principal = cache.get(version, credential)
        if found:
            return principal
    if token is not None:
        principal = await principal_from_token(db, token)
    else:
        principal = await principal_from_cookie(db, cookie or "")
    if cache is not None and version is not None:
        cache.put(version, credential, principal)
    return principal


class PrincipalCache:
    """Who a credential belongs to, remembered while the database is unchanged.

    Revoking a token, ending a session or deactivating a user is a commit, which
    changes the version and empties the cache, so no stale answer survives it.
    Entries also expire after ``TTL_SECONDS`` so ``lastUsedAt`` keeps being
    refreshed for tokens in constant use.
    """

    TTL_SECONDS = 30.0
    MAX_ENTRIES = 10_000

    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self.ttl_seconds = ttl_seconds
        self._version: str | None = None
        self._entries: dict[str, tuple[float, Principal | None]] = {}

    def get(self, version: str, credential: str) -> tuple[bool, Principal | None]:
        if version != self._version:
            self._version = version
            self._entries.clear()
            return False, None
        entry = self._entries.get(_digest(credential))
        if entry is None or time.monotonic() - entry[0] > self.ttl_seconds:
            return False, None
        return True, entry[1]

    def clear(self) -> None:
        self._entries.clear()

    def put(self, version: str, credential: str, principal: Principal | None) -> None:
        if version != self._version:
            return
        if len(self._entries) >= self.MAX_ENTRIES:
            self._entries.clear()  # a flood of made-up tokens must not grow memory
        self._entries[_digest(credential)] = (time.monotonic(), principal)


def _digest(credential: str) -> str:
    # Keep no plain credential in memory longer than the request needs it.
    return hashlib.sha256(credential.encode()).hexdigest()

"""Resolve the caller of an HTTP or WebSocket request to a ``Principal``.

Two ways in: ``Authorization: Bearer <token>`` (scripts, agents) or the session
cookie set by ``POST /auth/login`` (the SPA). A bad or revoked credential is
treated as no credential; resolvers then answer ``UNAUTHENTICATED``.
"""

from __future__ import annotations

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
    db: Database, connection: HTTPConnection, cookie_name: str
) -> Principal | None:
    token = bearer_token(connection)
    if token is not None:
        return await principal_from_token(db, token)
    cookie = connection.cookies.get(cookie_name)
    if cookie:
        return await principal_from_cookie(db, cookie)
    return None

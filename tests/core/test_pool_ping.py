"""PostgreSQL connections that sat idle in the pool are pinged before use, and a
dead one is replaced unseen; one handed back moments ago is not pinged (that
round trip per request is what ``_ping_idle_connections`` saves), so a
restart within that moment costs one failed statement, after which the pool
starts afresh. The server really cuts the connection (``pg_terminate_backend``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mcms.core import db as db_module
from mcms.core.db import Database
from tests.conftest import _postgres_admin


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url, pool_size=1)
    yield database
    await database.dispose()


async def _backend_pid(database: Database) -> int:
    async with database.read_session() as session:
        return int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)


async def _cut(pid: int) -> None:
    await _postgres_admin(f"SELECT pg_terminate_backend({pid})")


async def test_a_dead_idle_connection_is_replaced_before_anyone_uses_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _backend_pid(database)
    await _cut(first)
    monkeypatch.setattr(db_module, "IDLE_BEFORE_PING_SECONDS", 0.0)  # it has been idle "long"

    second = await _backend_pid(database)  # no error: the ping found it dead

    assert second not in (0, first)


async def test_a_connection_used_moments_ago_is_not_pinged_and_a_cut_costs_one_statement(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await _backend_pid(database)
    await _cut(first)
    monkeypatch.setattr(db_module, "IDLE_BEFORE_PING_SECONDS", 3600.0)

    with pytest.raises(DBAPIError) as failure:
        await _backend_pid(database)
    assert failure.value.connection_invalidated

    second = await _backend_pid(database)  # the pool started afresh
    assert second not in (0, first)

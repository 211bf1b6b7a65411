"""The SQLite driver (``core/sqlite_driver.py``): statements run on the event loop,
waits for another connection's lock run in a thread, transactions still take
the write lock before their first statement.

Each test uses a real database file and, as "another process", a plain sqlite3
connection of its own holding the write lock.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy import CursorResult, event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from mcms.core import db as db_module
from mcms.core.db import Database

RELEASE_AFTER = 0.3


def _open(path: Path) -> Database:
    database = Database(f"sqlite+aiosqlite:///{path}")

    def add_thread_ident(dbapi_connection: Any, _record: Any) -> None:
        # Tells which thread ran the statement that called it.
        dbapi_connection.create_function("thread_ident", 0, threading.get_ident)

    for engine in (database.engine, database.read_engine):
        event.listen(engine.sync_engine, "connect", add_thread_ident)
    return database


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "driver.db"


@pytest.fixture
async def database(path: Path) -> AsyncIterator[Database]:
    database = _open(path)
    async with database.unit_of_work() as session:
        await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield database
    await database.dispose()


@pytest.fixture
def other_process(path: Path, database: Database) -> Iterator[sqlite3.Connection]:
    """Another connection to the same file, standing in for another process."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    yield connection
    if connection.in_transaction:
        connection.rollback()
    connection.close()


def _hold_write_lock(other_process: sqlite3.Connection, *, release_after: float) -> None:
    """The other process takes the write lock now and commits ``release_after`` later."""
    other_process.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(release_after, other_process.commit)


async def _insert(database: Database, value: str) -> None:
    async with database.unit_of_work() as session:
        await session.execute(text("INSERT INTO t (v) VALUES (:v)"), {"v": value})


async def _count(database: Database) -> int:
    async with database.read_session() as session:
        return int(await session.scalar(text("SELECT count(*) FROM t")) or 0)


async def test_statements_run_on_the_event_loops_thread(database: Database) -> None:
    async with database.unit_of_work() as session:
        writer_thread = await session.scalar(text("SELECT thread_ident()"))
        await session.execute(text("INSERT INTO t (v) VALUES ('a')"))
    async with database.read_session() as session:
        reader_thread = await session.scalar(text("SELECT thread_ident()"))
    assert writer_thread == reader_thread == threading.get_ident()
    assert await _count(database) == 1


async def test_a_write_waits_for_another_process_in_a_thread_and_the_loop_goes_on(
    database: Database, other_process: sqlite3.Connection
) -> None:
    _hold_write_lock(other_process, release_after=RELEASE_AFTER)
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    ticker = asyncio.create_task(tick())
    started = time.monotonic()
    async with database.unit_of_work() as session:
        ran_on = await session.scalar(text("SELECT thread_ident()"))
        await session.execute(text("INSERT INTO t (v) VALUES ('after the wait')"))
    waited = time.monotonic() - started
    ticker.cancel()

    assert waited >= RELEASE_AFTER * 0.9
    assert ran_on != threading.get_ident()  # the wait happened in a worker thread
    assert ticks >= 10  # ... while the loop kept running (about 30 ticks)
    assert await _count(database) == 1


async def test_a_batch_insert_that_waited_writes_each_row_once(
    database: Database, other_process: sqlite3.Connection
) -> None:
    _hold_write_lock(other_process, release_after=RELEASE_AFTER)
    async with database.unit_of_work() as session:
        rows = [{"v": f"row {n}"} for n in range(5)]
        await session.execute(text("INSERT INTO t (v) VALUES (:v)"), rows)  # executemany
    assert await _count(database) == 5


async def test_reads_go_on_while_a_write_waits(
    database: Database, other_process: sqlite3.Connection
) -> None:
    _hold_write_lock(other_process, release_after=RELEASE_AFTER)
    writing = asyncio.create_task(_insert(database, "w"))
    await asyncio.sleep(0.05)
    started = time.monotonic()
    assert await _count(database) == 0
    assert time.monotonic() - started < RELEASE_AFTER / 2
    assert not writing.done()
    await writing
    assert await _count(database) == 1


async def test_a_write_gives_up_after_the_busy_timeout_and_changes_nothing(
    path: Path,
    database: Database,
    other_process: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 200)
    impatient = _open(path)
    other_process.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    try:
        with pytest.raises(OperationalError, match="database is locked"):
            async with impatient.unit_of_work() as session:
                await session.execute(text("INSERT INTO t (v) VALUES ('never')"))
        assert 0.15 <= time.monotonic() - started < 5
    finally:
        other_process.rollback()
        await impatient.dispose()
    assert await _count(database) == 0


async def test_a_caller_cancelled_while_it_waits_leaves_the_pool_working(
    database: Database, other_process: sqlite3.Connection
) -> None:
    other_process.execute("BEGIN IMMEDIATE")
    waiting = asyncio.create_task(_insert(database, "cancelled"))
    await asyncio.sleep(0.1)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    other_process.commit()  # the abandoned wait now ends; its thread closes that connection
    await asyncio.sleep(0.1)

    await _insert(database, "after")
    async with database.read_session() as session:
        values = (await session.execute(text("SELECT v FROM t"))).scalars().all()
    assert values == ["after"]  # the cancelled insert was never committed


async def test_the_write_lock_is_taken_with_the_first_statement(
    database: Database, other_process: sqlite3.Connection
) -> None:
    async with database.unit_of_work() as session:
        await session.execute(text("SELECT 1"))  # a read, but in a write transaction
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other_process.execute("BEGIN IMMEDIATE")


async def test_a_transaction_that_runs_nothing_takes_no_lock(
    database: Database, other_process: sqlite3.Connection
) -> None:
    other_process.execute("BEGIN IMMEDIATE")
    started = time.monotonic()
    async with database.unit_of_work():
        pass
    assert time.monotonic() - started < RELEASE_AFTER  # no wait for the lock


async def test_a_failed_statement_rolls_the_transaction_back_and_the_pool_goes_on(
    database: Database,
) -> None:
    async with database.unit_of_work() as session:
        await session.execute(text("INSERT INTO t (v) VALUES ('one')"))

    async def insert_two_then_a_duplicate() -> None:
        async with database.unit_of_work() as session:
            await session.execute(text("INSERT INTO t (v) VALUES ('two')"))
            await session.execute(text("INSERT INTO t (v) VALUES ('one')"))

    with pytest.raises(IntegrityError):
        await insert_two_then_a_duplicate()
    async with database.unit_of_work() as session:
        inserted = await session.execute(text("INSERT INTO t (v) VALUES ('three') RETURNING id, v"))
        assert [tuple(row) for row in inserted] == [(2, "three")]
        updated = await session.execute(text("UPDATE t SET v = v || '!'"))
        assert cast(CursorResult[Any], updated).rowcount == 2
    async with database.read_session() as session:
        rows = (await session.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert rows == ["one!", "three!"]

"""Engine, declarative base and the unit of work.

The boundary (a resolver, a REST handler, a CLI command) owns the transaction:
it opens ``async with db.unit_of_work() as session`` and hands ``session`` to
service functions, which never commit. Reads that need no transaction use
``db.read_session()``.

SQLite needs care to behave under concurrent writers: WAL so readers never
block the writer, ``synchronous=FULL`` so an acknowledged commit survives a
power cut, and write transactions opened with ``BEGIN IMMEDIATE`` so the write
lock is taken up front (a deferred transaction that later upgrades to a write
fails at once with SQLITE_BUSY instead of waiting on ``busy_timeout``). Reads go
through a second engine whose transactions stay deferred, so they never queue
behind writers. Statements run on the event loop and only waits for another
process's lock go to a thread (``core/sqlite_driver.py``).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import MetaData, Select, Table, event, text
from sqlalchemy.dialects import mssql
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import DateTime, TypeDecorator, TypeEngine

from mcms.core.errors import Conflict
from mcms.core.sqlite_driver import InlineSqlite

SelectT = TypeVar("SelectT", bound=Select[Any])

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
EVENTS_WRITTEN = "mcms.events_written"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend.

    SQLite and SQL Server's DATETIME2 keep no offset, so values are stored as
    naive UTC and given their ``tzinfo`` back on the way out.
    """

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        # Plain DateTime is DATETIME on SQL Server: 3.33 ms steps, years from 1753.
        if dialect.name == "mssql":
            return dialect.type_descriptor(mssql.DATETIME2())  # type: ignore[no-untyped-call]
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _install_sqlite_pragmas(engine: AsyncEngine, *, begin: str) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take BEGIN away from the driver so we choose the transaction kind.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)


def create_engine(url: str, *, pool_size: int = 10, begin: str = "BEGIN IMMEDIATE") -> AsyncEngine:
    """An async engine configured for its backend (see the module docstring)."""
    if is_sqlite(url):
        sqlite_path = make_url(url).database
        if sqlite_path and sqlite_path != ":memory:":
            Path(sqlite_path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            module=InlineSqlite(),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        _install_sqlite_pragmas(engine, begin=begin)
        return engine
    engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
    _ping_idle_connections(engine)
    return engine


IDLE_BEFORE_PING_SECONDS = 1.0


def _ping_idle_connections(engine: AsyncEngine) -> None:
    """``pool_pre_ping``, but only for connections that sat in the pool for a
    while: those are the ones a database restart or a firewall's idle timeout
    may have cut (a dead one is replaced before anyone uses it). A connection
    handed back moments ago was alive then; pinging it too cost a round trip per
    request (9 % of the server's CPU under the add-in agents' load,
    docs/performance.md). A restart is noticed by the first statement that fails
    on a dead connection, and SQLAlchemy then throws the whole pool away."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool retries with a fresh connection
            raise DisconnectionError() from error


SQLSERVER_SKIP_LOCKED = "WITH (UPDLOCK, READPAST, ROWLOCK)"


def skipping_locked(query: SelectT, table: Table) -> SelectT:
    """Lock the rows ``query`` picks, passing over rows other transactions hold:
    ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, ``UPDLOCK, READPAST`` on SQL Server
    (as a table hint: SQLAlchemy renders no lock for a subquery there); nothing on
    SQLite, where a writer holds the whole database. How queues let concurrent
    claimers take different rows instead of waiting on the same one."""
    return query.with_for_update(skip_locked=True).with_hint(
        table, SQLSERVER_SKIP_LOCKED, dialect_name="mssql"
    )


async def add_unique(session: AsyncSession, row: Base, conflict_message: str) -> None:
    """Insert ``row`` now; a unique-constraint violation becomes ``CONFLICT``.

    The savepoint keeps the caller's transaction usable after the violation, and
    letting the database decide (instead of looking first) is what stays correct
    when two callers insert the same code at once.
    """
    session.add(row)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict_message) from exc


class Database:
    """Both engines and their session factories, created once per process."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = is_sqlite(url)
        self.engine = create_engine(url, pool_size=pool_size)
        # PostgreSQL reads run in autocommit: at READ COMMITTED every statement
        # takes its own snapshot anyway, so a transaction around reads only costs
        # a BEGIN and a ROLLBACK round trip each (same pool, no extra connections).
        self.read_engine = (
            create_engine(url, pool_size=pool_size, begin="BEGIN")
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._write_lock = asyncio.Lock()
        self.commit_hooks: list[Callable[[], None]] = []
        """Called (synchronously, keep them quick) after a commit that wrote events."""
        self._version_probe: sqlite3.Connection | None = None
        self._version_probe_pid = 0
        self._write_sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(self.read_engine, expire_on_commit=False)

    @property
    def dialect_name(self) -> str:
        return self.engine.dialect.name

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: committed when the block ends, rolled back on error.

        If the transaction wrote to the event log (``session.info[EVENTS_WRITTEN]``),
        the commit hooks run after the commit, so subscribers are woken at once
        instead of at their next poll.
        """
        async with self._writer_turn(), self._write_sessions() as session:
            async with session.begin():
                yield session
        if session.info.get(EVENTS_WRITTEN):
            for hook in self.commit_hooks:
                hook()

    @asynccontextmanager
    async def _writer_turn(self) -> AsyncIterator[None]:
        """On SQLite, this process's writers queue here, in order, instead of at
        ``BEGIN IMMEDIATE``: SQLite's busy handler makes waiting connections
        sleep and retry with no queue, so under load some lost again and again
        (seconds of tail latency). Other processes still meet at the file lock."""
        if not self.is_sqlite:
            yield
            return
        async with self._write_lock:
            yield

    @asynccontextmanager
    async def read_session(self) -> AsyncIterator[AsyncSession]:
        """A session for reads; it never holds the write lock."""
        async with self._read_sessions() as session:
            yield session

    async def data_version(self) -> str | None:
        """A token that changes whenever any connection, in any process, commits a
        change to the database; ``None`` where we cannot tell cheaply (caches off).

        SQLite: ``PRAGMA data_version`` on a private connection that never writes
        (a read of the shared WAL index, microseconds, no lock wait).
        PostgreSQL: the current snapshot — equal snapshots see the same committed
        transactions, so they see the same data.
        """
        if self.is_sqlite:
            return self._sqlite_data_version()
        if self.dialect_name == "postgresql":
            async with self.read_engine.connect() as connection:
                snapshot = await connection.scalar(text("SELECT pg_current_snapshot()::text"))
            return str(snapshot)
        return None

    def _sqlite_data_version(self) -> str | None:
        path = make_url(self.url).database
        if not path or path == ":memory:":
            return None
        if self._version_probe is None or self._version_probe_pid != os.getpid():
            self._version_probe = sqlite3.connect(path, check_same_thread=False)
            self._version_probe_pid = os.getpid()
        row = self._version_probe.execute("PRAGMA data_version").fetchone()
        return f"sqlite:{row[0]}"

    async def ping(self) -> None:
        async with self.read_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._version_probe is not None:
            self._version_probe.close()
            self._version_probe = None
        await self.engine.dispose()
        if self.is_sqlite:  # elsewhere the read engine shares the write engine's pool
            await self.read_engine.dispose()

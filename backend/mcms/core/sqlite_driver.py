"""SQLite under the async engines: statements run on the event loop, and a wait
for another connection's lock runs in a thread.

SQLAlchemy's aiosqlite adapter gives every connection a thread of its own and
makes about four trips to it per statement (open a cursor, execute, fetch, close
the cursor). A trip is a queue hand-off, a thread wake-up and a
``call_soon_threadsafe`` back, each side fighting the event loop for the GIL;
under the add-in agents' load those hand-offs cost more CPU than the SQL
(docs/performance.md, "Add-in jobs": 12.4 ms of server CPU per claim→complete
cycle with aiosqlite, 8.9 with one trip per statement, 5.4 with none). The
statements of this application take microseconds, less than a trip, so here
they run where SQLAlchemy calls them, on the event loop.

What must not happen on the event loop is *waiting*. The connection's SQLite
busy timeout is zero, so a statement that finds the database locked by another
connection (another process's writer: ``mcms worker``, a second server, a CLI
command; this process's writers queue on ``Database._writer_turn`` first) fails
at once with ``SQLITE_BUSY``, and is run again in a worker thread with the
engine's whole ``timeout`` as busy timeout, while the loop goes on. SQLite
guarantees that a statement that returned ``SQLITE_BUSY`` changed nothing, so
running it again is safe. (Cancelling the caller does not stop the thread's
wait; SQLAlchemy then throws the connection away, and the thread closes it
when the wait ends.)

What still happens on the loop: the statement's own work (pages not in the OS
cache are read from disk; a big result is fetched whole, which the Python code
then spends longer on anyway), each commit's fsync (``synchronous=FULL``:
0.2 ms p50, 0.9 ms p99 on the development VM's disk) and, every 1,000 pages
of WAL, the checkpoint SQLite runs at the end of a commit.

Plugged in as the DBAPI module of SQLAlchemy's own aiosqlite dialect
(``create_async_engine(url, module=InlineSqlite())``), so URLs, SQL
compilation and type handling are the stock ones.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from sqlalchemy.engine.interfaces import AdaptedConnection
from sqlalchemy.util.concurrency import await_

T = TypeVar("T")

DEFAULT_WAIT_SECONDS = 5.0
"""sqlite3's own default ``timeout``."""
WAITING_THREADS = 4
"""Threads for lock waits; this process's writers queue before they get here,
so few ever wait at once."""


@cache
def _waiters() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=WAITING_THREADS, thread_name_prefix="mcms-sqlite-wait")


def _is_busy(error: BaseException) -> bool:
    """``SQLITE_BUSY`` (and its extended codes): another connection holds the lock."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return bool(code & 0xFF == sqlite3.SQLITE_BUSY)
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """All a cursor will be asked about a statement, gathered when it ran."""

    description: Any
    rows: list[Any]
    rowcount: int
    lastrowid: int | None


class _Statement:
    """One statement, with the ``BEGIN`` that travels with it; run again after
    ``SQLITE_BUSY`` it does not repeat a ``BEGIN`` that already took."""

    def __init__(self, begin: str | None, operation: str, parameters: Any, many: bool) -> None:
        self.begin = begin
        self.operation = operation
        self.parameters = parameters
        self.many = many

    def may_run_again(self, connection: sqlite3.Connection) -> bool:
        """After ``SQLITE_BUSY``. One statement is all or nothing, but an
        ``executemany`` outside a transaction commits row by row, so rows before
        the busy one would be written twice. (Inside a transaction the lock,
        once taken, is held to its end, so a busy one fails at its first row.)"""
        nothing_ran = self.begin is not None  # the BEGIN itself was refused
        return not self.many or nothing_ran or connection.in_transaction

    def __call__(self, connection: sqlite3.Connection) -> _Outcome:
        if self.begin is not None:
            connection.execute(self.begin)
            self.begin = None
        cursor = connection.cursor()
        try:
            if self.many:
                cursor.executemany(self.operation, self.parameters)
            elif self.parameters is None:
                cursor.execute(self.operation)
            else:
                cursor.execute(self.operation, self.parameters)
            description = cursor.description
            rows = cursor.fetchall() if description else []
            return _Outcome(description, rows, cursor.rowcount, cursor.lastrowid)
        finally:
            cursor.close()


async def _finished() -> None:
    return None


def _starts_transaction(operation: str, parameters: Any) -> bool:
    return not parameters and operation.lstrip()[:5].upper() == "BEGIN"


class Cursor:
    """A DBAPI cursor over rows fetched when its statement ran."""

    server_side = False

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection
        self._rows: deque[Any] = deque()
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    def execute(self, operation: str, parameters: Any = None) -> None:
        self._take(self._connection.run_statement(operation, parameters, many=False))

    def executemany(self, operation: str, parameters: Sequence[Any]) -> None:
        self._take(self._connection.run_statement(operation, parameters, many=True))

    def _take(self, outcome: _Outcome | None) -> None:
        if outcome is None:  # a BEGIN kept for the next statement
            self.description, self.rowcount, self._rows = None, -1, deque()
            return
        self.description = outcome.description
        self.rowcount = outcome.rowcount
        self.lastrowid = outcome.lastrowid
        self._rows = deque(outcome.rows)

    def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        count = min(size or self.arraysize, len(self._rows))
        return [self._rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    def __iter__(self) -> Iterator[Any]:
        while self._rows:
            yield self._rows.popleft()

    def close(self) -> None:
        self._rows.clear()

    async def _async_soft_close(self) -> None:
        """SQLAlchemy's async results call this to close the driver's cursor
        early; this one holds nothing open."""

    def setinputsizes(self, *sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass

    def nextset(self) -> None:
        return None


class InlineConnection(AdaptedConnection):
    """The DBAPI connection SQLAlchemy's greenlets call.

    A ``BEGIN`` is held back until the next statement and runs just before it,
    so the write lock (``BEGIN IMMEDIATE``) is still taken before anything of
    the transaction runs, and a transaction that runs nothing costs nothing."""

    def __init__(self, dbapi: InlineSqlite, connection: sqlite3.Connection, wait: float) -> None:
        self.dbapi = dbapi
        self._sqlite = connection
        self._wait_ms = max(0, int(wait * 1000))
        self._pending_begin: str | None = None
        self._closed = False
        self._state = threading.Lock()
        self._waiting = False
        """A worker thread is using the connection (waiting for a lock)."""
        self._close_after_wait = False

    @property
    def driver_connection(self) -> sqlite3.Connection:
        return self._sqlite

    def cursor(self, server_side: bool = False) -> Cursor:
        # Rows are fetched whole when the statement runs, so a "server-side"
        # cursor is the same cursor (nothing here streams huge results).
        return Cursor(self)

    def execute(self, operation: str, parameters: Any = None) -> Cursor:
        cursor = self.cursor()
        cursor.execute(operation, parameters)
        return cursor

    def run_statement(self, operation: str, parameters: Any, *, many: bool) -> _Outcome | None:
        if not many and not self._sqlite.in_transaction:
            if _starts_transaction(operation, parameters):
                self._pending_begin = operation
                return None
        begin, self._pending_begin = self._pending_begin, None
        statement = _Statement(begin, operation, parameters, many)
        return self._run(statement, may_run_again=statement.may_run_again)

    def _run(
        self,
        work: Callable[[sqlite3.Connection], T],
        may_run_again: Callable[[sqlite3.Connection], bool] = lambda _connection: True,
    ) -> T:
        """``work(connection)`` here; after ``SQLITE_BUSY``, again in a thread that
        may wait for the lock."""
        try:
            result = work(self._sqlite)
        except sqlite3.OperationalError as error:
            if not _is_busy(error) or self._wait_ms == 0 or not may_run_again(self._sqlite):
                raise
        else:
            # SQLAlchemy's AsyncConnection insists that a statement awaited
            # something (it takes "no await" for a blocking driver); this
            # coroutine finishes at once, without a trip through the loop.
            await_(_finished())
            return result
        with self._state:
            self._waiting = True  # until the thread is done with the connection
        loop = asyncio.get_running_loop()
        return await_(loop.run_in_executor(_waiters(), self._run_waiting, work))

    def _run_waiting(self, work: Callable[[sqlite3.Connection], T]) -> T:
        connection = self._sqlite
        try:
            connection.execute(f"PRAGMA busy_timeout={self._wait_ms}")
            try:
                return work(connection)
            finally:
                connection.execute("PRAGMA busy_timeout=0")
        finally:
            with self._state:
                self._waiting = False
                if self._close_after_wait:  # the caller gave up while we waited
                    connection.close()

    def commit(self) -> None:
        self._pending_begin = None  # nothing ran: nothing to commit
        if self._sqlite.in_transaction:
            self._run(sqlite3.Connection.commit)

    def rollback(self) -> None:
        self._pending_begin = None
        with self._state:
            if self._closed or self._waiting:  # a cancelled wait: closed when it ends
                return
            if self._sqlite.in_transaction:
                self._sqlite.rollback()

    @property
    def isolation_level(self) -> str | None:
        level: str | None = self._sqlite.isolation_level
        return level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._sqlite.isolation_level = value  # type: ignore[assignment]  # typeshed: Literal

    def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._sqlite.create_function(*args, **kwargs)

    def close(self) -> None:
        """Closed now, or, if a cancelled caller left a worker thread waiting on
        it, by that thread when the wait ends (never under a running statement)."""
        with self._state:
            if self._closed:
                return
            self._closed = True
            if self._waiting:
                self._close_after_wait = True
                return
            self._sqlite.close()

    def terminate(self) -> None:
        self.close()


class InlineSqlite:
    """The DBAPI module handed to SQLAlchemy's aiosqlite dialect."""

    paramstyle = "qmark"
    has_stop = True
    """Tells the dialect that connections can be terminated."""

    def __init__(self) -> None:
        self.sqlite = sqlite3
        for name in (
            "DatabaseError",
            "Error",
            "IntegrityError",
            "InterfaceError",
            "InternalError",
            "NotSupportedError",
            "OperationalError",
            "ProgrammingError",
            "Warning",
            "sqlite_version",
            "sqlite_version_info",
            "PARSE_COLNAMES",
            "PARSE_DECLTYPES",
            "Binary",
        ):
            setattr(self, name, getattr(sqlite3, name))

    @property
    def exceptions_module(self) -> Any:
        return sqlite3

    def connect(self, database: str, **kwargs: Any) -> InlineConnection:
        """``timeout`` is how long a statement may wait for another connection's
        lock (in a thread); the connection itself never waits."""
        kwargs.pop("async_creator_fn", None)
        wait = float(kwargs.pop("timeout", DEFAULT_WAIT_SECONDS))
        kwargs["check_same_thread"] = False  # waits run it in a worker thread
        connection = sqlite3.connect(database, timeout=0, **kwargs)
        return InlineConnection(self, connection, wait)

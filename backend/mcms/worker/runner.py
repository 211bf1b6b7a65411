"""The worker loop: runs due commands and queues the periodic duties.

It runs inside ``mcms serve`` (one per server process) or alone as ``mcms
worker``; any number of them may share a database. A command's effects and its
``DONE`` mark commit in one transaction, so a command whose worker dies
half-way leaves nothing behind and is simply run again after its lease.
Transient failures (database or disk trouble) are retried with backoff up to
the command's ``max_attempts`` (``MCMS_WORKER_MAX_ATTEMPTS``, default 5); then,
or at once for an unexpected error, the command is given up and the
administrators are alerted.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import Database
from mcms.live.alerts import AlertSeverity, publish_alert
from mcms.worker import commands

logger = logging.getLogger("mcms.worker")

Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


class StagedHandler(Protocol):
    """A command with slow work outside the database transaction (scanning a
    file, moving it into the store), so it does not hold the write lock for it.

    ``prepare`` runs first, on its own, and must be safe to run again (the
    command may be retried after a crash); ``apply`` then writes its effects in
    the transaction that marks the command done. ``gave_up`` runs, in its own
    transaction, when the command fails for good."""

    async def prepare(self, db: Database, payload: dict[str, Any]) -> Any: ...

    async def apply(
        self, session: AsyncSession, payload: dict[str, Any], prepared: Any
    ) -> None: ...

    async def gave_up(self, session: AsyncSession, payload: dict[str, Any], error: str) -> None: ...


COMMAND_LEASE = timedelta(minutes=5)
LOOP_ERROR_BACKOFF_MAX = 30.0


class TransientError(Exception):
    """A handler's way to say "try again later" (a scanner or disk that is busy)."""


class _LeaseLost(Exception):
    pass


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, TransientError | OperationalError | InterfaceError | OSError | TimeoutError):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


@dataclass(frozen=True, slots=True)
class Periodic:
    """A duty queued every ``every`` seconds, as a singleton command; with
    ``due``, only when that (read-only) check says there is work."""

    kind: str
    every: float
    payload: dict[str, Any] = field(default_factory=dict)
    due: Callable[[Database], Awaitable[bool]] | None = None
    """Checked first, so an idle server does not write every few seconds (each
    commit would also empty the GraphQL response cache)."""


class Worker:
    def __init__(
        self,
        db: Database,
        *,
        handlers: Mapping[str, Handler],
        staged: Mapping[str, StagedHandler] | None = None,
        periodic: Sequence[Periodic] = (),
        poll_seconds: float = 1.0,
        max_attempts: int = 5,
        worker_id: str | None = None,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.staged = dict(staged or {})
        self.periodic = list(periodic)
        self.poll_seconds = poll_seconds
        self.max_attempts = max_attempts
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self._next_due = {duty.kind: 0.0 for duty in self.periodic}
        self._stop = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    # -- running ----------------------------------------------------------------

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stop.clear()
            self._task = asyncio.get_running_loop().create_task(self.run(), name="mcms-worker")

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    def poke_stop(self) -> None:
        """Ask ``run()`` to return after the command in hand (a signal handler)."""
        self._stop.set()
        self._wake.set()

    def poke(self) -> None:
        """Look for work now instead of at the next poll."""
        self._wake.set()

    async def run(self) -> None:
        """Until ``stop()``: never dies of an error, backs off while the database is down."""
        logger.info("worker started", extra={"worker_id": self.worker_id})
        await self._reclaim_from_dead_local_workers()
        failures = 0
        while not self._stop.is_set():
            try:
                await self._queue_due_duties()
                busy = await self.run_once()
                failures = 0
            except Exception:
                failures += 1
                logger.exception("worker loop failed; retrying")
                busy = False
            if not busy:
                delay = min(self.poll_seconds * 2 ** min(failures, 5), LOOP_ERROR_BACKOFF_MAX)
                await self._sleep(delay if failures else self.poll_seconds)
        logger.info("worker stopped", extra={"worker_id": self.worker_id})

    async def _reclaim_from_dead_local_workers(self) -> None:
        """After a crash of this host's server, what its worker held runs again at
        once (an upload being committed, say) instead of 5 minutes later."""
        try:
            async with self.db.unit_of_work() as session:
                reclaimed = await commands.reclaim_from_dead_local_workers(
                    session=session, hostname=socket.gethostname(), is_alive=_process_alive
                )
        except Exception:  # the lease expiry does the same later
            logger.exception("worker: could not look for commands of dead workers")
            return
        if reclaimed:
            logger.warning(
                "worker: took back %d command(s) held by dead workers on this host",
                len(reclaimed),
                extra={"commands": reclaimed},
            )

    async def _sleep(self, seconds: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), seconds)

    async def _queue_due_duties(self) -> None:
        now = time.monotonic()
        for duty in self.periodic:
            if now < self._next_due[duty.kind]:
                continue
            self._next_due[duty.kind] = now + duty.every
            if duty.due is not None and not await duty.due(self.db):
                continue
            async with self.db.unit_of_work() as session:
                await commands.enqueue(
                    session=session,
                    kind=duty.kind,
                    payload=duty.payload,
                    max_attempts=self.max_attempts,
                    singleton_key=duty.kind,
                )

    async def run_once(self) -> bool:
        """Run one due command; ``False`` if there was none."""
        async with self.db.unit_of_work() as session:
            command = await commands.claim(
                session=session, worker_id=self.worker_id, lease=COMMAND_LEASE
            )
        if command is None:
            return False
        await self._execute(command)
        return True

    # -- one command ------------------------------------------------------------------

    async def _execute(self, command: Row[Any]) -> None:
        if command.kind in self.staged:
            await self._execute_staged(command, self.staged[command.kind])
            return
        handler = self.handlers.get(command.kind)
        if handler is None:
            await self._give_up(command, f"No handler for command kind {command.kind!r}.")
            return
        if command.attempts > command.max_attempts:
            await self._give_up(command, command.last_error or "Out of attempts.")
            return
        try:
            async with self.db.unit_of_work() as session:
                await handler(session, dict(command.payload))
                if not await commands.finish(session=session, command=command):
                    raise _LeaseLost
        except _LeaseLost:
            logger.warning("command %s: lease lost; its effects were rolled back", command.id)
        except Exception as exc:
            await self._failed(command, exc)

    async def _execute_staged(self, command: Row[Any], handler: StagedHandler) -> None:
        payload = dict(command.payload)
        if command.attempts > command.max_attempts:
            await self._give_up(command, command.last_error or "Out of attempts.")
            return
        try:
            prepared = await handler.prepare(self.db, payload)
            async with self.db.unit_of_work() as session:
                await handler.apply(session, payload, prepared)
                if not await commands.finish(session=session, command=command):
                    raise _LeaseLost
        except _LeaseLost:
            logger.warning("command %s: lease lost; its effects were rolled back", command.id)
        except Exception as exc:
            await self._failed(command, exc)

    async def _failed(self, command: Row[Any], exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_transient(exc) and command.attempts < command.max_attempts:
            logger.warning(
                "command %s (%s) failed, attempt %s of %s; retrying: %s",
                command.id,
                command.kind,
                command.attempts,
                command.max_attempts,
                error,
            )
            async with self.db.unit_of_work() as session:
                await commands.retry_later(session=session, command=command, error=error)
            return
        logger.error("command %s (%s) failed for good: %s", command.id, command.kind, error)
        await self._give_up(command, error)

    async def _give_up(self, command: Row[Any], error: str) -> None:
        async with self.db.unit_of_work() as session:
            if await commands.give_up(session=session, command=command, error=error):
                staged = self.staged.get(command.kind)
                if staged is not None:
                    await staged.gave_up(session, dict(command.payload), error)
                await publish_alert(
                    session=session,
                    type="WORKER_COMMAND_FAILED",
                    title=f"Background task {command.kind} failed",
                    message=f"Command {command.id} failed after {command.attempts} attempt(s): "
                    f"{error}",
                    severity=AlertSeverity.ERROR,
                    audience=("role:ADMIN",),
                )


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` is a live process here; unknown counts as alive (safe side)."""
    if pid == os.getpid() or sys.platform == "win32":
        return True  # on Windows os.kill(pid, 0) would terminate the process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. EPERM: it exists, owned by someone else
        return True
    return True

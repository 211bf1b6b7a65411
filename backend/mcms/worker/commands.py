"""The command queue: enqueue, claim with a lease, finish, retry, give up.
Callers own the transaction.

A claim is the same conditional UPDATE as an add-in job's (``SKIP LOCKED`` on
PostgreSQL, the write lock on SQLite), so several workers on one database
never take the same command; a command whose worker died is taken again when
its lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import skipping_locked, utcnow
from mcms.worker.models import CommandStatus, WorkerCommand

commands_table = cast(Table, WorkerCommand.__table__)

BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 300.0


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s … capped at 5 minutes."""
    return timedelta(
        seconds=min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)
    )


async def enqueue(
    *,
    session: AsyncSession,
    kind: str,
    payload: dict[str, Any] | None = None,
    max_attempts: int = 5,
    singleton_key: str | None = None,
    run_after: datetime | None = None,
) -> bool:
    """Queue a command; with ``singleton_key``, only if none with that key is
    pending or running (returns ``False`` then)."""
    now = utcnow()
    insert = commands_table.insert().values(
        kind=kind,
        payload=payload or {},
        status=CommandStatus.PENDING,
        attempts=0,
        max_attempts=max_attempts,
        run_after=run_after or now,
        lease_token=0,
        singleton_key=singleton_key,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            await session.execute(insert)
    except IntegrityError:
        if singleton_key is None:
            raise
        return False
    return True


def _claimable(now: datetime) -> Any:
    return or_(
        and_(commands_table.c.status == CommandStatus.PENDING, commands_table.c.run_after <= now),
        and_(
            commands_table.c.status == CommandStatus.RUNNING,
            commands_table.c.lease_expires_at < now,
        ),
    )


async def claim(
    *, session: AsyncSession, worker_id: str, lease: timedelta, now: datetime | None = None
) -> Row[Any] | None:
    """Take the next due command (or one whose worker's lease ran out)."""
    now = now or utcnow()
    oldest = (
        select(commands_table.c.id)
        .where(_claimable(now))
        .order_by(commands_table.c.run_after, commands_table.c.id)
        .limit(1)
    )
    candidate = skipping_locked(oldest, commands_table).scalar_subquery()
    result = await session.execute(
        update(commands_table)
        .where(commands_table.c.id == candidate, _claimable(now))
        .values(
            status=CommandStatus.RUNNING,
            attempts=commands_table.c.attempts + 1,
            lease_token=commands_table.c.lease_token + 1,
            lease_expires_at=now + lease,
            worker_id=worker_id,
        )
        .returning(*commands_table.c)
    )
    return result.first()


async def reclaim_from_dead_local_workers(
    *, session: AsyncSession, hostname: str, is_alive: Callable[[int], bool]
) -> list[int]:
    """End the leases of commands held by workers on this host whose process is
    gone (a crash, a SIGKILL), so they run again now rather than when their
    lease runs out. Worker ids are ``host:pid``; a pid that is alive, or that
    cannot be read, is left alone (its lease still protects it)."""
    prefix = f"{hostname}:"
    running = await session.execute(
        select(commands_table.c.id, commands_table.c.worker_id, commands_table.c.lease_token).where(
            commands_table.c.status == CommandStatus.RUNNING,
            commands_table.c.worker_id.startswith(prefix, autoescape=True),
        )
    )
    reclaimed = []
    for command_id, worker_id, lease_token in running.all():
        pid = str(worker_id).removeprefix(prefix)
        if not (pid.isascii() and pid.isdigit()) or is_alive(int(pid)):
            continue
        result = await session.execute(
            update(commands_table)
            .where(
                commands_table.c.id == command_id,
                commands_table.c.status == CommandStatus.RUNNING,
                commands_table.c.lease_token == lease_token,
            )
            .values(lease_expires_at=utcnow())
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            reclaimed.append(int(command_id))
    return reclaimed


def _held(command: Row[Any]) -> list[Any]:
    return [
        commands_table.c.id == command.id,
        commands_table.c.status == CommandStatus.RUNNING,
        commands_table.c.lease_token == command.lease_token,
    ]


async def finish(*, session: AsyncSession, command: Row[Any]) -> bool:
    """Mark done, in the transaction of the command's own effects; ``False`` if the
    lease was lost meanwhile (the caller must then roll those effects back)."""
    result = await session.execute(
        update(commands_table)
        .where(*_held(command))
        .values(status=CommandStatus.DONE, singleton_key=None, finished_at=utcnow())
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def retry_later(*, session: AsyncSession, command: Row[Any], error: str) -> None:
    await session.execute(
        update(commands_table)
        .where(*_held(command))
        .values(
            status=CommandStatus.PENDING,
            run_after=utcnow() + backoff(command.attempts),
            lease_expires_at=None,
            last_error=error,
        )
    )


async def give_up(*, session: AsyncSession, command: Row[Any], error: str) -> bool:
    result = await session.execute(
        update(commands_table)
        .where(*_held(command))
        .values(
            status=CommandStatus.FAILED,
            singleton_key=None,
            lease_expires_at=None,
            last_error=error,
            finished_at=utcnow(),
        )
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def purge_finished(*, session: AsyncSession, older_than: timedelta) -> None:
    """Drop finished commands past ``older_than``; periodic duties add one every few
    seconds, so the table would otherwise grow without end."""
    await session.execute(
        delete(commands_table).where(
            commands_table.c.status.in_((CommandStatus.DONE, CommandStatus.FAILED)),
            commands_table.c.finished_at < utcnow() - older_than,
        )
    )


async def get_command(*, session: AsyncSession, command_id: int) -> Row[Any] | None:
    query = select(commands_table).where(commands_table.c.id == command_id)
    return (await session.execute(query)).first()

"""Claiming jobs and holding them: leases, heartbeats, release and expiry.

A claim is one conditional UPDATE of the oldest queued job. On PostgreSQL its
candidate row is picked with ``FOR UPDATE SKIP LOCKED`` (SQL Server: ``UPDLOCK,
READPAST``, which SQLAlchemy renders from the same call), so concurrent
claimers each take a different job instead of queueing on one row; on SQLite
the write transaction is ``BEGIN IMMEDIATE`` (``core/db.py``), so claims run one
at a time. Either way the UPDATE re-checks ``status = 'QUEUED'``: a job is
handed out once per queueing, whatever runs concurrently.

Each claim increments the job's ``lease_token``, a fencing token: a heartbeat,
release or result carrying an older token comes from an agent that lost the
job, and is refused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import JSON, Row, Table, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs import events
from mcms.addin_jobs.models import AddinJobStatus, FailureReason
from mcms.addin_jobs.service import get_job, jobs_table
from mcms.core.db import UTCDateTime, skipping_locked, utcnow
from mcms.core.errors import Conflict
from mcms.history.models import HistoryType
from mcms.routings.models import GenerationStatus
from mcms.users.models import User

users_table = cast(Table, User.__table__)

SYSTEM = "system"
SWEEP_BATCH = 100


@dataclass(frozen=True, slots=True)
class Holder:
    """Who is claiming: the AGENT account and the agent's own name for itself."""

    user_id: int
    username: str
    agent_id: str
    capabilities: dict[str, str] = field(default_factory=dict)


@functools.cache
def _claim_statement() -> Update:
    """Built once (SQLAlchemy then runs it from its cache): the oldest queued job,
    if still queued, becomes the caller's."""
    oldest = (
        select(jobs_table.c.id)
        .where(jobs_table.c.status == AddinJobStatus.QUEUED)
        .order_by(jobs_table.c.id)
        .limit(1)
    )
    candidate = skipping_locked(oldest, jobs_table).scalar_subquery()
    when = UTCDateTime()
    return (
        update(jobs_table)
        .where(jobs_table.c.id == candidate, jobs_table.c.status == AddinJobStatus.QUEUED)
        .values(
            status=AddinJobStatus.RUNNING,
            lease_token=jobs_table.c.lease_token + 1,
            lease_expires_at=bindparam("p_expires", type_=when),
            lease_seconds=bindparam("p_lease_seconds"),
            agent_id=bindparam("p_agent_id"),
            holder_user_id=bindparam("p_holder"),
            capabilities=bindparam("p_capabilities", type_=JSON),
            progress=0.0,
            message=None,
            claimed_at=bindparam("p_now", type_=when),
            updated_at=bindparam("p_now", type_=when),
        )
        .returning(*jobs_table.c)
    )


async def claim(
    *, session: AsyncSession, holder: Holder, lease_seconds: int, now: datetime | None = None
) -> Row[Any] | None:
    """Take the oldest queued job, or ``None`` if there is none."""
    now = now or utcnow()
    result = await session.execute(
        _claim_statement(),
        {
            "p_expires": now + timedelta(seconds=lease_seconds),
            "p_lease_seconds": lease_seconds,
            "p_agent_id": holder.agent_id,
            "p_holder": holder.user_id,
            "p_capabilities": holder.capabilities,
            "p_now": now,
        },
    )
    job = result.first()
    if job is None:
        return None
    await events.moved(
        session=session,
        job=job,
        badge=GenerationStatus.RUNNING,
        history=HistoryType.ADDIN_JOB_CLAIMED,
        actor=holder.username,
        message=f"Generation job {job.id} claimed by {holder.agent_id}.",
        agentId=holder.agent_id,
        leaseToken=job.lease_token,
    )
    return job


async def held_by(*, session: AsyncSession, holder: Holder) -> Row[Any] | None:
    """The running job this agent already holds (the legacy poll hands it back
    after an add-in restart instead of giving it a second one).

    Locks the holder's account row first, for the rest of the transaction: two
    polls of one add-in at once (a client retrying on a timeout) would otherwise
    both find nothing held and each claim a job. (SQLite writers are serialized
    anyway.) ``NO KEY UPDATE`` leaves rows that merely reference the account free.
    """
    await session.execute(
        select(users_table.c.id)
        .where(users_table.c.id == holder.user_id)
        .with_for_update(key_share=True)
    )
    query = (
        select(jobs_table)
        .where(
            jobs_table.c.status == AddinJobStatus.RUNNING,
            jobs_table.c.holder_user_id == holder.user_id,
            jobs_table.c.agent_id == holder.agent_id,
        )
        .order_by(jobs_table.c.id)
        .limit(1)
    )
    return (await session.execute(query)).first()


def _lease_conditions(job_id: int, lease_token: int, holder: Holder) -> list[Any]:
    return [
        jobs_table.c.id == job_id,
        jobs_table.c.status == AddinJobStatus.RUNNING,
        jobs_table.c.lease_token == lease_token,
        jobs_table.c.holder_user_id == holder.user_id,
    ]


async def _lease_lost(session: AsyncSession, job_id: int) -> Conflict:
    job = await get_job(session=session, job_id=job_id)
    return Conflict(
        f"The lease on job {job_id} was lost (the job is {job.status}, lease token "
        f"{job.lease_token}); stop working on it."
    )


async def heartbeat(
    *,
    session: AsyncSession,
    holder: Holder,
    job_id: int,
    lease_token: int,
    progress: float | None,
    message: str | None,
) -> Row[Any]:
    """Extend the lease by its length from now; ``CONFLICT`` if it was lost."""
    now = utcnow()
    current = await get_job(session=session, job_id=job_id)
    values: dict[str, Any] = {"updated_at": now}
    if progress is not None:
        values["progress"] = progress
    if message is not None:
        values["message"] = message
    lease = timedelta(seconds=current.lease_seconds or 0)
    # The conditions re-check what was just read: nothing is decided on a stale value.
    result = await session.execute(
        update(jobs_table)
        .where(
            *_lease_conditions(job_id, lease_token, holder),
            jobs_table.c.lease_expires_at > now,
        )
        .values(lease_expires_at=now + lease, **values)
        .returning(*jobs_table.c)
    )
    job = result.first()
    if job is None:
        raise await _lease_lost(session, job_id)
    if progress is not None or message is not None:
        await events.job_updated(session=session, job=job)
    return job


async def extend_legacy_lease(
    *, session: AsyncSession, job: Row[Any], lease_seconds: int
) -> Row[Any] | None:
    """A legacy re-poll counts as a heartbeat for the job it already holds;
    ``None`` if the job finished (or was taken away) since it was read."""
    now = utcnow()
    result = await session.execute(
        update(jobs_table)
        .where(
            jobs_table.c.id == job.id,
            jobs_table.c.status == AddinJobStatus.RUNNING,
            jobs_table.c.lease_token == job.lease_token,
        )
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds), updated_at=now)
        .returning(*jobs_table.c)
    )
    return result.first()


async def release(
    *, session: AsyncSession, holder: Holder, job_id: int, lease_token: int, message: str
) -> Row[Any]:
    """Give a job back to the queue without using up an attempt (an agent shutting
    down); ``CONFLICT`` if its lease was already lost."""
    now = utcnow()
    result = await session.execute(
        update(jobs_table)
        .where(*_lease_conditions(job_id, lease_token, holder))
        .values(**_back_to_queue(now), message=message or f"Released by {holder.agent_id}.")
        .returning(*jobs_table.c)
    )
    job = result.first()
    if job is None:
        raise await _lease_lost(session, job_id)
    await events.moved(
        session=session,
        job=job,
        badge=GenerationStatus.QUEUED,
        history=HistoryType.ADDIN_JOB_RELEASED,
        actor=holder.username,
        message=f"Generation job {job_id} released by {holder.agent_id}; queued again.",
    )
    return job


def _back_to_queue(now: datetime) -> dict[str, Any]:
    return {
        "status": AddinJobStatus.QUEUED,
        "lease_expires_at": None,
        "agent_id": None,
        "holder_user_id": None,
        "progress": 0.0,
        "queued_at": now,
        "updated_at": now,
    }


async def any_expired(*, session: AsyncSession, now: datetime | None = None) -> bool:
    """Whether a sweep would find work (a cheap read, so idle servers stay idle)."""
    query = (
        select(jobs_table.c.id)
        .where(
            jobs_table.c.status == AddinJobStatus.RUNNING,
            jobs_table.c.lease_expires_at < (now or utcnow()),
        )
        .limit(1)
    )
    return (await session.execute(query)).first() is not None


async def sweep_expired(*, session: AsyncSession, now: datetime | None = None) -> int:
    """Return expired leases to the queue with ``attempt + 1``; past ``max_attempts``
    fail the job with ``TIMED_OUT`` and alert. Returns how many jobs it moved."""
    now = now or utcnow()
    query = (
        select(jobs_table)
        .where(
            jobs_table.c.status == AddinJobStatus.RUNNING,
            jobs_table.c.lease_expires_at < now,
        )
        .order_by(jobs_table.c.id)
        .limit(SWEEP_BATCH)
    )
    query = skipping_locked(query, jobs_table)
    moved = 0
    for job in (await session.execute(query)).all():
        if await _expire(session, job, now):
            moved += 1
    return moved


async def _expire(session: AsyncSession, job: Row[Any], now: datetime) -> bool:
    out_of_attempts = job.attempt >= job.max_attempts
    values: dict[str, Any]
    if out_of_attempts:
        values = {
            "status": AddinJobStatus.FAILED,
            "failure_reason": FailureReason.TIMED_OUT,
            "lease_expires_at": None,
            "message": f"No result after {job.attempt} attempt(s); every lease expired.",
            "finished_at": now,
            "updated_at": now,
        }
    else:
        values = {
            **_back_to_queue(now),
            "attempt": job.attempt + 1,
            "message": f"Lease of {job.agent_id} expired; queued again.",
        }
    result = await session.execute(
        update(jobs_table)
        .where(
            jobs_table.c.id == job.id,
            jobs_table.c.status == AddinJobStatus.RUNNING,
            jobs_table.c.lease_token == job.lease_token,
        )
        .values(**values)
        .returning(*jobs_table.c)
    )
    moved = result.first()
    if moved is None:  # the agent completed or released it meanwhile
        return False
    if out_of_attempts:
        await events.moved(
            session=session,
            job=moved,
            badge=GenerationStatus.FAILED,
            history=HistoryType.ADDIN_JOB_FAILED,
            actor=SYSTEM,
            message=moved.message,
            reason=FailureReason.TIMED_OUT.value,
        )
        await events.alert_failure(session=session, job=moved, why="timed out (TIMED_OUT).")
    else:
        await events.moved(
            session=session,
            job=moved,
            badge=GenerationStatus.QUEUED,
            history=HistoryType.ADDIN_JOB_REQUEUED,
            actor=SYSTEM,
            message=f"Lease on generation job {job.id} expired; queued again "
            f"(attempt {moved.attempt} of {moved.max_attempts}).",
        )
    return True

"""Queueing, retrying, cancelling and reading add-in jobs. Callers own the transaction.

Leases (claim, heartbeat, release, expiry) are in ``leases.py``, results in
``results.py``. Every state change is one conditional UPDATE on the job's
current state, so of two callers acting at once exactly one wins and the other
gets ``CONFLICT``; nothing is decided on a value read earlier.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from sqlalchemy import ColumnElement, Row, Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs import events, parameters
from mcms.addin_jobs.models import ACTIVE_STATUSES, AddinJob, AddinJobStatus
from mcms.core.auth import Permission, Principal
from mcms.core.db import utcnow
from mcms.core.errors import Conflict, Forbidden, NotFound
from mcms.core.pagination import Page, PageRequest
from mcms.history.models import HistoryType
from mcms.routings import service as routings
from mcms.routings.models import GenerationStatus, RoutingStatus

jobs_table = cast(Table, AddinJob.__table__)

RETRYABLE = (AddinJobStatus.FAILED, AddinJobStatus.CANCELLED)


async def get_job(*, session: AsyncSession, job_id: int, for_update: bool = False) -> Row[Any]:
    query = select(jobs_table).where(jobs_table.c.id == job_id)
    if for_update:
        query = query.with_for_update()
    row = (await session.execute(query)).first()
    if row is None:
        raise NotFound(f"Add-in job {job_id} does not exist.")
    return row


async def queue_job(
    *,
    session: AsyncSession,
    routing_id: int,
    actor: str,
    max_attempts: int,
    extra_parameters: Mapping[str, str] | None = None,
    retry_of: Row[Any] | None = None,
) -> Row[Any]:
    """Queue a job for an APPROVED routing, with its merged parameter sets (and
    ``extra_parameters`` on top), plus history, event and the routing's badge.

    ``CONFLICT`` if the routing is not approved or already has a queued or
    running job (a partial unique index decides, so racing callers cannot both
    succeed)."""
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    if routing.status != RoutingStatus.APPROVED:
        raise Conflict(f"Routing {routing_id} is {routing.status}; only APPROVED routings run.")
    merged = await parameters.effective_for_routing(session=session, routing_id=routing_id)
    merged.update(extra_parameters or {})
    job = await _insert_job(session, routing_id, actor, merged, max_attempts, retry_of)
    await events.set_generation(session=session, job=job, status=GenerationStatus.QUEUED)
    if retry_of is None:
        await events.record(
            session=session,
            job=job,
            type=HistoryType.ADDIN_JOB_QUEUED,
            actor=actor,
            message=f"Generation job {job.id} queued.",
            parameters=merged,
        )
    else:
        await events.record(
            session=session,
            job=job,
            type=HistoryType.ADDIN_JOB_RETRIED,
            actor=actor,
            message=f"Generation job {retry_of.id} retried as job {job.id}.",
            retryOf=str(retry_of.id),
            parameters=merged,
        )
    await events.job_created(session=session, job=job)
    return job


async def _insert_job(
    session: AsyncSession,
    routing_id: int,
    actor: str,
    merged: dict[str, str],
    max_attempts: int,
    retry_of: Row[Any] | None,
) -> Row[Any]:
    now = utcnow()
    insert = (
        jobs_table.insert()
        .values(
            routing_id=routing_id,
            status=AddinJobStatus.QUEUED,
            parameters=merged,
            attempt=1,
            max_attempts=max_attempts,
            lease_token=0,
            capabilities={},
            progress=0.0,
            outputs=[],
            retry_of_id=retry_of.id if retry_of is not None else None,
            created_by=actor,
            created_at=now,
            queued_at=now,
            updated_at=now,
        )
        .returning(*jobs_table.c)
    )
    try:
        async with session.begin_nested():
            return (await session.execute(insert)).one()
    except IntegrityError as exc:
        raise Conflict(
            f"Routing {routing_id} already has a queued or running generation job."
        ) from exc


def _check_may_manage(actor: Principal, routing: Row[Any]) -> None:
    """Approvers and administrators manage any job; an engineer, their own routing's."""
    if actor.can(Permission.MANAGE_ADDIN_JOBS):
        return
    if actor.can(Permission.EDIT_ROUTING) and routing.owner_id == actor.user_id:
        return
    raise Forbidden("Only the routing's owner, an approver or an administrator may do that.")


async def retry_job(
    *, session: AsyncSession, actor: Principal, job_id: int, max_attempts: int
) -> Row[Any]:
    """A new job for a FAILED or CANCELLED one's routing, without re-approval."""
    job = await get_job(session=session, job_id=job_id)
    routing = await routings.get_routing(session=session, routing_id=job.routing_id)
    _check_may_manage(actor, routing)
    if job.status not in RETRYABLE:
        raise Conflict(f"Job {job_id} is {job.status}; only FAILED or CANCELLED jobs are retried.")
    return await queue_job(
        session=session,
        routing_id=job.routing_id,
        actor=actor.username,
        max_attempts=max_attempts,
        retry_of=job,
    )


async def cancel_job(*, session: AsyncSession, actor: Principal, job_id: int) -> Row[Any]:
    """Cancel a QUEUED or RUNNING job; its agent's next heartbeat gets ``409``."""
    job = await get_job(session=session, job_id=job_id)
    routing = await routings.get_routing(session=session, routing_id=job.routing_id)
    _check_may_manage(actor, routing)
    now = utcnow()
    result = await session.execute(
        update(jobs_table)
        .where(jobs_table.c.id == job_id, jobs_table.c.status.in_(ACTIVE_STATUSES))
        .values(
            status=AddinJobStatus.CANCELLED,
            message=f"Cancelled by {actor.username}.",
            lease_expires_at=None,
            finished_at=now,
            updated_at=now,
        )
        .returning(*jobs_table.c)
    )
    cancelled = result.first()
    if cancelled is None:
        raise Conflict(f"Job {job_id} is {job.status}; only QUEUED or RUNNING jobs are cancelled.")
    await events.moved(
        session=session,
        job=cancelled,
        badge=GenerationStatus.NONE,
        history=HistoryType.ADDIN_JOB_CANCELLED,
        actor=actor.username,
        message=f"Generation job {job_id} cancelled.",
    )
    return cancelled


def _job_filter(routing_id: int | None, status: AddinJobStatus | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if routing_id is not None:
        conditions.append(jobs_table.c.routing_id == routing_id)
    if status is not None:
        conditions.append(jobs_table.c.status == status)
    return conditions


async def search_jobs(
    *,
    session: AsyncSession,
    page: PageRequest,
    routing_id: int | None = None,
    status: AddinJobStatus | None = None,
) -> Page[Row[Any]]:
    """Jobs, newest first."""
    query = (
        select(jobs_table)
        .where(*_job_filter(routing_id, status))
        .order_by(jobs_table.c.id.desc())
        .offset(page.offset)
        .limit(page.limit + 1)
    )
    rows = (await session.execute(query)).all()
    return Page(items=list(rows[: page.limit]), offset=page.offset, has_next=len(rows) > page.limit)


async def count_jobs(
    *, session: AsyncSession, routing_id: int | None = None, status: AddinJobStatus | None = None
) -> int:
    query = select(func.count()).select_from(jobs_table).where(*_job_filter(routing_id, status))
    return int(await session.scalar(query) or 0)


async def jobs_for_routings(*, session: AsyncSession, routing_ids: Sequence[int]) -> list[Row[Any]]:
    """All jobs of the given routings, newest first (one query for a page of routings)."""
    query = (
        select(jobs_table)
        .where(jobs_table.c.routing_id.in_(routing_ids))
        .order_by(jobs_table.c.id.desc())
    )
    return list((await session.execute(query)).all())

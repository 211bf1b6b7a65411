"""What a job's state changes announce: events, history, the routing's badge.

Every function here writes in the caller's transaction, so a state change and
its announcement commit together or not at all.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Row, Table, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import UTCDateTime, utcnow
from mcms.history import service as history
from mcms.history.models import HistoryType
from mcms.live import log
from mcms.live.alerts import AlertSeverity, publish_alert
from mcms.routings.models import GenerationStatus, Routing

JOB_CREATED = "addin.job.created"
JOB_UPDATED = "addin.job.updated"

routings_table = cast(Table, Routing.__table__)


async def job_created(*, session: AsyncSession, job: Row[Any]) -> None:
    await log.publish(
        session=session,
        name=JOB_CREATED,
        routing_id=job.routing_id,
        payload={
            "jobId": str(job.id),
            "routingId": str(job.routing_id),
            "createdAt": job.created_at.isoformat(),
        },
    )


async def job_updated(*, session: AsyncSession, job: Row[Any]) -> None:
    """``addin.job.updated`` with the job's state as ``job`` (the row after the change)."""
    await log.publish(
        session=session,
        name=JOB_UPDATED,
        routing_id=job.routing_id,
        payload={
            "jobId": str(job.id),
            "routingId": str(job.routing_id),
            "status": job.status.value,
            "message": job.message,
            "updatedAt": job.updated_at.isoformat(),
        },
    )


async def record(
    *,
    session: AsyncSession,
    job: Row[Any],
    type: HistoryType,
    actor: str,
    message: str,
    **data: Any,
) -> None:
    """A history entry on the job's routing that names the job."""
    await history.record(
        session=session,
        routing_id=job.routing_id,
        type=type,
        actor=actor,
        message=message,
        data={"jobId": str(job.id), "attempt": job.attempt, **data},
    )


@functools.cache
def _badge_statement(*, generated: bool, bump_cam: bool) -> Update:
    """Built once per kind. The routing's badge follows its newest job only."""
    values: dict[str, Any] = {
        "generation_status": bindparam("p_status"),
        "last_addin_job_id": bindparam("p_job_id"),
        "updated_at": bindparam("p_now", type_=UTCDateTime()),
    }
    if generated:
        values["last_generated_at"] = bindparam("p_now", type_=UTCDateTime())
    if bump_cam:
        values["cam_revision"] = routings_table.c.cam_revision + 1
    newest = routings_table.c.last_addin_job_id
    job_id = bindparam("p_job_id", type_=Integer)
    return (
        update(routings_table)
        .where(
            routings_table.c.id == bindparam("p_routing_id"),
            (newest == job_id) | newest.is_(None) | (newest < job_id),
        )
        .values(**values)
    )


async def set_generation(
    *,
    session: AsyncSession,
    job: Row[Any],
    status: GenerationStatus,
    generated: bool = False,
    bump_cam: bool = False,
    at: datetime | None = None,
) -> None:
    """Move the routing's generation badge, unless a newer job of it has taken over;
    ``generated`` stamps ``lastGeneratedAt``, ``bump_cam`` adds one to ``camRevision``."""
    await session.execute(
        _badge_statement(generated=generated, bump_cam=bump_cam),
        {
            "p_routing_id": job.routing_id,
            "p_job_id": job.id,
            "p_status": status.value,
            "p_now": at or utcnow(),
        },
    )


async def moved(
    *,
    session: AsyncSession,
    job: Row[Any],
    badge: GenerationStatus,
    history: HistoryType,
    actor: str,
    message: str,
    generated: bool = False,
    bump_cam: bool = False,
    **data: Any,
) -> None:
    """A job's state change, announced everywhere at once: the routing's badge,
    the routing's history, and ``addin.job.updated`` (``job`` is the row after it)."""
    await set_generation(
        session=session,
        job=job,
        status=badge,
        generated=generated,
        bump_cam=bump_cam,
        at=job.updated_at,
    )
    await record(session=session, job=job, type=history, actor=actor, message=message, **data)
    await job_updated(session=session, job=job)


async def alert_failure(*, session: AsyncSession, job: Row[Any], why: str) -> None:
    """Tell the routing's owner, the approvers and the administrators."""
    owner_id = await session.scalar(
        select(routings_table.c.owner_id).where(routings_table.c.id == job.routing_id)
    )
    await publish_alert(
        session=session,
        type="ADDIN_JOB_FAILED",
        title=f"Generation failed for routing {job.routing_id}",
        message=f"Add-in job {job.id} failed: {why}",
        severity=AlertSeverity.ERROR,
        audience=(f"user:{owner_id}", "role:APPROVER", "role:ADMIN"),
        routing_id=job.routing_id,
    )

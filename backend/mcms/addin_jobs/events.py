"""What a job's state changes announce: events, history, the routing's badge.

Every function here writes in the caller's transaction, so a state change and
its announcement commit together or not at all.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Row, Table, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import utcnow
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


async def set_generation(
    *, session: AsyncSession, job: Row[Any], status: GenerationStatus, **values: Any
) -> None:
    """Move the routing's generation badge, unless a newer job of it has taken over."""
    await session.execute(
        update(routings_table)
        .where(
            routings_table.c.id == job.routing_id,
            (routings_table.c.last_addin_job_id == job.id)
            | routings_table.c.last_addin_job_id.is_(None)
            | (routings_table.c.last_addin_job_id < job.id),
        )
        .values(
            generation_status=status.value,
            last_addin_job_id=job.id,
            updated_at=utcnow(),
            **values,
        )
    )


async def alert_failure(*, session: AsyncSession, job: Row[Any], owner_id: int, why: str) -> None:
    """Tell the routing's owner, the approvers and the administrators."""
    await publish_alert(
        session=session,
        type="ADDIN_JOB_FAILED",
        title=f"Generation failed for routing {job.routing_id}",
        message=f"Add-in job {job.id} failed: {why}",
        severity=AlertSeverity.ERROR,
        audience=(f"user:{owner_id}", "role:APPROVER", "role:ADMIN"),
        routing_id=job.routing_id,
    )

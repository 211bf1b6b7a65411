"""KPI figures for ``GET /api/metrics/dashboard``: queue depth, jobs by status,
approval lead time."""

from __future__ import annotations

import statistics
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs.models import AddinJobStatus
from mcms.addin_jobs.service import jobs_table
from mcms.core.db import utcnow
from mcms.routings.models import Routing

LEAD_TIME_WINDOW = timedelta(days=30)
LEAD_TIME_SAMPLE = 10_000
"""Newest approvals looked at; plenty for a shop, and bounded whatever the history."""

routings_table = cast(Table, Routing.__table__)


async def dashboard(*, session: AsyncSession) -> dict[str, Any]:
    by_status = await _jobs_by_status(session)
    return {
        "generatedAt": utcnow(),
        "queueDepth": by_status[AddinJobStatus.QUEUED.value],
        "runningJobs": by_status[AddinJobStatus.RUNNING.value],
        "oldestQueuedSeconds": await _oldest_queued_seconds(session),
        "jobsByStatus": by_status,
        "approvalLeadTime": await _approval_lead_time(session),
    }


async def _jobs_by_status(session: AsyncSession) -> dict[str, int]:
    query = select(jobs_table.c.status, func.count()).group_by(jobs_table.c.status)
    counts = {status.value: 0 for status in AddinJobStatus}
    for status, count in (await session.execute(query)).all():
        counts[AddinJobStatus(status).value] = int(count)
    return counts


async def _oldest_queued_seconds(session: AsyncSession) -> float | None:
    query = select(func.min(jobs_table.c.queued_at)).where(
        jobs_table.c.status == AddinJobStatus.QUEUED
    )
    oldest = (await session.execute(query)).scalar()
    if oldest is None:
        return None
    age: float = (utcnow() - oldest).total_seconds()
    return round(age, 3)


async def _approval_lead_time(session: AsyncSession) -> dict[str, Any]:
    """Request for approval → approval, over the routings approved in the window."""
    query = (
        select(routings_table.c.submitted_at, routings_table.c.approved_at)
        .where(
            routings_table.c.approved_at >= utcnow() - LEAD_TIME_WINDOW,
            routings_table.c.submitted_at.is_not(None),
        )
        .order_by(routings_table.c.approved_at.desc())
        .limit(LEAD_TIME_SAMPLE)
    )
    seconds = sorted(
        (row.approved_at - row.submitted_at).total_seconds()
        for row in (await session.execute(query)).all()
    )
    summary: dict[str, Any] = {"windowDays": LEAD_TIME_WINDOW.days, "count": len(seconds)}
    if seconds:
        summary.update(
            averageSeconds=round(statistics.fmean(seconds), 3),
            medianSeconds=round(statistics.median(seconds), 3),
            p95Seconds=round(seconds[min(len(seconds) - 1, int(len(seconds) * 0.95))], 3),
        )
    return summary

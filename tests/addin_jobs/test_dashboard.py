"""``GET /api/metrics/dashboard``: queue depth, jobs by status, approval lead time."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
from sqlalchemy import update

from mcms.core.auth import Role
from mcms.core.db import utcnow
from mcms.routings.service import routings_table
from tests.addin_jobs.support import (
    claimed,
    complete,
    completion,
    json_of,
    queued_job,
    routing_row,
)
from tests.factories import Factory

STATUSES = {"QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"}


async def set_submitted_at(
    factory: Factory, routing_id: str, submitted_at: datetime, approved_at: datetime | None = None
) -> None:
    """Move a routing's approval request (and approval) into the past."""
    values = {"submitted_at": submitted_at}
    if approved_at is not None:
        values["approved_at"] = approved_at
    async with factory.db.unit_of_work() as session:
        await session.execute(
            update(routings_table).where(routings_table.c.id == int(routing_id)).values(**values)
        )


async def test_an_empty_dashboard(factory: Factory, client: httpx.AsyncClient) -> None:
    auditor = await factory.user(Role.AUDITOR)

    body = json_of(await client.get("/api/metrics/dashboard", headers=auditor.headers))

    assert body["queueDepth"] == 0
    assert body["oldestQueuedSeconds"] is None
    assert body["jobsByStatus"] == dict.fromkeys(STATUSES, 0)
    assert body["approvalLeadTime"] == {"windowDays": 30, "count": 0}


async def test_the_dashboard_counts_jobs_and_approval_lead_time(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given four approved routings: one job completed, one running, two queued
    engineer = await factory.user(Role.ENGINEER)
    agent = await factory.user(Role.AGENT)
    jobs = [await queued_job(factory, owner=engineer) for _ in range(4)]
    done = await claimed(client, agent)
    json_of(await complete(client, agent, done["jobId"], completion(done["leaseToken"])))
    await claimed(client, agent)
    # and their approvals came 1, 2, 3 and 4 hours after their requests
    for hours, job in enumerate(jobs, start=1):
        approved_at = (await routing_row(factory.db, job.routing_id)).approved_at
        await set_submitted_at(factory, job.routing_id, approved_at - timedelta(hours=hours))

    # when someone looks at the dashboard
    body = json_of(await client.get("/api/metrics/dashboard", headers=engineer.headers))

    # then it shows the queue and the lead time
    assert (body["queueDepth"], body["runningJobs"]) == (2, 1)
    assert body["jobsByStatus"] == {
        "QUEUED": 2,
        "RUNNING": 1,
        "COMPLETED": 1,
        "FAILED": 0,
        "CANCELLED": 0,
    }
    assert 0 <= body["oldestQueuedSeconds"] < 60
    lead = body["approvalLeadTime"]
    assert lead["count"] == 4
    assert abs(lead["averageSeconds"] - 2.5 * 3600) < 1
    assert abs(lead["medianSeconds"] - 2.5 * 3600) < 1
    assert abs(lead["p95Seconds"] - 4 * 3600) < 1


async def test_old_approvals_fall_out_of_the_window(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an approval from two months ago
    engineer = await factory.user(Role.ENGINEER)
    job = await queued_job(factory, owner=engineer)
    long_ago = utcnow() - timedelta(days=60)
    await set_submitted_at(factory, job.routing_id, long_ago - timedelta(hours=1), long_ago)

    body = json_of(await client.get("/api/metrics/dashboard", headers=engineer.headers))

    assert body["approvalLeadTime"]["count"] == 0
    assert body["queueDepth"] == 1

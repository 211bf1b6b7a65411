"""Many agents claiming at once, on the real SQLite file and the real PostgreSQL:
every job handed out exactly once, completed exactly once, and never a
"database is locked" (or any other error)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any, cast

from sqlalchemy import Row, Table, func, select

from mcms.addin_jobs import leases, results
from mcms.addin_jobs.leases import Holder
from mcms.addin_jobs.models import AddinJobStatus, ResultStatus
from mcms.addin_jobs.service import jobs_table
from mcms.core.auth import Role
from mcms.core.db import Database, utcnow
from mcms.history.models import HistoryEntry
from mcms.items.models import Item, Revision
from mcms.routings.models import Routing, RoutingStatus
from mcms.users import service as users

JOBS = 500
CLAIMERS = 8
OUTPUT = {"name": "O1.nc", "size": 10, "sha256": "c" * 64}

items_table = cast(Table, Item.__table__)
revisions_table = cast(Table, Revision.__table__)
routings_table = cast(Table, Routing.__table__)


async def seed_queue(db: Database, count: int) -> list[int]:
    """``count`` approved routings, each with a queued job (bulk inserts, not
    1,500 API calls); returns the job ids."""
    now = utcnow()
    async with db.unit_of_work() as session:
        owner = await users.create_user(session=session, username="bulk-owner", role=Role.ENGINEER)
        item_id = (
            await session.execute(
                items_table.insert()
                .values(item_code="BULK", name="Bulk", created_by_id=owner.id, created_at=now)
                .returning(items_table.c.id)
            )
        ).scalar_one()
        revision_id = (
            await session.execute(
                revisions_table.insert()
                .values(item_id=item_id, code="A", created_by_id=owner.id, created_at=now)
                .returning(revisions_table.c.id)
            )
        ).scalar_one()
        routing_rows = [
            {
                "revision_id": revision_id,
                "code": f"OP-{n}",
                "title": "Mill",
                "owner_id": owner.id,
                "status": RoutingStatus.APPROVED,
                "submitted_at": now,
                "approved_at": now,
                "created_at": now,
                "updated_at": now,
            }
            for n in range(count)
        ]
        routing_ids = (
            (
                await session.execute(
                    routings_table.insert().returning(routings_table.c.id), routing_rows
                )
            )
            .scalars()
            .all()
        )
        job_rows = [
            {
                "routing_id": routing_id,
                "status": AddinJobStatus.QUEUED,
                "created_by": "bulk",
                "created_at": now,
                "queued_at": now,
                "updated_at": now,
            }
            for routing_id in routing_ids
        ]
        job_ids = (
            (await session.execute(jobs_table.insert().returning(jobs_table.c.id), job_rows))
            .scalars()
            .all()
        )
    return list(job_ids)


async def agent_holders(db: Database, count: int) -> list[Holder]:
    async with db.unit_of_work() as session:
        agents = [
            await users.create_user(session=session, username=f"agent-{n}", role=Role.AGENT)
            for n in range(count)
        ]
    return [
        Holder(user_id=a.id, username=a.username, agent_id=f"ws-{n}") for n, a in enumerate(agents)
    ]


async def claim_one(db: Database, holder: Holder) -> Row[Any] | None:
    async with db.unit_of_work() as session:
        return await leases.claim(session=session, holder=holder, lease_seconds=300)


async def complete_one(db: Database, holder: Holder, job: Row[Any]) -> None:
    result = results.JobResult(
        status=ResultStatus.COMPLETED, message="ok", outputs=[OUTPUT], lease_token=job.lease_token
    )
    async with db.unit_of_work() as session:
        _, changed = await results.complete(
            session=session, holder=holder, job_id=job.id, result=result
        )
    assert changed


async def run_claimers(
    db: Database,
    holders: list[Holder],
    after_claim: Callable[[Holder, Row[Any]], Awaitable[None]] | None = None,
) -> list[list[int]]:
    """Each holder claims (and maybe finishes) until the queue is empty; returns
    the ids each one got. Any exception fails the test."""

    async def claimer(holder: Holder) -> list[int]:
        got: list[int] = []
        while (job := await claim_one(db, holder)) is not None:
            got.append(job.id)
            if after_claim is not None:
                await after_claim(holder, job)
        return got

    return await asyncio.gather(*(claimer(holder) for holder in holders))


async def count_history(db: Database, type: str) -> Counter[int]:
    query = select(HistoryEntry.routing_id).where(HistoryEntry.type == type)
    async with db.read_session() as session:
        return Counter(await session.scalars(query))


async def statuses(db: Database) -> Counter[str]:
    query = select(jobs_table.c.status, func.count()).group_by(jobs_table.c.status)
    async with db.read_session() as session:
        return Counter({str(s): int(n) for s, n in (await session.execute(query)).all()})


async def test_eight_claimers_take_every_job_exactly_once(db: Database) -> None:
    # given 500 queued jobs and eight agents
    job_ids = await seed_queue(db, JOBS)
    holders = await agent_holders(db, CLAIMERS)

    # when all eight claim at once until the queue is empty
    claimed = await run_claimers(db, holders)

    # then every job was handed out once, and to one claimer only
    everything = [job_id for got in claimed for job_id in got]
    assert len(everything) == len(set(everything))
    assert sorted(everything) == sorted(job_ids)
    assert sum(1 for got in claimed if got) > 1  # they really raced
    assert await statuses(db) == Counter({"RUNNING": JOBS})
    claims = await count_history(db, "ADDIN_JOB_CLAIMED")
    assert len(claims) == JOBS
    assert set(claims.values()) == {1}
    async with db.read_session() as session:
        tokens = set(await session.scalars(select(jobs_table.c.lease_token)))
    assert tokens == {1}


async def test_eight_claimers_complete_every_job_exactly_once(db: Database) -> None:
    # given 500 queued jobs and eight agents
    job_ids = await seed_queue(db, JOBS)
    holders = await agent_holders(db, CLAIMERS)

    # when all eight claim and complete at once until the queue is empty
    claimed = await run_claimers(db, holders, lambda h, job: complete_one(db, h, job))

    # then every job was completed, once
    everything = [job_id for got in claimed for job_id in got]
    assert sorted(everything) == sorted(job_ids)
    assert await statuses(db) == Counter({"COMPLETED": JOBS})
    completions = await count_history(db, "ADDIN_JOB_COMPLETED")
    assert len(completions) == JOBS
    assert set(completions.values()) == {1}
    async with db.read_session() as session:
        cam_revisions = Counter(await session.scalars(select(routings_table.c.cam_revision)))
    assert cam_revisions == Counter({1: JOBS})

"""Leases: heartbeats extend them, expiry returns the job to the queue with
``attempt + 1``, and past ``maxAttempts`` the job fails as ``TIMED_OUT``. A
holder that lost its lease is refused with ``409`` (fencing token)."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import httpx

from mcms.addin_jobs import leases
from mcms.core.auth import Role
from mcms.core.db import Database, utcnow
from tests.addin_jobs.support import (
    ALERT,
    assert_problem,
    claim,
    claimed,
    complete,
    completion,
    events_named,
    heartbeat,
    history_of,
    holder_of,
    job_row,
    job_updates,
    json_of,
    queued_job,
    routing_row,
    seconds_from_now,
)
from tests.factories import Factory

CANCEL = """
mutation Cancel($id: ID!) { cancelAddinJob(id: $id) { id status } }
"""


async def sweep_later(db: Database, minutes: float = 10) -> int:
    """The worker's expiry sweep, as it would run ``minutes`` from now."""
    async with db.unit_of_work() as session:
        return await leases.sweep_expired(
            session=session, now=utcnow() + timedelta(minutes=minutes)
        )


async def test_heartbeat_extends_the_lease_and_records_progress(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an agent holding a job
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    await asyncio.sleep(0.05)

    # when it heartbeats with its progress
    body = {"leaseToken": job["leaseToken"], "progress": 42.5, "message": "Roughing"}
    answer = json_of(await heartbeat(client, agent, queued.job_id, body))

    # then its lease runs a full length from now, and the progress is recorded and announced
    assert answer["jobId"] == queued.job_id
    assert answer["leaseExpiresAt"] > job["leaseExpiresAt"]
    assert 295 < seconds_from_now(answer["leaseExpiresAt"]) <= 300
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.progress, row.message) == ("RUNNING", 42.5, "Roughing")
    [update] = [
        e
        for e in await job_updates(factory.db, queued.job_id)
        if e.payload["message"] == "Roughing"
    ]
    assert update.payload["status"] == "RUNNING"


async def test_heartbeat_with_a_stale_token_is_409_and_changes_nothing(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an agent holding a job with lease token 1
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)

    # when a heartbeat carries another token, or comes from another agent account
    stale = await heartbeat(client, agent, queued.job_id, {"leaseToken": "7", "progress": 50})
    other = await factory.user(Role.AGENT)
    foreign = await heartbeat(
        client, other, queued.job_id, {"leaseToken": job["leaseToken"], "progress": 50}
    )

    # then both are refused and the job is untouched
    assert_problem(stale, 409, "CONFLICT")
    assert_problem(foreign, 409, "CONFLICT")
    row = await job_row(factory.db, queued.job_id)
    assert (row.progress, row.lease_expires_at.isoformat()[:19]) == (
        0.0,
        job["leaseExpiresAt"][:19],
    )


async def test_heartbeat_after_cancel_is_409(factory: Factory, client: httpx.AsyncClient) -> None:
    # given an agent holding a job that the routing's owner then cancels
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    await factory.ok(CANCEL, {"id": queued.job_id}, as_=queued.owner)

    # when the agent heartbeats
    response = await heartbeat(client, agent, queued.job_id, {"leaseToken": job["leaseToken"]})

    # then it learns it must stop
    assert_problem(response, 409, "CONFLICT")
    assert (await job_row(factory.db, queued.job_id)).status == "CANCELLED"


async def test_an_expired_lease_returns_the_job_and_fences_the_old_holder(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an agent whose lease on a job ran out
    queued = await queued_job(factory)
    old, new = await factory.user(Role.AGENT), await factory.user(Role.AGENT)
    lost = await claimed(client, old, agent_id="slow")

    # when the sweep runs
    moved = await sweep_later(factory.db)

    # then the job is queued again for its second attempt
    assert moved == 1
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.attempt, row.agent_id, row.lease_expires_at) == (
        "QUEUED",
        2,
        None,
        None,
    )
    assert (await routing_row(factory.db, queued.routing_id)).generation_status == "QUEUED"
    requeued = (await history_of(factory.db, queued.routing_id))[-1]
    assert (requeued.type, requeued.actor, requeued.data["attempt"]) == (
        "ADDIN_JOB_REQUEUED",
        "system",
        2,
    )
    # and a new claim gets it with a bigger fencing token
    again = await claimed(client, new, agent_id="fast")
    assert again["jobId"] == queued.job_id
    assert int(again["leaseToken"]) > int(lost["leaseToken"])
    assert again["attempt"] == 2
    # and the old holder is refused, whatever it sends
    token = lost["leaseToken"]
    assert_problem(
        await heartbeat(client, old, queued.job_id, {"leaseToken": token}), 409, "CONFLICT"
    )
    assert_problem(await complete(client, old, queued.job_id, completion(token)), 409, "CONFLICT")
    assert (await job_row(factory.db, queued.job_id)).status == "RUNNING"
    # while the new holder completes it
    done = json_of(await complete(client, new, queued.job_id, completion(again["leaseToken"])))
    assert done["status"] == "COMPLETED"


async def test_a_job_back_in_the_queue_wakes_a_waiting_claimer(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job held by an agent, and another agent long-polling an empty queue
    queued = await queued_job(factory)
    await claimed(client, await factory.user(Role.AGENT))
    waiting = asyncio.create_task(claim(client, await factory.user(Role.AGENT), wait="10"))
    await asyncio.sleep(0.3)

    # when the first agent's lease is swept
    swept_at = time.monotonic()
    await sweep_later(factory.db)

    # then the waiting agent gets the job at once
    job = json_of(await waiting)
    assert time.monotonic() - swept_at < 0.5
    assert (job["jobId"], job["attempt"]) == (queued.job_id, 2)


async def test_an_old_holder_of_the_same_account_is_fenced_too(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given two workstations sharing one AGENT account; the first lost its lease
    # and the second claimed the job again
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    lost = await claimed(client, agent, agent_id="ws-1")
    await sweep_later(factory.db)
    again = await claimed(client, agent, agent_id="ws-2")

    # when the first reports, with its old token
    token = lost["leaseToken"]
    beat = await heartbeat(client, agent, queued.job_id, {"leaseToken": token, "progress": 99})
    result = await complete(client, agent, queued.job_id, completion(token))

    # then the token alone tells them apart
    assert_problem(beat, 409, "CONFLICT")
    assert_problem(result, 409, "CONFLICT")
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.agent_id, row.progress) == ("RUNNING", "ws-2", 0.0)
    assert str(row.lease_token) == again["leaseToken"]


async def test_a_lease_that_has_not_expired_is_left_alone(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a held job
    queued = await queued_job(factory)
    await claimed(client, await factory.user(Role.AGENT))

    # when the sweep runs now (the lease has minutes left)
    moved = await sweep_later(factory.db, minutes=0)

    # then the job stays with its holder
    assert moved == 0
    assert (await job_row(factory.db, queued.job_id)).status == "RUNNING"


async def test_past_max_attempts_the_job_fails_as_timed_out_and_alerts(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job whose every lease runs out
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    for _ in range(3):
        await claimed(client, agent)
        assert await sweep_later(factory.db) == 1

    # then after the third attempt it failed for good
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.failure_reason, row.attempt) == ("FAILED", "TIMED_OUT", 3)
    routing = await routing_row(factory.db, queued.routing_id)
    assert (routing.status, routing.generation_status) == ("APPROVED", "FAILED")
    types = [e.type for e in await history_of(factory.db, queued.routing_id)]
    assert types.count("ADDIN_JOB_REQUEUED") == 2
    assert types[-1] == "ADDIN_JOB_FAILED"
    assert len(await job_updates(factory.db, queued.job_id, "FAILED")) == 1
    # and the owner, the approvers and the administrators were alerted
    [alert] = await events_named(factory.db, ALERT)
    assert alert.audience is not None
    assert {f"user:{queued.owner.id}", "role:APPROVER", "role:ADMIN"} <= set(alert.audience)
    assert alert.payload["severity"] == "ERROR"
    assert "TIMED_OUT" in alert.payload["message"]
    # and nobody can claim it any more
    assert (await claim(client, agent)).status_code == 204


async def test_release_returns_the_job_without_using_an_attempt(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an agent holding a job
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)

    # when it shuts down and gives the job back
    released = await client.post(
        f"/api/addin/jobs/{queued.job_id}/release",
        json={"leaseToken": job["leaseToken"], "message": "shutting down"},
        headers=agent.headers,
    )

    # then the job is queued again at the same attempt, and its token no longer works
    body = json_of(released)
    assert (body["status"], body["attempt"], body["message"]) == ("QUEUED", 1, "shutting down")
    assert (await history_of(factory.db, queued.routing_id))[-1].type == "ADDIN_JOB_RELEASED"
    assert (await routing_row(factory.db, queued.routing_id)).generation_status == "QUEUED"
    stale = await heartbeat(client, agent, queued.job_id, {"leaseToken": job["leaseToken"]})
    assert_problem(stale, 409, "CONFLICT")
    again = await claimed(client, agent)
    assert (again["jobId"], again["attempt"], again["leaseToken"]) == (queued.job_id, 1, "2")


async def test_the_background_worker_sweeps_expired_leases(factory: Factory, app: object) -> None:
    # given a job claimed with a lease that has already run out
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    async with factory.db.unit_of_work() as session:
        await leases.claim(session=session, holder=holder_of(agent), lease_seconds=0)
    worker = app.state.worker  # type: ignore[attr-defined]

    # when the server's worker runs
    worker.start()
    try:
        for _ in range(100):
            if (await job_row(factory.db, queued.job_id)).status == "QUEUED":
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()

    # then it returned the job to the queue
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.attempt) == ("QUEUED", 2)

"""Claiming jobs: the leased claim with long-polling, and the legacy poll."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import select

from mcms.addin_jobs import leases, service
from mcms.addin_jobs.leases import Holder
from mcms.addin_jobs.models import AddinJobStatus
from mcms.core.auth import Role
from mcms.routings.service import routings_table
from tests.addin_jobs.support import (
    claim,
    claimed,
    history_of,
    job_row,
    job_updates,
    json_of,
    queued_job,
    routing_row,
    seconds_from_now,
)
from tests.factories import Factory, TestUser

LEGACY_KEYS = {"jobId", "routingId", "status", "createdAt", "parameters"}


def legacy_holder(agent: TestUser) -> Holder:
    return Holder(user_id=agent.id, username=agent.username, agent_id=f"legacy:{agent.username}")


async def legacy_poll(
    client: httpx.AsyncClient, agent: TestUser, agent_id: str | None = None
) -> httpx.Response:
    headers = {**agent.headers, **({"X-Agent-Id": agent_id} if agent_id else {})}
    return await client.get("/api/addin/jobs/next", headers=headers)


# --- POST /api/addin/jobs/claim ----------------------------------------------------------


async def test_claim_hands_out_the_job_with_a_lease(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a queued job
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)

    # when an agent claims
    job = await claimed(client, agent, agent_id="ws-7")

    # then it holds the job, with a lease of the configured five minutes
    assert (job["jobId"], job["routingId"]) == (queued.job_id, queued.routing_id)
    assert (job["status"], job["attempt"], job["agentId"]) == ("RUNNING", 1, "ws-7")
    assert job["leaseToken"] == "1"
    assert 290 < seconds_from_now(job["leaseExpiresAt"]) <= 300
    row = await job_row(factory.db, queued.job_id)
    assert (row.holder_user_id, row.capabilities) == (agent.id, {"esprit": "2024.1"})
    # and the routing, the history and the event log follow
    assert (await routing_row(factory.db, queued.routing_id)).generation_status == "RUNNING"
    claim_entry = (await history_of(factory.db, queued.routing_id))[-1]
    assert (claim_entry.type, claim_entry.actor) == ("ADDIN_JOB_CLAIMED", agent.username)
    assert claim_entry.data["agentId"] == "ws-7"
    assert len(await job_updates(factory.db, queued.job_id, "RUNNING")) == 1


async def test_claims_take_the_oldest_job_and_never_the_same_one(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given two queued jobs
    first, second = await queued_job(factory), await queued_job(factory)
    agents = [await factory.user(Role.AGENT), await factory.user(Role.AGENT)]

    # when two agents claim, then a third time
    jobs = [await claimed(client, agent) for agent in agents]
    third = await claim(client, agents[0])

    # then each got its own, oldest first, and nothing is left
    assert [j["jobId"] for j in jobs] == [first.job_id, second.job_id]
    assert third.status_code == 204


async def test_claim_with_nothing_queued_is_204(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    agent = await factory.user(Role.AGENT)

    response = await claim(client, agent)

    assert response.status_code == 204
    assert response.content == b""


async def test_claim_waits_as_long_as_asked_then_204(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an empty queue
    agent = await factory.user(Role.AGENT)

    # when an agent long-polls for a second
    started = time.monotonic()
    response = await claim(client, agent, wait="1")
    elapsed = time.monotonic() - started

    # then it got 204 after about that second
    assert response.status_code == 204
    assert 0.9 <= elapsed < 3


async def test_a_job_queued_during_a_long_poll_is_handed_out_at_once(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an agent long-polling an empty queue for ten seconds
    agent = await factory.user(Role.AGENT)
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    pending = await factory.pending_routing(engineer)
    poll = asyncio.create_task(claim(client, agent, wait="10"))
    await asyncio.sleep(0.5)
    assert not poll.done()

    # when a routing is approved meanwhile
    approved_at = time.monotonic()
    await factory.ok(
        "mutation A($id: ID!) { approveRouting(id: $id) { id } }",
        {"id": pending["id"]},
        as_=approver,
    )
    response = await poll

    # then the waiting agent is woken at once, not at its next look at the queue
    assert time.monotonic() - approved_at < 0.5
    assert json_of(response)["routingId"] == pending["id"]


# --- GET /api/addin/jobs/next (the legacy add-in) ----------------------------------------------


async def test_legacy_poll_hands_out_a_job_with_a_long_lease(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a queued job
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)

    # when the legacy add-in polls
    job = json_of(await legacy_poll(client, agent))

    # then it gets the job in the old shape, held for half an hour
    assert set(job) >= LEGACY_KEYS
    assert (job["jobId"], job["routingId"], job["status"]) == (
        queued.job_id,
        queued.routing_id,
        "RUNNING",
    )
    assert job["parameters"] == {}
    assert job["createdAt"].endswith("Z")
    assert 1790 < seconds_from_now(job["leaseExpiresAt"]) <= 1800
    assert job["agentId"] == f"legacy:{agent.username}"


async def test_legacy_re_poll_returns_the_job_it_already_holds(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a legacy add-in holding a job, and another job queued after it
    held = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    first = json_of(await legacy_poll(client, agent))
    other = await queued_job(factory)

    # when it polls again (say after a restart)
    again = json_of(await legacy_poll(client, agent))

    # then it gets the same job, claimed once, and the other job stays queued for others
    assert first["jobId"] == again["jobId"] == held.job_id
    assert again["leaseToken"] == first["leaseToken"]
    assert again["leaseExpiresAt"] >= first["leaseExpiresAt"]
    types = [e.type for e in await history_of(factory.db, held.routing_id)]
    assert types.count("ADDIN_JOB_CLAIMED") == 1
    assert (await job_row(factory.db, other.job_id)).status == "QUEUED"
    another = await factory.user(Role.AGENT)
    assert json_of(await legacy_poll(client, another))["jobId"] == other.job_id


async def test_two_legacy_polls_at_once_hold_one_job(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given two queued jobs, and a writer that holds up the first job's routing
    first, _ = await queued_job(factory), await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    async with factory.db.unit_of_work() as session:
        await session.execute(
            select(routings_table.c.id)
            .where(routings_table.c.id == int(first.routing_id))
            .with_for_update()
        )

        # when the add-in polls, and polls again (a retry) while the first poll is stuck
        polls = [asyncio.create_task(legacy_poll(client, agent))]
        await asyncio.sleep(0.3)
        polls.append(asyncio.create_task(legacy_poll(client, agent)))
        await asyncio.sleep(0.3)
    answers = [json_of(await poll) for poll in polls]

    # then both answer with the same job: one add-in never holds two
    assert [a["jobId"] for a in answers] == [first.job_id, first.job_id]
    async with factory.db.read_session() as session:
        running = await service.count_jobs(session=session, status=AddinJobStatus.RUNNING)
    assert running == 1


async def test_a_re_poll_racing_a_completion_claims_afresh(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a legacy add-in's job, read as held just before its completion landed
    queued, other = await queued_job(factory), await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    json_of(await legacy_poll(client, agent))
    async with factory.db.read_session() as session:
        held = await leases.held_by(session=session, holder=legacy_holder(agent))
    assert held is not None
    result = {"resultStatus": "completed", "message": "ok"}
    json_of(
        await client.post(
            f"/api/addin/jobs/{queued.job_id}/complete", json=result, headers=agent.headers
        )
    )

    # when the re-poll extends the lease of what it read
    async with factory.db.unit_of_work() as session:
        extended = await leases.extend_legacy_lease(session=session, job=held, lease_seconds=1800)

    # then nothing is extended: the finished job keeps no lease, and the next poll gets new work
    assert extended is None
    assert (await job_row(factory.db, queued.job_id)).lease_expires_at is None
    assert json_of(await legacy_poll(client, agent))["jobId"] == other.job_id


async def test_legacy_poll_with_nothing_to_do_is_204(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    agent = await factory.user(Role.AGENT)

    response = await legacy_poll(client, agent)

    assert response.status_code == 204
    assert response.content == b""


async def test_legacy_poll_does_not_hand_back_a_finished_job(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a legacy add-in that completed its job
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    await legacy_poll(client, agent)
    done = await client.post(
        f"/api/addin/jobs/{queued.job_id}/complete",
        json={"resultStatus": "completed", "message": "ok"},
        headers=agent.headers,
    )
    assert done.status_code == 200, done.text

    # when it polls again
    response = await legacy_poll(client, agent)

    # then there is nothing for it, and the finished job kept no lease
    assert response.status_code == 204
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.lease_expires_at) == ("COMPLETED", None)

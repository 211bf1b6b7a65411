"""Add-in jobs end to end, with real processes: a real ``mcms serve`` on the real
SQLite file or the real PostgreSQL, real ``mcms addin-agent`` processes, and a
small Python script standing in for ESPRIT. Processes are killed with SIGKILL
where the issue says "crash", and leases are short (5 s) so that expiry is
seen in seconds.

Every wait is a poll with a deadline; nothing sleeps a fixed time hoping that
something happened meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from mcms.core.db import Database
from tests.addin_jobs.processes import (
    LEASE_SECONDS,
    NC_OUTPUT,
    NC_PROGRAM,
    WAIT,
    Lab,
    Server,
    alive,
    finished,
    history,
    history_types,
    job_types,
    marker,
    open_lab,
    open_shop,
    started,
)
from tests.factories import TestUser

pytestmark = pytest.mark.slow


@pytest.fixture
def lab(tmp_path: Path, database_url: str, db: Database) -> Iterator[Lab]:
    with open_lab(tmp_path, database_url, db) as lab:
        yield lab


JOB_UPDATES = """
subscription Jobs($routingId: ID, $since: String) {
  addinJobUpdated(routingId: $routingId, since: $since) {
    eventId jobId routingId status message updatedAt
  }
}
"""


# -- a. the whole loop -----------------------------------------------------------------


async def _newest_event(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(text("SELECT coalesce(max(id), 0) FROM events")) or 0)


@asynccontextmanager
async def _job_updates(
    server: Server, user: TestUser, routing_id: str, since: int
) -> AsyncIterator[ClientConnection]:
    """``addinJobUpdated(routingId)`` over graphql-transport-ws. ``since`` (the newest
    event when it opens) closes the race between subscribing and what follows."""
    url = server.url.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        assert ack["type"] == "connection_ack", ack
        variables = {"routingId": routing_id, "since": str(since)}
        payload = {"query": JOB_UPDATES, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        yield ws


async def _updates_until_finished(ws: ClientConnection) -> list[tuple[float, dict[str, Any]]]:
    """``(time.monotonic() on arrival, update)`` until the job finishes."""
    updates: list[tuple[float, dict[str, Any]]] = []
    deadline = time.monotonic() + WAIT
    while not updates or updates[-1][1]["status"] not in ("COMPLETED", "FAILED"):
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no final job update; got {updates}")
        message = json.loads(await asyncio.wait_for(ws.recv(), left))
        assert message["type"] == "next", message
        updates.append((time.monotonic(), message["payload"]["data"]["addinJobUpdated"]))
    return updates


async def test_an_approved_routing_is_generated_by_a_long_polling_agent(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given an agent already long-polling, and a subscriber to the routing's jobs
        routing_id = await shop.pending_routing()
        agent = lab.agent(server, shop.agent.token, "ws1", "ok 3", "--once", "--wait", "30")
        await agent.logged("polling")
        since = await _newest_event(lab.db)
        async with _job_updates(server, shop.engineer, routing_id, since) as ws:
            # When the routing is approved
            approved_at = time.monotonic()
            await shop.approve(routing_id)
            arrivals = await _updates_until_finished(ws)

        # Then the agent ran the generator once and reported its output
        assert await agent.exit_code() == 0, agent.log_text()
        routing = await shop.routing(routing_id)
        job = await shop.job(routing_id)
        assert routing["status"] == "APPROVED"
        assert routing["generationStatus"] == "SUCCEEDED"
        assert routing["camRevision"] == 1
        assert routing["lastGeneratedAt"] == job["finishedAt"]
        assert job["status"] == "COMPLETED"
        assert (job["attempt"], job["agentId"], job["progress"]) == (1, "ws1", 100.0)
        assert job["message"] == "Generated O1234.nc"  # the generator's last line
        assert job["outputs"] == [NC_OUTPUT]
        assert job_types(routing) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_COMPLETED",
            "CAM_REVISION_BUMPED",
        ]
        [completed] = [e for e in history(routing) if e["type"] == "ADDIN_JOB_COMPLETED"]
        assert completed["actor"] == shop.agent.username
        [reported] = completed["data"]["outputs"]
        assert {key: reported[key] for key in NC_OUTPUT} == NC_OUTPUT
        # and the output it uploaded through tus is the routing's file, byte for byte
        stored = await shop.output_file(job["id"])
        assert (stored["logicalName"], stored["addinJobId"]) == ("O1234.nc", job["id"])
        assert await shop.download(stored["downloadUrl"]) == NC_PROGRAM
        assert history_types(await shop.routing(routing_id)).count("FILE_UPLOADED") == 1
        [bumped] = [e for e in history(routing) if e["type"] == "CAM_REVISION_BUMPED"]
        assert bumped["data"]["camRevision"] == 1

        # and the subscriber saw it claimed at once (the poll did not wait out its 30 s),
        # run with the generator's progress, and complete
        assert arrivals[0][0] - approved_at < 10
        updates = [update for _, update in arrivals]
        statuses = [update["status"] for update in updates]
        assert statuses[0] == "RUNNING"
        assert set(statuses[:-1]) == {"RUNNING"}
        assert statuses[-1] == "COMPLETED"
        assert "half" in [update["message"] for update in updates[:-1]]
        assert {update["routingId"] for update in updates} == {routing_id}
        event_ids = [int(update["eventId"]) for update in updates]
        assert event_ids == sorted(set(event_ids))


# -- b. an agent crashes mid-lease ---------------------------------------------------------


async def test_a_job_whose_agent_was_killed_is_completed_by_another(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given two queued jobs, the first held by an agent that then crashes with
        # its workstation (the agent and its generator are SIGKILLed)
        lost_id = await shop.approved_routing()
        other_id = await shop.approved_routing()
        doomed = lab.agent(server, shop.agent.token, "doomed", "hang 120", "--once")
        lost_job = await shop.job_when(lost_id, "the first agent's claim", status="RUNNING")
        pid = int(await marker(started(lab, lost_job)))
        doomed.process.kill()
        os.kill(pid, signal.SIGKILL)
        assert await doomed.exit_code() == -signal.SIGKILL

        # When another agent polls for jobs
        rescuer = lab.agent(server, shop.agent.token, "rescuer", "ok 0", "--max-jobs", "2")

        # Then it does the queued job at once and the lost one when its lease expires
        assert await rescuer.exit_code(WAIT + LEASE_SECONDS) == 0, rescuer.log_text()
        for routing_id in (lost_id, other_id):
            routing = await shop.routing(routing_id)
            assert routing["generationStatus"] == "SUCCEEDED"
            assert routing["camRevision"] == 1
            assert history_types(routing).count("ADDIN_JOB_COMPLETED") == 1
        job = await shop.job(lost_id)
        assert (job["status"], job["attempt"], job["agentId"]) == ("COMPLETED", 2, "rescuer")
        assert job_types(await shop.routing(lost_id)) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_REQUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_COMPLETED",
            "CAM_REVISION_BUMPED",
        ]
        other = await shop.job(other_id)
        assert (other["status"], other["attempt"], other["agentId"]) == ("COMPLETED", 1, "rescuer")
        assert not finished(lab, lost_job).exists()  # the first run never finished


# -- c. a long job with heartbeats -----------------------------------------------------


async def test_a_heartbeating_job_is_never_handed_out_twice(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given an agent running a job for 3 leases (and a bit), heartbeating
        routing_id = await shop.approved_routing()
        runner = lab.agent(server, shop.agent.token, "runner", "ok 16", "--once")
        await shop.job_when(routing_id, "the runner's claim", status="RUNNING", agentId="runner")

        # When a second agent polls all the while
        bystander = lab.agent(server, shop.agent.token, "bystander", "ok 0", "--wait", "2")
        assert await runner.exit_code(WAIT + 16) == 0, runner.log_text()

        # Then the job was never handed to it: one claim, one attempt
        assert bystander.process.poll() is None, bystander.log_text()
        bystander.signal(signal.SIGTERM)
        assert await bystander.exit_code() == 0, bystander.log_text()
        assert "claimed job" not in bystander.log_text()
        assert bystander.job_dirs() == []
        job = await shop.job(routing_id)
        assert (job["status"], job["attempt"], job["agentId"]) == ("COMPLETED", 1, "runner")
        assert job_types(await shop.routing(routing_id)) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_COMPLETED",
            "CAM_REVISION_BUMPED",
        ]
        held = _seconds_between(job["claimedAt"], job["finishedAt"])
        assert held > 3 * LEASE_SECONDS, held


def _seconds_between(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


# -- d. the server crashes -------------------------------------------------------------


async def test_a_result_survives_a_server_crash_and_restart(lab: Lab) -> None:
    # A lease longer than the outage: this test is about the agent's retries, not expiry.
    async with lab.server(lease_seconds=60) as server:
        async with open_shop(lab, server) as shop:
            routing_id = await shop.approved_routing()
            agent = lab.agent(server, shop.agent.token, "ws1", "ok 3", "--once")
            job = await shop.job_when(routing_id, "the claim", status="RUNNING")
            await marker(started(lab, job))

        # Given the server crashes while the generator runs, and the generator
        # finishes while the server is down
        await server.kill()
        await marker(finished(lab, job))
        # (the agent is stuck at its first call after the run: uploading the output)
        await agent.logged("creating the upload of O1234.nc failed")

        # When the server comes back on the same database
        await server.start()

        # Then the agent delivers the result: one job, completed once
        assert await agent.exit_code() == 0, agent.log_text()
        async with open_shop(lab, server) as shop:
            routing = await shop.routing(routing_id)
            job = await shop.job(routing_id)
        assert (job["status"], job["attempt"], job["outputs"]) == ("COMPLETED", 1, [NC_OUTPUT])
        assert routing["generationStatus"] == "SUCCEEDED"
        assert routing["camRevision"] == 1
        assert job_types(routing) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_COMPLETED",
            "CAM_REVISION_BUMPED",
        ]


# -- e. the agent is asked to stop -----------------------------------------------------


async def test_sigterm_past_the_grace_period_releases_the_job(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given an agent running a generator that outlasts the grace period
        routing_id = await shop.approved_routing()
        agent = lab.agent(server, shop.agent.token, "ws1", "hang 120", "--grace", "1")
        job = await shop.job_when(routing_id, "the claim", status="RUNNING")
        pid = int(await marker(started(lab, job)))

        # When it is asked to stop
        agent.signal(signal.SIGTERM)

        # Then it stops the generator, hands the job back and exits cleanly
        assert await agent.exit_code() == 0, agent.log_text()
        assert not alive(pid)
        routing = await shop.routing(routing_id)
        job = await shop.job(routing_id)
        assert (job["status"], job["attempt"], job["agentId"]) == ("QUEUED", 1, None)
        assert routing["generationStatus"] == "QUEUED"
        assert job_types(routing) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_RELEASED",
        ]


# -- f. the generator fails ------------------------------------------------------------


async def test_a_failing_generator_fails_the_job_with_its_stderr(lab: Lab) -> None:
    async with lab.server() as server, open_shop(lab, server) as shop:
        # Given an approved routing
        routing_id = await shop.approved_routing()

        # When the generator exits with code 3
        agent = lab.agent(server, shop.agent.token, "ws1", "fail", "--once")
        assert await agent.exit_code() == 0, agent.log_text()

        # Then the job failed with the generator's complaint; the routing stays approved
        routing = await shop.routing(routing_id)
        job = await shop.job(routing_id)
        assert (job["status"], job["failureReason"], job["attempt"]) == (
            "FAILED",
            "ADDIN_FAILED",
            1,
        )
        assert "exited with code 3" in job["message"]
        assert "post-processor: tool T12 is not in the library" in job["message"]
        assert job["outputs"] == []
        assert routing["status"] == "APPROVED"
        assert routing["generationStatus"] == "FAILED"
        assert routing["camRevision"] == 0
        assert job_types(routing) == [
            "ADDIN_JOB_QUEUED",
            "ADDIN_JOB_CLAIMED",
            "ADDIN_JOB_FAILED",
        ]
        failed = history(routing)[-1]
        assert failed["data"]["reason"] == "ADDIN_FAILED"
        assert "tool T12 is not in the library" in failed["message"]

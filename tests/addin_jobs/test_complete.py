"""The completion callback: idempotent, fenced by the lease, one effect however
often (and however concurrently) the same result arrives."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from mcms.core.auth import Role
from tests.addin_jobs.support import (
    ALERT,
    NC_OUTPUT,
    QueuedJob,
    assert_problem,
    claimed,
    complete,
    completion,
    events_named,
    history_of,
    job_row,
    job_updates,
    json_of,
    queued_job,
    routing_row,
)
from tests.factories import Factory, TestUser

COPIES = 5


async def running_job(
    factory: Factory, client: httpx.AsyncClient
) -> tuple[QueuedJob, TestUser, dict[str, Any]]:
    """A job an agent has claimed: the job, the agent and the claim's answer."""
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    assert job["jobId"] == queued.job_id
    return queued, agent, job


async def assert_completed_once(factory: Factory, queued: QueuedJob) -> None:
    types = [e.type for e in await history_of(factory.db, queued.routing_id)]
    assert types.count("ADDIN_JOB_COMPLETED") == 1
    assert types.count("CAM_REVISION_BUMPED") == 1
    routing = await routing_row(factory.db, queued.routing_id)
    assert (routing.cam_revision, routing.generation_status) == (1, "SUCCEEDED")
    assert len(await job_updates(factory.db, queued.job_id, "COMPLETED")) == 1


async def test_the_same_completion_five_times_in_a_row_has_one_effect(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)
    result = completion(job["leaseToken"], outputs=[NC_OUTPUT])

    # when the agent posts its result five times (answers lost on the way)
    answers = [await complete(client, agent, queued.job_id, result) for _ in range(COPIES)]

    # then every answer is the same 200, and the job completed once
    bodies = [json_of(a) for a in answers]
    assert all(b == bodies[0] for b in bodies)
    assert (bodies[0]["status"], bodies[0]["outputs"]) == ("COMPLETED", [NC_OUTPUT])
    await assert_completed_once(factory, queued)


async def test_the_same_completion_five_times_at_once_has_one_effect(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)
    result = completion(job["leaseToken"], outputs=[NC_OUTPUT])

    # when five copies of its result arrive at the same moment
    answers = await asyncio.gather(
        *(complete(client, agent, queued.job_id, result) for _ in range(COPIES))
    )

    # then all are answered 200, and the job completed once
    assert [a.status_code for a in answers] == [200] * COPIES, [a.text for a in answers]
    assert {a.json()["status"] for a in answers} == {"COMPLETED"}
    await assert_completed_once(factory, queued)


@pytest.mark.parametrize(
    "different",
    [
        {"resultStatus": "failed"},
        {"message": "another message"},
        {"outputs": []},
        {"outputs": [NC_OUTPUT, {**NC_OUTPUT, "name": "O5678.nc"}]},
    ],
    ids=["failed", "message", "no-outputs", "more-outputs"],
)
async def test_a_different_result_for_a_finished_job_is_409(
    factory: Factory, client: httpx.AsyncClient, different: dict[str, Any]
) -> None:
    # given a job completed with outputs
    queued, agent, job = await running_job(factory, client)
    first = completion(job["leaseToken"], outputs=[NC_OUTPUT])
    json_of(await complete(client, agent, queued.job_id, first))

    # when a different result arrives for it
    response = await complete(client, agent, queued.job_id, {**first, **different})

    # then it is refused and the first result stands
    assert_problem(response, 409, "CONFLICT")
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.result_message, row.outputs) == ("COMPLETED", "NC written", [NC_OUTPUT])
    await assert_completed_once(factory, queued)


async def test_a_stale_lease_token_is_409(factory: Factory, client: httpx.AsyncClient) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)

    # when a result carries a token the claim never gave
    response = await complete(
        client, agent, queued.job_id, completion(str(int(job["leaseToken"]) + 1))
    )

    # then it is refused and the job still runs
    assert_problem(response, 409, "CONFLICT")
    assert (await job_row(factory.db, queued.job_id)).status == "RUNNING"


async def test_a_replay_from_a_fenced_holder_is_409_even_when_identical(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job whose first holder lost its lease; the second holder completed it
    from tests.addin_jobs.test_leases import sweep_later

    queued, agent, lost = await running_job(factory, client)
    await sweep_later(factory.db)
    other = await factory.user(Role.AGENT)
    again = await claimed(client, other)
    json_of(await complete(client, other, queued.job_id, completion(again["leaseToken"])))

    # when the first holder sends the very same result with its old token
    response = await complete(client, agent, queued.job_id, completion(lost["leaseToken"]))

    # then it is told its lease was lost, not that its result was taken
    assert_problem(response, 409, "CONFLICT")


async def test_legacy_completion_without_a_token_by_the_holder(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job handed out by the legacy poll
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    json_of(await client.get("/api/addin/jobs/next", headers=agent.headers))

    # when the legacy add-in completes it, twice, without a lease token
    result = {"resultStatus": "completed", "message": "done"}
    answers = [await complete(client, agent, queued.job_id, result) for _ in range(2)]

    # then it is completed once
    assert [json_of(a)["status"] for a in answers] == ["COMPLETED", "COMPLETED"]
    types = [e.type for e in await history_of(factory.db, queued.routing_id)]
    assert types.count("ADDIN_JOB_COMPLETED") == 1


async def test_a_completion_from_another_agent_account_is_409(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job held by one agent account
    queued, _, job = await running_job(factory, client)
    other = await factory.user(Role.AGENT)

    # when another account completes it, with or without the holder's token
    without = await complete(client, other, queued.job_id, completion(None))
    with_token = await complete(client, other, queued.job_id, completion(job["leaseToken"]))

    # then both are refused
    assert_problem(without, 409, "CONFLICT")
    assert_problem(with_token, 409, "CONFLICT")
    assert (await job_row(factory.db, queued.job_id)).status == "RUNNING"


async def test_completion_of_a_queued_or_cancelled_job_is_409(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a job cancelled while running, and one that was never claimed
    cancelled, agent, job = await running_job(factory, client)
    never = await queued_job(factory)
    await factory.ok(
        "mutation C($id: ID!) { cancelAddinJob(id: $id) { id } }",
        {"id": cancelled.job_id},
        as_=cancelled.owner,
    )

    # when results arrive for them
    for_queued = await complete(client, agent, never.job_id, completion(None))
    for_cancelled = await complete(client, agent, cancelled.job_id, completion(job["leaseToken"]))

    # then both are refused and nothing changed
    assert_problem(for_queued, 409, "CONFLICT")
    assert_problem(for_cancelled, 409, "CONFLICT")
    assert (await job_row(factory.db, never.job_id)).status == "QUEUED"
    assert (await job_row(factory.db, cancelled.job_id)).status == "CANCELLED"


async def test_completion_of_an_unknown_job_is_404(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    agent = await factory.user(Role.AGENT)

    response = await complete(client, agent, "424242", completion("1"))

    assert_problem(response, 404, "NOT_FOUND")


async def test_a_completion_with_outputs_bumps_the_cam_revision(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)

    # when it completes with an output file
    await complete(client, agent, queued.job_id, completion(job["leaseToken"], outputs=[NC_OUTPUT]))

    # then the routing's CAM revision went up, and says when it was generated
    routing = await routing_row(factory.db, queued.routing_id)
    row = await job_row(factory.db, queued.job_id)
    assert (routing.cam_revision, routing.generation_status) == (1, "SUCCEEDED")
    assert routing.last_generated_at == row.finished_at
    assert routing.status == "APPROVED"
    bumped = (await history_of(factory.db, queued.routing_id))[-1]
    assert (bumped.type, bumped.data["camRevision"]) == ("CAM_REVISION_BUMPED", 1)
    assert (row.progress, row.failure_reason) == (100.0, None)


async def test_a_completion_without_outputs_keeps_the_cam_revision(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)

    # when it completes without producing a file
    json_of(await complete(client, agent, queued.job_id, completion(job["leaseToken"])))

    # then it succeeded, but the CAM revision did not move
    routing = await routing_row(factory.db, queued.routing_id)
    assert (routing.cam_revision, routing.generation_status) == (0, "SUCCEEDED")
    assert routing.last_generated_at is not None
    types = [e.type for e in await history_of(factory.db, queued.routing_id)]
    assert types[-1] == "ADDIN_JOB_COMPLETED"
    assert "CAM_REVISION_BUMPED" not in types


async def test_a_failed_result_fails_the_job_and_alerts(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a running job
    queued, agent, job = await running_job(factory, client)

    # when the add-in reports a failure, twice
    result = completion(job["leaseToken"], status="failed", message="Tool T12 missing")
    answers = [await complete(client, agent, queued.job_id, result) for _ in range(2)]

    # then the job failed once, the routing stays approved with a FAILED badge
    assert [json_of(a)["status"] for a in answers] == ["FAILED", "FAILED"]
    row = await job_row(factory.db, queued.job_id)
    assert (row.failure_reason, row.message) == ("ADDIN_FAILED", "Tool T12 missing")
    routing = await routing_row(factory.db, queued.routing_id)
    assert (routing.status, routing.generation_status, routing.cam_revision) == (
        "APPROVED",
        "FAILED",
        0,
    )
    failed = [
        e for e in await history_of(factory.db, queued.routing_id) if e.type == "ADDIN_JOB_FAILED"
    ]
    assert [(e.actor, e.message) for e in failed] == [(agent.username, "Tool T12 missing")]
    # and the owner and the approvers were alerted once
    [alert] = await events_named(factory.db, ALERT)
    assert alert.audience is not None
    assert {f"user:{queued.owner.id}", "role:APPROVER"} <= set(alert.audience)
    assert "Tool T12 missing" in alert.payload["message"]
    assert alert.routing_id == int(queued.routing_id)


JOB = """
query Job($id: ID!) {
  addinJob(id: $id) {
    id status attempt maxAttempts agentId progress message failureReason leaseExpiresAt
    outputs { name size sha256 } claimedAt finishedAt routing { id camRevision generationStatus }
  }
}
"""


async def test_graphql_shows_the_finished_job(factory: Factory, client: httpx.AsyncClient) -> None:
    # given a job completed with a file larger than 2 GiB
    queued, agent, job = await running_job(factory, client)
    big = {**NC_OUTPUT, "size": 5 * 2**30}
    json_of(
        await complete(client, agent, queued.job_id, completion(job["leaseToken"], outputs=[big]))
    )

    # when an engineer reads it
    found = (await factory.ok(JOB, {"id": queued.job_id}, as_=queued.owner))["addinJob"]

    # then it shows the result and its routing's new CAM revision
    assert (found["status"], found["progress"], found["message"]) == (
        "COMPLETED",
        100.0,
        "NC written",
    )
    assert (found["agentId"], found["failureReason"], found["leaseExpiresAt"]) == (
        "ws-1",
        None,
        None,
    )
    assert found["outputs"] == [big]
    assert found["finishedAt"] is not None
    assert found["routing"] == {
        "id": queued.routing_id,
        "camRevision": 1,
        "generationStatus": "SUCCEEDED",
    }

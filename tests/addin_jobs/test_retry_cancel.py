"""Retrying a FAILED or CANCELLED job and cancelling an active one, over GraphQL
and REST: who may, and one active job per routing."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from mcms.core.auth import Role
from tests.addin_jobs.support import (
    QueuedJob,
    assert_problem,
    claimed,
    complete,
    completion,
    history_of,
    job_row,
    json_of,
    queued_job,
    routing_row,
)
from tests.factories import Factory, TestUser, error_codes

RETRY = """
mutation Retry($id: ID!) { retryAddinJob(id: $id) { id status attempt retryOfId createdBy } }
"""

CANCEL = """
mutation Cancel($id: ID!) { cancelAddinJob(id: $id) { id status message } }
"""

JOBS = """
query Jobs($routingId: ID!) {
  addinJobs(routingId: $routingId) { totalCount edges { node { id status retryOfId } } }
}
"""


async def failed_job(factory: Factory, client: httpx.AsyncClient) -> QueuedJob:
    """A job the add-in reported as failed."""
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    result = completion(job["leaseToken"], status="failed", message="crashed")
    json_of(await complete(client, agent, queued.job_id, result))
    return queued


async def rest_retry(client: httpx.AsyncClient, user: TestUser, job_id: str) -> httpx.Response:
    return await client.post(f"/api/addin/jobs/{job_id}/retry", headers=user.headers)


async def rest_cancel(client: httpx.AsyncClient, user: TestUser, job_id: str) -> httpx.Response:
    return await client.post(f"/api/addin/jobs/{job_id}/cancel", headers=user.headers)


async def test_owner_retries_a_failed_job_over_graphql(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a failed job
    failed = await failed_job(factory, client)

    # when the routing's owner retries it
    retried = (await factory.ok(RETRY, {"id": failed.job_id}, as_=failed.owner))["retryAddinJob"]

    # then a new job is queued that names the one it retries, without re-approval
    assert retried["id"] != failed.job_id
    assert (retried["status"], retried["attempt"], retried["retryOfId"]) == (
        "QUEUED",
        1,
        failed.job_id,
    )
    assert retried["createdBy"] == failed.owner.username
    routing = await routing_row(factory.db, failed.routing_id)
    assert (routing.status, routing.generation_status) == ("APPROVED", "QUEUED")
    assert str(routing.last_addin_job_id) == retried["id"]
    entry = (await history_of(factory.db, failed.routing_id))[-1]
    assert (entry.type, entry.actor, entry.data["retryOf"]) == (
        "ADDIN_JOB_RETRIED",
        failed.owner.username,
        failed.job_id,
    )
    # and the failed job stays as it was
    assert (await job_row(factory.db, failed.job_id)).status == "FAILED"


async def test_approver_retries_over_rest(factory: Factory, client: httpx.AsyncClient) -> None:
    # given a failed job
    failed = await failed_job(factory, client)

    # when an approver retries it over REST
    body = json_of(await rest_retry(client, await factory.user(Role.APPROVER), failed.job_id), 201)

    # then the new job is queued and can be claimed
    assert (body["status"], body["retryOfId"], body["routingId"]) == (
        "QUEUED",
        failed.job_id,
        failed.routing_id,
    )
    job = await claimed(client, await factory.user(Role.AGENT))
    assert job["jobId"] == body["jobId"]


@pytest.mark.parametrize("state", ["QUEUED", "RUNNING", "COMPLETED"])
async def test_only_failed_or_cancelled_jobs_are_retried(
    factory: Factory, client: httpx.AsyncClient, state: str
) -> None:
    # given a job that is queued, running or completed
    queued = await queued_job(factory)
    if state != "QUEUED":
        agent = await factory.user(Role.AGENT)
        job = await claimed(client, agent)
        if state == "COMPLETED":
            json_of(await complete(client, agent, queued.job_id, completion(job["leaseToken"])))

    # when someone retries it
    body = await factory.gql(RETRY, {"id": queued.job_id}, as_=queued.owner)

    # then it is refused, and no job was added
    assert error_codes(body) == ["CONFLICT"]
    jobs = (await factory.ok(JOBS, {"routingId": queued.routing_id}, as_=queued.owner))["addinJobs"]
    assert jobs["totalCount"] == 1


async def test_one_active_job_per_routing(factory: Factory, client: httpx.AsyncClient) -> None:
    # given a failed job, already retried once
    failed = await failed_job(factory, client)
    await factory.ok(RETRY, {"id": failed.job_id}, as_=failed.owner)

    # when it is retried again, over GraphQL and REST
    again = await factory.gql(RETRY, {"id": failed.job_id}, as_=failed.owner)
    over_rest = await rest_retry(client, failed.owner, failed.job_id)

    # then both are refused: the routing already has an active job
    assert error_codes(again) == ["CONFLICT"]
    assert_problem(over_rest, 409, "CONFLICT")
    jobs = (await factory.ok(JOBS, {"routingId": failed.routing_id}, as_=failed.owner))["addinJobs"]
    assert jobs["totalCount"] == 2


async def test_concurrent_retries_queue_one_job(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a failed job
    failed = await failed_job(factory, client)
    approver = await factory.user(Role.APPROVER)

    # when the owner and an approver retry it at the same moment
    results = await asyncio.gather(
        factory.gql(RETRY, {"id": failed.job_id}, as_=failed.owner),
        factory.gql(RETRY, {"id": failed.job_id}, as_=approver),
    )

    # then exactly one new job exists
    assert sorted(str(error_codes(r)) for r in results) == ["['CONFLICT']", "[]"]
    jobs = (await factory.ok(JOBS, {"routingId": failed.routing_id}, as_=approver))["addinJobs"]
    assert jobs["totalCount"] == 2


async def test_a_cancelled_job_can_be_retried(factory: Factory) -> None:
    # given a job cancelled by its owner over GraphQL
    queued = await queued_job(factory)
    cancelled = (await factory.ok(CANCEL, {"id": queued.job_id}, as_=queued.owner))[
        "cancelAddinJob"
    ]
    assert cancelled["status"] == "CANCELLED"

    # when the owner retries it
    retried = (await factory.ok(RETRY, {"id": queued.job_id}, as_=queued.owner))["retryAddinJob"]

    # then a new job is queued
    assert (retried["status"], retried["retryOfId"]) == ("QUEUED", queued.job_id)


async def test_cancel_a_running_job_over_rest(factory: Factory, client: httpx.AsyncClient) -> None:
    # given a running job
    queued = await queued_job(factory)
    await claimed(client, await factory.user(Role.AGENT))
    approver = await factory.user(Role.APPROVER)

    # when an approver cancels it
    body = json_of(await rest_cancel(client, approver, queued.job_id))

    # then it is cancelled, recorded, and the routing has no generation in flight
    assert body["status"] == "CANCELLED"
    assert body["leaseExpiresAt"] is None
    entry = (await history_of(factory.db, queued.routing_id))[-1]
    assert (entry.type, entry.actor) == ("ADDIN_JOB_CANCELLED", approver.username)
    routing = await routing_row(factory.db, queued.routing_id)
    assert routing.generation_status == "NONE"
    # and cancelling it again is a conflict
    assert_problem(await rest_cancel(client, approver, queued.job_id), 409, "CONFLICT")


async def test_a_finished_job_cannot_be_cancelled(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    failed = await failed_job(factory, client)

    body = await factory.gql(CANCEL, {"id": failed.job_id}, as_=failed.owner)

    assert error_codes(body) == ["CONFLICT"]
    assert (await job_row(factory.db, failed.job_id)).status == "FAILED"


@pytest.mark.parametrize("role", [Role.ENGINEER, Role.AUDITOR])
async def test_someone_elses_engineer_or_an_auditor_may_not_retry_or_cancel(
    factory: Factory, client: httpx.AsyncClient, role: Role
) -> None:
    # given a failed job and a queued one, both of another engineer's routings
    failed = await failed_job(factory, client)
    queued = await queued_job(factory)
    stranger = await factory.user(role)

    # when a stranger retries and cancels them, over GraphQL and REST
    answers: list[Any] = [
        error_codes(await factory.gql(RETRY, {"id": failed.job_id}, as_=stranger)),
        error_codes(await factory.gql(CANCEL, {"id": queued.job_id}, as_=stranger)),
    ]
    rest = [
        await rest_retry(client, stranger, failed.job_id),
        await rest_cancel(client, stranger, queued.job_id),
    ]

    # then every attempt is forbidden and nothing changed
    assert answers == [["FORBIDDEN"], ["FORBIDDEN"]]
    for response in rest:
        assert_problem(response, 403, "FORBIDDEN")
    assert (await job_row(factory.db, failed.job_id)).status == "FAILED"
    assert (await job_row(factory.db, queued.job_id)).status == "QUEUED"
    jobs = (await factory.ok(JOBS, {"routingId": failed.routing_id}, as_=stranger))["addinJobs"]
    assert jobs["totalCount"] == 1


async def test_an_agent_may_not_retry_or_cancel(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)

    assert_problem(await rest_cancel(client, agent, queued.job_id), 403, "FORBIDDEN")
    assert error_codes(await factory.gql(CANCEL, {"id": queued.job_id}, as_=agent)) == ["FORBIDDEN"]
    assert (await job_row(factory.db, queued.job_id)).status == "QUEUED"


async def test_retry_or_cancel_of_an_unknown_job_is_not_found(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    admin = await factory.user(Role.ADMIN)

    assert error_codes(await factory.gql(RETRY, {"id": "4242"}, as_=admin)) == ["NOT_FOUND"]
    assert_problem(await rest_cancel(client, admin, "4242"), 404, "NOT_FOUND")

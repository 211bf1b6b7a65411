"""Approval queues the routing's generation job, in the approval's own transaction,
with the merged add-in parameter sets (item < revision < routing)."""

from __future__ import annotations

from typing import Any

import httpx

from mcms.addin_jobs.service import jobs_table
from mcms.core.auth import Role
from mcms.core.db import Database, utcnow
from tests.addin_jobs.support import (
    JOB_CREATED,
    events_named,
    history_of,
    history_types,
    job_row,
    json_of,
    queued_job,
    routing_row,
)
from tests.factories import Factory, TestUser, error_codes

SAVE_SET = """
mutation Save($scope: AddinParameterScope!, $targetId: ID!, $parameters: [KeyValueInput!]!) {
  saveAddinParameterSet(
    scope: $scope, targetId: $targetId, parameters: $parameters, expectedVersion: 0
  ) { version }
}
"""

RESAVE_SET = """
mutation Save($targetId: ID!, $parameters: [KeyValueInput!]!) {
  saveAddinParameterSet(
    scope: ROUTING, targetId: $targetId, parameters: $parameters, expectedVersion: 1
  ) { version }
}
"""

APPROVE = """
mutation Approve($id: ID!) { approveRouting(id: $id) { id status } }
"""

ROUTING = """
query Routing($id: ID!) {
  routing(id: $id) {
    status generationStatus lastAddinJobId camRevision
    addinJobs { totalCount edges { node { id status attempt maxAttempts createdBy
      parameters { key value } } } }
  }
}
"""


async def save_set(
    factory: Factory, admin: TestUser, scope: str, target_id: str, values: dict[str, str]
) -> None:
    parameters = [{"key": k, "value": v} for k, v in values.items()]
    await factory.ok(
        SAVE_SET, {"scope": scope, "targetId": target_id, "parameters": parameters}, as_=admin
    )


async def job_count(db: Database) -> int:
    async with db.read_session() as session:
        return len((await session.execute(jobs_table.select())).all())


async def test_approval_queues_a_job_with_the_merged_parameter_sets(factory: Factory) -> None:
    # given a pending routing whose item, revision and routing each have a parameter set
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    item = await factory.item(engineer)
    revision = await factory.revision(engineer, item["id"])
    routing = await factory.routing(engineer, revision["id"])
    await save_set(factory, admin, "ITEM", item["id"], {"post": "fanuc", "units": "mm", "x": "i"})
    await save_set(factory, admin, "REVISION", revision["id"], {"units": "inch", "x": "r"})
    await save_set(factory, admin, "ROUTING", routing["id"], {"x": "routing", "only": "here"})
    await factory.ok(
        "mutation S($id: ID!) { submitRouting(id: $id) { id } }",
        {"id": routing["id"]},
        as_=engineer,
    )

    # when an approver approves it
    await factory.ok(APPROVE, {"id": routing["id"]}, as_=approver)

    # then one job is queued with the more specific values winning
    data = (await factory.ok(ROUTING, {"id": routing["id"]}, as_=engineer))["routing"]
    [edge] = data["addinJobs"]["edges"]
    job = edge["node"]
    assert (job["status"], job["attempt"], job["maxAttempts"]) == ("QUEUED", 1, 3)
    assert job["createdBy"] == approver.username
    assert {p["key"]: p["value"] for p in job["parameters"]} == {
        "post": "fanuc",
        "units": "inch",
        "x": "routing",
        "only": "here",
    }
    # and the routing shows it as its latest generation
    assert (data["status"], data["generationStatus"]) == ("APPROVED", "QUEUED")
    assert data["lastAddinJobId"] == job["id"]
    # and the history and the event log say so
    entries = await history_of(factory.db, routing["id"])
    assert [e.type for e in entries][-2:] == ["APPROVED", "ADDIN_JOB_QUEUED"]
    assert entries[-1].actor == approver.username
    assert entries[-1].data["jobId"] == job["id"]
    [created] = await events_named(factory.db, JOB_CREATED)
    assert created.payload["jobId"] == job["id"]
    assert created.payload["routingId"] == routing["id"]


async def test_parameters_are_taken_when_queued_not_when_claimed(factory: Factory) -> None:
    # given a job queued with the routing's parameter set
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.pending_routing(engineer)
    await save_set(factory, admin, "ROUTING", routing["id"], {"post": "fanuc"})
    await factory.ok(APPROVE, {"id": routing["id"]}, as_=await factory.user(Role.APPROVER))

    # when the set is changed afterwards
    variables = {"targetId": routing["id"], "parameters": [{"key": "post", "value": "heidenhain"}]}
    await factory.ok(RESAVE_SET, variables, as_=admin)

    # then the queued job keeps what it was queued with
    routing_now = await routing_row(factory.db, routing["id"])
    job = await job_row(factory.db, routing_now.last_addin_job_id)
    assert job.parameters == {"post": "fanuc"}


async def test_a_refused_approval_queues_nothing(factory: Factory) -> None:
    # given a draft routing and an approved one (which has its job)
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    draft = await factory.routing(engineer)
    approved = await factory.approved_routing(engineer, approver)

    # when approvers try to approve the draft, the approved one again, and the
    # owner tries to approve their own
    results: list[dict[str, Any]] = [
        await factory.gql(APPROVE, {"id": draft["id"]}, as_=approver),
        await factory.gql(APPROVE, {"id": approved["id"]}, as_=approver),
        await factory.gql(
            APPROVE, {"id": (await factory.pending_routing(engineer))["id"]}, as_=engineer
        ),
    ]

    # then each is refused, and only the first approval's job exists
    assert [error_codes(r) for r in results] == [["CONFLICT"], ["CONFLICT"], ["FORBIDDEN"]]
    assert await job_count(factory.db) == 1
    assert len(await events_named(factory.db, JOB_CREATED)) == 1
    assert "ADDIN_JOB_QUEUED" not in await history_types(factory.db, draft["id"])


async def test_an_approval_whose_job_cannot_be_queued_is_rolled_back(factory: Factory) -> None:
    # given a pending routing that (against every rule) already has an active job row
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.pending_routing(engineer)
    now = utcnow()
    async with factory.db.unit_of_work() as session:
        await session.execute(
            jobs_table.insert().values(
                routing_id=int(routing["id"]), created_by="intruder", created_at=now
            )
        )

    # when an approver approves it
    body = await factory.gql(APPROVE, {"id": routing["id"]}, as_=await factory.user(Role.APPROVER))

    # then the approval fails with the job, in the same transaction: nothing of it remains
    assert error_codes(body) == ["CONFLICT"]
    routing_now = await routing_row(factory.db, routing["id"])
    assert (routing_now.status, routing_now.generation_status) == ("PENDING_APPROVAL", "NONE")
    assert await history_types(factory.db, routing["id"]) == ["ROUTING_CREATED", "SUBMITTED"]
    assert await job_count(factory.db) == 1
    assert [
        e.payload["status"] for e in await events_named(factory.db, "routing.approval.changed")
    ] == ["PENDING_APPROVAL"]


# --- POST /api/addin/jobs and GET /api/addin/jobs ------------------------------------------


async def test_queue_over_rest_puts_extra_parameters_on_top(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an approved routing with a parameter set, whose first job was cancelled
    admin = await factory.user(Role.ADMIN)
    approver = await factory.user(Role.APPROVER)
    queued = await queued_job(factory, approver=approver)
    await save_set(factory, admin, "ROUTING", queued.routing_id, {"post": "fanuc", "units": "mm"})
    json_of(await client.post(f"/api/addin/jobs/{queued.job_id}/cancel", headers=approver.headers))

    # when a script queues a job with a parameter of its own
    body = {"routingId": queued.routing_id, "parameters": {"units": "inch", "extra": "1"}}
    response = await client.post("/api/addin/jobs", json=body, headers=approver.headers)

    # then the job has the set's parameters with the script's on top
    job = json_of(response, 201)
    assert (job["status"], job["routingId"]) == ("QUEUED", queued.routing_id)
    assert job["parameters"] == {"post": "fanuc", "units": "inch", "extra": "1"}
    assert (await history_of(factory.db, queued.routing_id))[-1].type == "ADDIN_JOB_QUEUED"
    assert (await routing_row(factory.db, queued.routing_id)).last_addin_job_id == int(job["jobId"])


async def test_queue_over_rest_is_refused_unless_approved_and_idle(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a routing with an active job, and a draft
    approver = await factory.user(Role.APPROVER)
    queued = await queued_job(factory, approver=approver)
    draft = await factory.routing(queued.owner)

    # when a script queues jobs for them, and for a routing that does not exist
    answers = [
        await client.post("/api/addin/jobs", json={"routingId": rid}, headers=approver.headers)
        for rid in (queued.routing_id, draft["id"], "424242")
    ]

    # then each is refused, and no job was added
    assert [a.status_code for a in answers] == [409, 409, 404]
    assert await job_count(factory.db) == 1


async def test_list_jobs_over_rest(factory: Factory, client: httpx.AsyncClient) -> None:
    # given three jobs, one of them running
    first, second, third = [await queued_job(factory) for _ in range(3)]
    agent = await factory.user(Role.AGENT)
    json_of(await client.post("/api/addin/jobs/claim", json={}, headers=agent.headers))
    reader = await factory.user(Role.AUDITOR)

    # when a script lists them, all, by status, by routing, and by page
    def ids(body: dict[str, Any]) -> list[str]:
        return [job["jobId"] for job in body["items"]]

    every = json_of(await client.get("/api/addin/jobs", headers=reader.headers))
    queued = json_of(await client.get("/api/addin/jobs?status=queued", headers=reader.headers))
    mine = json_of(
        await client.get(f"/api/addin/jobs?routingId={second.routing_id}", headers=reader.headers)
    )
    paged = json_of(await client.get("/api/addin/jobs?page=2&pageSize=2", headers=reader.headers))

    # then each shows the right jobs, newest first, with no lease token for a reader
    assert (ids(every), every["total"]) == ([third.job_id, second.job_id, first.job_id], 3)
    assert all(job["leaseToken"] is None for job in every["items"])
    assert (ids(queued), queued["total"]) == ([third.job_id, second.job_id], 2)
    assert ids(mine) == [second.job_id]
    assert (ids(paged), paged["page"], paged["total"]) == ([first.job_id], 2, 3)

"""A job's outputs as files: the add-in uploads each through tus (``jobId`` in
its metadata, authorised by its lease) and names the upload in its result, which
attaches the stored file to the job and to the routing."""

from __future__ import annotations

import hashlib
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
    job_row,
    json_of,
    queued_job,
)
from tests.factories import Factory, TestUser
from tests.files.support import create_upload, drain_worker, patch

NC_PROGRAM = b"%\nO1234 (OUTPUT)\nG0 X0 Y0 Z50.\nM30\n%\n"

JOB_OUTPUTS = """
query Job($id: ID!) {
  addinJob(id: $id) {
    status
    outputs {
      name size sha256 uploadId
      file { logicalName revision sha256 size addinJobId scanStatus downloadUrl }
    }
  }
}
"""


def output_of(data: bytes, name: str = "O1234.nc", **extra: Any) -> dict[str, Any]:
    return {"name": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **extra}


async def running_job(
    factory: Factory, client: httpx.AsyncClient
) -> tuple[QueuedJob, TestUser, Any]:
    queued = await queued_job(factory)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    assert job["jobId"] == queued.job_id
    return queued, agent, job


async def upload_output(
    client: httpx.AsyncClient,
    agent: TestUser,
    queued: QueuedJob,
    data: bytes,
    *,
    name: str = "O1234.nc",
    send: int | None = None,
) -> str:
    """An upload of ``data`` as an output of the job; ``send`` bytes of it (all by default)."""
    created = await create_upload(
        client,
        agent,
        queued.routing_id,
        len(data),
        filename=name,
        jobId=queued.job_id,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    assert created.status_code == 201, created.text
    location = created.headers["Location"]
    sent = await patch(client, agent, location, 0, data[: len(data) if send is None else send])
    assert sent.status_code == 204, sent.text
    return location.rsplit("/", 1)[-1]


async def test_an_uploaded_output_is_attached_to_the_job_and_the_routing(
    factory: Factory, client: httpx.AsyncClient, app: Any
) -> None:
    # Given a running job whose add-in uploaded its NC program
    queued, agent, job = await running_job(factory, client)
    upload_id = await upload_output(client, agent, queued, NC_PROGRAM)

    # When it completes naming that upload
    output = output_of(NC_PROGRAM, uploadId=upload_id)
    answer = await complete(
        client, agent, queued.job_id, completion(job["leaseToken"], outputs=[output])
    )
    assert json_of(answer)["status"] == "COMPLETED"
    await drain_worker(app)  # the commit (verify, scan, store) runs in the worker

    # Then the job's output is the routing's file, downloadable
    engineer = queued.owner
    found = (await factory.ok(JOB_OUTPUTS, {"id": queued.job_id}, as_=engineer))["addinJob"]
    [reported] = found["outputs"]
    assert reported["uploadId"] == upload_id
    stored = reported["file"]
    assert stored is not None
    assert (stored["logicalName"], stored["revision"]) == ("O1234.nc", 1)
    assert (stored["sha256"], stored["size"]) == (output["sha256"], len(NC_PROGRAM))
    assert stored["addinJobId"] == queued.job_id
    download = await client.get(stored["downloadUrl"], headers=engineer.headers)
    assert download.status_code == 200
    assert download.content == NC_PROGRAM
    listing = json_of(
        await client.get(f"/api/routings/{queued.routing_id}/files", headers=engineer.headers)
    )
    [listed] = listing["files"]
    assert (listed["logicalName"], listed["sha256"]) == ("O1234.nc", output["sha256"])


async def test_an_output_without_an_upload_has_no_file(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # The legacy add-in reports outputs it keeps itself: they are listed, not stored.
    queued, agent, job = await running_job(factory, client)
    output = output_of(NC_PROGRAM)
    answer = await complete(
        client, agent, queued.job_id, completion(job["leaseToken"], outputs=[output])
    )
    assert json_of(answer)["status"] == "COMPLETED"

    found = (await factory.ok(JOB_OUTPUTS, {"id": queued.job_id}, as_=queued.owner))["addinJob"]
    assert found["outputs"] == [{**output, "uploadId": None, "file": None}]


async def test_an_add_in_may_upload_only_for_a_job_it_holds(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    queued, _, _ = await running_job(factory, client)
    other_agent = await factory.user(Role.AGENT)

    without_job = await create_upload(client, other_agent, queued.routing_id, 10, filename="O1.nc")
    not_held = await create_upload(
        client, other_agent, queued.routing_id, 10, filename="O1.nc", jobId=queued.job_id
    )

    assert without_job.status_code == 403, without_job.text
    assert not_held.status_code == 409, not_held.text


@pytest.mark.parametrize(
    "case",
    ["another job's upload", "half sent", "other bytes", "not an id", "unknown id"],
)
async def test_a_result_naming_an_unusable_upload_is_refused_and_changes_nothing(
    factory: Factory, client: httpx.AsyncClient, case: str
) -> None:
    # Given a running job and an upload that does not fit the output it is named for
    queued, agent, job = await running_job(factory, client)
    output = output_of(NC_PROGRAM)
    if case == "another job's upload":
        other = await queued_job(factory)
        other_job = await claimed(client, agent, agent_id="ws-2")
        assert other_job["jobId"] == other.job_id
        output["uploadId"] = await upload_output(client, agent, other, NC_PROGRAM)
    elif case == "half sent":
        output["uploadId"] = await upload_output(client, agent, queued, NC_PROGRAM, send=10)
    elif case == "other bytes":
        output["uploadId"] = await upload_output(client, agent, queued, NC_PROGRAM + b"\n")
    elif case == "not an id":
        output["uploadId"] = "../../etc/passwd"
    else:
        output["uploadId"] = "0" * 32

    # When the add-in completes naming it
    answer = await complete(
        client, agent, queued.job_id, completion(job["leaseToken"], outputs=[output])
    )

    # Then the result is refused and the job still runs, waiting for a good one
    body = assert_problem(answer, 400, "INVALID_ARGUMENT")
    assert "uploadId" in body["detail"]
    row = await job_row(factory.db, queued.job_id)
    assert (row.status, row.outputs) == ("RUNNING", [])

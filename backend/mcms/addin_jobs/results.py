"""The add-in's result: idempotent, fenced by the lease token.

The same result posted again (a retry after a lost answer) changes nothing and
answers as the first did; a different result for a finished job, or a result
from an agent whose lease was taken away, is ``CONFLICT``. The job row is
locked while the result is applied (``FOR UPDATE`` on PostgreSQL, the write
lock on SQLite), so concurrent copies of one result apply exactly once.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import JSON, Row, Update, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs import events
from mcms.addin_jobs.leases import Holder
from mcms.addin_jobs.models import (
    FINISHED_STATUSES,
    AddinJobStatus,
    FailureReason,
    ResultStatus,
)
from mcms.addin_jobs.service import get_job, jobs_table
from mcms.core.db import UTCDateTime, utcnow
from mcms.core.errors import Conflict, InvalidArgument
from mcms.core.validation import clean_text
from mcms.files.enums import UploadStatus
from mcms.files.models import UploadSession
from mcms.history.models import HistoryType
from mcms.routings import service as routings
from mcms.routings.models import GenerationStatus

MESSAGE_MAX = 4_000
MAX_OUTPUTS = 1_000
OUTPUT_NAME_MAX = 255
OUTPUT_SIZE_MAX = 2**53 - 1
"""GraphQL sends sizes as JSON numbers (``BigInt``), exact in JavaScript up to here."""
uploads_table = UploadSession.__table__
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
_UNUSABLE_UPLOADS = frozenset(
    {UploadStatus.RECEIVING, UploadStatus.FAILED, UploadStatus.CANCELLED, UploadStatus.EXPIRED}
)
"""An output's upload must have every byte in, hashed, and not be abandoned."""


@dataclass(frozen=True, slots=True)
class JobResult:
    status: ResultStatus
    message: str
    outputs: list[dict[str, Any]] = field(default_factory=list)
    lease_token: int | None = None
    """``None`` from the legacy add-in, which knows no tokens: then the caller
    must be the account holding the job."""


def clean_result(body: dict[str, Any]) -> JobResult:
    """The completion body (``resultStatus``, ``message``, ``outputs``, ``leaseToken``)."""
    raw_status = body.get("resultStatus")
    try:
        status = ResultStatus(str(raw_status).lower())
    except ValueError:
        raise InvalidArgument('resultStatus must be "completed" or "failed".') from None
    message = clean_text(body.get("message") or "", "message", max_length=MESSAGE_MAX)
    return JobResult(
        status=status,
        message=message,
        outputs=clean_outputs(body.get("outputs") or []),
        lease_token=clean_lease_token(body.get("leaseToken")),
    )


def clean_lease_token(value: Any) -> int | None:
    if value is None:
        return None
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > 15:
        raise InvalidArgument("leaseToken must be the token the claim returned.")
    return int(text)


def clean_outputs(outputs: Any) -> list[dict[str, Any]]:
    """``[{name, size, sha256, uploadId?}]``: what the generation produced; an
    agent that uploaded an output through tus names its upload session, which
    attaches the stored file to the result."""
    if not isinstance(outputs, list) or len(outputs) > MAX_OUTPUTS:
        raise InvalidArgument(f"outputs must be a list of at most {MAX_OUTPUTS} files.")
    cleaned = []
    for index, output in enumerate(outputs):
        where = f"outputs[{index}]"
        if not isinstance(output, dict):
            raise InvalidArgument(f"{where} must be an object with name, size and sha256.")
        name = clean_text(output.get("name", ""), f"{where}.name", max_length=OUTPUT_NAME_MAX)
        size = output.get("size")
        if not name or not isinstance(size, int) or isinstance(size, bool):
            raise InvalidArgument(f"{where} needs a name and a size in bytes.")
        if not 0 <= size <= OUTPUT_SIZE_MAX:
            raise InvalidArgument(f"{where}.size must be from 0 to {OUTPUT_SIZE_MAX} bytes.")
        digest = str(output.get("sha256", "")).lower()
        if not _SHA256.match(digest):
            raise InvalidArgument(f"{where}.sha256 must be 64 hex digits.")
        entry: dict[str, Any] = {"name": name, "size": size, "sha256": digest}
        if output.get("uploadId") is not None:
            upload_id = str(output["uploadId"]).lower()
            if not _UPLOAD_ID.match(upload_id):
                raise InvalidArgument(f"{where}.uploadId must be the id of an upload session.")
            entry["uploadId"] = upload_id
        cleaned.append(entry)
    names = [output["name"] for output in cleaned]
    if len(names) != len(set(names)):
        raise InvalidArgument("outputs names a file twice; each output needs its own name.")
    return cleaned


def _same_result(job: Row[Any], result: JobResult) -> bool:
    return (
        job.result_status == result.status
        and (job.result_message or "") == result.message
        and list(job.outputs or []) == result.outputs
    )


async def complete(
    *, session: AsyncSession, holder: Holder, job_id: int, result: JobResult
) -> tuple[Row[Any], bool]:
    """Apply the result; returns the job and whether this call changed anything.

    The usual case, the holder reporting once, is one conditional UPDATE. Only
    when it matches nothing is the job read (and locked) to tell a harmless
    replay from a conflict."""
    await _check_uploads(session, job_id, result.outputs)
    finished = await _finish_if_held(session, job_id, holder, result)
    if finished is not None:
        await _announce(session, finished, holder)
        return finished, True
    job = await get_job(session=session, job_id=job_id, for_update=True)
    if job.status in FINISHED_STATUSES:
        if job.status != AddinJobStatus.CANCELLED and _same_result(job, result):
            # A replay is only the finisher's own: an agent fenced off before the
            # job finished must hear that it lost the lease, not that it succeeded.
            _check_lease(job, holder, result)
            return job, False
        raise Conflict(
            f"Job {job_id} is already {job.status} with a different result; "
            "a finished job's result never changes."
        )
    _check_holder(job, holder, result)
    # Unreachable while the row is locked: the UPDATE above would have matched.
    raise Conflict(f"Job {job_id} changed while its result was being recorded.")


async def _check_uploads(session: AsyncSession, job_id: int, outputs: list[dict[str, Any]]) -> None:
    """Every ``uploadId`` must be an upload of this job whose bytes are all in and
    hash to what the output says: a result never points at another job's file,
    a half-sent one, or different bytes."""
    wanted = {output["uploadId"]: output for output in outputs if "uploadId" in output}
    if not wanted:
        return
    found = {
        row.id: row
        for row in await session.execute(
            select(uploads_table).where(uploads_table.c.id.in_(list(wanted)))
        )
    }
    for index, output in enumerate(outputs):
        if "uploadId" not in output:
            continue
        where = f"outputs[{index}].uploadId"
        upload = found.get(output["uploadId"])
        if upload is None or upload.addin_job_id != job_id:
            raise InvalidArgument(f"{where} is not an upload of job {job_id}.")
        if upload.status in _UNUSABLE_UPLOADS:
            raise InvalidArgument(
                f"{where}: the upload is {upload.status}; send every byte before completing."
            )
        if (upload.size, upload.sha256) != (output["size"], output["sha256"]):
            raise InvalidArgument(f"{where}: the uploaded bytes differ from the size and sha256.")


def _check_holder(job: Row[Any], holder: Holder, result: JobResult) -> None:
    if job.status != AddinJobStatus.RUNNING:
        raise Conflict(f"Job {job.id} is {job.status}: its lease was lost; claim it again.")
    _check_lease(job, holder, result)


def _check_lease(job: Row[Any], holder: Holder, result: JobResult) -> None:
    if result.lease_token is not None and result.lease_token != job.lease_token:
        raise Conflict(
            f"Lease token {result.lease_token} is stale: job {job.id} was claimed again "
            f"(token {job.lease_token})."
        )
    if job.holder_user_id != holder.user_id:
        raise Conflict(f"Job {job.id} is held by another agent.")


@functools.cache
def _finish_statement(*, fenced: bool, succeeded: bool) -> Update:
    """Built once per kind: the job, if still running and held by the caller (and,
    with a lease token, under that token), becomes finished."""
    conditions = [
        jobs_table.c.id == bindparam("p_job_id"),
        jobs_table.c.status == AddinJobStatus.RUNNING,
        jobs_table.c.holder_user_id == bindparam("p_holder"),
    ]
    if fenced:
        conditions.append(jobs_table.c.lease_token == bindparam("p_lease_token"))
    values: dict[str, Any] = {
        "status": AddinJobStatus.COMPLETED if succeeded else AddinJobStatus.FAILED,
        "result_status": ResultStatus.COMPLETED if succeeded else ResultStatus.FAILED,
        "failure_reason": None if succeeded else FailureReason.ADDIN_FAILED,
        "result_message": bindparam("p_result_message"),
        "message": bindparam("p_message"),
        "outputs": bindparam("p_outputs", type_=JSON),
        "lease_expires_at": None,
        "finished_at": bindparam("p_now", type_=UTCDateTime()),
        "updated_at": bindparam("p_now", type_=UTCDateTime()),
    }
    if succeeded:
        values["progress"] = 100.0
    return update(jobs_table).where(*conditions).values(**values).returning(*jobs_table.c)


async def _finish_if_held(
    session: AsyncSession, job_id: int, holder: Holder, result: JobResult
) -> Row[Any] | None:
    statement = _finish_statement(
        fenced=result.lease_token is not None,
        succeeded=result.status is ResultStatus.COMPLETED,
    )
    parameters: dict[str, Any] = {
        "p_job_id": job_id,
        "p_holder": holder.user_id,
        "p_result_message": result.message,
        "p_message": result.message or None,
        "p_outputs": result.outputs,
        "p_now": utcnow(),
    }
    if result.lease_token is not None:
        parameters["p_lease_token"] = result.lease_token
    return (await session.execute(statement, parameters)).first()


async def _announce(session: AsyncSession, job: Row[Any], holder: Holder) -> None:
    if job.status == AddinJobStatus.COMPLETED:
        await _announce_success(session, job, holder)
    else:
        await _announce_failure(session, job, holder)


async def _announce_success(session: AsyncSession, job: Row[Any], holder: Holder) -> None:
    produced = bool(job.outputs)
    await events.moved(
        session=session,
        job=job,
        badge=GenerationStatus.SUCCEEDED,
        history=HistoryType.ADDIN_JOB_COMPLETED,
        actor=holder.username,
        message=job.result_message or f"Generation job {job.id} completed.",
        generated=True,
        bump_cam=produced,
        outputs=job.outputs,
    )
    if produced:
        routing = await routings.get_routing(session=session, routing_id=job.routing_id)
        await events.record(
            session=session,
            job=job,
            type=HistoryType.CAM_REVISION_BUMPED,
            actor=holder.username,
            message=f"CAM revision {routing.cam_revision}: {len(job.outputs)} new output(s).",
            camRevision=routing.cam_revision,
        )


async def _announce_failure(session: AsyncSession, job: Row[Any], holder: Holder) -> None:
    await events.moved(
        session=session,
        job=job,
        badge=GenerationStatus.FAILED,
        history=HistoryType.ADDIN_JOB_FAILED,
        actor=holder.username,
        message=job.result_message or f"Generation job {job.id} failed.",
        reason=FailureReason.ADDIN_FAILED.value,
    )
    await events.alert_failure(
        session=session, job=job, why=job.result_message or "the add-in reported a failure."
    )

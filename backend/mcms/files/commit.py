"""The commit pipeline: a fully received upload becomes a file.

Runs in the worker (``files.commit_upload``), after the last PATCH's bytes are
fsynced and its whole-file SHA-256 matched what was declared:

1. *prepare* (outside any transaction, may run again after a crash): scan the
   bytes unless the store already holds them with a settled verdict, then move
   them into the content-addressed store (rename + directory fsync; bytes
   already there are not written again);
2. *apply* (one transaction, with the command's DONE mark): the blob row, the
   file reference with its next revision, the integrity-audit record, the
   session's final status, ``FILE_UPLOADED`` (and ``FILE_QUARANTINED``)
   history, the ``file.committed`` event and, for malware, an alert.

Disk and I/O errors are transient: the worker retries them with backoff; once
it gives up, ``gave_up`` marks the upload ``FAILED`` with
``STORAGE_COMMIT_FAILED`` history, drops its received bytes and asks the
uploader, the owner and the administrators for a re-upload.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Row, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import Database
from mcms.files import service, uploads
from mcms.files.enums import ScanStatus, UploadStatus
from mcms.files.scanning import Scanner, ScanVerdict, scanner_from_url
from mcms.files.store import FileStore
from mcms.history import service as history
from mcms.history.models import HistoryType
from mcms.live import log
from mcms.live.alerts import AlertSeverity, publish_alert
from mcms.routings.models import Routing
from mcms.settings import Settings
from mcms.users.models import User
from mcms.worker import commands

_routings = cast(Table, Routing.__table__)
_users = cast(Table, User.__table__)

COMMIT_UPLOAD = "files.commit_upload"
FILE_COMMITTED = "file.committed"
UNSCANNED_STATUSES = (ScanStatus.SCAN_FAILED, ScanStatus.PENDING)


async def queue(*, session: AsyncSession, upload_id: str, max_attempts: int = 5) -> None:
    """Hand a fully received upload to the worker, in the caller's transaction."""
    await commands.enqueue(
        session=session,
        kind=COMMIT_UPLOAD,
        payload={"uploadId": upload_id},
        max_attempts=max_attempts,
        singleton_key=f"{COMMIT_UPLOAD}:{upload_id}",
    )


@dataclass(frozen=True, slots=True)
class Prepared:
    sha256: str
    size: int
    verdict: ScanVerdict
    stored_new_bytes: bool


class CommitUpload:
    """The worker's staged handler for ``files.commit_upload``."""

    def __init__(self, settings: Settings, scanner: Scanner | None = None) -> None:
        self.store = FileStore(settings.resolved_files_dir)
        self.scanner = scanner or scanner_from_url(
            settings.av,
            max_bytes=settings.av_max_bytes,
            timeout_seconds=settings.av_timeout_seconds,
        )

    async def prepare(self, db: Database, payload: dict[str, Any]) -> Prepared | None:
        upload_id = str(payload["uploadId"])
        async with db.unit_of_work() as session:
            row = await uploads.set_status(
                session=session,
                upload_id=upload_id,
                status=UploadStatus.SCANNING,
                expected=(UploadStatus.VERIFYING, UploadStatus.SCANNING),
            )
            blob = await service.get_blob(session=session, sha256=row.sha256) if row else None
        if row is None:
            return None  # committed, cancelled or failed meanwhile: nothing to do
        return await self.prepare_bytes(row, blob)

    async def prepare_bytes(self, row: Row[Any], blob: Row[Any] | None) -> Prepared:
        """Scan (unless settled before) and store the upload's bytes."""
        sha256, size = row.sha256, row.size
        part = self.store.part_path(row.id)
        in_store = await asyncio.to_thread(self.store.has_blob, sha256, size)
        source = self.store.blob_path(sha256) if in_store else part
        if blob is not None and blob.scan_status in service.SETTLED_VERDICTS:
            verdict = ScanVerdict(blob.scan_status, blob.scan_detail, blob.scanner)
        else:
            verdict = await self.scanner.scan(Path(source), size)
        if not in_store:
            await asyncio.to_thread(self.store.commit_file, part, sha256, size)
        else:
            await asyncio.to_thread(self.store.remove_part, row.id)
        return Prepared(sha256, size, verdict, stored_new_bytes=blob is None)

    async def apply(self, session: AsyncSession, payload: dict[str, Any], prepared: Any) -> None:
        if prepared is None:
            return
        upload_id = str(payload["uploadId"])
        row = await uploads.find(session=session, upload_id=upload_id)
        if row is None or row.status != UploadStatus.SCANNING:
            return
        await record_file(session=session, upload=row, prepared=prepared)

    async def gave_up(self, session: AsyncSession, payload: dict[str, Any], error: str) -> None:
        upload_id = str(payload["uploadId"])
        row = await uploads.set_status(
            session=session,
            upload_id=upload_id,
            status=UploadStatus.FAILED,
            expected=(UploadStatus.VERIFYING, UploadStatus.SCANNING),
            failure_reason=f"The file could not be stored: {error}",
        )
        if row is not None:
            await _announce_commit_failure(session, row, error)
            # Like a declared-hash mismatch, a failed upload keeps no bytes: it
            # must be sent again. Best effort: the store may be what failed.
            with contextlib.suppress(OSError):
                await asyncio.to_thread(self.store.remove_part, upload_id)


async def record_file(*, session: AsyncSession, upload: Row[Any], prepared: Prepared) -> int:
    """Everything a commit writes, in the caller's transaction; returns the file id."""
    await service.save_blob(
        session=session, sha256=prepared.sha256, size=prepared.size, verdict=prepared.verdict
    )
    blob = await service.get_blob(session=session, sha256=prepared.sha256)
    status = blob.scan_status if blob is not None else prepared.verdict.status
    file_id, revision = await service.add_file(
        session=session,
        routing_id=upload.routing_id,
        logical_name=upload.file_name,
        sha256=prepared.sha256,
        uploaded_by_id=upload.created_by_id,
        upload_session_id=upload.id,
        addin_job_id=upload.addin_job_id,
    )
    await service.record_commit(
        session=session,
        sha256=prepared.sha256,
        size=prepared.size,
        chunk_count=upload.chunk_count,
        uploader_id=upload.created_by_id,
        upload_session_id=upload.id,
        file_id=file_id,
        stored_new_bytes=prepared.stored_new_bytes,
    )
    quarantined = status is ScanStatus.QUARANTINED
    await uploads.set_status(
        session=session,
        upload_id=upload.id,
        status=UploadStatus.QUARANTINED if quarantined else UploadStatus.COMMITTED,
        expected=(UploadStatus.SCANNING,),
        file_id=file_id,
    )
    await _announce_commit(session, upload, file_id, revision, status, prepared)
    return file_id


async def _announce_commit(
    session: AsyncSession,
    upload: Row[Any],
    file_id: int,
    revision: int,
    status: ScanStatus,
    prepared: Prepared,
) -> None:
    actor = await _username(session, upload.created_by_id)
    data = {
        "fileId": str(file_id),
        "logicalName": upload.file_name,
        "revision": revision,
        "sha256": prepared.sha256,
        "size": prepared.size,
        "scanStatus": status.value,
        "uploadSessionId": upload.id,
    }
    await history.record(
        session=session,
        routing_id=upload.routing_id,
        type=HistoryType.FILE_UPLOADED,
        actor=actor,
        message=f"{upload.file_name} revision {revision} ({prepared.size} bytes).",
        data=data,
    )
    if status is ScanStatus.QUARANTINED:
        await _announce_quarantine(session, upload, actor, prepared, data)
    await log.publish(
        session=session,
        name=FILE_COMMITTED,
        routing_id=upload.routing_id,
        payload={"routingId": str(upload.routing_id), **data},
    )


async def _announce_quarantine(
    session: AsyncSession,
    upload: Row[Any],
    actor: str,
    prepared: Prepared,
    data: dict[str, Any],
) -> None:
    signature = prepared.verdict.detail or "malware"
    await history.record(
        session=session,
        routing_id=upload.routing_id,
        type=HistoryType.FILE_QUARANTINED,
        actor="system",
        message=f"{upload.file_name} was quarantined: {signature}. It cannot be downloaded.",
        data={**data, "signature": signature, "uploadedBy": actor},
    )
    owner_id = await _owner_id(session, upload.routing_id)
    await publish_alert(
        session=session,
        type="FILE_QUARANTINED",
        title=f"Malware found in {upload.file_name}",
        message=(
            f"The virus scanner found {signature} in {upload.file_name} "
            f"(routing {upload.routing_id}). The file is quarantined and cannot be downloaded."
        ),
        severity=AlertSeverity.ERROR,
        # Approvers too: they are about to judge a routing that carried malware.
        audience=(*_concerned(upload.created_by_id, owner_id), "role:APPROVER"),
        routing_id=upload.routing_id,
    )


async def _announce_commit_failure(session: AsyncSession, upload: Row[Any], error: str) -> None:
    actor = await _username(session, upload.created_by_id)
    await history.record(
        session=session,
        routing_id=upload.routing_id,
        type=HistoryType.STORAGE_COMMIT_FAILED,
        actor="system",
        message=f"{upload.file_name} could not be stored; it must be uploaded again.",
        data={"uploadSessionId": upload.id, "error": error[:500], "uploadedBy": actor},
    )
    owner_id = await _owner_id(session, upload.routing_id)
    await publish_alert(
        session=session,
        type="STORAGE_COMMIT_FAILED",
        title=f"Upload of {upload.file_name} failed",
        message=(
            f"{upload.file_name} was received but could not be stored ({error[:200]}). "
            "Please upload it again."
        ),
        severity=AlertSeverity.ERROR,
        audience=_concerned(upload.created_by_id, owner_id),
        routing_id=upload.routing_id,
    )


def _concerned(uploader_id: int, owner_id: int | None) -> tuple[str, ...]:
    people = {f"user:{uploader_id}"} | ({f"user:{owner_id}"} if owner_id else set())
    return (*sorted(people), "role:ADMIN")


async def _owner_id(session: AsyncSession, routing_id: int) -> int | None:
    query = select(_routings.c.owner_id).where(_routings.c.id == routing_id)
    return await session.scalar(query)


async def _username(session: AsyncSession, user_id: int) -> str:
    name = await session.scalar(select(_users.c.username).where(_users.c.id == user_id))
    return str(name or f"user {user_id}")

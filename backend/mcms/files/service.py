"""File references and blobs in the database. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Row, Table, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.auth import Principal
from mcms.core.db import utcnow
from mcms.core.errors import Forbidden, NotFound
from mcms.files.enums import ScanStatus
from mcms.files.models import FileBlob, FileCommitAudit, FileDownload, RoutingFile
from mcms.files.scanning import ScanVerdict
from mcms.routings.models import Routing

blobs_table = cast(Table, FileBlob.__table__)
files_table = cast(Table, RoutingFile.__table__)
audit_table = cast(Table, FileCommitAudit.__table__)
downloads_table = cast(Table, FileDownload.__table__)
routings_table = cast(Table, Routing.__table__)

SETTLED_VERDICTS = (ScanStatus.CLEAN, ScanStatus.QUARANTINED)
"""Verdicts a re-upload of the same bytes inherits without scanning again."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file reference joined with its blob: what every reader shows."""

    id: int
    routing_id: int
    logical_name: str
    revision: int
    sha256: str
    size: int
    scan_status: ScanStatus
    scan_detail: str
    uploaded_by_id: int
    addin_job_id: int | None
    upload_session_id: str | None
    created_at: Any

    def downloadable(self, *, allow_unscanned: bool) -> bool:
        if self.scan_status in (ScanStatus.CLEAN, ScanStatus.SKIPPED):
            return True
        return self.scan_status is ScanStatus.SCAN_FAILED and allow_unscanned


def _stored_files_query() -> Any:
    return select(
        files_table.c.id,
        files_table.c.routing_id,
        files_table.c.logical_name,
        files_table.c.revision,
        files_table.c.blob_sha256.label("sha256"),
        blobs_table.c.size,
        blobs_table.c.scan_status,
        blobs_table.c.scan_detail,
        files_table.c.uploaded_by_id,
        files_table.c.addin_job_id,
        files_table.c.upload_session_id,
        files_table.c.created_at,
    ).join(blobs_table, blobs_table.c.sha256 == files_table.c.blob_sha256)


def _stored(row: Row[Any]) -> StoredFile:
    return StoredFile(**row._mapping)


async def get_file(*, session: AsyncSession, file_id: int) -> StoredFile:
    row = (await session.execute(_stored_files_query().where(files_table.c.id == file_id))).first()
    if row is None:
        raise NotFound(f"File {file_id} does not exist.")
    return _stored(row)


async def files_of_uploads(*, session: AsyncSession, upload_ids: Sequence[str]) -> list[StoredFile]:
    """The files these upload sessions became (those committed so far)."""
    query = _stored_files_query().where(files_table.c.upload_session_id.in_(upload_ids))
    return [_stored(row) for row in (await session.execute(query)).all()]


async def files_for_routings(
    *, session: AsyncSession, routing_ids: Sequence[int], latest_only: bool = False
) -> list[StoredFile]:
    """Every file reference of the routings (each logical name's newest only,
    with ``latest_only``), ordered by name then revision."""
    query = _stored_files_query().where(files_table.c.routing_id.in_(routing_ids))
    if latest_only:
        latest = (
            select(
                files_table.c.routing_id.label("rid"),
                files_table.c.logical_name.label("lname"),
                func.max(files_table.c.revision).label("rev"),
            )
            .where(files_table.c.routing_id.in_(routing_ids))
            .group_by(files_table.c.routing_id, files_table.c.logical_name)
            .subquery()
        )
        query = query.join(
            latest,
            (latest.c.rid == files_table.c.routing_id)
            & (latest.c.lname == files_table.c.logical_name)
            & (latest.c.rev == files_table.c.revision),
        )
    query = query.order_by(files_table.c.logical_name, files_table.c.revision)
    return [_stored(row) for row in (await session.execute(query)).all()]


async def get_blob(*, session: AsyncSession, sha256: str) -> Row[Any] | None:
    query = select(blobs_table).where(blobs_table.c.sha256 == sha256)
    return (await session.execute(query)).first()


async def save_blob(*, session: AsyncSession, sha256: str, size: int, verdict: ScanVerdict) -> None:
    """Insert the blob, or give an existing one a settled verdict it lacked."""
    values = {
        "scan_status": verdict.status,
        "scan_detail": verdict.detail[:2000],
        "scanner": verdict.scanner[:200],
        "scanned_at": utcnow(),
    }
    existing = await get_blob(session=session, sha256=sha256)
    if existing is None:
        try:
            async with session.begin_nested():
                await session.execute(
                    blobs_table.insert().values(
                        sha256=sha256, size=size, created_at=utcnow(), **values
                    )
                )
            return
        except IntegrityError:
            existing = await get_blob(session=session, sha256=sha256)
    if existing is not None and existing.scan_status not in SETTLED_VERDICTS:
        await session.execute(
            update(blobs_table).where(blobs_table.c.sha256 == sha256).values(**values)
        )


async def lock_routing(*, session: AsyncSession, routing_id: int) -> None:
    """Serialise revision numbering per routing (``FOR UPDATE`` on PostgreSQL;
    SQLite writers are serialised anyway)."""
    query = select(routings_table.c.id).where(routings_table.c.id == routing_id).with_for_update()
    if (await session.execute(query)).first() is None:
        raise NotFound(f"Routing {routing_id} does not exist.")


async def next_revision(*, session: AsyncSession, routing_id: int, logical_name: str) -> int:
    query = select(func.max(files_table.c.revision)).where(
        files_table.c.routing_id == routing_id, files_table.c.logical_name == logical_name
    )
    current = await session.scalar(query)
    return int(current or 0) + 1


async def add_file(
    *,
    session: AsyncSession,
    routing_id: int,
    logical_name: str,
    sha256: str,
    uploaded_by_id: int,
    upload_session_id: str | None,
    addin_job_id: int | None,
) -> tuple[int, int]:
    """A new file reference, the next revision of ``logical_name``: (id, revision)."""
    await lock_routing(session=session, routing_id=routing_id)
    revision = await next_revision(
        session=session, routing_id=routing_id, logical_name=logical_name
    )
    result = await session.execute(
        files_table.insert()
        .values(
            routing_id=routing_id,
            logical_name=logical_name,
            revision=revision,
            blob_sha256=sha256,
            uploaded_by_id=uploaded_by_id,
            upload_session_id=upload_session_id,
            addin_job_id=addin_job_id,
            created_at=utcnow(),
        )
        .returning(files_table.c.id)
    )
    return int(result.scalar_one()), revision


async def record_commit(
    *,
    session: AsyncSession,
    sha256: str,
    size: int,
    chunk_count: int,
    uploader_id: int,
    upload_session_id: str | None,
    file_id: int,
    stored_new_bytes: bool,
) -> None:
    await session.execute(
        audit_table.insert().values(
            sha256=sha256,
            size=size,
            chunk_count=chunk_count,
            uploader_id=uploader_id,
            upload_session_id=upload_session_id,
            file_id=file_id,
            stored_new_bytes=stored_new_bytes,
            at=utcnow(),
        )
    )


async def commit_audit_for_file(*, session: AsyncSession, file_id: int) -> Row[Any] | None:
    query = select(audit_table).where(audit_table.c.file_id == file_id)
    return (await session.execute(query)).first()


async def record_download(
    *,
    session: AsyncSession,
    file_id: int,
    principal: Principal,
    method: str,
    range_header: str | None,
    status: int,
) -> None:
    await session.execute(
        downloads_table.insert().values(
            file_id=file_id,
            user_id=principal.user_id,
            method=method,
            range=range_header[:200] if range_header else None,
            status=status,
            at=utcnow(),
        )
    )


def check_downloadable(stored: StoredFile, *, allow_unscanned: bool) -> None:
    """Quarantined and unscanned bytes never leave the server (SPEC §3 Downloads)."""
    if stored.scan_status is ScanStatus.QUARANTINED:
        raise Forbidden(
            f"File {stored.id} is quarantined: the virus scanner found "
            f"{stored.scan_detail or 'malware'} in it. It is kept for inspection only."
        )
    if not stored.downloadable(allow_unscanned=allow_unscanned):
        raise Forbidden(
            f"File {stored.id} has not been scanned ({stored.scan_status}); "
            "it cannot be downloaded until it is."
        )


async def referenced_blobs(*, session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(files_table.c.blob_sha256).distinct())).all())

"""Upload sessions in the database: creation, the one-writer lock, progress,
cancellation. Callers own the transaction.

The lock is a row-level claim, not a held database lock (a PATCH may take
minutes): ``lock_token`` is set by one conditional UPDATE, kept alive by
heartbeats, and a newer request asks the holder to let go by setting
``release_requested`` (in another process) or through ``LocalWriters`` (in
this one). A holder that died leaves a heartbeat that goes stale.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs.models import AddinJobStatus
from mcms.addin_jobs.service import jobs_table
from mcms.core.auth import Permission, Principal, Role
from mcms.core.db import utcnow
from mcms.core.errors import Conflict, Forbidden, InvalidArgument, NotFound, PayloadTooLarge
from mcms.files.enums import UploadStatus
from mcms.files.models import UploadSession
from mcms.routings import service as routings

sessions_table = cast(Table, UploadSession.__table__)

LOCK_STALE = timedelta(seconds=15)
"""A writer heartbeats every half second; one silent this long is gone."""


@dataclass(frozen=True, slots=True)
class NewUpload:
    routing_id: int
    file_name: str
    size: int
    chunk_size: int
    sha256: str | None
    metadata: dict[str, str]
    addin_job_id: int | None = None


def new_upload_id() -> str:
    return secrets.token_hex(16)


async def check_may_upload(
    *, session: AsyncSession, principal: Principal, routing_id: int, addin_job_id: int | None
) -> None:
    """Whoever may edit the routing may upload to it; an add-in may upload its
    job's outputs while it holds that job."""
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    if principal.role is Role.AGENT:
        await _check_agent_holds(session, principal, routing_id, addin_job_id)
        return
    if addin_job_id is not None:
        raise InvalidArgument("jobId is for an add-in uploading its job's outputs; leave it out.")
    if not principal.can(Permission.EDIT_ROUTING):
        raise Forbidden(f"The {principal.role} role may not upload files.")
    routings.check_may_edit(principal, routing)


async def _check_agent_holds(
    session: AsyncSession, principal: Principal, routing_id: int, job_id: int | None
) -> None:
    if job_id is None:
        raise Forbidden("An add-in uploads outputs of a job it holds: give jobId.")
    job = (await session.execute(select(jobs_table).where(jobs_table.c.id == job_id))).first()
    if job is None or job.routing_id != routing_id:
        raise NotFound(f"Job {job_id} of routing {routing_id} does not exist.")
    if job.status != AddinJobStatus.RUNNING or job.holder_user_id != principal.user_id:
        raise Conflict(f"Job {job_id} is not held by this add-in.")


def check_size(upload: NewUpload, *, max_bytes: int, free_bytes: int, headroom: int) -> None:
    if upload.size > max_bytes:
        raise PayloadTooLarge(f"The file is {upload.size} bytes; the limit is {max_bytes}.")
    if upload.size > free_bytes - headroom:
        raise PayloadTooLarge(
            f"The file is {upload.size} bytes; the store has room for "
            f"{max(free_bytes - headroom, 0)} more."
        )
    if upload.chunk_size <= 0:
        raise InvalidArgument("chunkSize must be positive.")


async def create(
    *,
    session: AsyncSession,
    upload_id: str,
    principal: Principal,
    upload: NewUpload,
    expires_at: datetime,
) -> Row[Any]:
    now = utcnow()
    row = await session.execute(
        sessions_table.insert()
        .values(
            id=upload_id,
            routing_id=upload.routing_id,
            file_name=upload.file_name,
            size=upload.size,
            chunk_size=upload.chunk_size,
            declared_sha256=upload.sha256,
            offset=0,
            chunk_count=0,
            status=UploadStatus.RECEIVING,
            created_by_id=principal.user_id,
            addin_job_id=upload.addin_job_id,
            tus_metadata=upload.metadata,
            release_requested=False,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
        .returning(*sessions_table.c)
    )
    return row.one()


async def find(*, session: AsyncSession, upload_id: str) -> Row[Any] | None:
    query = select(sessions_table).where(sessions_table.c.id == upload_id)
    return (await session.execute(query)).first()


async def get_visible(*, session: AsyncSession, upload_id: str, principal: Principal) -> Row[Any]:
    """The session, if it exists and ``principal`` started it (or administers)."""
    row = await find(session=session, upload_id=upload_id) if _well_formed(upload_id) else None
    if row is None or not _may_see(row, principal):
        raise NotFound(f"Upload {upload_id[:40]!r} does not exist.")
    return row


def check_may_write(row: Row[Any], principal: Principal) -> None:
    """Only who started an upload (or an administrator) sends its bytes or
    cancels it; an auditor sees every upload and changes none."""
    if row.created_by_id != principal.user_id and principal.role is not Role.ADMIN:
        raise Forbidden(f"Upload {row.id} is someone else's: only they may send or cancel it.")


def _well_formed(upload_id: str) -> bool:
    return len(upload_id) == 32 and all(char in "0123456789abcdef" for char in upload_id)


def _may_see(row: Row[Any], principal: Principal) -> bool:
    return row.created_by_id == principal.user_id or principal.role in (Role.ADMIN, Role.AUDITOR)


# -- the writer lock ------------------------------------------------------------------


async def try_lock(*, session: AsyncSession, upload_id: str, token: str) -> Row[Any] | None:
    """Take the writer lock if it is free or its holder went silent: the session
    as of taking it (so the writer needs no second read), or ``None``."""
    now = utcnow()
    result = await session.execute(
        update(sessions_table)
        .where(
            sessions_table.c.id == upload_id,
            or_(
                sessions_table.c.lock_token.is_(None),
                sessions_table.c.lock_heartbeat_at < now - LOCK_STALE,
            ),
        )
        .values(lock_token=token, lock_heartbeat_at=now, release_requested=False)
        .returning(*sessions_table.c)
    )
    return result.first()


async def take_over(
    *, session: AsyncSession, upload_id: str, old: str, token: str
) -> Row[Any] | None:
    """Take the lock from ``old``, a holder known to be dead (its file lock is
    free): the session as of taking it, or ``None``."""
    result = await session.execute(
        update(sessions_table)
        .where(sessions_table.c.id == upload_id, sessions_table.c.lock_token == old)
        .values(lock_token=token, lock_heartbeat_at=utcnow(), release_requested=False)
        .returning(*sessions_table.c)
    )
    return result.first()


async def ask_release(*, session: AsyncSession, upload_id: str) -> None:
    await session.execute(
        update(sessions_table)
        .where(sessions_table.c.id == upload_id, sessions_table.c.lock_token.is_not(None))
        .values(release_requested=True)
    )


async def heartbeat(*, session: AsyncSession, upload_id: str, token: str) -> bool:
    """Keep the lock; ``False`` if it was lost or a release was asked for."""
    result = await session.execute(
        update(sessions_table)
        .where(sessions_table.c.id == upload_id, sessions_table.c.lock_token == token)
        .values(lock_heartbeat_at=utcnow())
        .returning(sessions_table.c.release_requested)
    )
    released = result.scalar()
    return released is False


def _progress_statement(*, unlock: bool) -> Any:
    """The acknowledgement's UPDATE, built once: it runs for every PATCH, and
    building it (21 columns to return) cost more than running it."""
    table = sessions_table
    values: dict[str, Any] = {
        "offset": bindparam("new_offset"),
        "chunk_count": table.c.chunk_count + bindparam("chunks"),
        "updated_at": bindparam("now"),
        "expires_at": bindparam("expires_at"),
    }
    if unlock:
        values.update(lock_token=None, lock_heartbeat_at=None, release_requested=False)
    else:
        values.update(lock_heartbeat_at=bindparam("now"))
    return (
        update(table)
        .where(
            table.c.id == bindparam("upload_id"),
            table.c.lock_token == bindparam("token"),
            table.c.offset <= bindparam("new_offset"),
        )
        .values(**values)
        .returning(*table.c)
    )


_PROGRESS_AND_UNLOCK = _progress_statement(unlock=True)
_PROGRESS = _progress_statement(unlock=False)


async def record_progress(
    *,
    session: AsyncSession,
    upload_id: str,
    token: str,
    offset: int,
    chunks: int,
    expires_at: datetime,
    unlock: bool,
) -> Row[Any] | None:
    """Acknowledge bytes up to ``offset`` (already fsynced); with ``unlock``,
    let go of the lock too, else keep it (and its heartbeat fresh). The session
    as acknowledged, or ``None`` if the lock was no longer ours."""
    parameters = {
        "upload_id": upload_id,
        "token": token,
        "new_offset": offset,
        "chunks": chunks,
        "now": utcnow(),
        "expires_at": expires_at,
    }
    result = await session.execute(_PROGRESS_AND_UNLOCK if unlock else _PROGRESS, parameters)
    return result.first()


async def unlock(*, session: AsyncSession, upload_id: str, token: str) -> None:
    await session.execute(
        update(sessions_table)
        .where(sessions_table.c.id == upload_id, sessions_table.c.lock_token == token)
        .values(lock_token=None, lock_heartbeat_at=None, release_requested=False)
    )


async def set_status(
    *,
    session: AsyncSession,
    upload_id: str,
    status: UploadStatus,
    expected: tuple[UploadStatus, ...],
    **values: Any,
) -> Row[Any] | None:
    """Move the session to ``status`` if it is in one of ``expected``."""
    result = await session.execute(
        update(sessions_table)
        .where(sessions_table.c.id == upload_id, sessions_table.c.status.in_(expected))
        .values(status=status, updated_at=utcnow(), **values)
        .returning(*sessions_table.c)
    )
    return result.first()


class LocalWriters:
    """The PATCHes writing in this process, so a newer request here can stop a
    stuck one at once instead of through the database."""

    def __init__(self) -> None:
        self._releases: dict[str, asyncio.Event] = {}

    def register(self, upload_id: str) -> asyncio.Event:
        event = asyncio.Event()
        self._releases[upload_id] = event
        return event

    def unregister(self, upload_id: str, event: asyncio.Event) -> None:
        if self._releases.get(upload_id) is event:
            del self._releases[upload_id]

    def release(self, upload_id: str) -> bool:
        event = self._releases.get(upload_id)
        if event is None:
            return False
        event.set()
        return True

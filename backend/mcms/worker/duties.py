"""What the worker does: the handlers of each command kind and the periodic duties.
Domains add their background work here."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs import leases
from mcms.core.db import Database
from mcms.files import commit, housekeeping
from mcms.files.store import FileStore
from mcms.settings import Settings
from mcms.worker import commands
from mcms.worker.runner import Handler, Periodic, Worker

SWEEP_LEASES = "addin.sweep_leases"
EXPIRE_UPLOADS = "files.expire_uploads"
COLLECT_GARBAGE = "files.collect_garbage"
PURGE_COMMANDS = "worker.purge_commands"
FINISHED_COMMANDS_KEPT = timedelta(days=7)


async def sweep_leases(session: AsyncSession, _: dict[str, Any]) -> None:
    await leases.sweep_expired(session=session)


async def leases_expired(db: Database) -> bool:
    async with db.read_session() as session:
        return await leases.any_expired(session=session)


async def purge_commands(session: AsyncSession, _: dict[str, Any]) -> None:
    await commands.purge_finished(session=session, older_than=FINISHED_COMMANDS_KEPT)


def file_duties(settings: Settings) -> dict[str, Handler]:
    store = FileStore(settings.resolved_files_dir)
    grace = timedelta(hours=settings.files_gc_grace_hours)

    async def expire_uploads(session: AsyncSession, _: dict[str, Any]) -> None:
        await housekeeping.expire_uploads(session=session, store=store)

    async def collect_garbage(session: AsyncSession, _: dict[str, Any]) -> None:
        await housekeeping.collect_garbage(session=session, store=store, grace=grace)

    return {EXPIRE_UPLOADS: expire_uploads, COLLECT_GARBAGE: collect_garbage}


HANDLERS: dict[str, Handler] = {
    SWEEP_LEASES: sweep_leases,
    PURGE_COMMANDS: purge_commands,
}


def build_worker(db: Database, settings: Settings) -> Worker:
    return Worker(
        db,
        handlers={**HANDLERS, **file_duties(settings)},
        staged={commit.COMMIT_UPLOAD: commit.CommitUpload(settings)},
        periodic=[
            Periodic(SWEEP_LEASES, every=settings.addin_sweep_seconds, due=leases_expired),
            Periodic(PURGE_COMMANDS, every=3600),
            Periodic(EXPIRE_UPLOADS, every=300, due=housekeeping.any_uploads_expired),
            Periodic(COLLECT_GARBAGE, every=6 * 3600),
        ],
        poll_seconds=min(settings.worker_poll_seconds, settings.addin_sweep_seconds),
        max_attempts=settings.worker_max_attempts,
    )

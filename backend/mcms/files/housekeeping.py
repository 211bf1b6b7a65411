"""Keeping the file store tidy and honest.

- ``expire_uploads``: sessions idle past their ``expires_at`` become
  ``EXPIRED`` and lose their partial bytes; part files no session still
  receives into (failed, cancelled, crashed before the session was written)
  are removed.
- ``collect_garbage``: mark-and-sweep. Marked: every blob a file reference
  points to, and every hash an upload in flight is committing. Swept: blobs
  on disk that are not marked *and* older than the grace period, which is
  longer than an upload's expiry, so bytes an upload is about to deduplicate
  against are never taken from under it.
- ``fsck``: re-hash every blob and report mismatches, orphans and missing
  blobs (``mcms fsck``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import Database, utcnow
from mcms.files import service
from mcms.files.enums import UploadStatus
from mcms.files.models import UploadSession
from mcms.files.store import FileStore, sha256_of

logger = logging.getLogger("mcms.files")
sessions_table = cast(Table, UploadSession.__table__)
_SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")
IN_FLIGHT = (UploadStatus.RECEIVING, UploadStatus.VERIFYING, UploadStatus.SCANNING)


async def expire_uploads(*, session: AsyncSession, store: FileStore) -> list[str]:
    """Expire idle sessions and remove part files nobody receives into; returns
    the ids of the sessions expired."""
    now = utcnow()
    result = await session.execute(
        update(sessions_table)
        .where(
            sessions_table.c.status == UploadStatus.RECEIVING,
            sessions_table.c.expires_at < now,
        )
        .values(status=UploadStatus.EXPIRED, updated_at=now, lock_token=None)
        .returning(sessions_table.c.id)
    )
    expired = [str(upload_id) for upload_id in result.scalars()]
    receiving = set(
        (
            await session.scalars(
                select(sessions_table.c.id).where(sessions_table.c.status.in_(IN_FLIGHT))
            )
        ).all()
    )
    parts = await asyncio.to_thread(lambda: list(store.iter_parts()))
    idle = [(upload_id, path) for upload_id, path in parts if upload_id not in receiving]
    young = [upload_id for upload_id, path in idle if _modified(path) > _orphan_cutoff()]
    known = await session.scalars(select(sessions_table.c.id).where(sessions_table.c.id.in_(young)))
    being_created = set(young) - set(known.all())
    await asyncio.to_thread(
        _remove, [path for upload_id, path in idle if upload_id not in being_created]
    )
    return expired


ORPHAN_PART_GRACE_SECONDS = 600.0
"""A part file is created just before its session row is committed: a young
one without a session row may belong to an upload being created right now, so
it is left alone; one with a row that no longer receives is removed at once."""


def _orphan_cutoff() -> float:
    return time.time() - ORPHAN_PART_GRACE_SECONDS


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


async def any_uploads_expired(db: Database) -> bool:
    async with db.read_session() as session:
        query = (
            select(sessions_table.c.id)
            .where(
                sessions_table.c.status == UploadStatus.RECEIVING,
                sessions_table.c.expires_at < utcnow(),
            )
            .limit(1)
        )
        return (await session.execute(query)).first() is not None


@dataclass
class GarbageReport:
    deleted: list[str] = field(default_factory=list)
    kept_young: int = 0
    kept_referenced: int = 0


async def collect_garbage(
    *, session: AsyncSession, store: FileStore, grace: timedelta
) -> GarbageReport:
    """Delete unreferenced blobs older than ``grace`` (files and their rows)."""
    # Uploads in flight first, references second: an upload that commits
    # between the two reads is then seen by one of them (on PostgreSQL each
    # statement sees what was committed when it started).
    in_flight = await session.scalars(
        select(sessions_table.c.sha256).where(
            sessions_table.c.status.in_(IN_FLIGHT), sessions_table.c.sha256.is_not(None)
        )
    )
    marked = {str(sha) for sha in in_flight.all()}
    marked |= await service.referenced_blobs(session=session)
    report = GarbageReport()
    cutoff = time.time() - grace.total_seconds()
    for name, path in await asyncio.to_thread(lambda: list(store.iter_blobs())):
        if name in marked:
            report.kept_referenced += 1
        elif not _SHA256_NAME.match(name) or _modified(path) > cutoff:
            report.kept_young += 1  # (a stray name is fsck's to report, not ours to delete)
        elif await asyncio.to_thread(store.delete_blob_if_older, name, cutoff):
            report.deleted.append(name)
        else:
            report.kept_young += 1  # reused by an upload just now
    if report.deleted:
        blobs = service.blobs_table
        await session.execute(delete(blobs).where(blobs.c.sha256.in_(report.deleted)))
        logger.info("garbage collection removed %d blob(s)", len(report.deleted))
    return report


def _hex_digest(path: Path) -> str:
    return sha256_of(path).hexdigest()


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


@dataclass
class FsckReport:
    checked: int = 0
    bytes_checked: int = 0
    mismatched: list[str] = field(default_factory=list)
    """Blobs whose bytes no longer hash to their name (corruption)."""
    orphans: list[str] = field(default_factory=list)
    """Files in the store that no blob row knows (GC removes them after the grace)."""
    missing: list[str] = field(default_factory=list)
    """Blob rows whose bytes are gone from the store."""
    strays: list[str] = field(default_factory=list)
    """Names in the store that are not SHA-256 hashes at all."""

    @property
    def healthy(self) -> bool:
        return not (self.mismatched or self.missing or self.strays)


async def fsck(*, db: Database, store: FileStore) -> FsckReport:
    """Re-hash every blob in the store and compare with the database."""
    async with db.read_session() as session:
        rows = (await session.execute(select(service.blobs_table))).all()
    known = {row.sha256: row.size for row in rows}
    report = FsckReport()
    seen: set[str] = set()
    for name, path in await asyncio.to_thread(lambda: list(store.iter_blobs())):
        if len(name) != 64 or path.parent.name != name[:2]:
            report.strays.append(str(path.relative_to(store.root)))
            continue
        seen.add(name)
        digest = await asyncio.to_thread(_hex_digest, path)
        report.checked += 1
        report.bytes_checked += path.stat().st_size
        if digest != name:
            report.mismatched.append(name)
        if name not in known:
            report.orphans.append(name)
    report.missing = sorted(set(known) - seen)
    return report

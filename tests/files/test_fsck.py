"""``mcms fsck`` and garbage collection against a real store."""

from __future__ import annotations

import hashlib
import os
import time
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update

from mcms.core.db import Database, utcnow
from mcms.files.housekeeping import collect_garbage, expire_uploads, fsck, sessions_table
from mcms.files.store import FileStore
from mcms.settings import Settings
from tests.factories import Factory
from tests.files.support import (
    create_upload,
    drain_worker,
    engineer_with_routing,
    head,
    patch,
    upload_whole,
)


async def test_fsck_finds_corruption_and_orphans_and_gc_keeps_referenced(
    client: httpx.AsyncClient, factory: Factory, app: Any, settings: Settings, db: Database
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    await upload_whole(client, engineer, routing["id"], os.urandom(10_000), filename="a.esp")
    await upload_whole(client, engineer, routing["id"], os.urandom(10_000), filename="b.esp")
    await drain_worker(app)
    store = FileStore(settings.resolved_files_dir)
    clean = await fsck(db=db, store=store)
    assert (clean.checked, clean.healthy, clean.orphans) == (2, True, [])

    blobs = [path for _, path in store.iter_blobs()]
    blobs[0].write_bytes(b"bit rot")
    orphan = store.blob_path("ab" * 32)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    report = await fsck(db=db, store=store)
    # the orphan's name is no hash of its bytes either; the order is the store's
    assert sorted(report.mismatched) == sorted([blobs[0].name, "ab" * 32])
    assert report.orphans == ["ab" * 32]
    assert not report.healthy

    old = orphan.stat().st_mtime - 3 * 86_400
    os.utime(orphan, (old, old))
    async with db.unit_of_work() as session:
        swept = await collect_garbage(session=session, store=store, grace=timedelta(hours=48))
    assert swept.deleted == ["ab" * 32]
    assert swept.kept_referenced == 2
    assert not orphan.exists()


async def test_idle_uploads_expire_with_their_bytes_and_young_parts_are_kept(
    client: httpx.AsyncClient, factory: Factory, settings: Settings, db: Database
) -> None:
    # given an idle upload past its expiry, a live one, an old orphaned part file
    # (a crash before its session was written) and a part file being created now
    engineer, routing = await engineer_with_routing(factory)
    idle = (await create_upload(client, engineer, routing["id"], 100)).headers["Location"]
    live = (await create_upload(client, engineer, routing["id"], 100)).headers["Location"]
    assert (await patch(client, engineer, idle, 0, b"x" * 10)).status_code == 204
    idle_id, live_id = idle.rsplit("/", 1)[-1], live.rsplit("/", 1)[-1]
    async with db.unit_of_work() as session:
        await session.execute(
            update(sessions_table)
            .where(sessions_table.c.id == idle_id)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
    store = FileStore(settings.resolved_files_dir)
    old_orphan, young_orphan = store.part_path("a" * 32), store.part_path("b" * 32)
    old_orphan.write_bytes(b"left by a crash")
    young_orphan.write_bytes(b"just created")
    hour_ago = time.time() - 3600
    os.utime(old_orphan, (hour_ago, hour_ago))

    # when housekeeping runs
    async with db.unit_of_work() as session:
        expired = await expire_uploads(session=session, store=store)

    # then the idle upload is EXPIRED without its bytes, the live one untouched,
    # the old orphan gone and the young one kept
    assert expired == [idle_id]
    assert (await head(client, engineer, idle)).status_code == 410
    assert (await head(client, engineer, live)).status_code == 200
    parts = sorted(upload_id for upload_id, _ in store.iter_parts())
    assert parts == sorted([live_id, "b" * 32])


async def test_a_blob_reused_by_a_commit_is_not_collected_before_its_reference_lands(
    settings: Settings, db: Database
) -> None:
    # given an old blob that no file refers to (yet)
    store = FileStore(settings.resolved_files_dir)
    store.ensure()
    data = b"G0 X0 Y0\n"
    digest = hashlib.sha256(data).hexdigest()
    blob = store.blob_path(digest)
    blob.parent.mkdir(parents=True, exist_ok=True)
    blob.write_bytes(data)
    week_ago = time.time() - 7 * 86_400
    os.utime(blob, (week_ago, week_ago))

    # when an upload of the same bytes is committed against it (its row not yet
    # written) and garbage collection runs in between
    part = store.new_temp_file("same.part")
    part.write_bytes(data)
    stored_new = store.commit_file(part, digest, len(data))
    async with db.unit_of_work() as session:
        swept = await collect_garbage(session=session, store=store, grace=timedelta(hours=48))

    # then the blob was reused, not written again, and the sweep left it alone
    assert stored_new is False
    assert not part.exists()
    assert (swept.deleted, swept.kept_young) == ([], 1)
    assert blob.read_bytes() == data

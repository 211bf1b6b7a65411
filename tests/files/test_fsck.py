"""``mcms fsck`` and garbage collection against a real store."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import httpx

from mcms.core.db import Database
from mcms.files.housekeeping import collect_garbage, fsck
from mcms.files.store import FileStore
from mcms.settings import Settings
from tests.factories import Factory
from tests.files.support import drain_worker, engineer_with_routing, upload_whole


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

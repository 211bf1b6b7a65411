"""The writer's locks kept between PATCHes (``files/leases.py``), through the
real app on SQLite and PostgreSQL. "Another process" is a second ``Ingest`` on
the same database and file store: ``flock`` locks of two open files conflict
within one process as across two, and neither sees the other's leases."""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from mcms.core.auth import Principal, Role
from mcms.core.db import Database
from mcms.files import uploads
from mcms.files.ingest import Ingest
from mcms.files.names import parse_checksum
from mcms.files.uploads import sessions_table
from mcms.settings import Settings
from tests.factories import Factory, TestUser
from tests.files.support import checksum, create_upload, engineer_with_routing, head, patch

CHUNK = 100_000


async def _lock_of(db: Database, upload_id: str) -> tuple[str | None, int]:
    query = select(sessions_table.c.lock_token, sessions_table.c.offset).where(
        sessions_table.c.id == upload_id
    )
    async with db.read_session() as session:
        row = (await session.execute(query)).one()
    return row.lock_token, row.offset


def _file_locked(ingest: Ingest, upload_id: str) -> bool:
    fd = os.open(ingest.store.part_path(upload_id), os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@dataclass
class Started:
    """An upload of three chunks with its first chunk sent through the app,
    whose leases last ``seconds``."""

    ingest: Ingest
    engineer: TestUser
    location: str

    @property
    def upload_id(self) -> str:
        return self.location.rsplit("/", 1)[1]


async def _started(
    app: Any, client: httpx.AsyncClient, factory: Factory, *, lease_seconds: float
) -> Started:
    ingest: Ingest = app.state.ingest
    ingest.leases.seconds = lease_seconds
    engineer, routing = await engineer_with_routing(factory)
    created = await create_upload(client, engineer, routing["id"], 3 * CHUNK)
    location = str(created.headers["Location"])
    answer = await patch(client, engineer, location, 0, os.urandom(CHUNK))
    assert answer.status_code == 204, answer.text
    return Started(ingest, engineer, location)


def _principal(user: TestUser) -> Principal:
    return Principal(user_id=user.id, username=user.username, display_name="", role=Role.ENGINEER)


async def _body(data: bytes) -> Any:
    yield data


async def test_a_patch_keeps_the_locks_for_the_next_one(
    client: httpx.AsyncClient, factory: Factory, app: Any, db: Database
) -> None:
    started = await _started(app, client, factory, lease_seconds=0.3)
    ingest, engineer, location, upload_id = (
        started.ingest,
        started.engineer,
        started.location,
        started.upload_id,
    )

    token, offset = await _lock_of(db, upload_id)
    assert (token is not None, offset) == (True, CHUNK)
    assert _file_locked(ingest, upload_id)
    assert (await patch(client, engineer, location, CHUNK, os.urandom(CHUNK))).status_code == 204
    assert await _lock_of(db, upload_id) == (token, 2 * CHUNK)  # the same lock, not a new one

    await asyncio.sleep(0.3 + 0.3)
    assert await _lock_of(db, upload_id) == (None, 2 * CHUNK)
    assert not _file_locked(ingest, upload_id)
    assert ingest.leases.peek(upload_id) is None
    last = await patch(client, engineer, location, 2 * CHUNK, os.urandom(CHUNK))
    assert last.status_code == 204
    assert await _lock_of(db, upload_id) == (None, 3 * CHUNK)  # complete: nothing kept


async def test_head_and_delete_in_the_same_process_do_not_wait(
    client: httpx.AsyncClient, factory: Factory, app: Any, settings: Settings
) -> None:
    upload = await _started(app, client, factory, lease_seconds=30.0)
    ingest, engineer, location = upload.ingest, upload.engineer, upload.location

    started = time.monotonic()
    answer = await head(client, engineer, location)
    assert (answer.status_code, answer.headers["Upload-Offset"]) == (200, str(CHUNK))
    deleted = await client.delete(location, headers={"Tus-Resumable": "1.0.0", **engineer.headers})
    assert deleted.status_code == 204
    assert time.monotonic() - started < 5.0  # far from the lease's 30 s
    assert ingest.leases.peek(upload.upload_id) is None
    assert list((settings.resolved_files_dir / "uploads").iterdir()) == []


async def test_another_process_gets_the_upload_once_the_lease_runs_out(
    client: httpx.AsyncClient, factory: Factory, app: Any, db: Database, settings: Settings
) -> None:
    upload = await _started(app, client, factory, lease_seconds=0.5)
    engineer, location, upload_id = upload.engineer, upload.location, upload.upload_id
    other = Ingest(db, settings, on_commit_queued=lambda: None)
    principal = _principal(engineer)

    started = time.monotonic()
    row = await other.offset(principal, upload_id)
    waited = time.monotonic() - started
    assert row.offset == CHUNK
    assert 0.2 < waited < 0.5 + 2.0  # it waited for the lease, not for a lock to go stale
    data = os.urandom(CHUNK)
    written = await other.patch(
        principal,
        upload_id,
        offset=CHUNK,
        checksum=parse_checksum(checksum(data)),
        content_length=CHUNK,
        body=_body(data),
    )
    assert written.offset == 2 * CHUNK
    # Now the other one holds a lease; this process's next PATCH waits it out.
    answer = await patch(client, engineer, location, 2 * CHUNK, os.urandom(CHUNK))
    assert answer.status_code == 204, answer.text
    assert await _lock_of(db, upload_id) == (None, 3 * CHUNK)
    await other.close()


async def test_a_waiting_process_is_not_kept_waiting_by_the_next_lease(
    client: httpx.AsyncClient, factory: Factory, app: Any, db: Database
) -> None:
    """A PATCH that finds, in its acknowledgement, that another process asked
    for the upload lets go instead of keeping the locks."""
    upload = await _started(app, client, factory, lease_seconds=30.0)
    ingest, engineer, location, upload_id = (
        upload.ingest,
        upload.engineer,
        upload.location,
        upload.upload_id,
    )
    async with db.unit_of_work() as session:
        await uploads.ask_release(session=session, upload_id=upload_id)

    assert (await patch(client, engineer, location, CHUNK, os.urandom(CHUNK))).status_code == 204
    assert ingest.leases.peek(upload_id) is None
    assert await _lock_of(db, upload_id) == (None, 2 * CHUNK)
    assert not _file_locked(ingest, upload_id)

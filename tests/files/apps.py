"""Helpers for the end-to-end file tests: the real app with the settings a test
needs (a scanner, a policy, a store), served in process or by a real uvicorn,
and looks at what the pipeline left behind in the database and the store."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, update

from mcms.app import create_app
from mcms.core.db import Database, utcnow
from mcms.files.models import FileBlob, FileCommitAudit, FileDownload, RoutingFile
from mcms.files.store import FileStore
from mcms.history.models import HistoryEntry
from mcms.live.models import Event
from mcms.settings import Settings
from mcms.worker.models import CommandStatus, WorkerCommand
from tests.factories import Factory, TestUser
from tests.servers import serving

UPLOAD_SESSION = """
query Upload($id: ID!) {
  uploadSession(id: $id) {
    id status failureReason
    file { id revision scanStatus scanDetail downloadable downloadUrl }
  }
}
"""
ROUTING_FILES = """
query Files($id: ID!) {
  routing(id: $id) {
    files { id logicalName revision size sha256 scanStatus scanDetail downloadable downloadUrl }
    history { edges { node { type actor message data } } }
  }
}
"""


@dataclass
class Running:
    """One app instance and an in-process client for it."""

    app: Any
    client: httpx.AsyncClient
    factory: Factory
    settings: Settings

    async def drain(self) -> None:
        """Run the worker's due commands now (no lifespan, so no worker loop)."""
        while await self.app.state.worker.run_once():
            pass

    async def upload_session(self, user: TestUser, upload_id: str) -> dict[str, Any]:
        data = await self.factory.ok(UPLOAD_SESSION, {"id": upload_id}, as_=user)
        session: dict[str, Any] = data["uploadSession"]
        return session

    async def routing(self, user: TestUser, routing_id: str) -> dict[str, Any]:
        data = await self.factory.ok(ROUTING_FILES, {"id": routing_id}, as_=user)
        routing: dict[str, Any] = data["routing"]
        return routing


@asynccontextmanager
async def running(db: Database, settings: Settings) -> AsyncIterator[Running]:
    app: Any = create_app(settings, db=db)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Running(app, client, Factory(db=db, client=client), settings)
    finally:
        await app.state.ingest.close()
        await app.state.worker.stop()
        await app.state.hub.close()


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """``app`` behind a real uvicorn on a free port, for what streams (SSE)."""
    async with serving(app) as address:
        yield f"http://{address}"


async def alerts_received(
    base_url: str, user: TestUser, routing_id: str, *, quiet: float = 0.5
) -> list[dict[str, Any]]:
    """The alerts about ``routing_id`` that ``/events/alerts`` replays to
    ``user`` from the start of the log (the stream stays open, so it is read
    until nothing more arrives for ``quiet`` seconds)."""
    url = f"{base_url}/events/alerts?routingId={routing_id}&lastEventId=0"
    found: list[dict[str, Any]] = []

    async def read(response: httpx.Response) -> None:
        fields: dict[str, str] = {}
        async for line in response.aiter_lines():
            if line == "":
                if fields.get("event") == "notification.alert":
                    found.append(json.loads(fields["data"]))
                fields = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value

    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", url, headers=user.headers) as response,
    ):
        assert response.status_code == 200, await response.aread()
        reader = asyncio.create_task(read(response))
        seen = -1
        while seen != len(found):
            seen = len(found)
            await asyncio.sleep(quiet)
        reader.cancel()
    return found


def cas_files(settings: Settings) -> dict[str, bytes]:
    """Every blob in the content-addressed store, by name."""
    root = settings.resolved_files_dir / "cas" / "sha256"
    if not root.exists():
        return {}
    return {path.name: path.read_bytes() for path in root.rglob("*") if path.is_file()}


def part_files(settings: Settings) -> list[Path]:
    uploads = settings.resolved_files_dir / "uploads"
    return sorted(uploads.iterdir()) if uploads.exists() else []


def upload_id_of(location: str) -> str:
    return location.rsplit("/", 1)[1]


def history_types(routing: dict[str, Any]) -> list[str]:
    return [edge["node"]["type"] for edge in routing["history"]["edges"]]


def history_of(routing: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    return [edge["node"] for edge in routing["history"]["edges"] if edge["node"]["type"] == type_]


@dataclass(frozen=True)
class Stored:
    """What the database holds about files: the counts a failure must not change."""

    blobs: int
    files: int
    audits: int
    uploaded_history: int
    committed_events: int


async def stored(db: Database) -> Stored:
    async with db.read_session() as session:

        async def count(query: Any) -> int:
            return int(await session.scalar(query) or 0)

        return Stored(
            blobs=await count(select(func.count()).select_from(FileBlob)),
            files=await count(select(func.count()).select_from(RoutingFile)),
            audits=await count(select(func.count()).select_from(FileCommitAudit)),
            uploaded_history=await count(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.type == "FILE_UPLOADED")
            ),
            committed_events=await count(
                select(func.count()).select_from(Event).where(Event.name == "file.committed")
            ),
        )


NOTHING = Stored(blobs=0, files=0, audits=0, uploaded_history=0, committed_events=0)


async def blob_row(db: Database, sha256: str) -> FileBlob | None:
    async with db.read_session() as session:
        blob: FileBlob | None = await session.get(FileBlob, sha256)
        return blob


async def alert_events(db: Database, type_: str) -> list[Event]:
    """The ``notification.alert`` events of one alert type, oldest first."""
    async with db.read_session() as session:
        query = select(Event).where(Event.name == "notification.alert").order_by(Event.id)
        events = list((await session.scalars(query)).all())
    return [event for event in events if event.payload["type"] == type_]


async def downloads(db: Database) -> list[tuple[int, str, str | None, int]]:
    """The download audit: (user, method, range, status), oldest first."""
    async with db.read_session() as session:
        rows = await session.execute(
            select(
                FileDownload.user_id, FileDownload.method, FileDownload.range, FileDownload.status
            ).order_by(FileDownload.id)
        )
        return [(row[0], row[1], row[2], row[3]) for row in rows.all()]


async def commit_commands(db: Database) -> list[WorkerCommand]:
    async with db.read_session() as session:
        query = (
            select(WorkerCommand)
            .where(WorkerCommand.kind == "files.commit_upload")
            .order_by(WorkerCommand.id)
        )
        return list((await session.scalars(query)).all())


async def make_retries_due(db: Database) -> None:
    """Skip the worker's backoff: commands waiting to be retried are due now
    (the retry itself, and everything it does, is real)."""
    async with db.unit_of_work() as session:
        await session.execute(
            update(WorkerCommand)
            .where(WorkerCommand.status == CommandStatus.PENDING)
            .values(run_after=utcnow())
        )


@contextmanager
def refusing_new_entries(directory: Path) -> Iterator[None]:
    """``directory`` refuses new entries for real: immutable (``chattr +i``)
    when the tests run as root, whom file modes do not stop; mode 0555 otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(directory)], check=True)  # noqa: S603, S607
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(directory)], check=True)  # noqa: S603, S607
    else:
        mode = directory.stat().st_mode
        directory.chmod(0o555)
        try:
            yield
        finally:
            directory.chmod(mode)


@contextmanager
def store_refusing_blobs(settings: Settings) -> Iterator[None]:
    """The store takes uploads but cannot move them into ``cas/``."""
    store = FileStore(settings.resolved_files_dir)
    store.ensure()
    with refusing_new_entries(store.cas):
        yield

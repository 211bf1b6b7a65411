"""A real ``mcms serve`` for the file tests (started with the add-in tests' process
helpers), an engineer with a draft routing on it, and the reads that tell what
became of an upload: its session over GraphQL, the downloaded bytes, the store
on disk."""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from mcms.files.store import FileStore, sha256_of
from tests.addin_jobs.processes import WAIT, Lab, Server, eventually
from tests.factories import Factory, TestUser

UPLOAD_SESSION = """
query Upload($id: ID!) {
  uploadSession(id: $id) {
    id status offset size failureReason file { id sha256 size }
  }
}
"""
FINAL = ("COMMITTED", "QUARANTINED", "FAILED", "CANCELLED", "EXPIRED")
MiB = 1024 * 1024


@dataclass
class Live:
    """One test's server, its HTTP client and the engineer who uploads."""

    lab: Lab
    server: Server
    http: httpx.AsyncClient
    api: Factory
    engineer: TestUser
    routing_id: str

    @property
    def endpoint(self) -> str:
        return f"{self.server.url}/api/uploads"

    @property
    def store(self) -> FileStore:
        return FileStore(self.lab.tmp / "data" / "files")

    async def session(self, upload_id: str) -> dict[str, Any]:
        data = await self.api.ok(UPLOAD_SESSION, {"id": upload_id}, as_=self.engineer)
        session: dict[str, Any] = data["uploadSession"]
        return session

    async def committed(self, upload_id: str, within: float = WAIT) -> dict[str, Any]:
        """The session once it is final; fails unless it is ``COMMITTED``."""

        async def probe() -> dict[str, Any] | None:
            session = await self.session(upload_id)
            return session if session["status"] in FINAL else None

        session = await eventually(probe, f"upload {upload_id} to be committed", within)
        assert session["status"] == "COMMITTED", session
        return session

    async def downloaded_sha256(self, file_id: str) -> str:
        """SHA-256 of ``GET /api/files/{id}/content``, streamed."""
        digest = hashlib.sha256()
        url = f"/api/files/{file_id}/content"
        async with self.http.stream("GET", url, headers=self.engineer.headers) as answer:
            assert answer.status_code == 200, await answer.aread()
            async for block in answer.aiter_bytes():
                digest.update(block)
        return digest.hexdigest()

    async def check_stored(self, upload_id: str, source: Path) -> dict[str, Any]:
        """The upload is committed as exactly ``source``'s bytes, and downloads so."""
        expected = (await asyncio.to_thread(sha256_of, source)).hexdigest()
        session = await self.committed(upload_id)
        assert session["file"]["sha256"] == expected
        assert int(session["file"]["size"]) == (await asyncio.to_thread(source.stat)).st_size
        assert await self.downloaded_sha256(session["file"]["id"]) == expected
        return session


@asynccontextmanager
async def open_live(lab: Lab) -> AsyncIterator[Live]:
    """A started server with an engineer and a draft routing of theirs; the server
    is stopped at the end (and killed by the lab if it will not stop)."""
    server = lab.server_not_started()
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
            api = Factory(db=lab.db, client=http)
            engineer = await api.user()
            routing = await api.routing(engineer)
            yield Live(
                lab=lab,
                server=server,
                http=http,
                api=api,
                engineer=engineer,
                routing_id=str(routing["id"]),
            )
    finally:
        await server.stop()


def random_file(path: Path, size: int, seed: int) -> Path:
    """``size`` reproducible pseudo-random bytes at ``path``."""
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def upload_id_of(url: str) -> str:
    upload_id = url.rstrip("/").rsplit("/", 1)[1]
    if len(upload_id) != 32:
        pytest.fail(f"not an upload URL: {url}")
    return upload_id

"""Stock tus clients against a real ``mcms serve`` (SQLite file and PostgreSQL):
tus-js-client (the SPA's client, run by Node) and tuspy. Each upload must end
``COMMITTED`` with exactly the source's bytes, downloaded back and hashed; the
resumes are the clients' own (stored URL by fingerprint, retries after a
server crash), never a hand-made request."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import signal
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.storage.filestorage import FileStorage
from tusclient.uploader.uploader import Uploader

from mcms.files.uploads import sessions_table
from tests.addin_jobs.processes import WAIT, eventually
from tests.files.live import Live, MiB, random_file, upload_id_of

pytestmark = pytest.mark.slow

NODE_SCRIPT = Path(__file__).with_name("tus_js_upload.mjs")
CHUNK = 1 * MiB


async def _sessions_of(live: Live) -> int:
    """How many upload sessions the routing has (a resume must not create one)."""
    query = select(func.count()).where(sessions_table.c.routing_id == int(live.routing_id))
    async with live.lab.db.read_session() as session:
        return int(await session.scalar(query) or 0)


async def _acknowledged(live: Live) -> int:
    """The routing's one upload's acknowledged offset, as the server recorded it."""
    query = select(sessions_table.c.offset).where(
        sessions_table.c.routing_id == int(live.routing_id)
    )
    async with live.lab.db.read_session() as session:
        return int(await session.scalar(query) or 0)


# -- tus-js-client ---------------------------------------------------------------------


@dataclass
class NodeUpload:
    """One run of ``tus_js_upload.mjs``: its process and the events it printed."""

    process: asyncio.subprocess.Process
    events: list[dict[str, Any]] = field(default_factory=list)

    async def next_event(self) -> dict[str, Any] | None:
        """The next line it prints, parsed; ``None`` once it has exited."""
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), WAIT)
        if not line:
            return None
        event: dict[str, Any] = json.loads(line)
        self.events.append(event)
        return event

    async def until(self, wanted: str, accepted: int = 0) -> dict[str, Any]:
        """Events up to the first ``wanted`` one (a chunk: with ``accepted`` bytes in)."""
        while (event := await self.next_event()) is not None:
            if event["event"] == wanted and event.get("accepted", 0) >= accepted:
                return event
        pytest.fail(f"tus-js-client exited before {wanted!r}: {self.events}\n{await self.err()}")

    async def finished(self) -> dict[str, Any]:
        """The ``success`` event, after the process exited 0."""
        success = await self.until("success")
        code = await asyncio.wait_for(self.process.wait(), WAIT)
        assert code == 0, await self.err()
        return success

    async def err(self) -> str:
        assert self.process.stderr is not None
        return (await self.process.stderr.read()).decode(errors="replace")

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.events if event["event"] == kind]


@asynccontextmanager
async def tus_js(
    live: Live, source: Path, url_store: Path, retry_delays: str = ""
) -> AsyncIterator[NodeUpload]:
    """tus-js-client uploading ``source`` in 1 MiB chunks; killed if still running."""
    node = shutil.which("node")
    assert node is not None, "Node is needed for the tus-js-client tests"
    process = await asyncio.create_subprocess_exec(
        *(node, str(NODE_SCRIPT), live.endpoint, str(source), live.routing_id),
        *(str(url_store), str(CHUNK), retry_delays),
        env={"PATH": "/usr/bin:/bin", "MCMS_TOKEN": live.engineer.token},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        yield NodeUpload(process)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


def _first_chunk_start(events: list[dict[str, Any]]) -> int:
    """Where a run's first PATCH began: the offset it resumed from."""
    chunk = next(event for event in events if event["event"] == "chunk")
    return int(chunk["accepted"]) - int(chunk["size"])


async def test_tus_js_client_uploads_a_file(live: Live, tmp_path: Path) -> None:
    source = random_file(tmp_path / "part.esp", 5 * MiB + 12345, seed=1)

    async with tus_js(live, source, tmp_path / "urls.json") as upload:
        success = await upload.finished()

    assert [event["accepted"] for event in upload.of("chunk")][-1] == source.stat().st_size
    assert len(upload.of("chunk")) == 6
    await live.check_stored(upload_id_of(success["url"]), source)


async def test_tus_js_client_killed_resumes_from_its_stored_url(live: Live, tmp_path: Path) -> None:
    """Node is SIGKILLed mid-upload; a new run finds the upload by the file's
    fingerprint in its URL storage, asks the server for the offset and sends only
    the rest."""
    source = random_file(tmp_path / "O1234.nc", 16 * MiB, seed=2)
    urls = tmp_path / "urls.json"

    async with tus_js(live, source, urls) as first:
        created = await first.until("url")
        acknowledged = (await first.until("chunk", accepted=3 * CHUNK))["accepted"]
        first.process.send_signal(signal.SIGKILL)
        await first.process.wait()
    assert not first.of("success")

    async with tus_js(live, source, urls) as second:
        resuming = await second.until("resuming")
        success = await second.finished()

    assert resuming["url"] == created["url"] == success["url"]
    start = _first_chunk_start(second.events)
    # Nothing acknowledged is sent again; at most the chunk cut short by the kill.
    assert acknowledged <= start <= acknowledged + CHUNK
    assert await _sessions_of(live) == 1
    await live.check_stored(upload_id_of(success["url"]), source)


async def test_tus_js_client_rides_out_a_server_crash(live: Live, tmp_path: Path) -> None:
    """The server is SIGKILLed mid-upload and restarted; tus-js-client's own
    retries (HEAD, then PATCH from the offset) finish the upload."""
    source = random_file(tmp_path / "part.esp", 16 * MiB, seed=3)

    async with tus_js(live, source, tmp_path / "urls.json", "100,250,500,1000,2000,4000") as run:
        await run.until("chunk", accepted=2 * CHUNK)
        await live.server.kill()
        acknowledged = await _acknowledged(live)
        await live.server.start()
        success = await run.finished()

    retried = next(i for i, event in enumerate(run.events) if event["event"] == "retry")
    assert acknowledged < source.stat().st_size, "the upload finished before the crash"
    # It goes on from exactly what the server had made durable when it died.
    assert _first_chunk_start(run.events[retried:]) == acknowledged
    assert await _sessions_of(live) == 1
    await live.check_stored(upload_id_of(success["url"]), source)


# -- tuspy -----------------------------------------------------------------------------


def _tuspy(live: Live, source: Path, urls: FileStorage) -> Uploader:
    """A tuspy uploader with checksums (tuspy sends sha1) and a stored URL; its
    constructor already asks the server for the offset of a stored upload."""
    client = TusClient(live.endpoint, headers=live.engineer.headers)
    return client.uploader(
        file_path=str(source),
        chunk_size=CHUNK,
        metadata={"filename": source.name, "routingId": live.routing_id},
        store_url=True,
        url_storage=urls,
        upload_checksum=True,
    )


@pytest.fixture
def url_storage(tmp_path: Path) -> Iterator[FileStorage]:
    """tuspy's own URL storage. tuspy opens the source file for every request and
    never closes it: its handles are collected here, their warnings ignored."""
    storage = FileStorage(str(tmp_path / "tuspy-urls.json"))  # type: ignore[no-untyped-call]
    yield storage
    storage._db.close()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


TUSPY_LEAKS = pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning")


@TUSPY_LEAKS
async def test_tuspy_uploads_with_checksums(
    live: Live, tmp_path: Path, url_storage: FileStorage
) -> None:
    source = random_file(tmp_path / "part.esp", 4 * MiB + 1, seed=4)

    uploader = await asyncio.to_thread(_tuspy, live, source, url_storage)
    await asyncio.to_thread(uploader.upload)

    assert uploader.offset == source.stat().st_size
    assert uploader.url is not None
    # Its chunks carried a checksum, and the server checked and took them.
    assert uploader.request is not None
    assert uploader.request._request_headers["upload-checksum"].startswith("sha1 ")
    await live.check_stored(upload_id_of(uploader.url), source)


@TUSPY_LEAKS
async def test_tuspy_resumes_after_a_server_crash(
    live: Live, tmp_path: Path, url_storage: FileStorage
) -> None:
    """The server dies mid-upload; a new tuspy uploader for the same file takes
    the URL from its storage, HEADs the offset and sends the rest."""
    source = random_file(tmp_path / "part.esp", 16 * MiB, seed=5)
    first = await asyncio.to_thread(_tuspy, live, source, url_storage)
    running = asyncio.create_task(asyncio.to_thread(first.upload))

    async def two_chunks_in() -> int | None:
        offset = await _acknowledged(live)
        return offset if offset >= 2 * CHUNK and not running.done() else None

    await eventually(two_chunks_in, "tuspy to send two chunks", WAIT)
    await live.server.kill()
    acknowledged = await _acknowledged(live)
    assert acknowledged < source.stat().st_size, "the upload finished before the crash"
    with pytest.raises((TusUploadFailed, TusCommunicationError)):
        await running
    await live.server.start()

    second = await asyncio.to_thread(_tuspy, live, source, url_storage)
    assert second.url == first.url
    assert second.offset == acknowledged  # what the server had made durable when it died
    await asyncio.to_thread(second.upload)

    assert await _sessions_of(live) == 1
    assert second.url is not None
    await live.check_stored(upload_id_of(second.url), source)

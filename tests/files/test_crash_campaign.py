"""Uploads against a real ``mcms serve`` (SQLite file and PostgreSQL) from a
hand-rolled tus client: PATCHes that race for one upload, a HEAD after a crash
mid-PATCH, and a crash campaign.

Racing PATCHes: exactly one is applied, the other gets its defined answer
(409, with the offset to go on from), and the stored bytes are the source's.

The crash campaign: several clients upload at once, in 1 MiB checksummed
chunks, while the server is killed at random moments (seeded; the seed is
printed, ``CRASH_CAMPAIGN_SEED`` replays one) and restarted on the same data
directory and database. Clients resume from HEAD. Afterwards every upload is
committed with its source's SHA-256, each blob in ``cas/`` hashes to its name
and is known to the database, no part file is left, and no crash cost any
client more than the one chunk it had in flight.

Each upload's last chunk is held back until the crashes are over: a SIGKILL
while the worker commits an upload would leave its command leased for the
worker's five-minute lease, which this test cannot wait for.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import select

from mcms.files.ingest import HEAD_WAIT_SECONDS
from mcms.files.models import FileCommitAudit
from mcms.files.service import blobs_table
from mcms.files.store import sha256_of
from mcms.files.uploads import sessions_table
from tests.addin_jobs.processes import WAIT, eventually
from tests.files.live import Live, MiB, upload_id_of
from tests.files.support import OFFSET_STREAM, TUS, checksum, metadata

pytestmark = pytest.mark.slow

CHUNK = 1 * MiB
UPLOADS = 6
CRASHES = 8
RETRY = 0.05


async def _create(live: Live, data: bytes, name: str) -> str:
    headers = {
        **TUS,
        **live.engineer.headers,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": metadata(
            filename=name, routingId=live.routing_id, sha256=hashlib.sha256(data).hexdigest()
        ),
    }
    created = await live.http.post("/api/uploads", headers=headers)
    assert created.status_code == 201, created.text
    return str(created.headers["Location"])


async def _bytes_on_disk(live: Live, upload_id: str, at_least: int) -> None:
    """Until the upload's part file holds ``at_least`` bytes (a PATCH is writing)."""
    part = live.store.part_path(upload_id)

    async def probe() -> bool | None:
        return True if part.stat().st_size >= at_least else None

    await eventually(probe, f"{at_least} bytes of upload {upload_id} on disk", WAIT)


# -- two PATCHes at once ---------------------------------------------------------------


@dataclass
class RawPatch:
    """A PATCH over its own socket, so its body can stall half-way (a client that
    hangs) and its answer is read even if the server stops reading the body."""

    live: Live
    location: str
    offset: int
    body: bytes
    with_checksum: bool = True
    writer: asyncio.StreamWriter | None = None
    reader: asyncio.StreamReader | None = None

    async def send(self, upto: int | None = None) -> None:
        """The head and the first ``upto`` bytes of the body (all by default)."""
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.live.server.port)
        lines = [
            f"PATCH {self.location} HTTP/1.1",
            f"Host: 127.0.0.1:{self.live.server.port}",
            f"Authorization: Bearer {self.live.engineer.token}",
            "Tus-Resumable: 1.0.0",
            "Content-Type: application/offset+octet-stream",
            f"Upload-Offset: {self.offset}",
            f"Content-Length: {len(self.body)}",
            "Connection: close",
        ]
        if self.with_checksum:
            lines.append(f"Upload-Checksum: {checksum(self.body)}")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode()
        # Not drained: the server may answer before it has read the whole body.
        self.writer.write(head + self.body[:upto])

    def close(self) -> None:
        assert self.writer is not None
        self.writer.close()

    async def answer(self) -> tuple[int, dict[str, str]]:
        assert self.reader is not None
        assert self.writer is not None
        try:
            raw = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), WAIT)
        finally:
            self.writer.close()
        status_line, *header_lines = raw.decode("latin-1").split("\r\n")
        headers = {}
        for line in filter(None, header_lines):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return int(status_line.split()[1]), headers


async def test_a_newer_patch_displaces_a_stalled_one(live: Live) -> None:
    """A PATCH whose client stalls mid-chunk holds the upload until a newer one
    arrives; then exactly one goes on. With a checksum the stalled one keeps
    nothing (409); without, it keeps what it wrote (204 at its offset) and the
    newer one, sent from 0, is told where to go on from (409)."""
    data = os.urandom(8 * MiB)
    for with_checksum in (True, False):
        location = await _create(live, data, f"stall-{with_checksum}.esp")
        stalled = RawPatch(live, location, 0, data, with_checksum=with_checksum)
        await stalled.send(upto=5 * MiB)
        # The receiver writes in batches of a few MiB: wait for the first one.
        await _bytes_on_disk(live, upload_id_of(location), at_least=MiB)

        newer = RawPatch(live, location, 0, data)
        await newer.send()
        (first, first_headers), (second, second_headers) = await asyncio.gather(
            stalled.answer(), newer.answer()
        )

        if with_checksum:
            assert (first, first_headers["upload-offset"]) == (409, "0")
            assert (second, second_headers["upload-offset"]) == (204, str(len(data)))
        else:
            kept = int(first_headers["upload-offset"])
            assert first == 204
            assert MiB <= kept <= 5 * MiB
            assert (second, second_headers["upload-offset"]) == (409, str(kept))
            rest = RawPatch(live, location, kept, data[kept:])
            await rest.send()
            assert (await rest.answer())[0] == 204
        await _check_committed(live, location, data)


async def test_racing_patches_one_wins_nothing_corrupts(live: Live) -> None:
    """Two identical checksummed PATCHes sent at the same instant, several times:
    one is applied (204), the other refused (409, whichever it was), and the
    upload holds the chunk exactly once."""
    for attempt in range(4):
        data = os.urandom(4 * MiB)
        location = await _create(live, data, f"race-{attempt}.esp")
        racers = [RawPatch(live, location, 0, data) for _ in range(2)]
        await asyncio.gather(*(racer.send() for racer in racers))
        answers = await asyncio.gather(*(racer.answer() for racer in racers))

        assert sorted(status for status, _ in answers) == [204, 409], answers
        assert {headers["upload-offset"] for _, headers in answers} <= {"0", str(len(data))}
        await _check_committed(live, location, data)


async def test_head_after_a_crash_mid_patch_answers_at_once(live: Live) -> None:
    """A server killed while a PATCH was writing leaves that PATCH's lock in the
    database. After the restart nobody holds the part file, so HEAD answers at
    once (no waiting for a dead writer to let go) with the durable offset, and
    the unacknowledged tail on disk is cut off by the next PATCH."""
    data = os.urandom(8 * MiB)
    location = await _create(live, data, "crash.esp")
    upload_id = upload_id_of(location)
    first = RawPatch(live, location, 0, data[: 2 * MiB])
    await first.send()
    assert (await first.answer())[0] == 204
    cut = RawPatch(live, location, 2 * MiB, data[2 * MiB :])
    await cut.send(upto=5 * MiB)
    await _bytes_on_disk(live, upload_id, at_least=3 * MiB)

    await live.server.kill()
    cut.close()
    await live.server.start()
    assert await _lock_token(live, upload_id) is not None  # the dead writer's
    started = time.monotonic()
    answer = await live.http.head(location, headers={**TUS, **live.engineer.headers})
    waited = time.monotonic() - started

    assert (answer.status_code, answer.headers["Upload-Offset"]) == (200, str(2 * MiB))
    assert waited < HEAD_WAIT_SECONDS
    rest = RawPatch(live, location, 2 * MiB, data[2 * MiB :])
    await rest.send()
    assert (await rest.answer())[0] == 204
    await _check_committed(live, location, data)


async def _lock_token(live: Live, upload_id: str) -> str | None:
    query = select(sessions_table.c.lock_token).where(sessions_table.c.id == upload_id)
    async with live.lab.db.read_session() as session:
        token: str | None = await session.scalar(query)
        return token


async def _check_committed(live: Live, location: str, data: bytes) -> None:
    session = await live.committed(upload_id_of(location))
    assert session["file"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert await live.downloaded_sha256(session["file"]["id"]) == session["file"]["sha256"]


# -- the crash campaign ----------------------------------------------------------------


@dataclass
class Transfer:
    """One client's upload and what it cost."""

    name: str
    data: bytes = field(repr=False)
    location: str = ""
    acknowledged: int = 0
    """The offset the server last confirmed (a 204 or a HEAD)."""
    in_flight_end: int | None = None
    """Where the PATCH on the wire would end, while one is."""
    sent: int = 0
    """Bytes put into PATCH bodies, in total."""
    lost: Counter[int] = field(default_factory=Counter)
    """Bytes sent again, by the crash (``Campaign.generation``) that lost them."""
    log: list[str] = field(default_factory=list, repr=False)
    """What went wrong, for the failure message."""

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class Campaign:
    live: Live
    transfers: list[Transfer]
    generation: int = 0
    """How many times the server was killed so far (counted once it is dead)."""
    crashes_over: asyncio.Event = field(default_factory=asyncio.Event)
    progressed: asyncio.Event = field(default_factory=asyncio.Event)
    """Set whenever a client's acknowledged offset moves."""

    def acknowledged(self) -> int:
        return sum(transfer.acknowledged for transfer in self.transfers)

    # -- a client ---------------------------------------------------------------------

    async def upload(self, transfer: Transfer) -> None:
        async with httpx.AsyncClient(base_url=self.live.server.url, timeout=WAIT) as http:
            offset = await self._resume(http, transfer)
            while offset < transfer.size:
                end = min(offset + CHUNK, transfer.size)
                if end == transfer.size:
                    await self.crashes_over.wait()
                offset = await self._patch(http, transfer, offset, end)

    async def _patch(
        self, http: httpx.AsyncClient, transfer: Transfer, start: int, end: int
    ) -> int:
        chunk = transfer.data[start:end]
        headers = {**TUS, **OFFSET_STREAM, **self.live.engineer.headers}
        headers.update({"Upload-Offset": str(start), "Upload-Checksum": checksum(chunk)})
        transfer.in_flight_end, generation = end, self.generation
        transfer.sent += len(chunk)
        try:
            answer = await http.patch(transfer.location, headers=headers, content=chunk)
        except httpx.ConnectError:
            transfer.sent -= len(chunk)  # never left this process
            transfer.log.append(f"g{generation} PATCH {start}-{end}: refused")
            return await self._resume(http, transfer)
        except httpx.TransportError as error:
            transfer.log.append(f"g{generation} PATCH {start}-{end}: {error!r}")
            return await self._resume(http, transfer, lost=True)
        if answer.status_code == 204:
            transfer.in_flight_end = None
            transfer.acknowledged = int(answer.headers["Upload-Offset"])
            self.progressed.set()
            return transfer.acknowledged
        transfer.log.append(
            f"g{generation} PATCH {start}-{end}: {answer.status_code} {answer.text}"
        )
        assert answer.status_code in (409, 423), (answer.status_code, answer.text)
        return await self._resume(http, transfer, lost=True)

    async def _resume(self, http: httpx.AsyncClient, transfer: Transfer, lost: bool = False) -> int:
        """HEAD until the server answers; counts what the interrupted PATCH lost,
        against the crash before the server that answers (a loss needs a PATCH to
        a live server after the last HEAD, so each crash is charged its own)."""
        while True:
            try:
                answer = await http.head(
                    transfer.location, headers={**TUS, **self.live.engineer.headers}
                )
            except httpx.TransportError:
                await asyncio.sleep(RETRY)
                continue
            assert answer.status_code == 200, answer.status_code
            break
        offset = int(answer.headers["Upload-Offset"])
        assert offset >= transfer.acknowledged, (
            f"{transfer.name}: the server acknowledged {transfer.acknowledged} "
            f"bytes but resumes at {offset}"
        )
        reached = transfer.in_flight_end or transfer.acknowledged
        if lost:
            transfer.lost[self.generation] += max(reached - offset, 0)
        transfer.log.append(f"g{self.generation} HEAD: {offset} (had {reached})")
        transfer.acknowledged, transfer.in_flight_end = offset, None
        self.progressed.set()
        return offset

    # -- the crashes ------------------------------------------------------------------

    async def crash_repeatedly(self, rng: random.Random) -> list[int]:
        """Kill the server ``CRASHES`` times and start it again; each kill comes
        after a random share of what is left has been acknowledged since the
        restart, then a random few milliseconds more. Returns the bytes
        acknowledged at each kill."""
        total = sum((t.size - 1) // CHUNK * CHUNK for t in self.transfers)  # all but last chunks
        at_kill: list[int] = []
        for crash in range(CRASHES):
            left = total - self.acknowledged()
            point = self.acknowledged() + rng.uniform(0.1, 1.0) * left / (CRASHES - crash + 1)
            await self._until_acknowledged(point, total)
            await asyncio.sleep(rng.uniform(0, 0.02))
            at_kill.append(self.acknowledged())
            await self.live.server.kill()
            self.generation += 1  # only now: no answer can come from the killed one
            await asyncio.sleep(rng.uniform(0, 0.2))
            await self.live.server.start()
        self.crashes_over.set()
        return at_kill

    async def _until_acknowledged(self, point: float, total: int) -> None:
        """Woken by every acknowledgement, so the kill lands close to ``point``."""
        while self.acknowledged() < point:
            self.progressed.clear()
            try:
                await asyncio.wait_for(self.progressed.wait(), WAIT)
            except TimeoutError:
                pytest.fail(f"stuck below {point:.0f} of {total} bytes: {self.transfers}")


def _seed() -> int:
    given = os.environ.get("CRASH_CAMPAIGN_SEED")
    return int(given) if given else random.SystemRandom().randrange(2**32)


async def test_uploads_survive_a_server_killed_at_random(live: Live) -> None:
    seed = _seed()
    print(f"crash campaign seed: {seed} (CRASH_CAMPAIGN_SEED={seed} replays it)")
    rng = random.Random(seed)
    transfers = [
        Transfer(f"part-{n}.esp", rng.randbytes(rng.randrange(2 * MiB, 16 * MiB)))
        for n in range(UPLOADS)
    ]
    for transfer in transfers:
        transfer.location = await _create(live, transfer.data, transfer.name)
    campaign = Campaign(live, transfers)

    started = time.monotonic()
    clients = [asyncio.create_task(campaign.upload(transfer)) for transfer in transfers]
    try:
        at_kill = await campaign.crash_repeatedly(rng)
        await asyncio.wait_for(asyncio.gather(*clients), WAIT * 2)
    finally:
        for client in clients:
            client.cancel()
        await asyncio.gather(*clients, return_exceptions=True)
    cut = [lost for transfer in transfers for lost in transfer.lost.values() if lost]
    print(
        f"seed {seed}: {CRASHES} crashes at {at_kill} bytes acknowledged; {len(cut)} PATCHes "
        f"cut short, {sum(cut)} bytes re-sent; {time.monotonic() - started:.1f} s"
    )

    for transfer in transfers:
        cost = f"seed {seed}: {transfer.name} re-sent {dict(transfer.lost)}: {transfer.log}"
        assert all(lost <= CHUNK for lost in transfer.lost.values()), cost
        assert transfer.sent - transfer.size == sum(transfer.lost.values()), cost
        session = await live.committed(upload_id_of(transfer.location))
        expected = hashlib.sha256(transfer.data).hexdigest()
        assert session["file"]["sha256"] == expected, f"seed {seed}: {transfer.name}"
        assert await live.downloaded_sha256(session["file"]["id"]) == expected
    await _check_store(live, {hashlib.sha256(t.data).hexdigest() for t in transfers})


async def _check_store(live: Live, expected: set[str]) -> None:
    """Every blob hashes to its name and is known to the database; nothing else
    is in the store, and no part file is left."""
    store = live.store
    on_disk = {}
    for name, path in await asyncio.to_thread(lambda: list(store.iter_blobs())):
        assert path.parent.name == name[:2], path
        on_disk[name] = (await asyncio.to_thread(sha256_of, path)).hexdigest()
    assert all(name == digest for name, digest in on_disk.items()), on_disk
    async with live.lab.db.read_session() as session:
        known = set((await session.scalars(select(blobs_table.c.sha256))).all())
        audited = (await session.scalars(select(FileCommitAudit.sha256))).all()
    assert set(on_disk) == known == expected
    assert sorted(audited) == sorted(expected)
    assert list(store.iter_parts()) == []

"""``mcms.files.receiver``: a PATCH body streamed to a part file, hashed on the way."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from mcms.files import receiver
from mcms.files.receiver import BodyTooLong, PartWriter, Progress, pump

MiB = 1024 * 1024


@pytest.fixture
def part(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    path = tmp_path / "upload.part"
    path.write_bytes(b"")
    fd = os.open(path, os.O_RDWR)
    try:
        yield path, fd
    finally:
        os.close(fd)


async def pieces_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_a_body_over_several_batches_lands_whole_and_hashed(
    part: tuple[Path, int],
) -> None:
    path, fd = part
    prefix = os.urandom(1000)
    path.write_bytes(prefix)
    data = os.urandom(2 * receiver.BATCH_BYTES + 12_345)
    file_hash, chunk_hash = hashlib.sha256(prefix), hashlib.sha256()
    writer = PartWriter(fd=fd, offset=len(prefix), hashes=[file_hash, chunk_hash])

    await pump(pieces_of(data, 256_000), writer, limit=len(data), progress=Progress())
    await writer.sync()

    assert writer.written == len(data)
    assert path.read_bytes() == prefix + data
    assert file_hash.digest() == hashlib.sha256(prefix + data).digest()
    assert chunk_hash.digest() == hashlib.sha256(data).digest()


async def test_a_stopped_body_keeps_what_arrived(part: tuple[Path, int]) -> None:
    path, fd = part
    data = os.urandom(receiver.BATCH_BYTES + MiB)
    arrived = asyncio.Event()

    async def stalls() -> AsyncIterator[bytes]:
        async for piece in pieces_of(data, 64 * 1024):
            yield piece
        arrived.set()
        await asyncio.Event().wait()  # the client goes quiet

    file_hash = hashlib.sha256()
    writer = PartWriter(fd=fd, offset=0, hashes=[file_hash])
    task = asyncio.ensure_future(pump(stalls(), writer, limit=10 * len(data), progress=Progress()))
    await arrived.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await writer.sync()

    assert writer.written == len(data)
    assert path.read_bytes() == data
    assert file_hash.digest() == hashlib.sha256(data).digest()


async def test_a_failed_batch_is_not_counted_and_nothing_after_it_is_written(
    tmp_path: Path,
) -> None:
    read_only = tmp_path / "read-only.part"
    read_only.write_bytes(b"")
    fd = os.open(read_only, os.O_RDONLY)
    file_hash = hashlib.sha256()
    writer = PartWriter(fd=fd, offset=0, hashes=[file_hash])
    data = os.urandom(2 * receiver.BATCH_BYTES + 1000)
    try:

        async def pump_and_sync() -> None:
            await pump(pieces_of(data, 256_000), writer, limit=len(data), progress=Progress())
            await writer.sync()

        with pytest.raises(OSError, match="Bad file descriptor"):  # at a later batch or the sync
            await pump_and_sync()
        await writer.sync()  # nothing is left to fail
    finally:
        os.close(fd)

    assert writer.written == 0
    assert read_only.read_bytes() == b""
    # The hash threads had batches whose writes failed: said so, for the
    # caller to rebuild the hash from the file.
    assert writer.hashes_ahead


async def test_a_body_past_the_limit_is_refused(part: tuple[Path, int]) -> None:
    _, fd = part
    writer = PartWriter(fd=fd, offset=0, hashes=[hashlib.sha256()])

    with pytest.raises(BodyTooLong):
        await pump(pieces_of(os.urandom(3000), 1000), writer, limit=2500, progress=Progress())


def test_more_pieces_than_one_pwritev_takes_land_in_order(part: tuple[Path, int]) -> None:
    path, fd = part
    pieces = [os.urandom(7) for _ in range(3 * receiver._IOV_MAX + 5)]

    written = receiver._write_pieces(fd, pieces, 0)

    assert written == 7 * len(pieces)
    assert path.read_bytes() == b"".join(pieces)


def test_a_short_pwritev_is_finished_piece_by_piece(part: tuple[Path, int]) -> None:
    path, fd = part
    pieces = [b"abc", b"defgh", b"ij"]
    path.write_bytes(b"0123")  # pretend the kernel wrote the first 4 bytes at 0

    receiver._write_rest(fd, pieces, 4, 0)

    assert path.read_bytes() == b"0123efghij"


async def test_a_failed_fsync_leaves_the_bytes_written_but_not_durable(
    part: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, fd = part

    def failing_fsync(_: int) -> None:
        raise OSError(5, "Input/output error")

    # A mock, because a real fsync failure needs a failing disk.
    monkeypatch.setattr(os, "fsync", failing_fsync)
    writer = PartWriter(fd=fd, offset=0, hashes=[hashlib.sha256()])
    data = os.urandom(receiver.BATCH_BYTES + 1000)

    await pump(pieces_of(data, 256_000), writer, limit=len(data), progress=Progress())
    with pytest.raises(OSError, match="Input/output error"):
        await writer.sync()

    assert writer.durable == 0

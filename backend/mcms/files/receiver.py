"""Streaming a PATCH body to disk: hashed as it arrives, never buffered whole,
never blocking the event loop.

The event loop copies the pieces the server hands us (256 kB each with
uvicorn) into a batch buffer of 2 MiB; a worker thread writes each full batch
with one ``pwrite`` and then feeds it to the hashes in one ``update`` each
(``hashlib`` releases the GIL; with a chunk checksum the chunk's hash runs in a
second thread beside the file's). While the threads work on one batch, the
loop fills the next, so disk, hashing and the socket overlap. At most one
batch is in flight and the buffers are reused, so memory stays at two batches
per upload. (Handing the pieces over as they came cost more than the copy: the
threads then waited for the GIL between pieces.)

A batch counts only once ``pwrite`` returned for all of it, and the hashes are
updated only after that: whatever fails (disk full, a cancelled request), the
bytes counted and the hash state always describe the same prefix.

The page cache is written behind and dropped behind: each batch's writeback
starts as soon as it is written (``sync_file_range``), so the fsync that
acknowledges a chunk waits only for the tail, and once fsynced the pages are
evicted (``POSIX_FADV_DONTNEED``). Upload bytes are next read by the scanner,
if at all, so a 20 GiB upload no longer pushes everything else out of the
cache, and the kernel keeps reusing the same few MiB of pages instead of
finding new ones for every byte: on the 2-core VM of docs/performance.md that
cut the server's CPU per uploaded byte from about 5 ns to 3 (new page-cache
pages are expensive there). The cost: a download right after an upload reads
from disk.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ctypes
import hashlib
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

BATCH_BYTES = 2 * 1024 * 1024

_EXECUTOR = concurrent.futures.ThreadPoolExecutor(
    max_workers=min(32, (os.cpu_count() or 2) * 4), thread_name_prefix="mcms-upload"
)
_HASHERS = concurrent.futures.ThreadPoolExecutor(
    max_workers=min(32, (os.cpu_count() or 2) * 4), thread_name_prefix="mcms-upload-hash"
)
"""The second hash of a batch runs here while its writer thread does the first
(a pool of its own: a writer waiting for a helper can never starve it)."""

_SYNC_FILE_RANGE_WRITE = 2
"""``SYNC_FILE_RANGE_WRITE`` from ``<fcntl.h>``: start writeback, do not wait."""


class BodyTooLong(Exception):
    """The client sent more bytes than the upload has left."""


def _write_all(fd: int, block: memoryview, position: int) -> None:
    """``pwrite`` until all of ``block`` is at ``position`` onwards."""
    while block:
        written = os.pwrite(fd, block, position)
        position += written
        block = block[written:]


def _load_sync_file_range() -> Callable[[int, int, int, int], int] | None:
    """Linux's ``sync_file_range`` (not in ``os``); ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).sync_file_range
    except (OSError, AttributeError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int64, ctypes.c_int64, ctypes.c_uint)
    function.restype = ctypes.c_int
    typed: Callable[[int, int, int, int], int] = function
    return typed


_sync_file_range = _load_sync_file_range()


def _start_writeback(fd: int, position: int, length: int) -> None:
    """Start writing these pages to disk now, without waiting (only a hint:
    durability still comes from the fsync)."""
    if _sync_file_range is not None:
        _sync_file_range(fd, position, length, _SYNC_FILE_RANGE_WRITE)


def _drop_behind(fd: int, position: int, length: int) -> None:
    """Evict pages that are on disk already (only a hint)."""
    if length > 0 and hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):
            os.posix_fadvise(fd, position, length, os.POSIX_FADV_DONTNEED)


class _Buffers:
    """Batch buffers, reused from one PATCH to the next (fresh memory costs a page
    fault per 4 KiB, and on a VM more). Used from the event loop only."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self._free: list[bytearray] = []

    def take(self) -> bytearray:
        return self._free.pop() if self._free else bytearray(BATCH_BYTES)

    def give(self, buffer: bytearray | None) -> None:
        if buffer is not None and len(self._free) < self.keep:
            self._free.append(buffer)


_BUFFERS = _Buffers(keep=4)


@dataclass
class PartWriter:
    """Appends batches to an open part file at ``offset``, one in flight at a time.

    ``add`` copies what arrives into a batch buffer; a full buffer goes to a
    thread as one contiguous block (one ``pwrite``, one ``update`` per hash:
    with the pieces as they arrive, 256 kB each, the hash threads spent their
    time waiting for the GIL between pieces). Two buffers per writer: one
    filling, one being written."""

    fd: int
    offset: int
    hashes: list[hashlib._Hash]
    written: int = 0
    """Bytes written past the starting offset and included in every hash."""
    _pending: concurrent.futures.Future[int] | None = field(default=None, repr=False)
    _filling: bytearray | None = field(default=None, repr=False)
    _filled: int = field(default=0, repr=False)
    _in_flight: bytearray | None = field(default=None, repr=False)
    _spare: bytearray | None = field(default=None, repr=False)
    _dropped: int = field(default=0, repr=False)
    """Bytes past ``offset`` already fsynced and evicted from the page cache."""
    _broken: bool = field(default=False, repr=False)
    """A batch failed or never ran: what came after it must not be written."""

    async def add(self, data: bytes) -> None:
        """Take ``data`` into the batch; a full batch is handed to a thread."""
        view = memoryview(data)
        while view:
            if self._filling is None:
                self._filling, self._spare = self._spare or _BUFFERS.take(), None
            room = min(len(view), BATCH_BYTES - self._filled)
            self._filling[self._filled : self._filled + room] = view[:room]
            self._filled += room
            view = view[room:]
            if self._filled == BATCH_BYTES:
                await self.flush()

    async def flush(self) -> None:
        """Hand the batch collected so far to a thread (after the one in flight)."""
        if not self._filled:
            return
        await self._settle()
        buffer, length = self._filling, self._filled
        assert buffer is not None  # noqa: S101 - bytes were added to it
        self._filling, self._filled = None, 0
        position = self.offset + self.written
        self._in_flight = buffer
        self._pending = _EXECUTOR.submit(self._job, memoryview(buffer)[:length], position)

    async def write(self, pieces: list[bytes]) -> None:
        """``add`` each piece, then ``flush``."""
        for piece in pieces:
            await self.add(piece)
        await self.flush()

    def _job(self, block: memoryview, position: int) -> int:
        _write_all(self.fd, block, position)
        _start_writeback(self.fd, position, len(block))
        helpers = [_HASHERS.submit(digest.update, block) for digest in self.hashes[1:]]
        try:
            if self.hashes:
                self.hashes[0].update(block)
        finally:
            concurrent.futures.wait(helpers)
        for helper in helpers:
            helper.result()
        return len(block)

    def _count(self, length: int) -> None:
        self.written += length
        _BUFFERS.give(self._spare)
        self._spare, self._in_flight = self._in_flight, None

    async def _settle(self) -> None:
        """Wait for the batch in flight, if any, and count it (re-raising its error)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        if pending.cancelled():  # it never ran
            self._broken = True
            return
        try:
            self._count(await asyncio.wrap_future(pending))
        except asyncio.CancelledError:
            # The request is being stopped; the thread may still be writing this
            # batch. Keep it, so sync() waits for it before anyone reads written.
            self._pending = pending
            raise
        except BaseException:
            self._broken = True
            raise

    async def sync(self) -> None:
        """Write what was added, wait for it and fsync: afterwards ``written``
        bytes are durable.

        Safe to call after a cancelled ``add``: what was added is still written
        (a stopped PATCH keeps what arrived), unless a batch failed or never
        ran; that one is not counted (its error is re-raised) and nothing after
        it is written."""
        try:
            await self._settle()
            if self._filled and not self._broken:
                await self.flush()
                await self._settle()
        finally:
            await asyncio.get_running_loop().run_in_executor(
                _EXECUTOR, self._make_durable, self.written
            )
            self._release()

    def _release(self) -> None:
        """Give the buffers back once nothing uses them (a failed batch's is dropped)."""
        if self._pending is None:
            _BUFFERS.give(self._spare)
            self._spare = None
            if not self._filled:
                _BUFFERS.give(self._filling)
                self._filling = None

    def _make_durable(self, written: int) -> None:
        os.fsync(self.fd)
        _drop_behind(self.fd, self.offset + self._dropped, written - self._dropped)
        self._dropped = max(self._dropped, written)


@dataclass
class Progress:
    """What a supervisor watches (without a timer per piece): bytes received so far."""

    received: int = 0


async def pump(
    body: AsyncIterator[bytes],
    writer: PartWriter,
    *,
    limit: int,
    progress: Progress,
    checkpoint_every: int | None = None,
    on_checkpoint: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Copy ``body`` into ``writer`` in batches; ``BodyTooLong`` past ``limit`` bytes.

    With ``checkpoint_every``, ``on_checkpoint`` runs after about that many
    bytes each time (the caller makes them durable and acknowledges them), so
    a client sending a whole large file in one PATCH loses little in a crash."""
    next_checkpoint = checkpoint_every if on_checkpoint is not None else None
    async for data in body:
        if not data:
            continue
        progress.received += len(data)
        if progress.received > limit:
            raise BodyTooLong
        await writer.add(data)
        if next_checkpoint is not None and progress.received >= next_checkpoint:
            await writer.flush()
            await on_checkpoint()  # type: ignore[misc]
            next_checkpoint += checkpoint_every  # type: ignore[operator]
    await writer.flush()

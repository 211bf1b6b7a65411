"""Streaming a PATCH body to disk: hashed as it arrives, never buffered whole,
never blocking the event loop.

The event loop collects the pieces the server hands us (about 256 kB each with
uvicorn), without copying them, until they make up a batch of 2 MiB; a worker
thread writes the batch with one ``pwritev`` while another feeds it to the
hashes: the file's and the chunk's together in one pass (``sha256x``; with
hashlib, or a sha1 checksum, each hash in a thread of its own). Writes run in
order, and so do hashes (``_Lane``), but the write of one batch may run beside
the hash of the one before: up to ``BATCHES_IN_FLIGHT`` batches are in flight
while the loop collects the next, so the socket, the disk and hashing all
overlap and memory stays at three batches per upload. The last batch of a
PATCH is written and fsynced while the hashes catch up. (Copying the pieces
into one buffer first cost the loop more than the threads saved:
docs/performance.md, "Fewer statements, no copy".)

A batch counts only once ``pwritev`` returned for all of it and every hash has
it: whatever fails (disk full, a cancelled request), ``written`` is a prefix
the file and the hashes agree on, except that a batch whose write failed may
be in the hashes already; ``hashes_ahead`` says so, and the caller rebuilds
the hash from the file (ingest.py) if it needs it.

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
import collections
import concurrent.futures
import contextlib
import ctypes
import errno
import functools
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from mcms.files.sha256x import Digest, hash_groups, update_together

T = TypeVar("T")

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


BATCHES_IN_FLIGHT = 2
"""With one, the loop stopped reading the socket whenever the hashes were a
batch behind (4 to 5 ms of a 10 MiB PATCH on the 2-core VM)."""


class _Lane:
    """Jobs run on a pool one after the other, in the order given, without a
    thread held while one waits for the one before. After a job fails the
    later ones do not run: they fail with ``EIO``."""

    def __init__(self, pool: concurrent.futures.Executor) -> None:
        self._pool = pool
        self._last: concurrent.futures.Future[Any] | None = None

    def submit(self, job: Callable[[], T]) -> concurrent.futures.Future[T]:
        done: concurrent.futures.Future[T] = concurrent.futures.Future()

        def start(previous: concurrent.futures.Future[Any] | None = None) -> None:
            if previous is not None and (previous.cancelled() or previous.exception()):
                done.set_exception(OSError(errno.EIO, "An earlier batch failed."))
                return
            try:
                running = self._pool.submit(job)
            except BaseException as error:  # the pool shut down
                done.set_exception(error)
                return
            running.add_done_callback(lambda finished: _copy_outcome(finished, done))

        previous, self._last = self._last, done
        if previous is None:
            start()
        else:
            previous.add_done_callback(start)
        return done


def _copy_outcome(
    source: concurrent.futures.Future[T], target: concurrent.futures.Future[T]
) -> None:
    if target.cancelled():  # nobody waits for it: nothing to tell
        return
    if source.cancelled():  # the pool shut down before it ran
        target.set_exception(OSError(errno.EIO, "The batch never ran."))
        return
    error = source.exception()
    if error is not None:
        target.set_exception(error)
    else:
        target.set_result(source.result())


def _retrieve(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()


@dataclass
class _Batch:
    """A batch in flight: its write (bytes written) and its hashes."""

    write: concurrent.futures.Future[int]
    hashes: list[concurrent.futures.Future[None]]


class BodyTooLong(Exception):
    """The client sent more bytes than the upload has left."""


def _write_all(fd: int, block: memoryview, position: int) -> None:
    """``pwrite`` until all of ``block`` is at ``position`` onwards."""
    while block:
        written = os.pwrite(fd, block, position)
        position += written
        block = block[written:]


_IOV_MAX = os.sysconf("SC_IOV_MAX") if hasattr(os, "sysconf") else 16


def _write_pieces(fd: int, pieces: list[bytes], position: int) -> int:
    """All of ``pieces``, in order, at ``position`` onwards: one ``pwritev`` per
    ``IOV_MAX`` pieces (finished piece by piece if the kernel wrote less).
    Returns the bytes written."""
    start = position
    for first in range(0, len(pieces), _IOV_MAX):
        group = pieces[first : first + _IOV_MAX]
        size = sum(map(len, group))
        done = os.pwritev(fd, group, position)
        if done < size:
            _write_rest(fd, group, done, position)
        position += size
    return position - start


def _write_rest(fd: int, group: list[bytes], done: int, position: int) -> None:
    """After a short ``pwritev`` of ``group`` at ``position``: the bytes past ``done``."""
    for piece in group:
        if done < len(piece):
            _write_all(fd, memoryview(piece)[done:], position + done)
            done = 0
        else:
            done -= len(piece)
        position += len(piece)


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


@dataclass
class PartWriter:
    """Appends batches to an open part file at ``offset``.

    ``add`` keeps the pieces as they arrive (no copy on the event loop); once
    they make up a batch they go to threads together: one ``pwritev`` in one,
    the hashes in another (or one per hashlib hash). Up to
    ``BATCHES_IN_FLIGHT`` batches are in flight while the next one collects,
    so at most three batches of pieces are held per writer.

    ``written`` counts bytes that reached the file and every hash; ``durable``
    those of them that were fsynced too (what may be acknowledged)."""

    fd: int
    offset: int
    hashes: list[Digest]
    written: int = 0
    """Bytes written past the starting offset and included in every hash."""
    durable: int = 0
    """Bytes past the starting offset known to be on disk (fsynced)."""
    hashes_ahead: bool = False
    """A batch failed to be written or fsynced after the hashes had it: they
    describe more than ``written``."""
    _in_flight: collections.deque[_Batch] = field(default_factory=collections.deque, repr=False)
    _queued: int = field(default=0, repr=False)
    """Bytes of the batches in flight."""
    _writes: _Lane = field(default_factory=lambda: _Lane(_EXECUTOR), repr=False)
    _hash_lanes: list[tuple[_Lane, list[Digest]]] = field(init=False, repr=False)
    """A lane per group of hashes that one thread feeds together."""
    _pieces: list[bytes] = field(default_factory=list, repr=False)
    _collected: int = field(default=0, repr=False)
    _broken: bool = field(default=False, repr=False)
    """A batch failed or never ran: what came after it must not be written."""

    def __post_init__(self) -> None:
        self._hash_lanes = [(_Lane(_HASHERS), group) for group in hash_groups(self.hashes)]

    async def add(self, data: bytes) -> None:
        """Take ``data`` into the batch; a full batch is handed to a thread."""
        self._pieces.append(data)
        self._collected += len(data)
        if self._collected >= BATCH_BYTES:
            await self.flush()

    async def flush(self) -> None:
        """Hand the batch collected so far to a thread (after the one in flight)."""
        await self._hand_over(make_durable=False)

    async def write(self, pieces: list[bytes]) -> None:
        """``add`` each piece, then ``flush``."""
        for piece in pieces:
            await self.add(piece)
        await self.flush()

    async def _hand_over(self, *, make_durable: bool) -> None:
        if not self._collected:
            return
        while len(self._in_flight) >= BATCHES_IN_FLIGHT:
            await self._settle_oldest()
        if self._broken:
            raise OSError(errno.EIO, "An earlier batch of this upload was never written.")
        # Taken only now: if the wait above is cancelled, the pieces stay here
        # for sync() to write.
        pieces, self._pieces = self._pieces, []
        size, self._collected = self._collected, 0
        position = self.offset + self.written + self._queued
        self._queued += size
        hashes = [
            lane.submit(functools.partial(update_together, group, pieces))
            for lane, group in self._hash_lanes
        ]
        write = self._writes.submit(functools.partial(self._write, pieces, position, make_durable))
        self._in_flight.append(_Batch(write=write, hashes=hashes))

    def _write(self, pieces: list[bytes], position: int, make_durable: bool) -> int:
        """One batch's write (in order after the batch before): the last batch
        of a PATCH is fsynced too, which makes every batch before it durable."""
        length = _write_pieces(self.fd, pieces, position)
        if make_durable:
            self._make_durable(position - self.offset + length)
        else:
            _start_writeback(self.fd, position, length)
        return length

    async def _settle_oldest(self) -> None:
        """Wait for the oldest batch in flight and count it (re-raising its
        error). A batch that failed stops the writer: nothing after it counts."""
        batch = self._in_flight[0]
        futures: list[concurrent.futures.Future[Any]] = [batch.write, *batch.hashes]
        waiters = [asyncio.wrap_future(future) for future in futures]
        for waiter in waiters:  # their errors are read from the batch, below
            waiter.add_done_callback(_retrieve)
        # If this is cancelled (the request is being stopped), threads may still
        # be writing the batch: it stays in flight, so sync() waits for it
        # before anyone reads written.
        await asyncio.wait(waiters)
        self._in_flight.popleft()
        error = batch.write.exception() or next(
            (future.exception() for future in batch.hashes if future.exception()), None
        )
        if error is None and not self._broken:
            length = batch.write.result()
            self._queued -= length
            self.written += length
            return
        if batch.write.exception() is not None and batch.hashes:
            self.hashes_ahead = True  # the hashes may have had bytes the file did not get
        self._broken = True
        if error is not None:
            raise error

    async def _settle_all(self) -> None:
        """Every batch in flight settled; the first error re-raised after all
        have finished (no thread is left writing)."""
        first: BaseException | None = None
        while self._in_flight:
            try:
                await self._settle_oldest()
            except asyncio.CancelledError:
                raise
            except BaseException as error:
                first = first or error
        if first is not None:
            raise first

    async def sync(self) -> None:
        """Write what was added, wait for it and fsync: afterwards ``durable``
        equals ``written``, unless this raises.

        Safe to call after a cancelled ``add``: what was added is still written
        (a stopped PATCH keeps what arrived), unless a batch failed or never
        ran; that one is not counted (its error is re-raised) and nothing after
        it is written."""
        try:
            if self._collected and not self._broken:
                await self._hand_over(make_durable=True)
            await self._settle_all()
        finally:
            self._pieces, self._collected = [], 0
            if self.durable < self.written:
                await asyncio.get_running_loop().run_in_executor(
                    _EXECUTOR, self._make_durable, self.written
                )

    def _make_durable(self, written: int) -> None:
        """fsync, then evict the pages now on disk; ``written`` bytes past the
        starting offset are durable afterwards."""
        os.fsync(self.fd)
        _drop_behind(self.fd, self.offset + self.durable, written - self.durable)
        self.durable = max(self.durable, written)


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

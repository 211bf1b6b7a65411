"""Streaming a PATCH body to disk: hashed as it arrives, never buffered whole,
never blocking the event loop.

The event loop only collects the pieces the server hands us (tens of KiB
each) into batches of a few MiB; a worker thread writes each batch with one
``pwritev`` (no copy into a bigger buffer) and then feeds it to the hashes
(``hashlib`` releases the GIL on large updates). While the thread works on one
batch, the loop receives the next, so disk, hashing and the socket overlap.
At most one batch is in flight, so memory stays at two batches per upload.

A batch counts only once ``pwritev`` returned for all of it, and the hashes
are updated only after that: whatever fails (disk full, a cancelled request),
the bytes counted and the hash state always describe the same prefix.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

BATCH_BYTES = 4 * 1024 * 1024
IOV_MAX = 1024
"""Linux's limit on the pieces one ``pwritev`` may take."""

_EXECUTOR = concurrent.futures.ThreadPoolExecutor(
    max_workers=min(32, (os.cpu_count() or 2) * 4), thread_name_prefix="mcms-upload"
)


class BodyTooLong(Exception):
    """The client sent more bytes than the upload has left."""


def _write_all(fd: int, pieces: list[bytes], position: int) -> None:
    """``pwritev`` until every byte of ``pieces`` is at ``position`` onwards."""
    views = [memoryview(piece) for piece in pieces]
    while views:
        written = os.pwritev(fd, views[:IOV_MAX], position)
        position += written
        while views and written >= len(views[0]):
            written -= len(views[0])
            views.pop(0)
        if views and written:
            views[0] = views[0][written:]


@dataclass
class PartWriter:
    """Appends batches to an open part file at ``offset``, one in flight at a time."""

    fd: int
    offset: int
    hashes: list[hashlib._Hash]
    written: int = 0
    """Bytes written past the starting offset and included in every hash."""
    _pending: concurrent.futures.Future[int] | None = field(default=None, repr=False)

    def _job(self, pieces: list[bytes], position: int) -> int:
        _write_all(self.fd, pieces, position)
        for digest in self.hashes:
            for piece in pieces:
                digest.update(piece)
        return sum(len(piece) for piece in pieces)

    async def write(self, pieces: list[bytes]) -> None:
        await self._settle()
        position = self.offset + self.written
        self._pending = _EXECUTOR.submit(self._job, pieces, position)

    async def _settle(self) -> None:
        """Wait for the batch in flight and count it (re-raising its error)."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            self.written += await asyncio.wrap_future(pending)
        except asyncio.CancelledError:
            # The request is being stopped; the thread may still be writing this
            # batch. Keep it, so finish() waits for it before anyone reads written.
            self._pending = pending
            raise

    async def sync(self) -> None:
        """Wait for the batch in flight and fsync: afterwards ``written`` bytes are durable.

        Safe to call after a cancelled ``write``; a batch that failed or never ran
        is simply not counted (its error is re-raised)."""
        pending, self._pending = self._pending, None
        try:
            if pending is not None and not pending.cancelled():
                self.written += await asyncio.wrap_future(pending)
        finally:
            await asyncio.get_running_loop().run_in_executor(_EXECUTOR, os.fsync, self.fd)


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
    pieces: list[bytes] = []
    batched = 0
    next_checkpoint = checkpoint_every if on_checkpoint is not None else None
    async for data in body:
        if not data:
            continue
        progress.received += len(data)
        if progress.received > limit:
            raise BodyTooLong
        pieces.append(data)
        batched += len(data)
        if batched >= BATCH_BYTES:
            await writer.write(pieces)
            pieces, batched = [], 0
            if next_checkpoint is not None and progress.received >= next_checkpoint:
                await on_checkpoint()  # type: ignore[misc]
                next_checkpoint += checkpoint_every  # type: ignore[operator]
    if pieces:
        await writer.write(pieces)

"""An ASGI response that streams parts of a file from disk with bounded memory."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import anyio
import anyio.to_thread
from anyio import CancelScope
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from mcms.core.errors import ErrorCode
from mcms.core.http import problem
from mcms.files.download._ranges import ByteRange

logger = logging.getLogger("mcms.files")

CHUNK_BYTES = 4 * 1024 * 1024
"""Read and send size. Over loopback with uvicorn (httptools, uvloop) 4 MiB gave
~1.7 GB/s against ~1.3 GB/s for 1 MiB (fewer thread hops per byte); a download
holds about two chunks (the one read, the transport's unsent rest)."""

Piece = bytes | ByteRange
"""One piece of a body: literal bytes (multipart framing) or a range of the file."""


class BlobUnreadable(Exception):
    """The file vanished, got shorter, or does not hash to its name mid-stream."""


@dataclass(frozen=True, slots=True)
class FileSource:
    path: Path
    size: int
    sha256: str
    verify: bool = False
    """Hash what is sent and refuse to send the last chunk if it does not match:
    only possible when the body is the whole file, read in order."""


class BlobResponse(Response):
    """Sends ``pieces`` from ``source``; ``headers`` must carry Content-Length
    and Content-Type. A body cut short raises ``BlobUnreadable``, which makes
    the server drop the connection: the client sees a truncated transfer, never
    wrong bytes passed off as complete ones."""

    def __init__(
        self,
        source: FileSource,
        pieces: Sequence[Piece],
        *,
        status_code: int,
        headers: Mapping[str, str],
        head_only: bool = False,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.source = source
        self.pieces = tuple(pieces)
        self.head_only = head_only
        self.chunk_bytes = chunk_bytes
        self.status_code = status_code
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            fd = await anyio.to_thread.run_sync(_open, self.source)
        except BlobUnreadable as exc:
            # Before the first byte we can still answer honestly: it is our fault.
            logger.error("cannot serve blob %s: %s", self.source.sha256, exc)
            message = "The file's content is missing from the store; this has been logged."
            await problem(ErrorCode.INTERNAL, message)(scope, receive, send)
            return
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            if self.head_only or not self.pieces:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
            elif (path := self._pathsend_target(scope, fd)) is not None:
                await send({"type": "http.response.pathsend", "path": path})
            else:
                await self._stream(fd, receive, send)
        finally:
            os.close(fd)

    def _pathsend_target(self, scope: Scope, fd: int) -> str | None:
        """The absolute path for ``http.response.pathsend`` (the server sends the
        file itself), if offered: only for the whole file, and only if the file
        is exactly as long as recorded, since the server sends all of it."""
        offered = "http.response.pathsend" in scope.get("extensions", {})
        whole = self.pieces == (ByteRange(0, self.source.size - 1),)
        if offered and whole and os.fstat(fd).st_size == self.source.size:
            return os.path.abspath(self.source.path)
        return None

    async def _stream(self, fd: int, receive: Receive, send: Send) -> None:
        reader = _Reader(fd, self.source)
        failure: BlobUnreadable | None = None
        async with anyio.create_task_group() as group:
            group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope)
            try:
                await self._send_pieces(reader, send)
            except BlobUnreadable as exc:
                failure = exc
            except OSError:
                pass  # ASGI 2.4 servers raise OSError from send() once the client is gone.
            group.cancel_scope.cancel()
        if failure is not None:
            logger.error("download of blob %s cut short: %s", self.source.sha256, failure)
            raise failure

    async def _send_pieces(self, reader: _Reader, send: Send) -> None:
        # Read, then send, one chunk at a time: reading ahead in a second
        # thread measured no faster (the kernel reads ahead already), and the
        # transport's write buffer already overlaps sending with the next read.
        for piece in self.pieces:
            if isinstance(piece, bytes):
                await send({"type": "http.response.body", "body": piece, "more_body": True})
                continue
            for offset, length in _chunks(piece, self.chunk_bytes):
                chunk = await anyio.to_thread.run_sync(reader.read, offset, length)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


@dataclass(slots=True)
class _Reader:
    """Reads ranges of an open file; with ``verify`` also hashes them, which is
    only meaningful when the ranges cover the file once, in order."""

    fd: int
    source: FileSource
    _digest: hashlib._Hash | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        if self.source.verify:
            self._digest = hashlib.sha256()

    def read(self, offset: int, length: int) -> bytes:
        try:
            data = os.pread(self.fd, length, offset)
            while 0 < len(data) < length:
                more = os.pread(self.fd, length - len(data), offset + len(data))
                if not more:
                    break  # end of file: the file is shorter than recorded
                data += more
        except OSError as exc:
            raise BlobUnreadable(f"read failed at byte {offset}: {exc}") from exc
        if len(data) < length:
            end = offset + length
            raise BlobUnreadable(f"the file ends before byte {end} of {self.source.size}")
        if self._digest is not None:
            self._digest.update(data)
            if offset + length == self.source.size:
                self._check_digest()
        if self.source.size >= DROP_BEHIND_MIN_BYTES:
            _drop_behind(self.fd, offset, length)
        return data

    def _check_digest(self) -> None:
        assert self._digest is not None  # noqa: S101 - only called when hashing
        if self._digest.hexdigest() != self.source.sha256:
            raise BlobUnreadable(f"the content hashes to {self._digest.hexdigest()}")


DROP_BEHIND_MIN_BYTES = 256 * 1024 * 1024
"""A file this big is not kept in the page cache once sent: reading it through
the same few pages again and again is much cheaper than filling new ones (on
the VM of docs/performance.md a plain read loop went from about 450 MB/s to
2.5 GB/s), and gigabytes of one download no longer evict everything else."""


def _drop_behind(fd: int, offset: int, length: int) -> None:
    if hasattr(os, "posix_fadvise"):
        with contextlib.suppress(OSError):  # only a hint
            os.posix_fadvise(fd, offset, length, os.POSIX_FADV_DONTNEED)


def _open(source: FileSource) -> int:
    try:
        fd = os.open(source.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise BlobUnreadable(f"cannot open {source.path}: {exc.strerror}") from exc
    actual = os.fstat(fd).st_size
    if actual < source.size:
        os.close(fd)
        raise BlobUnreadable(f"{source.path} has {actual} bytes, {source.size} recorded")
    return fd


def _chunks(piece: ByteRange, chunk_bytes: int) -> Iterator[tuple[int, int]]:
    for offset in range(piece.start, piece.end + 1, chunk_bytes):
        yield offset, min(chunk_bytes, piece.end + 1 - offset)


async def _cancel_on_disconnect(receive: Receive, scope: CancelScope) -> None:
    # ASGI servers before spec 2.4 (uvicorn says 2.3) accept send() silently
    # after the client has gone, so only receive() tells us to stop reading.
    while (await receive())["type"] != "http.disconnect":
        pass
    scope.cancel()

"""A small asyncio client for ClamAV's daemon, speaking ``INSTREAM`` over TCP.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then the file as chunks, each
a 4-byte big-endian length followed by that many bytes, and a zero-length
chunk to end. clamd answers one NUL-terminated line and closes:
``stream: OK``, ``stream: <signature> FOUND`` or ``<message> ERROR``. When
the stream passes its ``StreamMaxLength`` it answers
``INSTREAM size limit exceeded. ERROR`` at once and stops reading, so the
answer is read concurrently with sending and may arrive before the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections.abc import Sequence
from pathlib import Path

from mcms.files.enums import ScanStatus
from mcms.files.scanning._base import (
    CHUNK_BYTES,
    CONNECT_TIMEOUT_SECONDS,
    RETRY_DELAYS,
    ScanVerdict,
    Unreachable,
    check_file,
    clip,
    describe,
    failed,
    over_limit,
    read_chunks,
    with_retries,
)

CLAMD_MAX_BYTES = 2**31 - 1
"""ClamAV cannot scan a file of 2 GiB or more."""
REPLY_LIMIT = 64 * 1024
"""A verdict is one short line; anything longer is not clamd."""
LATE_REPLY_SECONDS = 1.0
"""After a failed send, how long to wait for the reply clamd may have sent
before closing (its size limit): that reply says more than the reset does."""
_END = struct.pack(">I", 0)


class ClamdScanner:
    """Scans files with a clamd reached at ``host:port``."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        max_bytes: int | None = None,
        timeout_seconds: float = 60.0,
        connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.host = host
        self.port = port
        self.name = f"clamd://[{host}]:{port}" if ":" in host else f"clamd://{host}:{port}"
        # A larger limit would only let clamd refuse the file after it was sent.
        limit = CLAMD_MAX_BYTES if max_bytes is None else min(max_bytes, CLAMD_MAX_BYTES)
        self.max_bytes: int | None = limit
        self.timeout_seconds = timeout_seconds
        self.connect_timeout_seconds = min(connect_timeout_seconds, timeout_seconds)
        self.retry_delays = tuple(retry_delays)
        self.chunk_bytes = chunk_bytes

    async def scan(self, path: Path, size: int) -> ScanVerdict:
        """Stream ``path``'s first ``size`` bytes to clamd and return its verdict."""
        if (refused := over_limit(self.name, size, self.max_bytes)) is not None:
            return refused
        await check_file(path, size)
        return await with_retries(
            self.name,
            lambda: self._attempt(path, size),
            timeout_seconds=self.timeout_seconds,
            retry_delays=self.retry_delays,
        )

    async def ping(self) -> bool:
        """Whether clamd answers ``PING`` (for readiness checks)."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                reader, writer = await self._connect()
                try:
                    await _send(writer, b"zPING\0")
                    return await _read_reply(reader) == "PONG"
                finally:
                    writer.transport.abort()
        except (Unreachable, TimeoutError):
            return False

    async def _attempt(self, path: Path, size: int) -> ScanVerdict:
        reader, writer = await self._connect()
        try:
            reply = await self._instream(reader, writer, path, size)
        finally:
            # Nothing left is worth flushing (the answer is in, or the try
            # failed), and a graceful close would wait on a stalled peer.
            writer.transport.abort()
        return verdict_from_reply(reply, self.name)

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port, limit=REPLY_LIMIT),
                self.connect_timeout_seconds,
            )
        except TimeoutError:
            raise Unreachable(f"no connection within {self.connect_timeout_seconds:g} s") from None
        except OSError as error:
            raise Unreachable(describe(error)) from error

    async def _instream(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        path: Path,
        size: int,
    ) -> str:
        reply = asyncio.ensure_future(_read_reply(reader))
        try:
            await _send(writer, b"zINSTREAM\0")
            await self._send_file(writer, path, size, reply)
            return await reply
        except Unreachable:
            return await _late_reply(reply)
        finally:
            _discard(reply)

    async def _send_file(
        self,
        writer: asyncio.StreamWriter,
        path: Path,
        size: int,
        reply: asyncio.Future[str],
    ) -> None:
        async with contextlib.aclosing(read_chunks(path, size, self.chunk_bytes)) as chunks:
            async for chunk in chunks:
                if reply.done():
                    return  # clamd has answered already (its size limit): stop sending
                writer.write(struct.pack(">I", len(chunk)))
                await _send(writer, chunk)
        await _send(writer, _END)


def verdict_from_reply(reply: str, scanner: str) -> ScanVerdict:
    """The verdict for clamd's answer to ``INSTREAM``."""
    if reply == "stream: OK":
        return ScanVerdict(ScanStatus.CLEAN, "", scanner)
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        signature = reply.removeprefix("stream: ").removesuffix(" FOUND")
        return ScanVerdict(ScanStatus.QUARANTINED, clip(signature), scanner)
    if reply.endswith("ERROR"):
        message = reply.removesuffix("ERROR").strip().removesuffix(".")
        if "size limit exceeded" in message:
            return failed(scanner, f"over the scanner's limit (clamd: {message})")
        return failed(scanner, f"scanner error: {message}")
    return failed(scanner, f"unexpected answer from clamd: {reply!r}")


async def _send(writer: asyncio.StreamWriter, data: bytes) -> None:
    try:
        writer.write(data)
        await writer.drain()
    except OSError as error:
        raise Unreachable(describe(error)) from error


async def _read_reply(reader: asyncio.StreamReader) -> str:
    try:
        line = await reader.readuntil(b"\0")
    except asyncio.IncompleteReadError:
        raise Unreachable("clamd closed the connection without an answer") from None
    except asyncio.LimitOverrunError:
        raise Unreachable("clamd's answer is too long") from None
    except OSError as error:
        raise Unreachable(describe(error)) from error
    return line[:-1].decode("utf-8", "replace").strip()


async def _late_reply(reply: asyncio.Future[str]) -> str:
    """The answer clamd sent before the connection broke, else the breakage."""
    done, _ = await asyncio.wait({reply}, timeout=LATE_REPLY_SECONDS)
    if not done:
        raise Unreachable("the connection broke while sending the file")
    return reply.result()  # raises Unreachable if there was no answer either


def _discard(reply: asyncio.Future[str]) -> None:
    """Stop waiting for ``reply``; an error it ended with was already dealt with."""
    if not reply.done():
        reply.cancel()
    elif not reply.cancelled():
        reply.exception()  # marks it retrieved: no "exception never retrieved" log

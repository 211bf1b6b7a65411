"""What every scanner shares: the verdict, the protocol, reading the file in
chunks off the event loop, and retrying a scanner that is down."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from mcms.files.enums import ScanStatus

logger = logging.getLogger("mcms.files.scanning")

CHUNK_BYTES = 1024 * 1024
"""Bytes read and sent at a time: a file is never held in memory whole."""
RETRY_DELAYS = (0.5, 1.0)
"""Pauses between the tries of a scanner that is down (three tries in all)."""
CONNECT_TIMEOUT_SECONDS = 10.0
"""A scanner that does not accept a connection this fast counts as down."""
DETAIL_CHARS = 500
"""Longest detail kept from a scanner's answer (it is stored and shown)."""


@dataclass(frozen=True, slots=True)
class ScanVerdict:
    """The outcome of scanning one file."""

    status: ScanStatus
    """``CLEAN``, ``QUARANTINED``, ``SCAN_FAILED`` or ``SKIPPED``."""
    detail: str
    """The signature for ``QUARANTINED``, the reason for ``SCAN_FAILED``, else ``""``."""
    scanner: str
    """Which scanner decided, without credentials: ``clamd://host:port``, an
    ``http(s)://`` URL or ``none``."""


class Scanner(Protocol):
    """A virus scanner. ``scan`` never raises for the scanner's own problems
    (down, too slow, nonsense answers: those are ``SCAN_FAILED``); only a
    missing or unreadable file raises ``OSError``."""

    name: str
    max_bytes: int | None
    """Largest file it can scan; ``None`` means no limit."""

    async def scan(self, path: Path, size: int) -> ScanVerdict:
        """Scan the first ``size`` bytes of ``path``."""
        ...


class Unreachable(Exception):
    """The scanner could not be talked to (refused, reset, timed out): worth a retry."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NoScanner:
    """``MCMS_AV=none``: scanning is switched off, every file is ``SKIPPED``."""

    name = "none"
    max_bytes: int | None = None

    async def scan(self, path: Path, size: int) -> ScanVerdict:
        """``SKIPPED`` at once, without reading the file."""
        return ScanVerdict(ScanStatus.SKIPPED, "", self.name)


def failed(scanner: str, reason: str) -> ScanVerdict:
    """A ``SCAN_FAILED`` verdict whose reason is cut to a storable length."""
    return ScanVerdict(ScanStatus.SCAN_FAILED, clip(reason), scanner)


def clip(text: str) -> str:
    """``text`` on one line and at most ``DETAIL_CHARS`` long (it comes from outside)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= DETAIL_CHARS else flat[: DETAIL_CHARS - 1] + "…"


def over_limit(scanner: str, size: int, max_bytes: int | None) -> ScanVerdict | None:
    """``SCAN_FAILED`` for a file the scanner cannot take, before anything is sent."""
    if max_bytes is None or size <= max_bytes:
        return None
    return failed(scanner, f"over the scanner's limit ({size} bytes > {max_bytes} bytes)")


_PLAIN_REASONS: tuple[tuple[type[OSError], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (ConnectionResetError, "connection reset"),
    (BrokenPipeError, "connection closed while sending"),
    (TimeoutError, "timed out"),
)


def describe(error: BaseException) -> str:
    """A short reason for a connection problem, for logs and ``detail``
    (asyncio's own wording, "Connect call failed", tells an operator little)."""
    for kind, reason in _PLAIN_REASONS:
        if isinstance(error, kind):
            return reason
    return str(error) or type(error).__name__


async def check_file(path: Path, size: int) -> None:
    """Raise ``OSError`` unless ``path`` can be read and holds ``size`` bytes or more.

    A file problem is the caller's, not the scanner's: it is not turned into
    a verdict, and it is found before the scanner is bothered."""
    await asyncio.to_thread(_check_file, path, size)


def _check_file(path: Path, size: int) -> None:
    with path.open("rb") as file:
        actual = os.fstat(file.fileno()).st_size
    if actual < size:
        raise OSError(f"{path} holds {actual} bytes, fewer than the {size} to scan")


async def read_chunks(path: Path, size: int, chunk_bytes: int) -> AsyncGenerator[bytes]:
    """The first ``size`` bytes of ``path``, ``chunk_bytes`` at a time, each read
    in a thread so a slow disk never blocks the event loop.

    Each call opens the file anew: a try that timed out may leave a read
    running in its thread, which must not move the next try's position."""
    file = await asyncio.to_thread(path.open, "rb")
    try:
        remaining = size
        while remaining:
            chunk = await asyncio.to_thread(file.read, min(chunk_bytes, remaining))
            if not chunk:
                raise OSError(f"{path} was cut short while being scanned")
            remaining -= len(chunk)
            yield chunk
    finally:
        file.close()


async def with_retries(
    scanner: str,
    attempt: Callable[[], Awaitable[ScanVerdict]],
    *,
    timeout_seconds: float,
    retry_delays: Sequence[float],
) -> ScanVerdict:
    """``attempt()``, tried again after each of ``retry_delays`` while the
    scanner is unreachable; ``SCAN_FAILED`` once the tries are used up.

    ``timeout_seconds`` bounds each try as a whole (connect, send, verdict)."""
    reason = ""
    for delay in (*retry_delays, None):
        try:
            async with asyncio.timeout(timeout_seconds):
                return await attempt()
        except Unreachable as error:
            reason = error.reason
        except TimeoutError:
            reason = f"no verdict within {timeout_seconds:g} s"
        if delay is not None:
            logger.warning("scanner %s unreachable (%s); retrying in %g s", scanner, reason, delay)
            await asyncio.sleep(delay)
    logger.error("scanner %s unreachable (%s); giving up", scanner, reason)
    return failed(scanner, f"scanner unreachable: {reason}")

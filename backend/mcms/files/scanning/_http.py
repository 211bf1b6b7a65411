"""The company AV HTTP API client (the contract is in the package docstring)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

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

RETRY_STATUSES = frozenset({502, 503, 504})
"""Answers that mean "not reachable right now" (a proxy in front of a scanner
that is down or restarting): retried like a refused connection."""


class HttpScanner:
    """Scans files by POSTing their bytes to an AV HTTP API at ``url``.

    Credentials in the URL (``https://user:password@host/...``) are sent as
    HTTP Basic auth and never appear in ``name``, logs or verdicts."""

    def __init__(
        self,
        url: str,
        *,
        max_bytes: int | None = None,
        timeout_seconds: float = 60.0,
        connect_timeout_seconds: float = CONNECT_TIMEOUT_SECONDS,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        chunk_bytes: int = CHUNK_BYTES,
    ) -> None:
        self.url = url
        self.name = public_name(url)
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds
        self.timeouts = httpx.Timeout(
            timeout_seconds, connect=min(connect_timeout_seconds, timeout_seconds)
        )
        self.retry_delays = tuple(retry_delays)
        self.chunk_bytes = chunk_bytes
        self._password = urlsplit(url).password or ""

    async def scan(self, path: Path, size: int) -> ScanVerdict:
        """POST ``path``'s first ``size`` bytes to the API and return its verdict."""
        if (refused := over_limit(self.name, size, self.max_bytes)) is not None:
            return refused
        await check_file(path, size)
        return await with_retries(
            self.name,
            lambda: self._attempt(path, size),
            timeout_seconds=self.timeout_seconds,
            retry_delays=self.retry_delays,
        )

    async def _attempt(self, path: Path, size: int) -> ScanVerdict:
        headers = {"Content-Type": "application/octet-stream", "Content-Length": str(size)}
        # A retry may not replay the body a redirect would need; 3xx is an error.
        async with httpx.AsyncClient(timeout=self.timeouts, follow_redirects=False) as client:
            try:
                response = await client.post(
                    self.url, content=read_chunks(path, size, self.chunk_bytes), headers=headers
                )
            except httpx.TransportError as error:  # refused, reset, timed out
                raise Unreachable(
                    self._redact(f"{type(error).__name__}: {describe(error)}")
                ) from error
        if response.status_code in RETRY_STATUSES:
            raise Unreachable(f"HTTP {response.status_code}")
        return verdict_from_response(response, self.name)

    def _redact(self, text: str) -> str:
        return text.replace(self._password, "***") if self._password else text


def verdict_from_response(response: httpx.Response, scanner: str) -> ScanVerdict:
    """The verdict for the API's answer; anything off-contract is ``SCAN_FAILED``."""
    if not response.is_success:
        return failed(scanner, f"scanner answered HTTP {response.status_code}")
    try:
        answer: Any = json.loads(response.content)
    except ValueError:
        return failed(scanner, "scanner answered with something that is not JSON")
    if not isinstance(answer, dict):
        return failed(scanner, "scanner answered with JSON that is not an object")
    return verdict_from_answer(answer, scanner)


def verdict_from_answer(answer: dict[str, Any], scanner: str) -> ScanVerdict:
    """The verdict for a JSON answer ``{"verdict": ..., "signature": ..., "message": ...}``."""
    verdict = answer.get("verdict")
    if verdict == "clean":
        return ScanVerdict(ScanStatus.CLEAN, "", scanner)
    if verdict == "infected":
        signature = _text(answer.get("signature")) or "unnamed signature"
        return ScanVerdict(ScanStatus.QUARANTINED, clip(signature), scanner)
    if verdict == "error":
        message = _text(answer.get("message")) or "no message"
        return failed(scanner, f"scanner error: {message}")
    return failed(scanner, f"scanner answered an unknown verdict: {_text(verdict)[:50]!r}")


def public_name(url: str) -> str:
    """``url`` without credentials, query or fragment (an API key may hide there)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{parts.port}" if parts.port is not None else host
    return urlunsplit((parts.scheme.lower(), netloc, parts.path, "", ""))


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)

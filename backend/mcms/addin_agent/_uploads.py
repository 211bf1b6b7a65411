"""Uploading a job's outputs through the server's tus endpoint (``/api/uploads``).

Each output becomes one tus upload whose ``Upload-Metadata`` names the job
(``jobId``: the server lets an add-in upload only for a job it holds), the
routing, the logical file name and the whole file's SHA-256. Every PATCH
carries its chunk's SHA-256, so bytes damaged on the way are refused and sent
again. After any failure the agent asks the server (HEAD) how much it durably
holds and goes on from there: nothing acknowledged is sent twice.
"""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import httpx

from mcms.addin_agent._config import REQUEST_TIMEOUT_S
from mcms.addin_agent._http import (
    ApiError,
    ClaimedJob,
    OutputFile,
    TransientError,
    api_error,
    retry_after,
    retrying,
)

log = logging.getLogger("mcms.agent")

TUS_VERSION = "1.0.0"
UPLOADS_PATH = "/api/uploads"
CHUNK_BYTES = 10 * 1024 * 1024
"""The SPEC's default chunk: one PATCH, read into memory, hashed, sent."""
PATCH_TIMEOUT_S = 120.0
"""A whole chunk must arrive within this, even over a slow link."""
_TRANSIENT_STATUSES = frozenset({409, 423, 429, 460})
"""Offset moved on (409), another writer still letting go (423), slow down (429),
chunk damaged on the way (460): ask for the offset again and resend."""


def logical_name(output: OutputFile) -> str:
    """The file name stored on the routing: outputs in sub-folders are flattened
    (``posts/O1.nc`` → ``posts_O1.nc``) because a logical name has no folders."""
    return output.name.replace("/", "_")


@dataclass
class _Transfer:
    location: str
    path: Path
    size: int
    offset: int | None = None
    """What the server holds; None when unknown (then HEAD asks)."""


class OutputUploader:
    """Sends files to ``/api/uploads`` with the agent's HTTP client."""

    def __init__(self, client: httpx.AsyncClient, chunk_bytes: int = CHUNK_BYTES) -> None:
        self._client = client
        self._chunk_bytes = chunk_bytes

    async def upload(self, job: ClaimedJob, output: OutputFile, path: Path) -> OutputFile:
        """Upload ``path`` (described by ``output``) as an output of ``job``; returns
        ``output`` with its ``upload_id``. Transient failures are retried for
        ever: the caller bounds the wait."""
        # A creation whose answer is lost leaves an empty session behind, which
        # the server expires; creating again is harmless.
        location = await retrying(
            f"creating the upload of {output.name}", lambda: self._create(job, output)
        )
        transfer = _Transfer(location, path, output.size, offset=0)
        while transfer.offset is None or transfer.offset < transfer.size:
            await retrying(f"uploading {output.name}", lambda: self._step(transfer))
        return dataclasses.replace(output, upload_id=location.rstrip("/").rsplit("/", 1)[-1])

    async def _create(self, job: ClaimedJob, output: OutputFile) -> str:
        metadata = {
            "filename": logical_name(output),
            "routingId": job.routing_id,
            "jobId": job.job_id,
            "sha256": output.sha256,
        }
        headers = {
            "Tus-Resumable": TUS_VERSION,
            "Upload-Length": str(output.size),
            "Upload-Metadata": ",".join(
                f"{key} {_b64(value.encode())}" for key, value in metadata.items()
            ),
        }
        response = await self._request("POST", UPLOADS_PATH, headers=headers)
        if response.status_code != 201 or "location" not in response.headers:
            raise TransientError(
                f"upload creation answered HTTP {response.status_code} without Location"
            )
        return response.headers["location"]

    async def _step(self, transfer: _Transfer) -> None:
        """One exchange: learn the offset if unknown, else send the next chunk."""
        if transfer.offset is None:
            transfer.offset = await self._offset(transfer.location)
            return
        length = min(self._chunk_bytes, transfer.size - transfer.offset)
        chunk = await asyncio.to_thread(_read, transfer.path, transfer.offset, length)
        headers = {
            "Tus-Resumable": TUS_VERSION,
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(transfer.offset),
            "Upload-Checksum": f"sha256 {_b64(hashlib.sha256(chunk).digest())}",
        }
        sent_from, transfer.offset = transfer.offset, None  # unknown until answered
        response = await self._request(
            "PATCH", transfer.location, headers=headers, content=chunk, read_seconds=PATCH_TIMEOUT_S
        )
        if response.status_code != 204:
            raise TransientError(f"PATCH at {sent_from} answered HTTP {response.status_code}")
        transfer.offset = _offset_header(response)

    async def _offset(self, location: str) -> int:
        response = await self._request("HEAD", location, headers={"Tus-Resumable": TUS_VERSION})
        if response.status_code != 200:
            raise TransientError(f"HEAD answered HTTP {response.status_code}")
        return _offset_header(response)

    async def _request(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        content: bytes | None = None,
        read_seconds: float = REQUEST_TIMEOUT_S,
    ) -> httpx.Response:
        timeout = httpx.Timeout(REQUEST_TIMEOUT_S, read=read_seconds, write=read_seconds)
        try:
            response = await self._client.request(
                method, url, headers=headers, content=content, timeout=timeout
            )
        except httpx.TransportError as exc:
            raise TransientError(type(exc).__name__ + (f": {exc}" if str(exc) else "")) from exc
        status = response.status_code
        if status in _TRANSIENT_STATUSES or status >= 500:
            raise TransientError(f"{method} answered HTTP {status}", retry_after(response))
        if status >= 400:
            raise api_error(response)
        return response


def _offset_header(response: httpx.Response) -> int:
    text = response.headers.get("upload-offset", "")
    if not (text.isascii() and text.isdigit()):
        raise TransientError("the answer carried no Upload-Offset")
    return int(text)


def _read(path: Path, offset: int, length: int) -> bytes:
    with path.open("rb") as stream:
        stream.seek(offset)
        data = stream.read(length)
    if len(data) != length:
        raise ApiError(0, "OUTPUT_CHANGED", f"{path.name} got shorter while it was being uploaded")
    return data


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")

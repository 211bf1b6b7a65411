"""The server side as the agent sees it: the four calls of the add-in REST shim,
what their answers mean (transient or definite), and the backoff between tries."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

import httpx

from mcms.addin_agent._config import MESSAGE_CHARS, REQUEST_TIMEOUT_S, AgentConfig

if TYPE_CHECKING:
    from mcms.addin_agent._generator import Progress

log = logging.getLogger("mcms.agent")

T = TypeVar("T")

BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
CLAIM_EXTRA_S = 10.0
"""The claim's read timeout is the long-poll wait plus this."""


class TransientError(Exception):
    """No usable answer (connection error, timeout, 5xx, 429): the same request may
    succeed later, and every call the agent makes is safe to repeat."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class ApiError(Exception):
    """A definite 4xx answer: repeating the request would get the same one."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail

    @property
    def bad_token(self) -> bool:
        return self.status in (401, 403)


class Backoff:
    """Exponential backoff with jitter, so agents restarted together by a server
    outage do not all come back in the same instant."""

    def __init__(self, first: float = BACKOFF_FIRST_S, maximum: float = BACKOFF_MAX_S) -> None:
        self._first, self._maximum, self._failures = first, maximum, 0

    def next_delay(self, retry_after: float | None = None) -> float:
        ceiling = min(self._maximum, self._first * 2.0**self._failures)
        self._failures += 1
        delay = ceiling * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not a secret
        return min(self._maximum, max(delay, retry_after or 0.0))

    def reset(self) -> None:
        self._failures = 0


async def retrying(what: str, call: Callable[[], Awaitable[T]]) -> T:
    """Repeat ``call`` through transient failures; definite answers pass through.
    Callers bound it by racing it against a signal or deadline (see ``Agent``)."""
    backoff = Backoff()
    while True:
        try:
            return await call()
        except TransientError as exc:
            delay = backoff.next_delay(exc.retry_after)
            log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)


@dataclass(frozen=True)
class ClaimedJob:
    """A job this agent holds, with the lease token that fences its calls."""

    job_id: str
    routing_id: str
    lease_token: str
    attempt: int
    max_attempts: int
    lease_seconds: float | None
    """Lease time left when claimed, by the server's clock (None if unknown)."""
    document: Mapping[str, Any]


@dataclass(frozen=True)
class OutputFile:
    name: str
    """Relative POSIX path inside the outputs folder."""
    size: int
    sha256: str
    upload_id: str | None = None
    """The tus upload that carried its bytes to the server, once uploaded."""


@dataclass(frozen=True)
class JobResult:
    status: str
    """``completed`` or ``failed``."""
    message: str
    outputs: tuple[OutputFile, ...] = ()


def _lease_seconds(expires_at: Any, response: httpx.Response) -> float | None:
    """Seconds until ``expires_at``, measured against the response's ``Date`` header
    when there is one, so a workstation clock that is off does not matter. Some
    servers stamp ``Date`` when the request arrives, which for a long-poll is up to
    ``wait`` seconds early: the request's duration is taken off to stay on the
    safe side (a heartbeat too early costs nothing, one too late loses the job)."""
    if not isinstance(expires_at, str):
        return None
    try:
        expires = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if expires.tzinfo is None:
        return None
    server_date = _server_date(response)
    if server_date is None:
        return (expires - datetime.now(UTC)).total_seconds()
    return (expires - server_date).total_seconds() - _duration(response)


def _server_date(response: httpx.Response) -> datetime | None:
    with contextlib.suppress(KeyError, TypeError, ValueError):
        moment = parsedate_to_datetime(response.headers["date"])
        if moment.tzinfo is not None:
            return moment
    return None


def _duration(response: httpx.Response) -> float:
    try:
        return response.elapsed.total_seconds()
    except RuntimeError:  # only a streamed response that is still open has none
        return 0.0


def _whole(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TransientError(f"HTTP {response.status_code} without a JSON object")
    return body


def api_error(response: httpx.Response) -> ApiError:
    """The shim answers problem+json (``code``, ``detail``); the other routes,
    such as the uploads, ``{"error": {"code", "message"}}``."""
    code, detail = "", response.reason_phrase
    with contextlib.suppress(ValueError):
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            body = {"code": body["error"].get("code"), "detail": body["error"].get("message")}
        if isinstance(body, dict):
            code = str(body.get("code") or "")
            detail = str(body.get("detail") or detail)
    return ApiError(response.status_code, code, detail[:MESSAGE_CHARS])


def retry_after(response: httpx.Response) -> float | None:
    with contextlib.suppress(KeyError, ValueError):
        return max(0.0, float(response.headers["retry-after"]))
    return None


class ShimApi:
    """The four calls of the add-in REST shim that a newer agent uses."""

    def __init__(self, client: httpx.AsyncClient, config: AgentConfig) -> None:
        self._client = client
        self._config = config

    @property
    def client(self) -> httpx.AsyncClient:
        """The agent's HTTP client (base URL, token), for the uploads too."""
        return self._client

    async def claim(self) -> ClaimedJob | None:
        """Long-poll for a queued job; None when none came within ``wait`` seconds."""
        body = {"agentId": self._config.agent_id, "capabilities": dict(self._config.capabilities)}
        response = await self._post(
            "/api/addin/jobs/claim",
            body,
            params={"wait": self._config.wait},
            read_timeout=self._config.wait + CLAIM_EXTRA_S,
        )
        if response.status_code == 204:
            return None
        doc = _json_object(response)
        if not doc.get("jobId") or not doc.get("leaseToken"):
            raise TransientError("claim answered without jobId or leaseToken")
        return ClaimedJob(
            job_id=str(doc["jobId"]),
            routing_id=str(doc.get("routingId") or ""),
            lease_token=str(doc["leaseToken"]),
            attempt=_whole(doc.get("attempt"), 1),
            max_attempts=_whole(doc.get("maxAttempts"), 1),
            lease_seconds=_lease_seconds(doc.get("leaseExpiresAt"), response),
            document=doc,
        )

    async def heartbeat(self, job: ClaimedJob, progress: Progress) -> float | None:
        """Extend the lease; returns the seconds it now has left (None if unknown)."""
        body: dict[str, Any] = {"leaseToken": job.lease_token}
        if progress.percent is not None:
            body["progress"] = progress.percent
        if progress.message:
            body["message"] = progress.message
        response = await self._post(f"{_job_path(job)}/heartbeat", body)
        return _lease_seconds(_json_object(response).get("leaseExpiresAt"), response)

    async def complete(self, job: ClaimedJob, result: JobResult) -> None:
        body = {
            "resultStatus": result.status,
            "message": result.message,
            "leaseToken": job.lease_token,
            "outputs": [_output_body(out) for out in result.outputs],
        }
        await self._post(f"{_job_path(job)}/complete", body)

    async def release(self, job: ClaimedJob, message: str) -> None:
        body = {"leaseToken": job.lease_token, "message": message}
        await self._post(f"{_job_path(job)}/release", body)

    async def _post(
        self,
        path: str,
        body: Mapping[str, Any],
        *,
        params: Mapping[str, int] | None = None,
        read_timeout: float = REQUEST_TIMEOUT_S,
    ) -> httpx.Response:
        timeout = httpx.Timeout(REQUEST_TIMEOUT_S, read=read_timeout)
        try:
            response = await self._client.post(path, json=body, params=params, timeout=timeout)
        except httpx.TransportError as exc:
            reason = type(exc).__name__ + (f": {exc}" if str(exc) else "")
            raise TransientError(reason) from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}", retry_after(response))
        if response.status_code >= 400:
            raise api_error(response)
        return response


def _output_body(output: OutputFile) -> dict[str, Any]:
    body: dict[str, Any] = {"name": output.name, "size": output.size, "sha256": output.sha256}
    if output.upload_id is not None:
        body["uploadId"] = output.upload_id
    return body


def _job_path(job: ClaimedJob) -> str:
    return f"/api/addin/jobs/{quote(job.job_id, safe='')}"

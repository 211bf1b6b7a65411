"""``mcms addin-agent``: the reference add-in client.

It does what the ESPRIT add-in does, with any command standing in for ESPRIT:
claim a generation job (long-poll), run the generator in a fresh directory,
heartbeat while it runs, then report the result. It exists for demos and
tests, and as a worked example of the protocol for the people who maintain
the real (.NET) add-in: docs/addin-agent.md describes the same exchanges.

It talks to the server only over HTTP and imports nothing from the server
side, so it runs on a workstation with just this package and ``httpx``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import enum
import functools
import hashlib
import json
import logging
import os
import random
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

log = logging.getLogger("mcms.agent")

T = TypeVar("T")

EXIT_OK = 0
EXIT_REFUSED = 1
"""The server refuses the claim itself (400/404/...): retrying cannot help."""
EXIT_BAD_TOKEN = 2

TOKEN_ENV = "MCMS_AGENT_TOKEN"  # noqa: S105 - the variable's name, not a token
BACKOFF_FIRST_S = 0.5
BACKOFF_MAX_S = 30.0
REQUEST_TIMEOUT_S = 10.0
CLAIM_EXTRA_S = 10.0
"""The claim's read timeout is the long-poll wait plus this."""
MIN_EMPTY_CLAIM_S = 1.0
"""An empty claim never repeats faster than this, even with ``--wait 0``."""
KILL_AFTER_S = 5.0
"""A terminated generator that is still alive after this is killed."""
DRAIN_S = 2.0
"""After the generator exits, a grandchild may still hold its pipes open."""
RELEASE_DEADLINE_S = 10.0
MIN_HEARTBEAT_S = 1.0
"""The floor of the computed interval, whatever the clocks say."""
MIN_GIVEN_HEARTBEAT_S = 0.1
PROGRESS_SPACING_S = 2.0
"""A new PROGRESS line is reported early, but not more often than this."""
TAIL_BYTES = 4096
LINE_BYTES = 4096
FAILURE_TAIL_CHARS = 2000
MESSAGE_CHARS = 500
HASH_BLOCK = 1024 * 1024

_PROGRESS_LINE = re.compile(r"^PROGRESS\s+(\d+(?:\.\d+)?)(?:\s+(.*))?$")
_UNSAFE_PATH_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


# -- errors and backoff --------------------------------------------------------


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
    Callers bound it by racing it against a signal or deadline (see ``_settled``)."""
    backoff = Backoff()
    while True:
        try:
            return await call()
        except TransientError as exc:
            delay = backoff.next_delay(exc.retry_after)
            log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)


async def _settled(
    task: asyncio.Future[Any], *events: asyncio.Event, limit: float | None = None
) -> bool:
    """Wait for ``task`` until one of ``events`` is set or ``limit`` seconds pass;
    True when the task is done. The task is left running either way."""
    watchers = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait([task, *watchers], timeout=limit, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for watcher in watchers:
            watcher.cancel()
    return task.done()


async def _sleep_unless(seconds: float, event: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task


# -- the job and the server ----------------------------------------------------


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
    size: int
    sha256: str


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


def _api_error(response: httpx.Response) -> ApiError:
    code, detail = "", response.reason_phrase
    with contextlib.suppress(ValueError):
        body = response.json()
        if isinstance(body, dict):
            code = str(body.get("code") or "")
            detail = str(body.get("detail") or detail)
    return ApiError(response.status_code, code, detail[:MESSAGE_CHARS])


def _retry_after(response: httpx.Response) -> float | None:
    with contextlib.suppress(KeyError, ValueError):
        return max(0.0, float(response.headers["retry-after"]))
    return None


class ShimApi:
    """The four calls of the add-in REST shim that a newer agent uses."""

    def __init__(self, client: httpx.AsyncClient, config: AgentConfig) -> None:
        self._client = client
        self._config = config

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
            "outputs": [
                {"name": out.name, "size": out.size, "sha256": out.sha256} for out in result.outputs
            ],
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
            raise TransientError(f"HTTP {response.status_code}", _retry_after(response))
        if response.status_code >= 400:
            raise _api_error(response)
        return response


def _job_path(job: ClaimedJob) -> str:
    return f"/api/addin/jobs/{quote(job.job_id, safe='')}"


# -- the generator command -----------------------------------------------------


class Progress:
    """What the generator said on stdout: its latest ``PROGRESS n message`` line
    (for heartbeats) and its last other line (the success message)."""

    def __init__(self) -> None:
        self.percent: float | None = None
        self.message: str | None = None
        self.last_line = ""
        self.changed = asyncio.Event()

    def on_line(self, line: str) -> None:
        text = line.strip()
        match = _PROGRESS_LINE.match(text)
        if match:
            value = min(100.0, float(match.group(1)))
            self.percent = int(value) if value.is_integer() else value
            self.message = (match.group(2) or "").strip()[:MESSAGE_CHARS] or None
            self.changed.set()
        elif text:
            self.last_line = text[:MESSAGE_CHARS]


class _Tail:
    """The last ``TAIL_BYTES`` of a stream, so a chatty generator costs no memory."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk
        del self._data[:-TAIL_BYTES]

    def text(self) -> str:
        return self._data.decode("utf-8", "replace")


class _Lines:
    """Splits a byte stream into lines; an endless line is cut at ``LINE_BYTES``."""

    def __init__(self, on_line: Callable[[str], None]) -> None:
        self._on_line = on_line
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
        *complete, rest = (self._partial + chunk).split(b"\n")
        for line in complete:
            self._on_line(line[:LINE_BYTES].decode("utf-8", "replace"))
        self._partial = rest[:LINE_BYTES]

    def close(self) -> None:
        if self._partial:
            self._on_line(self._partial.decode("utf-8", "replace"))
        self._partial = b""


@dataclass(frozen=True)
class JobPaths:
    directory: Path
    job_file: Path
    outputs: Path


def _prepare_job_dir(work_dir: Path, job: ClaimedJob) -> JobPaths:
    """A directory per claim (job id and lease token), so a retried attempt never
    sees the files of an earlier one."""
    name = f"job-{job.job_id}-{job.lease_token}"
    directory = work_dir / _UNSAFE_PATH_CHARS.sub("_", name)
    paths = JobPaths(directory, directory / "job.json", directory / "outputs")
    paths.outputs.mkdir(parents=True, exist_ok=True)
    paths.job_file.write_text(json.dumps(job.document, indent=2), encoding="utf-8")
    return paths


class Generator:
    """One run of the generator command, in its own process group so that Ctrl+C
    on the agent's terminal does not kill it before the grace period, and so
    that stopping it also stops whatever it started."""

    def __init__(self, process: asyncio.subprocess.Process, progress: Progress) -> None:
        self._process = process
        self.stderr = _Tail()
        stdout_lines = _Lines(progress.on_line)
        if process.stdout is None or process.stderr is None:
            raise RuntimeError("the generator was started without pipes")
        self._readers = [
            asyncio.create_task(_pump(process.stdout, stdout_lines.feed, stdout_lines.close)),
            asyncio.create_task(_pump(process.stderr, self.stderr.feed, lambda: None)),
        ]

    @classmethod
    async def start(
        cls, argv: list[str], paths: JobPaths, job: ClaimedJob, progress: Progress
    ) -> Generator:
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}  # it needs no token
        env |= {
            "MCMS_JOB_FILE": str(paths.job_file),
            "MCMS_OUTPUT_DIR": str(paths.outputs),
            "MCMS_JOB_ID": job.job_id,
            "MCMS_ROUTING_ID": job.routing_id,
        }
        isolation: dict[str, Any] = {"start_new_session": True}
        if sys.platform == "win32":
            isolation = {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        process = await asyncio.create_subprocess_exec(
            *argv,
            str(paths.job_file),
            str(paths.outputs),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=paths.directory,
            env=env,
            **isolation,
        )
        return cls(process, progress)

    @property
    def running(self) -> bool:
        return self._process.returncode is None

    async def wait(self) -> int:
        code = await self._process.wait()
        _, stuck = await asyncio.wait(self._readers, timeout=DRAIN_S)
        for reader in stuck:
            reader.cancel()
        return code

    async def stop(self, *, at_once: bool = False) -> None:
        """Terminate (or kill ``at_once``), and kill if still alive after a while."""
        if self.running and not at_once:
            self._signal(kill=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), KILL_AFTER_S)
        if self.running:
            self._signal(kill=True)
        await self.wait()

    def kill_now(self) -> None:
        if self.running:
            self._signal(kill=True)

    def _signal(self, *, kill: bool) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if sys.platform == "win32":
                if kill:
                    self._process.kill()
                else:
                    self._process.terminate()
            else:
                os.killpg(self._process.pid, signal.SIGKILL if kill else signal.SIGTERM)


async def _pump(
    stream: asyncio.StreamReader, feed: Callable[[bytes], None], close: Callable[[], None]
) -> None:
    """Read in chunks, not lines: a generator may print a line of any length."""
    while chunk := await stream.read(65536):
        feed(chunk)
    close()


def describe_outputs(outputs: Path) -> list[OutputFile]:
    """Every regular file under ``outputs`` (symbolic links are not followed), by
    relative POSIX name, with its size and SHA-256 as the server will check them."""
    found = []
    for root, dirs, names in os.walk(outputs):
        dirs.sort()
        for name in names:
            path = Path(root, name)
            if stat.S_ISREG(path.lstat().st_mode):
                size, digest = _hash_file(path)
                found.append(OutputFile(path.relative_to(outputs).as_posix(), size, digest))
    return sorted(found, key=lambda out: out.name)


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while block := stream.read(HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def _brief(text: str, limit: int = 200) -> str:
    """One log line, however many lines the generator printed."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _failure_message(code: int, stderr: str) -> str:
    how = f"exited with code {code}" if code >= 0 else f"was killed by signal {-code}"
    tail = stderr.strip()[-FAILURE_TAIL_CHARS:]
    return f"Generator {how}." + (f" stderr: {tail}" if tail else "")


# -- heartbeats ----------------------------------------------------------------


class Heartbeat:
    """Keeps the lease alive while the generator runs. Sets ``lost`` when the
    server says the lease is gone (409/404) or the token no longer works
    (``fatal``); the agent must then stop the generator and drop the job."""

    def __init__(
        self, api: ShimApi, job: ClaimedJob, progress: Progress, every: float | None
    ) -> None:
        self._api, self._job, self._progress, self._every = api, job, progress, every
        self.lost = asyncio.Event()
        self.reason = ""
        self.fatal: ApiError | None = None

    def interval(self, lease_seconds: float | None) -> float:
        if self._every is not None:
            return self._every
        left = lease_seconds if lease_seconds is not None else 90.0
        return max(MIN_HEARTBEAT_S, left / 3)

    async def run(self) -> None:
        backoff = Backoff()
        delay, on_progress = self.interval(self._job.lease_seconds), True
        while True:
            await self._pause(delay, on_progress)
            self._progress.changed.clear()
            try:
                lease = await self._api.heartbeat(self._job, self._progress)
            except TransientError as exc:
                delay, on_progress = backoff.next_delay(exc.retry_after), False
                log.warning(
                    "job %s: heartbeat failed (%s); retrying in %.1f s",
                    self._job.job_id,
                    exc,
                    delay,
                )
                continue
            except ApiError as exc:
                if exc.bad_token or exc.status in (404, 409):
                    self.fatal = exc if exc.bad_token else None
                    self.reason = str(exc)
                    self.lost.set()
                    return
                log.warning("job %s: heartbeat refused (%s)", self._job.job_id, exc)
                lease = None
            backoff.reset()
            delay, on_progress = self.interval(lease), True

    async def _pause(self, delay: float, on_progress: bool) -> None:
        """Sleep ``delay``, cut short by new progress when ``on_progress``."""
        start = time.monotonic()
        await asyncio.sleep(min(delay, PROGRESS_SPACING_S))
        left = delay - (time.monotonic() - start)
        if left > 0 and not (on_progress and self._progress.changed.is_set()):
            waiting = self._progress.changed.wait() if on_progress else asyncio.sleep(left)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiting, left)


# -- the agent -----------------------------------------------------------------


def default_agent_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class AgentConfig:
    server: str
    token: str = field(repr=False)
    command: str
    """The generator: split like a POSIX shell line; the job file and the outputs
    directory are appended as its last two arguments."""
    agent_id: str = field(default_factory=default_agent_id)
    capabilities: Mapping[str, str] = field(default_factory=dict)
    wait: int = 30
    work_dir: Path | None = None
    """None: a temporary directory, removed when the agent exits."""
    heartbeat: float | None = None
    """None: a third of the lease time left."""
    grace: float = 30.0
    max_jobs: int | None = None
    handle_signals: bool = True
    """Off when run in-process by a test; use ``Agent.request_stop`` instead."""
    transport: httpx.AsyncBaseTransport | None = None
    """For in-process tests (e.g. ``httpx.ASGITransport``)."""


class _Ending(enum.Enum):
    FINISHED = "finished"
    LEASE_LOST = "lease lost"
    INTERRUPTED = "interrupted"


class Agent:
    """Claims jobs and runs them one at a time until stopped or ``max_jobs``."""

    def __init__(self, config: AgentConfig) -> None:
        self.config = config
        self._argv = shlex.split(config.command)
        self._stopping = asyncio.Event()
        self._forced = asyncio.Event()

    def request_stop(self, *, at_once: bool = False) -> None:
        """What SIGTERM/SIGINT do: the first stops claiming and lets a running job
        finish within the grace period; a second (``at_once``) kills it now."""
        self._stopping.set()
        if at_once:
            self._forced.set()

    async def run(self) -> int:
        """Returns the process exit code: 0, or 2 for a token the server refuses."""
        if not self._argv:
            log.error("the generator command is empty")
            return EXIT_REFUSED
        with self._signal_handlers():
            async with self._client() as client, self._work_dir() as work_dir:
                log.info(
                    "agent %s polling %s for jobs; work directory %s",
                    self.config.agent_id,
                    self.config.server,
                    work_dir,
                )
                try:
                    await self._serve(ShimApi(client, self.config), work_dir)
                except ApiError as exc:
                    return self._refused(exc)
        log.info("agent %s stopped", self.config.agent_id)
        return EXIT_OK

    def _refused(self, exc: ApiError) -> int:
        if exc.bad_token:
            log.error(
                "the server refused the token (%s); check --token or %s and that "
                "its user has the AGENT role",
                exc,
                TOKEN_ENV,
            )
            return EXIT_BAD_TOKEN
        log.error("the server refused to hand out jobs (%s); stopping", exc)
        return EXIT_REFUSED

    async def _serve(self, api: ShimApi, work_dir: Path) -> None:
        handled = 0
        while not self._stopping.is_set():
            if self.config.max_jobs is not None and handled >= self.config.max_jobs:
                return
            started = time.monotonic()
            claim = asyncio.ensure_future(retrying("claim", api.claim))
            if not await _settled(claim, self._stopping):
                await _cancel(claim)  # a claim cut off here is re-queued when its lease ends
                return
            job = claim.result()
            if job is None:
                pause = MIN_EMPTY_CLAIM_S - (time.monotonic() - started)
                if pause > 0:
                    await _sleep_unless(pause, self._stopping)
                continue
            handled += 1
            await self._handle(api, work_dir, job)

    async def _handle(self, api: ShimApi, work_dir: Path, job: ClaimedJob) -> None:
        log.info(
            "claimed job %s (routing %s, attempt %d/%d)",
            job.job_id,
            job.routing_id,
            job.attempt,
            job.max_attempts,
        )
        progress = Progress()
        try:
            paths = await asyncio.to_thread(_prepare_job_dir, work_dir, job)
            generator = await Generator.start(self._argv, paths, job, progress)
        except OSError as exc:
            message = f"The generator could not be started: {exc}"
            await self._report(api, job, JobResult("failed", message[:FAILURE_TAIL_CHARS]))
            return
        heartbeat = Heartbeat(api, job, progress, self.config.heartbeat)
        beating = asyncio.ensure_future(heartbeat.run())
        try:
            ending = await self._supervise(generator, heartbeat)
        except BaseException:  # cancelled from outside: leave no generator behind
            generator.kill_now()
            raise
        finally:
            await _cancel(beating)
        if ending != _Ending.FINISHED:
            await generator.stop(at_once=self._forced.is_set())
        if heartbeat.fatal is not None:
            raise heartbeat.fatal
        if ending == _Ending.LEASE_LOST:
            log.warning(
                "job %s: lease lost (%s); generator stopped, result dropped",
                job.job_id,
                heartbeat.reason,
            )
        elif ending == _Ending.INTERRUPTED:
            await self._release(api, job)
        else:
            result = await self._result(generator, progress, paths)
            await self._report(api, job, result)

    async def _supervise(self, generator: Generator, heartbeat: Heartbeat) -> _Ending:
        """Wait for the generator to exit, the lease to be lost, or a stop; after
        a stop the generator gets ``grace`` seconds, or none after a second one."""
        exited = asyncio.ensure_future(generator.wait())
        try:
            await _settled(exited, heartbeat.lost, self._stopping)
            if not exited.done() and not heartbeat.lost.is_set():
                log.info("stopping: waiting up to %.0f s for the running job", self.config.grace)
                await _settled(exited, heartbeat.lost, self._forced, limit=self.config.grace)
        finally:
            finished = exited.done()
            if not finished:
                await _cancel(exited)
        if heartbeat.lost.is_set():
            return _Ending.LEASE_LOST
        return _Ending.FINISHED if finished else _Ending.INTERRUPTED

    async def _result(self, generator: Generator, progress: Progress, paths: JobPaths) -> JobResult:
        code = await generator.wait()
        if code != 0:
            log.info("generator exited with code %d", code)
            return JobResult("failed", _failure_message(code, generator.stderr.text()))
        try:
            outputs = await asyncio.to_thread(describe_outputs, paths.outputs)
        except OSError as exc:
            return JobResult("failed", f"The outputs could not be read: {exc}")
        message = progress.last_line or f"Generated {len(outputs)} output(s)."
        return JobResult("completed", message, tuple(outputs))

    async def _report(self, api: ShimApi, job: ClaimedJob, result: JobResult) -> None:
        """Deliver the result until the server answers it: the completion is
        idempotent, so a lost answer is simply asked again. While stopping, give
        up after ``grace`` seconds (the lease then expires and the job reruns)."""
        call = functools.partial(api.complete, job, result)
        sending = asyncio.ensure_future(retrying(f"completing job {job.job_id}", call))
        done = await _settled(sending, self._stopping)
        if not done:
            done = await _settled(sending, self._forced, limit=self.config.grace)
        if not done:
            await _cancel(sending)
            log.error(
                "job %s: result not delivered before exit; its lease will expire and "
                "the job will run again",
                job.job_id,
            )
            return
        try:
            sending.result()
        except ApiError as exc:
            if exc.bad_token:
                raise
            log.warning("job %s: the server refused the result (%s)", job.job_id, exc)
            return
        log.info(
            "job %s finished: %s, %d output(s): %s",
            job.job_id,
            result.status,
            len(result.outputs),
            _brief(result.message),
        )

    async def _release(self, api: ShimApi, job: ClaimedJob) -> None:
        """Hand the job back so another agent takes it now, not after the lease.
        Best effort: if the server cannot be reached, the lease expiry does it."""
        message = f"Agent {self.config.agent_id} stopped before the job finished."
        call = functools.partial(api.release, job, message)
        releasing = asyncio.ensure_future(retrying(f"releasing job {job.job_id}", call))
        if self._forced.is_set():
            done = await _settled(releasing, limit=REQUEST_TIMEOUT_S)
        else:
            done = await _settled(releasing, self._forced, limit=RELEASE_DEADLINE_S)
        if not done:
            await _cancel(releasing)
            log.warning(
                "job %s: could not release it; it returns to the queue when its lease expires",
                job.job_id,
            )
            return
        try:
            releasing.result()
        except ApiError as exc:
            log.warning("job %s: release refused (%s)", job.job_id, exc)
            return
        log.info("job %s released back to the queue", job.job_id)

    @contextlib.asynccontextmanager
    async def _client(self) -> AsyncIterator[httpx.AsyncClient]:
        headers = {
            "Authorization": f"Bearer {self.config.token}",
            "User-Agent": "mcms-addin-agent",
        }
        async with httpx.AsyncClient(
            base_url=self.config.server,
            headers=headers,
            timeout=REQUEST_TIMEOUT_S,
            transport=self.config.transport,
        ) as client:
            yield client

    @contextlib.asynccontextmanager
    async def _work_dir(self) -> AsyncIterator[Path]:
        if self.config.work_dir is not None:
            await asyncio.to_thread(self.config.work_dir.mkdir, parents=True, exist_ok=True)
            yield self.config.work_dir
            return
        temporary = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="mcms-agent-"))
        try:
            yield temporary
        finally:
            await asyncio.to_thread(shutil.rmtree, temporary, ignore_errors=True)

    @contextlib.contextmanager
    def _signal_handlers(self) -> Iterator[None]:
        if not self.config.handle_signals or threading.current_thread() is not (
            threading.main_thread()
        ):
            yield
            return
        loop = asyncio.get_running_loop()
        signals = (signal.SIGTERM, signal.SIGINT)
        try:
            for sig in signals:
                loop.add_signal_handler(sig, self._on_signal, sig)
        except NotImplementedError:  # Windows: no loop signal handlers
            previous = {
                sig: signal.signal(sig, lambda n, _: loop.call_soon_threadsafe(self._on_signal, n))
                for sig in signals
            }
            try:
                yield
            finally:
                for sig, handler in previous.items():
                    signal.signal(sig, handler)
            return
        try:
            yield
        finally:
            for sig in signals:
                loop.remove_signal_handler(sig)

    def _on_signal(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if not self._stopping.is_set():
            log.info(
                "%s: no new jobs; a running job gets up to %.0f s to finish; "
                "send it again to stop at once",
                name,
                self.config.grace,
            )
            self.request_stop()
        else:
            log.warning("%s again: stopping the generator now", name)
            self.request_stop(at_once=True)


# -- command line --------------------------------------------------------------


def _capability(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text}")
    return value


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``mcms addin-agent`` to the ``mcms`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "addin-agent",
        help="run the reference add-in agent: claim jobs and run a generator command",
        description="Claims add-in generation jobs from an MCMS server and runs COMMAND "
        "for each, with the job file and the outputs directory as its last two "
        f"arguments. The token may also come from ${TOKEN_ENV}.",
    )
    parser.add_argument("--server", required=True, help="e.g. http://mcms:8000")
    parser.add_argument("--token", help=f"API token or add-in key (default: ${TOKEN_ENV})")
    parser.add_argument("--command", required=True, help="the generator command line")
    parser.add_argument("--agent-id", default=None, help="default: HOSTNAME-PID")
    parser.add_argument(
        "--capability", action="append", type=_capability, default=[], metavar="KEY=VALUE"
    )
    parser.add_argument("--wait", type=_count, default=30, help="long-poll seconds")
    parser.add_argument("--work-dir", type=Path, help="default: a temporary directory")
    parser.add_argument(
        "--heartbeat", type=_seconds, help="seconds (default: a third of the lease)"
    )
    parser.add_argument("--grace", type=_seconds, default=30.0, help="seconds")
    parser.add_argument("--once", action="store_true", help="handle one job, then exit")
    parser.add_argument("--max-jobs", type=_count, help="exit after N jobs")
    parser.set_defaults(handler=cmd_addin_agent)
    return parser


def cmd_addin_agent(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(TOKEN_ENV)
    if not token:
        print(f"mcms addin-agent: give --token or set {TOKEN_ENV}", file=sys.stderr)
        return EXIT_BAD_TOKEN
    try:
        shlex.split(args.command)
    except ValueError as exc:
        print(f"mcms addin-agent: --command: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if not args.server.startswith(("http://", "https://")):
        print("mcms addin-agent: --server must be an http:// or https:// URL", file=sys.stderr)
        return EXIT_REFUSED
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per long-poll is noise
    config = AgentConfig(
        server=args.server,
        token=token,
        command=args.command,
        agent_id=args.agent_id or default_agent_id(),
        capabilities=dict(args.capability),
        wait=args.wait,
        work_dir=args.work_dir,
        heartbeat=None if args.heartbeat is None else max(MIN_GIVEN_HEARTBEAT_S, args.heartbeat),
        grace=args.grace,
        max_jobs=1 if args.once else args.max_jobs,
    )
    return asyncio.run(Agent(config).run())

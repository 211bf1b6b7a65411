"""The agent's loop: claim, run the generator under heartbeats, report or release."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import shlex
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from mcms.addin_agent._config import (
    EXIT_BAD_TOKEN,
    EXIT_OK,
    EXIT_REFUSED,
    FAILURE_TAIL_CHARS,
    REQUEST_TIMEOUT_S,
    TOKEN_ENV,
    AgentConfig,
)
from mcms.addin_agent._generator import (
    Generator,
    JobPaths,
    Progress,
    describe_outputs,
    failure_message,
    prepare_job_dir,
)
from mcms.addin_agent._heartbeat import Heartbeat
from mcms.addin_agent._http import (
    ApiError,
    ClaimedJob,
    JobResult,
    OutputFile,
    ShimApi,
    retrying,
)
from mcms.addin_agent._uploads import OutputUploader

log = logging.getLogger("mcms.agent")

MIN_EMPTY_CLAIM_S = 1.0
"""An empty claim never repeats faster than this, even with ``--wait 0``."""
RELEASE_DEADLINE_S = 10.0


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


def _brief(text: str, limit: int = 200) -> str:
    """One log line, however many lines the generator printed."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


async def _upload_outputs(
    uploader: OutputUploader,
    job: ClaimedJob,
    outputs: list[OutputFile],
    paths: JobPaths,
    progress: Progress,
) -> list[OutputFile]:
    """Each output through tus, one after the other; the heartbeats tell the
    server which one is on its way."""
    uploaded = []
    for number, output in enumerate(outputs, start=1):
        progress.message = f"Uploading {output.name} ({number}/{len(outputs)})"
        progress.changed.set()
        uploaded.append(await uploader.upload(job, output, paths.outputs / output.name))
        log.info("job %s: uploaded %s (%d bytes)", job.job_id, output.name, output.size)
    return uploaded


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
        self._stopped_at: float | None = None

    def request_stop(self, *, at_once: bool = False) -> None:
        """What SIGTERM/SIGINT do: the first stops claiming and lets a running job
        finish within the grace period; a second (``at_once``) kills it now."""
        if self._stopped_at is None:
            self._stopped_at = time.monotonic()
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
            paths = await asyncio.to_thread(prepare_job_dir, work_dir, job)
            generator = await Generator.start(self._argv, paths, job, progress)
        except OSError as exc:
            message = f"The generator could not be started: {exc}"
            await self._report(api, job, JobResult("failed", message[:FAILURE_TAIL_CHARS]))
            return
        heartbeat = Heartbeat(api, job, progress, self.config.heartbeat)
        beating = asyncio.ensure_future(heartbeat.run())
        result: JobResult | None = None
        try:
            ending = await self._finish_or_stop(asyncio.ensure_future(generator.wait()), heartbeat)
            if ending == _Ending.FINISHED:
                # The lease stays alive (heartbeats) while the outputs upload.
                uploader = OutputUploader(api.client)
                finishing = asyncio.ensure_future(
                    self._result(job, generator, progress, paths, uploader)
                )
                ending = await self._finish_or_stop(finishing, heartbeat)
                result = finishing.result() if ending == _Ending.FINISHED else None
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
        elif result is not None:
            await self._report(api, job, result)

    async def _finish_or_stop(self, work: asyncio.Future[Any], heartbeat: Heartbeat) -> _Ending:
        """Wait for ``work`` (the generator, then the uploads), the lease to be
        lost, or a stop; after a stop the job gets what is left of ``grace``
        seconds, or none after a second stop. Unfinished work is cancelled."""
        try:
            await _settled(work, heartbeat.lost, self._stopping)
            if not work.done() and not heartbeat.lost.is_set():
                left = self._grace_left()
                log.info("stopping: waiting up to %.0f s for the running job", left)
                await _settled(work, heartbeat.lost, self._forced, limit=left)
        finally:
            finished = work.done()
            if not finished:
                await _cancel(work)
        if heartbeat.lost.is_set():
            return _Ending.LEASE_LOST
        return _Ending.FINISHED if finished else _Ending.INTERRUPTED

    def _grace_left(self) -> float:
        stopped_at = self._stopped_at if self._stopped_at is not None else time.monotonic()
        return max(0.0, stopped_at + self.config.grace - time.monotonic())

    async def _result(
        self,
        job: ClaimedJob,
        generator: Generator,
        progress: Progress,
        paths: JobPaths,
        uploader: OutputUploader,
    ) -> JobResult:
        code = await generator.wait()
        if code != 0:
            log.info("generator exited with code %d", code)
            return JobResult("failed", failure_message(code, generator.stderr.text()))
        try:
            outputs = await asyncio.to_thread(describe_outputs, paths.outputs)
        except OSError as exc:
            return JobResult("failed", f"The outputs could not be read: {exc}")
        try:
            uploaded = await _upload_outputs(uploader, job, outputs, paths, progress)
        except (ApiError, OSError) as exc:
            if isinstance(exc, ApiError) and exc.bad_token:
                raise
            return JobResult(
                "failed", f"The outputs could not be uploaded: {exc}"[:FAILURE_TAIL_CHARS]
            )
        message = progress.last_line or f"Generated {len(outputs)} output(s)."
        return JobResult("completed", message, tuple(uploaded))

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

"""Heartbeats: keeping a claimed job's lease alive while its generator runs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from mcms.addin_agent._generator import Progress
from mcms.addin_agent._http import ApiError, Backoff, ClaimedJob, ShimApi, TransientError

log = logging.getLogger("mcms.agent")

MIN_HEARTBEAT_S = 1.0
"""The floor of the computed interval, whatever the clocks say."""
PROGRESS_SPACING_S = 2.0
"""A new PROGRESS line is reported early, but not more often than this."""


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

"""Wake-ups for long-polling claimers (``POST /api/addin/jobs/claim?wait=S``).

One listener per process follows the event log through the hub (which this
process's commits poke at once and other processes reach through the
broadcast) and bumps a generation counter whenever a job becomes claimable.
A claimer reads the counter (``watch``) *before* it tries to claim, so a job queued after
a failed attempt always wakes it. Waits are also cut into short slices: a
wake-up lost while the listener starts costs at most one slice.
"""

from __future__ import annotations

import asyncio
import contextlib

from mcms.addin_jobs.events import JOB_CREATED, JOB_UPDATED
from mcms.addin_jobs.models import AddinJobStatus
from mcms.live.hub import EventHub
from mcms.live.log import EventRecord

SLICE_SECONDS = 1.0


def _makes_claimable(event: EventRecord) -> bool:
    if event.name == JOB_CREATED:
        return True
    return event.name == JOB_UPDATED and event.payload.get("status") == AddinJobStatus.QUEUED


class JobSignal:
    def __init__(self, hub: EventHub) -> None:
        self._hub = hub
        self._generation = 0
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def watch(self) -> int:
        """The current generation; starts this process's listener if it is not running."""
        self._listen_in_background()
        return self._generation

    async def wait_after(self, generation: int, seconds: float) -> None:
        """Return once the generation has moved past ``generation``, or after
        ``seconds`` (at most one slice)."""
        if self._generation != generation:
            return
        changed = self._changed
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(changed.wait(), min(seconds, SLICE_SECONDS))

    def _listen_in_background(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._listen())

    async def _listen(self) -> None:
        async for _ in self._hub.stream(since=None, accepts=_makes_claimable):
            self._generation += 1
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

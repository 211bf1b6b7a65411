"""The per-process hub that tails the event log and feeds subscribers.

Why tail the database instead of trusting a message bus: the log is durable
and shared by every process, so a subscriber on process A sees a mutation made
on process B, a reconnecting client replays exactly what it missed, and a lost
bus message costs nothing. One poll per process (not per subscriber) every
``poll_seconds`` keeps that cheap; a bus can later shorten the wait.

Gaps: on PostgreSQL, ids come from a sequence, so id 11 can commit after id 12,
and a rolled-back insert leaves a hole forever. The hub only moves its
*high-water mark* over contiguous ids; at a hole it waits up to ``gap_seconds``
for a late commit before deciding it was a rollback. On SQLite writers are
serialized, so holes do not happen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from mcms.core.db import Database
from mcms.live import log
from mcms.live.broadcast import Broadcast
from mcms.live.fanout import SharedResults
from mcms.live.groups import FanOut
from mcms.live.log import EventRecord

logger = logging.getLogger("mcms.live")

BATCH = 500
PURGE_EVERY_SECONDS = 3600.0


T = TypeVar("T")


class HubClosed(Exception):
    """The process is shutting down; streams end."""


class Resync(Exception):
    """The requested cursor is older than the log keeps: reload, then resubscribe."""


@dataclass(eq=False)  # identity: each subscriber is its own set member
class _Subscriber:
    accepts: Callable[[EventRecord], bool]
    queue: asyncio.Queue[EventRecord | None]
    """Live events; ``None`` marks an overflow (catch up from the log)."""
    overflowed: bool = False

    def end(self) -> None:
        self.overflowed = True
        with contextlib.suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    def offer(self, event: EventRecord) -> None:
        if self.overflowed or not self.accepts(event):
            return
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            # A subscriber that stopped reading: drop its backlog (memory stays
            # bounded); it catches up from the log when it reads again.
            self.overflowed = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)


class EventHub:
    def __init__(
        self,
        db: Database,
        *,
        poll_seconds: float = 0.1,
        gap_seconds: float = 5.0,
        queue_size: int = 1000,
        broadcast: Broadcast | None = None,
        retention: timedelta | None = None,
    ) -> None:
        self.db = db
        self.shared = SharedResults()
        """Subscription results shared by subscribers that go through Strawberry's
        per-subscriber path (replays, and anything not on a WebSocket)."""
        self.fanout = FanOut()
        """Live WebSocket subscriptions, grouped: one execution per event and group,
        frames written straight to the sockets (``live/groups.py``)."""
        self.retention = retention
        """Events older than this are deleted (hourly, while the hub runs); a
        ``since`` from before what is left gets ``RESYNC``."""
        self._purged_at = float("-inf")
        self.broadcast = broadcast
        """Wakes this hub when another process commits events; started with the
        hub (the first subscriber), closed with it."""
        self.poll_seconds = poll_seconds
        self.gap_seconds = gap_seconds
        self.queue_size = queue_size
        self._subscribers: set[_Subscriber] = set()
        self._high_water: int | None = None
        self._gap_seen_at: tuple[int, float] | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._start_lock = asyncio.Lock()
        self._reads: set[asyncio.Future[Any]] = set()
        self._closed = False

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers) + self.fanout.member_count

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def high_water(self) -> int:
        """Every event up to here has been relayed (or is being relayed right now)."""
        return self._high_water or 0

    async def ensure_started(self) -> None:
        """Start tailing the log (once per process); raises ``HubClosed`` after close."""
        if self._closed:
            raise HubClosed
        await self._start()

    async def stream(
        self, *, since: int | None, accepts: Callable[[EventRecord], bool]
    ) -> AsyncIterator[EventRecord]:
        """Events ``accepts`` wants: first those after ``since`` from the log, then
        live ones, each exactly once and in order. Raises ``Resync`` when
        ``since`` is older than the log keeps; ends when the hub closes."""
        if self._closed:
            return
        await self._start()
        subscriber = _Subscriber(accepts=accepts, queue=asyncio.Queue(self.queue_size))
        self._subscribers.add(subscriber)
        try:
            last = since if since is not None else (self._high_water or 0)
            if since is not None:
                await self.check_retained(since)
            while True:
                # From here on new events queue up; everything up to the
                # high-water mark comes from the log. Overlap is skipped by id.
                subscriber.overflowed = False
                high_water = self._high_water or 0
                async for event in self.replay(last, high_water, accepts):
                    last = event.id
                    yield event
                async for event in self._live(subscriber, last):
                    last = event.id
                    yield event
                if self._closed:
                    return
                # Otherwise an overflow ended the live phase: catch up, then go on.
        except HubClosed:
            return
        finally:
            self._subscribers.discard(subscriber)

    async def _live(self, subscriber: _Subscriber, last: int) -> AsyncIterator[EventRecord]:
        while True:
            event = await subscriber.queue.get()
            if event is None:
                return
            if event.id > last:
                last = event.id
                yield event

    async def replay(
        self, after: int, up_to: int, accepts: Callable[[EventRecord], bool]
    ) -> AsyncIterator[EventRecord]:
        """The events in ``(after, up_to]`` that ``accepts`` wants, from the log."""
        cursor = after
        while cursor < up_to:
            batch = await self._read_after(cursor)
            batch = [e for e in batch if e.id <= up_to]
            if not batch:
                return
            for event in batch:
                if accepts(event):
                    yield event
            cursor = batch[-1].id

    async def check_retained(self, since: int) -> None:
        """Raise ``Resync`` if events after ``since`` may have been purged."""
        oldest = await self._shielded(self._oldest_id())
        if oldest is not None and since < oldest - 1:
            raise Resync(f"Events after {since} are no longer kept; reload and resubscribe.")

    async def _start(self) -> None:
        if self._running():
            return
        # Many subscribers arrive at once after a restart; the lock makes sure
        # only the first starts a tailing loop (the others would each poll too).
        async with self._start_lock:
            if self._running():
                return
            self._high_water = await self._shielded(self._newest_id())
            self._task = asyncio.create_task(self._run(), name="mcms-event-hub")
            if self.broadcast is not None:
                await self.broadcast.start(self.poke)

    def _running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def _run(self) -> None:
        while True:
            try:
                await self._poll_once()
                await self._purge_if_due()
            except HubClosed:
                return  # closed between two reads: nothing left to tail
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; keep tailing
                logger.exception("event hub: reading the event log failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            self._wake.clear()

    async def _purge_if_due(self) -> None:
        if self.retention is None or time.monotonic() - self._purged_at < PURGE_EVERY_SECONDS:
            return
        self._purged_at = time.monotonic()
        async with self.db.unit_of_work() as session:
            await log.purge_older_than(session=session, age=self.retention)

    async def _poll_once(self) -> None:
        start = self._high_water or 0
        batch = await self._read_after(start)
        relayable = self._contiguous(start, batch)
        for event in relayable:
            for subscriber in list(self._subscribers):
                subscriber.offer(event)
            self._high_water = event.id
        if relayable:
            await self.fanout.deliver(relayable)
        if len(batch) == BATCH:
            self._wake.set()  # more are waiting: read on without sleeping

    async def _read_after(self, cursor: int) -> list[EventRecord]:
        async def read() -> list[EventRecord]:
            async with self.db.read_session() as session:
                return await log.read_after(session=session, cursor=cursor, limit=BATCH)

        return await self._shielded(read())

    async def _oldest_id(self) -> int | None:
        async with self.db.read_session() as session:
            return await log.oldest_id(session=session)

    async def _newest_id(self) -> int:
        """Where tailing starts: the newest event older than the gap window. A
        newer, lower id may still belong to a transaction that has not committed
        (PostgreSQL sequences), so the recent ones go through the gap check;
        live-only subscribers of a just-started hub may get a few seconds of
        events from before they subscribed, never miss one."""
        async with self.db.read_session() as session:
            return await log.newest_id(
                session=session, older_than=timedelta(seconds=self.gap_seconds)
            )

    async def _shielded(self, read: Coroutine[Any, Any, T]) -> T:
        """Run a database read to its end even if our caller is cancelled (a
        subscriber leaving mid-read): a read cut off half-way would leave its
        pooled connection to the garbage collector instead of the pool.
        ``close`` waits for the reads still running."""
        if self._closed:
            read.close()
            raise HubClosed
        task = asyncio.ensure_future(read)
        self._reads.add(task)
        task.add_done_callback(self._reads.discard)
        return await asyncio.shield(task)

    def poke(self) -> None:
        """New events were committed (here, or elsewhere per the broadcast): read now."""
        self._wake.set()

    def _contiguous(self, start: int, batch: list[EventRecord]) -> list[EventRecord]:
        """The events that can be relayed now: up to the first hole that may still
        be filled by a transaction that has not committed yet."""
        relayable: list[EventRecord] = []
        expected = start + 1
        for event in batch:
            if event.id != expected and not self._gap_expired(expected):
                break
            relayable.append(event)
            expected = event.id + 1
        return relayable

    def _gap_expired(self, missing_id: int) -> bool:
        now = time.monotonic()
        if self._gap_seen_at is None or self._gap_seen_at[0] != missing_id:
            self._gap_seen_at = (missing_id, now)
        return now - self._gap_seen_at[1] >= self.gap_seconds

    async def close(self) -> None:
        """Stop tailing and end every stream; waits for reads in flight, so the
        database can be disposed right after."""
        self._closed = True
        for subscriber in list(self._subscribers):
            subscriber.end()
        self.fanout.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._reads:
            await asyncio.gather(*self._reads, return_exceptions=True)
        if self.broadcast is not None:
            await self.broadcast.close()

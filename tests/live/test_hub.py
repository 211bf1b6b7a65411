"""The event hub against the real database: bounded memory for a subscriber that
never reads, nothing lost for it or for the others, and retention."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text, update

from mcms.core.db import Database
from mcms.live import log
from mcms.live.hub import EventHub, Resync
from mcms.live.log import EventRecord, events_table

QUEUE_SIZE = 5
EVENTS = 40


async def _publish(db: Database, count: int) -> None:
    for n in range(count):
        async with db.unit_of_work() as session:
            await log.publish(session=session, name="test.event", payload={"n": n})


def _everything(_: EventRecord) -> bool:
    return True


async def _take(stream: object, count: int) -> list[int]:
    ids: list[int] = []
    async for event in stream:  # type: ignore[attr-defined]
        ids.append(event.id)
        if len(ids) == count:
            break
    return ids


async def test_a_stalled_subscriber_stays_bounded_and_loses_nothing(db: Database) -> None:
    hub = EventHub(db, poll_seconds=0.02, queue_size=QUEUE_SIZE)
    db.commit_hooks.append(hub.poke)
    try:
        async with db.unit_of_work() as session:
            await log.publish(session=session, name="test.event", payload={"n": -1})
        slow = hub.stream(since=0, accepts=_everything)
        first = await anext(slow)  # the slow one reads one event, then stalls
        fast = asyncio.create_task(_take(hub.stream(since=first.id, accepts=_everything), EVENTS))
        await asyncio.sleep(0.1)

        await _publish(db, EVENTS)
        fast_ids = await asyncio.wait_for(fast, 20)
        await asyncio.sleep(0.3)  # let the hub offer everything to the stalled one

        queued = [s.queue.qsize() for s in hub._subscribers]
        slow_ids = await asyncio.wait_for(_take(slow, EVENTS), 20)  # it reads again
    finally:
        await hub.close()

    assert max(queued) <= QUEUE_SIZE  # its backlog never grew past the bound
    assert fast_ids == list(range(first.id + 1, first.id + 1 + EVENTS))
    assert slow_ids == fast_ids  # caught up from the log: nothing lost, no duplicate


async def test_retention_purges_old_events_and_old_cursors_resync(db: Database) -> None:
    await _publish(db, 3)
    async with db.unit_of_work() as session:
        await session.execute(
            update(events_table)
            .where(events_table.c.id < 3)
            .values(created_at=datetime(2000, 1, 1, tzinfo=UTC))
        )
    async with db.unit_of_work() as session:
        await log.purge_older_than(session=session, age=timedelta(days=7))
    async with db.read_session() as session:
        kept = list(await session.scalars(text("SELECT id FROM events ORDER BY id")))

    assert kept == [3]
    hub = EventHub(db)
    try:
        with pytest.raises(Resync):
            await anext(hub.stream(since=0, accepts=_everything))
        resumed = hub.stream(since=2, accepts=_everything)  # nothing missing after 2
        assert (await anext(resumed)).id == 3
    finally:
        await hub.close()


async def test_subscribers_arriving_together_start_one_tailing_loop(db: Database) -> None:
    hub = EventHub(db, poll_seconds=0.05)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "FROM events" in statement and "max(" not in statement.lower():
            statements.append(statement)

    streams = [hub.stream(since=None, accepts=_everything) for _ in range(20)]
    waiting = [asyncio.ensure_future(anext(stream)) for stream in streams]
    try:
        await asyncio.sleep(0.2)  # all twenty have subscribed and started the hub
        sa_event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
        await asyncio.sleep(0.5)
        sa_event.remove(db.read_engine.sync_engine, "before_cursor_execute", count)
    finally:
        for task in waiting:
            task.cancel()
        await hub.close()

    # one loop polling every 50 ms reads about 10 times in 0.5 s, not 20 times that
    assert 3 <= len(statements) <= 15, len(statements)


async def test_an_event_committing_late_below_newer_ones_is_not_skipped(
    backend: str, db: Database
) -> None:
    """PostgreSQL hands out ids before commit: id 2 can commit after id 3. A hub
    started while id 2 is still uncommitted must deliver it, in order."""
    hub = EventHub(db, poll_seconds=0.02, gap_seconds=5.0)
    async with db.unit_of_work() as session:
        await log.publish(session=session, name="test.event", payload={"n": 0})
    inserted = asyncio.Event()
    release = asyncio.Event()

    async def late_writer() -> None:
        async with db.unit_of_work() as session:
            await log.publish(session=session, name="test.event", payload={"n": 1})
            inserted.set()
            await release.wait()  # the transaction stays open until released

    writer = asyncio.create_task(late_writer())
    await inserted.wait()
    if backend == "sqlite":
        release.set()  # SQLite serializes writers: nothing can overtake it there
        await writer
    async with db.unit_of_work() as session:
        await log.publish(session=session, name="test.event", payload={"n": 2})
    stream = hub.stream(since=None, accepts=_everything)
    try:
        first = asyncio.ensure_future(anext(stream))
        await asyncio.sleep(0.3)  # the hub has seen ids 1 and 3, not 2
        release.set()
        await writer
        received = [(await asyncio.wait_for(first, 10)).payload["n"]]
        while len(received) < 3:
            received.append((await asyncio.wait_for(anext(stream), 10)).payload["n"])
    finally:
        release.set()
        await hub.close()

    assert received == [0, 1, 2]

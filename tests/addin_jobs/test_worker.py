"""The worker's command queue: several workers on one database never run a
command twice; transient failures are retried with backoff, then given up
with an alert to the administrators."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import Database, utcnow
from mcms.live import log
from mcms.live.alerts import ALERT
from mcms.live.log import events_table
from mcms.settings import Settings
from mcms.worker import commands
from mcms.worker.commands import commands_table
from mcms.worker.duties import PURGE_COMMANDS, SWEEP_LEASES, build_worker
from mcms.worker.runner import Handler, Periodic, TransientError, Worker

RECORD = "test.record"
FLAKY = "test.flaky"
BROKEN = "test.broken"
COMMANDS = 200


class Recorder:
    """Handlers that remember what they ran."""

    def __init__(self, failures: int = 0) -> None:
        self.ran: list[int] = []
        self.failures_left = failures

    async def record(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        self.ran.append(payload["n"])
        await asyncio.sleep(0)  # let the other worker in while this one holds a command

    async def flaky(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        # an effect in the command's transaction, which a failure must roll back
        await log.publish(session=session, name="test.effect", payload=payload)
        self.ran.append(payload["n"])
        if self.failures_left > 0:
            self.failures_left -= 1
            raise TransientError("scanner busy")

    async def broken(self, session: AsyncSession, payload: dict[str, Any]) -> None:
        self.ran.append(payload["n"])
        raise ValueError("a bug")

    def handlers(self) -> dict[str, Handler]:
        return {RECORD: self.record, FLAKY: self.flaky, BROKEN: self.broken}


@pytest.fixture
async def second_db(db: Database) -> AsyncIterator[Database]:
    """Another engine on the same database, as a second worker process has."""
    other = Database(db.url, pool_size=2)
    yield other
    await other.dispose()


async def enqueue(db: Database, kind: str, count: int = 1, max_attempts: int = 5) -> None:
    async with db.unit_of_work() as session:
        for n in range(count):
            await commands.enqueue(
                session=session, kind=kind, payload={"n": n}, max_attempts=max_attempts
            )


async def only_command(db: Database) -> Row[Any]:
    async with db.read_session() as session:
        return (await session.execute(select(commands_table))).one()


async def make_due(db: Database) -> None:
    """Time passes: the backoff is over."""
    async with db.unit_of_work() as session:
        await session.execute(update(commands_table).values(run_after=utcnow()))


async def drain(worker: Worker) -> None:
    while await worker.run_once():
        pass


async def events_called(db: Database, name: str) -> list[Row[Any]]:
    query = select(events_table).where(events_table.c.name == name)
    async with db.read_session() as session:
        return list((await session.execute(query)).all())


async def test_two_workers_never_run_the_same_command_twice(
    db: Database, second_db: Database
) -> None:
    # given 200 queued commands and two workers on their own engines
    recorder = Recorder()
    await enqueue(db, RECORD, COMMANDS)
    first = Worker(db, handlers=recorder.handlers(), worker_id="first")
    second = Worker(second_db, handlers=recorder.handlers(), worker_id="second")

    # when both run until there is nothing left
    await asyncio.gather(drain(first), drain(second))

    # then each command ran exactly once, and all are done
    assert sorted(recorder.ran) == list(range(COMMANDS))
    async with db.read_session() as session:
        rows = (await session.execute(select(commands_table))).all()
    assert {row.status for row in rows} == {"DONE"}
    assert {row.attempts for row in rows} == {1}
    assert {row.worker_id for row in rows} == {"first", "second"}  # both took some


async def test_a_transient_failure_is_retried_with_backoff(db: Database) -> None:
    # given a command whose handler fails twice, then succeeds
    recorder = Recorder(failures=2)
    await enqueue(db, FLAKY)
    worker = Worker(db, handlers=recorder.handlers())

    # when the worker runs it
    assert await worker.run_once()
    command = await only_command(db)
    waits = [(command.run_after - utcnow()).total_seconds()]
    assert not await worker.run_once()  # not due during the backoff
    await make_due(db)
    assert await worker.run_once()
    command = await only_command(db)
    waits.append((command.run_after - utcnow()).total_seconds())
    await make_due(db)
    assert await worker.run_once()

    # then it waited 1 s, then 2 s, and the third attempt finished it
    assert 0 < waits[0] <= 1
    assert 1 < waits[1] <= 2
    command = await only_command(db)
    assert (command.status, command.attempts) == ("DONE", 3)
    assert command.last_error == "TransientError: scanner busy"
    assert recorder.ran == [0, 0, 0]
    # and only the successful attempt's effect was kept
    assert len(await events_called(db, "test.effect")) == 1
    assert await events_called(db, ALERT) == []


async def test_past_max_attempts_a_command_fails_and_alerts_admins(db: Database) -> None:
    # given a command that always fails transiently, allowed three attempts
    recorder = Recorder(failures=100)
    await enqueue(db, FLAKY, max_attempts=3)
    worker = Worker(db, handlers=recorder.handlers())

    # when the worker has run it three times
    for _ in range(3):
        assert await worker.run_once()
        await make_due(db)

    # then it gave up, left no effect, and told the administrators
    command = await only_command(db)
    assert (command.status, command.attempts, command.singleton_key) == ("FAILED", 3, None)
    assert not await worker.run_once()
    assert recorder.ran == [0, 0, 0]
    assert await events_called(db, "test.effect") == []
    [alert] = await events_called(db, ALERT)
    assert alert.audience == ["role:ADMIN"]
    assert alert.payload["type"] == "WORKER_COMMAND_FAILED"
    assert alert.payload["severity"] == "ERROR"
    assert "scanner busy" in alert.payload["message"]


async def test_an_unexpected_error_fails_at_once(db: Database) -> None:
    recorder = Recorder()
    await enqueue(db, BROKEN)
    worker = Worker(db, handlers=recorder.handlers())

    assert await worker.run_once()

    command = await only_command(db)
    assert (command.status, command.attempts) == ("FAILED", 1)
    assert command.last_error == "ValueError: a bug"
    assert len(await events_called(db, ALERT)) == 1


async def test_a_command_of_a_dead_worker_is_taken_again_after_its_lease(db: Database) -> None:
    # given a command claimed by a worker that died, its lease now over
    recorder = Recorder()
    await enqueue(db, RECORD)
    async with db.unit_of_work() as session:
        dead = await commands.claim(session=session, worker_id="dead", lease=timedelta(0))
    assert dead is not None

    # when a live worker runs
    worker = Worker(db, handlers=recorder.handlers(), worker_id="alive")
    assert await worker.run_once()

    # then the command ran, and the dead worker's late finish is refused
    assert recorder.ran == [0]
    async with db.unit_of_work() as session:
        assert not await commands.finish(session=session, command=dead)
    command = await only_command(db)
    assert (command.status, command.worker_id, command.attempts) == ("DONE", "alive", 2)


async def test_a_command_of_a_dead_local_worker_runs_again_when_a_worker_starts(
    db: Database,
) -> None:
    # given two commands held under long leases: one by a worker process on this
    # host that is gone (a real process, started and reaped), one by a live one
    gone = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await gone.wait()
    here = socket.gethostname()
    recorder = Recorder()
    for n, worker_id in enumerate([f"{here}:{gone.pid}", f"{here}:{os.getppid()}"]):
        async with db.unit_of_work() as session:
            await commands.enqueue(session=session, kind=RECORD, payload={"n": n})
            held = await commands.claim(
                session=session, worker_id=worker_id, lease=timedelta(hours=1)
            )
        assert held is not None

    # when a worker starts on this host
    worker = Worker(db, handlers=recorder.handlers(), worker_id=f"{here}:{os.getpid()}")
    worker.start()
    try:
        for _ in range(200):
            if recorder.ran:
                break
            await asyncio.sleep(0.05)
    finally:
        await worker.stop()

    # then the dead worker's command ran at once; the live worker's is left to it
    assert recorder.ran == [0]
    async with db.read_session() as session:
        rows = (await session.execute(select(commands_table).order_by(commands_table.c.id))).all()
    assert [row.status for row in rows] == ["DONE", "RUNNING"]


async def test_a_singleton_command_is_queued_once_while_pending(db: Database) -> None:
    # given a pending command with a singleton key
    async with db.unit_of_work() as session:
        assert await commands.enqueue(session=session, kind=RECORD, singleton_key="duty")

    # when it is queued again, then after it ran
    async with db.unit_of_work() as session:
        again = await commands.enqueue(session=session, kind=RECORD, singleton_key="duty")
    await drain(Worker(db, handlers=Recorder().handlers()))
    async with db.unit_of_work() as session:
        after = await commands.enqueue(session=session, kind=RECORD, singleton_key="duty")

    # then the second was refused and the third accepted
    assert (again, after) == (False, True)


async def test_a_periodic_duty_never_runs_twice_at_once(db: Database, second_db: Database) -> None:
    # given two workers that both queue the same duty every 50 ms, and a duty
    # that takes a while
    running: list[int] = []
    overlaps: list[int] = []

    async def duty(session: AsyncSession, payload: dict[str, Any]) -> None:
        running.append(1)
        overlaps.append(len(running))
        await asyncio.sleep(0.03)
        running.pop()

    periodic = [Periodic(RECORD, every=0.05)]
    workers = [
        Worker(database, handlers={RECORD: duty}, periodic=periodic, poll_seconds=0.01)
        for database in (db, second_db)
    ]

    # when both run for a while
    for worker in workers:
        worker.start()
    await asyncio.sleep(0.6)
    for worker in workers:
        await worker.stop()

    # then the duty ran again and again, but never beside itself
    assert len(overlaps) >= 3
    assert max(overlaps) == 1


async def test_an_idle_worker_writes_nothing_for_the_lease_sweep(db: Database) -> None:
    # given the real worker, sweeping every 20 ms, and no job whose lease expired
    worker = build_worker(db, Settings(addin_sweep_seconds=0.02, worker_poll_seconds=0.01))

    # when it runs for a while
    worker.start()
    await asyncio.sleep(0.4)
    await worker.stop()

    # then it looked, found nothing, and queued no sweep (every commit would
    # also empty the GraphQL response cache)
    async with db.read_session() as session:
        kinds = list(await session.scalars(select(commands_table.c.kind)))
    assert SWEEP_LEASES not in kinds
    assert PURGE_COMMANDS in kinds  # the worker did run its duties

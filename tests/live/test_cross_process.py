"""Live updates across processes: two real ``mcms serve`` processes on one real
PostgreSQL database, a subscriber on one, mutations on the other.

Each process polls the event log only every 5 s here, so an event that arrives
well under that was carried by the broadcast (Redis pub/sub or PostgreSQL
NOTIFY). The outage test kills its own Redis while events are being published
and checks that nothing is lost or duplicated, and that fast delivery comes
back with Redis.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import text
from sqlalchemy.engine import make_url

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.core.migrate import upgrade_to_head
from mcms.live.broadcast import create_broadcast
from mcms.settings import Settings
from tests.conftest import POSTGRES_ADMIN_URL, _postgres_admin
from tests.factories import SUBMIT_ROUTING, Factory, TestUser

pytestmark = pytest.mark.slow

MCMS = Path(sys.executable).parent / "mcms"
POLL_SECONDS = 5.0
FAST_SECONDS = 1.5
"""Well under the poll: only the broadcast can deliver this fast."""
REDIS = "127.0.0.1:6379"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def shared_db_url() -> Iterator[str]:
    """A fresh, migrated database of our own that both servers share."""
    name = f"mcms_xproc_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade_to_head(url)  # once, so the two servers' own migrate steps are no-ops
        yield url
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# -- servers ---------------------------------------------------------------------


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _launch(tmp_path: Path, name: str, db_url: str, broadcast_url: str) -> Server:
    port = _free_port()
    env = {
        **os.environ,
        "MCMS_CONFIG": "/nonexistent/mcms.toml",
        "MCMS_DATABASE_URL": db_url,
        "MCMS_DATA_DIR": str(tmp_path / name),
        "MCMS_EVENTS_POLL_SECONDS": str(POLL_SECONDS),
        "MCMS_BROADCAST_URL": broadcast_url,
        "MCMS_LOG_JSON": "false",
    }
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            [str(MCMS), "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    return Server(url=f"http://127.0.0.1:{port}", process=process, log=log)


async def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + 30
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                pytest.fail(f"mcms serve exited:\n{server.log_text()[-3000:]}")
            with suppress(httpx.TransportError):
                if (await client.get(f"{server.url}/healthz")).status_code == 200:
                    return
            await asyncio.sleep(0.1)
    pytest.fail(f"mcms serve did not come up:\n{server.log_text()[-3000:]}")


async def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, 10)
        except subprocess.TimeoutExpired:
            process.kill()
    await asyncio.to_thread(process.wait)


@asynccontextmanager
async def _servers(
    tmp_path: Path, db_url: str, broadcast_url: str
) -> AsyncIterator[tuple[Server, Server]]:
    """Servers A and B on ``db_url``, waking each other through ``broadcast_url``."""
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(_launch(tmp_path, name, db_url, broadcast_url))
        await asyncio.gather(*(_wait_healthy(server) for server in started))
        yield started[0], started[1]
    finally:
        for server in started:
            await _stop(server.process)


async def _broadcast_status(server: Server) -> str:
    async with httpx.AsyncClient(timeout=2) as client:
        body: dict[str, Any] = (await client.get(f"{server.url}/readyz")).json()
    return str(body["checks"].get("broadcast"))


async def _wait_listening(server: Server, within: float = 15) -> None:
    """Until ``server``'s broadcast listener is subscribed (its hub started with
    the first subscriber)."""
    deadline = time.monotonic() + within
    status = ""
    while time.monotonic() < deadline:
        with suppress(httpx.TransportError):
            status = await _broadcast_status(server)
            if status == "ok":
                return
        await asyncio.sleep(0.05)
    pytest.fail(f"broadcast of {server.url} is {status!r}:\n{server.log_text()[-3000:]}")


# -- subscribers -----------------------------------------------------------------


@dataclass
class Subscriber:
    """An SSE stream of ``/events/updates``, read in the background."""

    server: Server
    arrivals: list[tuple[int, float]] = field(default_factory=list)
    """``(event id, time.monotonic() when it arrived)``, in arrival order."""
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task[None] | None = None

    @property
    def ids(self) -> list[int]:
        return [event_id for event_id, _ in self.arrivals]

    async def read(self, user: TestUser, since: int) -> None:
        url = f"{self.server.url}/events/updates?lastEventId={since}"
        async with (
            httpx.AsyncClient(timeout=httpx.Timeout(10, read=None)) as client,
            client.stream("GET", url, headers=user.headers) as response,
        ):
            assert response.status_code == 200
            fields: dict[str, str] = {}
            async for line in response.aiter_lines():
                if line.startswith("retry:"):
                    self.connected.set()
                if line == "":
                    if "event" in fields:
                        self.arrivals.append((int(fields["id"]), time.monotonic()))
                    fields = {}
                elif not line.startswith(":"):
                    key, _, value = line.partition(": ")
                    fields[key] = value

    async def arrival_of(self, event_id: int, within: float) -> float:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for arrived_id, at in self.arrivals:
                if arrived_id == event_id:
                    return at
            await asyncio.sleep(0.01)
        pytest.fail(f"event {event_id} did not reach {self.server.url} in {within} s")

    async def wait_for_count(self, count: int, within: float) -> None:
        deadline = time.monotonic() + within
        while len(self.arrivals) < count and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


@asynccontextmanager
async def _subscribed(
    servers: tuple[Server, ...], user: TestUser, since: int
) -> AsyncIterator[list[Subscriber]]:
    """One subscriber per server, each connected and its server listening."""
    subscribers = [Subscriber(server) for server in servers]
    try:
        for subscriber in subscribers:
            subscriber.task = asyncio.create_task(subscriber.read(user, since))
        for subscriber in subscribers:
            await asyncio.wait_for(subscriber.connected.wait(), 10)
            await _wait_listening(subscriber.server)
        yield subscribers
    finally:
        for subscriber in subscribers:
            if subscriber.task is not None:
                subscriber.task.cancel()
                with suppress(asyncio.CancelledError):
                    await subscriber.task


# -- data ------------------------------------------------------------------------


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    database = Database(url, pool_size=2)
    try:
        yield database
    finally:
        await database.dispose()


async def _event_ids_after(db: Database, since: int) -> list[int]:
    async with db.read_session() as session:
        rows = await session.scalars(
            text("SELECT id FROM events WHERE id > :since ORDER BY id"), {"since": since}
        )
        return list(rows)


async def _newest_event(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(text("SELECT coalesce(max(id), 0) FROM events")) or 0)


async def _submit(factory: Factory, routing: dict[str, Any], as_: TestUser) -> None:
    await factory.ok(SUBMIT_ROUTING, {"id": routing["id"]}, as_=as_)


async def _draft_routings(factory: Factory, owner: TestUser, count: int) -> list[dict[str, Any]]:
    revision = await factory.revision(owner)
    routings: list[dict[str, Any]] = []
    for _ in range(0, count, 10):
        routings += await asyncio.gather(
            *(factory.routing(owner, revision_id=revision["id"]) for _ in range(10))
        )
    return routings[:count]


# -- fan-out -----------------------------------------------------------------------


async def _assert_fast_fan_out(tmp_path: Path, db_url: str, broadcast_url: str) -> None:
    async with (
        _servers(tmp_path, db_url, broadcast_url) as (a, b),
        _database(db_url) as db,
        httpx.AsyncClient(base_url=b.url, timeout=10) as client_b,
    ):
        on_b = Factory(db=db, client=client_b)
        engineer = await on_b.user(Role.ENGINEER)
        routings = await _draft_routings(on_b, engineer, 3)
        since = await _newest_event(db)
        async with _subscribed((a,), engineer, since) as (subscriber,):
            latencies = []
            for routing in routings:
                sent = time.monotonic()
                await _submit(on_b, routing, engineer)
                event_id = (await _event_ids_after(db, since))[-1]
                latencies.append(await subscriber.arrival_of(event_id, POLL_SECONDS + 5) - sent)

        assert subscriber.ids == await _event_ids_after(db, since)
        assert len(subscriber.ids) == 3
        assert max(latencies) < FAST_SECONDS, latencies


async def test_a_mutation_on_b_reaches_a_through_redis(tmp_path: Path, shared_db_url: str) -> None:
    await _assert_fast_fan_out(tmp_path, shared_db_url, f"redis://{REDIS}/0")


async def test_a_mutation_on_b_reaches_a_through_postgresql(
    tmp_path: Path, shared_db_url: str
) -> None:
    # The bus may be the application's own database: LISTEN/NOTIFY on it.
    bus = make_url(shared_db_url).set(drivername="postgresql")
    await _assert_fast_fan_out(tmp_path, shared_db_url, bus.render_as_string(hide_password=False))


# -- outage ------------------------------------------------------------------------


def _start_redis(port: int, tmp_path: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [
            *("/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1"),
            *("--save", "", "--appendonly", "no", "--dir", str(tmp_path)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return process
        time.sleep(0.05)
    process.kill()
    process.wait()
    pytest.fail("redis-server did not start")


BEFORE_OUTAGE_SECONDS = 1.5
OUTAGE_SECONDS = 30.0  # as long as the issue asks: Redis away for half a minute
AFTER_OUTAGE_SECONDS = 2.5
RATE_PER_SECOND = 10


async def test_redis_outage_delays_events_but_loses_none(
    tmp_path: Path, shared_db_url: str
) -> None:
    port = _free_port()
    redis_processes = [_start_redis(port, tmp_path)]
    try:
        async with (
            _servers(tmp_path, shared_db_url, f"redis://127.0.0.1:{port}/0") as (a, b),
            _database(shared_db_url) as db,
            httpx.AsyncClient(base_url=a.url, timeout=10) as client_a,
            httpx.AsyncClient(base_url=b.url, timeout=10) as client_b,
        ):
            on_a, on_b = Factory(db=db, client=client_a), Factory(db=db, client=client_b)
            engineer = await on_b.user(Role.ENGINEER)
            total = (
                int(
                    (BEFORE_OUTAGE_SECONDS + OUTAGE_SECONDS + AFTER_OUTAGE_SECONDS)
                    * RATE_PER_SECOND
                )
                + 1
            )
            routings = await _draft_routings(on_b, engineer, total)
            since = await _newest_event(db)

            async with _subscribed((a, b), engineer, since) as subscribers:

                async def publish_steadily() -> None:
                    """Submissions at ~10/s, alternating between A and B."""
                    for number, routing in enumerate(routings[:-1]):
                        await _submit(on_a if number % 2 else on_b, routing, engineer)
                        await asyncio.sleep(1 / RATE_PER_SECOND)

                publisher = asyncio.create_task(publish_steadily())
                try:
                    await asyncio.sleep(BEFORE_OUTAGE_SECONDS)
                    redis_processes[0].kill()  # a crash, not a goodbye
                    await asyncio.to_thread(redis_processes[0].wait)
                    await asyncio.sleep(OUTAGE_SECONDS)
                    redis_processes.append(_start_redis(port, tmp_path))
                    await publisher  # mutations never waited for Redis
                finally:
                    publisher.cancel()
                    with suppress(asyncio.CancelledError):
                        await publisher

                # Fast again once the listeners are back.
                await _wait_listening(a)
                await _wait_listening(b)
                sent = time.monotonic()
                await _submit(on_b, routings[-1], engineer)
                last_id = (await _event_ids_after(db, since))[-1]
                for subscriber in subscribers:
                    arrived = await subscriber.arrival_of(last_id, POLL_SECONDS + 5)
                    assert arrived - sent < FAST_SECONDS, subscriber.server.url

                expected = await _event_ids_after(db, since)
                for subscriber in subscribers:
                    await subscriber.wait_for_count(len(expected), POLL_SECONDS + 5)

        assert len(expected) == total
        for subscriber in subscribers:
            assert subscriber.ids == expected  # every event, exactly once, in order
        for server in (a, b):
            log = server.log_text()
            assert log.count("broadcast listener:") == 2, log[-3000:]  # lost once, back once
            assert "broadcast listener: redis://127.0.0.1" in log
            assert "reachable again" in log
    finally:
        for process in redis_processes:
            if process.poll() is None:
                process.kill()
            process.wait()


# -- configuration -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["memory://", "redis://127.0.0.1:6379/0", "postgres://u:p@db/mcms", "postgresql://db/mcms"],
)
def test_known_broadcast_urls_are_accepted(url: str) -> None:
    assert Settings(broadcast_url=url).broadcast_url == url


@pytest.mark.parametrize("url", ["amqp://mq/", "kafka://k:9092", "redis:///0", "6379"])
def test_other_broadcast_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(broadcast_url=url)
    assert "the broadcast URL" in str(refused.value)


def test_announce_never_raises_even_without_an_event_loop() -> None:
    create_broadcast("redis://127.0.0.1:1/0").announce()  # a commit hook must not fail

"""Fan-out benchmark of the live updates (issue 3, "Speed"; see docs/performance.md).

One ``mcms serve`` process (``MCMS_WORKERS=1``, SQLite, pinned to CPU 0) with
``MCMS_BROADCAST_URL=redis://…``: events are written into the event log by
*this* process (``mcms.live.log.publish`` in ``Database.unit_of_work``, the
payload ``approvals.service`` writes), and the commit's Redis signal wakes the
server's hub at once (without it, another process's commits are seen at the
next ``MCMS_EVENTS_POLL_SECONDS`` poll). Subscribers are graphql-transport-ws
connections (a minimal raw-socket client on uvloop, ``_Subscriber``: cheap
enough that the clients do not set the pace) in ``--clients`` separate
processes, pinned to CPU 1 with the publisher; they authenticate with a
bearer token in ``connection_init``. Latency = receive time - commit time (``time.time()`` on
the same machine), one sample per (subscriber, event).

Scenarios:

1. **saturation**: ``--subscribers`` subscribers of the same
   ``routingApprovalChanged`` operation; events are published as fast as the
   server delivers them (at most ``--window`` events in flight per
   subscriber) → deliveries/s and server CPU µs per delivery
   (``/proc/<pid>/stat`` utime+stime);
2. **burst**: ``--burst-subscribers`` subscribers, one event to all (three
   rounds) → latency p50/p99, missing deliveries, server RSS;
3. **steady**: ``--subscribers`` subscribers, ``--steady-rate`` events/s;
4. **filtered**: ``--routings`` routings x ``--per-routing`` subscribers of
   ``routingApprovalChanged(routingId: X)``, ``--filtered-rate`` events/s
   spread over the routings (each matches ``--per-routing`` subscribers).

1 and 2 are repeated against ``bench/bare_subscriptions.py`` (a plain
Strawberry server executing per subscriber, events from an in-process source
through ``POST /publish``; latency measured from just before that request).

    .venv/bin/python bench/fanout.py [--quick] [--no-bare] [--profile 8]
        [--only saturation,burst] [--ws wsproto] [--client-deflate]

``--ws`` runs MCMS under ``uvicorn --ws X`` (``mcms serve`` picks ``auto``);
``--client-deflate`` makes the subscribers offer per-message-deflate, as
browsers do.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.sharedctypes import SynchronizedArray
from pathlib import Path
from typing import Any, Protocol

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from routings_list import (  # the sibling benchmark's helpers
    _machine_busy_seconds,
    _without_nan,
    free_port,
    launched,
    loop_factory,
    percentile,
    sqlite_url,
)
from routings_list import (
    machine as shared_machine,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

TARGET_DELIVERIES_PER_SECOND = 30_000.0
TARGET_BURST_P99_MS = 500.0
TARGET_BURST_RSS_MB = 1024.0
TARGET_STEADY_P99_MS = 50.0
TARGET_FILTERED_P99_MS = 150.0

SERVER_CPU = 0
"""The server runs on this CPU alone (``taskset``); clients and publisher on the other."""
CLIENT_CPU = 1

SUBSCRIPTION = (
    "subscription Approvals($routingId: ID) { routingApprovalChanged(routingId: $routingId) "
    "{ eventId routingId status approvedBy timestamp } }"
)
APPROVAL_CHANGED = "routing.approval.changed"
EVENT_ID_MARK = '"eventId":"'
SCENARIOS = ("saturation", "steady", "filtered", "burst")

# --- seeding ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    token: str
    routing_ids: list[int]


async def seed(data_dir: Path, routings: int) -> Seeded:
    """A fresh database, through the services: one engineer with an API token
    (a role that may read, so may subscribe) and ``routings`` routings."""
    from mcms.core.auth import Role
    from mcms.core.db import Database
    from mcms.core.migrate import upgrade_to_head_async
    from mcms.items import service as items
    from mcms.routings import service as routings_service
    from mcms.routings.service import StepData
    from mcms.users import service as users

    url = sqlite_url(data_dir)
    await upgrade_to_head_async(url)
    db = Database(url, pool_size=2)
    try:
        async with db.unit_of_work() as session:
            user = await users.create_user(
                session=session,
                username="bench-subscriber",
                role=Role.ENGINEER,
                password="bench-subscriber-password",  # noqa: S106 - a throwaway database
                display_name="Bench Subscriber",
            )
            engineer = users.principal_of(user)
            _, token = await users.create_token(
                session=session, user_id=engineer.user_id, name="bench"
            )
            item = await items.create_item(
                session=session, actor=engineer, item_code="BRK-1000", name="Bracket"
            )
            revision = await items.create_revision(
                session=session, actor=engineer, item_id=item.id, code="A"
            )
            step = StepData(
                name="Rough mill",
                work_center="MILL-5AX",
                machine="DMG Mori DMU 50",
                setup_minutes=45.0,
                cycle_minutes=18.0,
                tooling_notes="",
                parameters={},
            )
            ids = [
                await routings_service.create_routing(
                    session=session,
                    actor=engineer,
                    revision_id=revision.id,
                    code=f"OP-{(k + 1) * 10:03d}",
                    title=f"5-axis milling, variant {k + 1}",
                    steps=[step],
                )
                for k in range(routings)
            ]
    finally:
        await db.dispose()
    return Seeded(token=token, routing_ids=ids)


# --- publishers ---------------------------------------------------------------------------


def _payload(routing_id: int, n: int) -> dict[str, Any]:
    """What ``approvals.service._move`` writes."""
    approved = n % 2 == 0
    return {
        "routingId": str(routing_id),
        "status": "APPROVED" if approved else "PENDING_APPROVAL",
        "approvedBy": "bench-approver" if approved else None,
        "timestamp": datetime.now(UTC).isoformat(),
    }


class Publisher(Protocol):
    async def publish(self, routing_id: int) -> tuple[str, float]:
        """Publish one event; ``(eventId, commit time)`` (``time.time()``)."""

    async def close(self) -> None: ...


class McmsPublisher:
    """Writes events into the server's event log, one transaction each (as a
    mutation does); the commit hook announces them over Redis."""

    def __init__(self, url: str, broadcast_url: str) -> None:
        from mcms.core.db import Database
        from mcms.live.broadcast import create_broadcast

        self.db = Database(url, pool_size=2)
        self.broadcast = create_broadcast(broadcast_url)
        self.db.commit_hooks.append(self.broadcast.announce)
        self.count = 0

    async def publish(self, routing_id: int) -> tuple[str, float]:
        from sqlalchemy import func, select

        from mcms.live import log

        self.count += 1
        async with self.db.unit_of_work() as session:
            await log.publish(
                session=session,
                name=APPROVAL_CHANGED,
                routing_id=routing_id,
                payload=_payload(routing_id, self.count),
            )
            event_id = await session.scalar(select(func.max(log.events_table.c.id)))
        committed = time.time()
        return str(event_id), committed

    async def close(self) -> None:
        await self.broadcast.close()
        await self.db.dispose()


class BarePublisher:
    """``POST /publish`` to the bare server; the time is taken before sending."""

    def __init__(self, port: int) -> None:
        self.client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        self.count = 0

    async def publish(self, routing_id: int) -> tuple[str, float]:
        self.count += 1
        sent = time.time()
        response = await self.client.post(
            "/publish", json={"events": [_payload(routing_id, self.count)]}
        )
        response.raise_for_status()
        return str(response.json()["eventIds"][0]), sent

    async def close(self) -> None:
        await self.client.aclose()


# --- subscriber processes -----------------------------------------------------------------

READY, FIRST, RECEIVED, FAILED = range(4)
"""Slots of each client process's shared counters: connections subscribed,
connections that received at least one event, ``next`` frames received,
connections that failed or were closed by the server."""


def client_process(
    conn: Connection,
    url: str,
    token: str,
    variables: list[dict[str, Any]],
    counters: SynchronizedArray[int],
    deflate: bool = False,
) -> None:
    """One subscriber process: a connection (and one subscription) per entry of
    ``variables``. Commands from the parent: ``mark`` (start recording receive
    times and CPU), ``stop`` (close everything, send back the results)."""
    with contextlib.suppress(OSError, AttributeError):
        os.sched_setaffinity(0, {CLIENT_CPU})
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(_client(conn, url, token, variables, counters, deflate))


class _Subscriber(asyncio.Protocol):
    """One graphql-transport-ws subscriber on a raw socket.

    Why not the ``websockets`` client: the subscribers of a scenario share one
    CPU, and with a coroutine, a queue and a frame object per message the
    clients, not the server, set the pace (they did at ~25 µs a message). This
    parses the server's frames (never masked, RFC 6455 §5.1) in place, several
    per ``data_received``, and only looks at each message as far as it must."""

    def __init__(self, on_message: Callable[[bytes], None]) -> None:
        self.on_message = on_message
        self.inflate: Any = None
        """A zlib decompressor once the server accepted per-message-deflate."""
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.acked = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.upgraded.done():
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(self.buffer[:end])
            del self.buffer[: end + 4]
            if not head.startswith(b"HTTP/1.1 101"):
                self.upgraded.set_exception(RuntimeError(head.split(b"\r\n")[0].decode()))
                return
            if b"permessage-deflate" in head.lower():
                self.inflate = zlib.decompressobj(-15)  # context kept across messages
            self.upgraded.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buffer = self.buffer
        at, size = 0, len(buffer)
        while size - at >= 2:
            opcode, length, start = buffer[at] & 0x0F, buffer[at + 1] & 0x7F, at + 2
            if length == 126:
                length, start = int.from_bytes(buffer[at + 2 : at + 4]), at + 4
            elif length == 127:
                length, start = int.from_bytes(buffer[at + 2 : at + 10]), at + 10
            if start + length > size:
                break
            payload = bytes(buffer[start : start + length])
            if buffer[at] & 0x40 and self.inflate is not None:  # RSV1: compressed
                payload = self.inflate.decompress(payload + b"\x00\x00\xff\xff")
            at = start + length
            if opcode == 0x1:
                self._text(payload)
            elif opcode == 0x9:
                self.send_frame(0xA, payload)  # pong
            elif opcode == 0x8:
                self._close()
        del buffer[:at]

    def _text(self, message: bytes) -> None:
        if not self.acked.done() and b'"connection_ack"' in message:
            self.acked.set_result(None)
        elif message.startswith(b'{"type":"ping"'):
            self.send_frame(0x1, b'{"type":"pong"}')
        else:
            self.on_message(message)

    def send_frame(self, opcode: int, payload: bytes) -> None:
        """A client frame: masked, as RFC 6455 requires of clients."""
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = bytes((0x80 | opcode, 0x80 | length))
        else:
            header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2)
        key = int.from_bytes((mask * (length // 4 + 1))[:length])
        masked = (int.from_bytes(payload) ^ key).to_bytes(length) if length else b""
        self.transport.write(header + mask + masked)

    def _close(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        for future in (self.upgraded, self.acked, self.closed):
            if not future.done():
                future.set_exception(ConnectionError("connection lost"))
                future.exception()  # retrieved: no "never retrieved" warning


async def _open(url: str, on_message: Callable[[bytes], None], deflate: bool) -> _Subscriber:
    """Connect and upgrade ``ws://host:port/path`` with graphql-transport-ws;
    with ``deflate``, offer per-message-deflate as browsers do."""
    rest = url.removeprefix("ws://")
    host_port, _, path = rest.partition("/")
    host, _, port = host_port.partition(":")
    loop = asyncio.get_running_loop()
    _, protocol = await loop.create_connection(lambda: _Subscriber(on_message), host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
        "Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
    )
    if deflate:
        request += "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
    request += "\r\n"
    assert protocol.transport is not None
    protocol.transport.write(request.encode())
    await asyncio.wait_for(asyncio.shield(protocol.upgraded), 120)
    return protocol


async def _client(
    conn: Connection,
    url: str,
    token: str,
    variables: list[dict[str, Any]],
    counters: SynchronizedArray[int],
    deflate: bool,
) -> None:
    samples: list[tuple[str, float]] = []
    recording = False
    stop_requested = asyncio.Event()
    cpu_mark = [0.0]
    marked = [False]
    errors: list[str] = []
    connections: list[_Subscriber] = []
    gate = asyncio.Semaphore(64)
    init = json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
    mark = EVENT_ID_MARK.encode()

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def on_command() -> None:
        nonlocal recording
        command = conn.recv()
        if command in ("mark", "count"):
            samples.clear()
            cpu_mark[0] = cpu()
            marked[0] = True
            recording = command == "mark"
        elif command == "stop":
            stop_requested.set()

    def receiver() -> Callable[[bytes], None]:
        first = [True]

        def on_message(message: bytes) -> None:
            at = message.find(mark)
            if at < 0:
                if b'"type":"error"' in message or b'"type":"complete"' in message:
                    errors.append(message[:300].decode(errors="replace"))
                return
            counters[RECEIVED] += 1
            if first[0]:
                first[0] = False
                counters[FIRST] += 1
            if recording:
                start = at + len(mark)
                event_id = message[start : message.index(b'"', start)].decode()
                samples.append((event_id, time.time()))

        return on_message

    async def subscriber(values: dict[str, Any]) -> None:
        try:
            async with gate:
                ws = await _open(url, receiver(), deflate)
                connections.append(ws)
                ws.send_frame(0x1, init.encode())
                await asyncio.wait_for(asyncio.shield(ws.acked), 120)
                subscribe = {
                    "id": "1",
                    "type": "subscribe",
                    "payload": {"query": SUBSCRIPTION, "variables": values},
                }
                ws.send_frame(0x1, json.dumps(subscribe).encode())
            counters[READY] += 1
            await asyncio.shield(ws.closed)
            if not stop_requested.is_set():
                raise RuntimeError("closed by the server")
        except Exception as exc:
            if not stop_requested.is_set():
                errors.append(f"{type(exc).__name__}: {exc}"[:300])
                counters[FAILED] += 1

    loop = asyncio.get_running_loop()
    loop.add_reader(conn.fileno(), on_command)
    tasks = [asyncio.create_task(subscriber(v)) for v in variables]
    await stop_requested.wait()
    cpu_seconds = cpu() - cpu_mark[0] if marked[0] else 0.0
    loop.remove_reader(conn.fileno())
    os.set_blocking(conn.fileno(), True)  # the event loop made it non-blocking
    for ws in connections:
        ws.send_frame(0x8, (1000).to_bytes(2))
        ws._close()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    conn.send({"samples": samples, "cpu_seconds": cpu_seconds, "errors": errors[:20]})


@dataclass
class Clients:
    """The subscriber processes of one scenario."""

    processes: list[multiprocessing.process.BaseProcess]
    pipes: list[Connection]
    counters: list[SynchronizedArray[int]]
    total: int
    stopped: dict[str, Any] | None = None

    def count(self, slot: int) -> int:
        return sum(int(c[slot]) for c in self.counters)

    def mark(self, *, record: bool = True) -> None:
        """Start measuring client CPU; with ``record``, receive times too."""
        for pipe in self.pipes:
            pipe.send("mark" if record else "count")

    def stop(self, timeout: float = 60.0) -> dict[str, Any]:
        """Close every connection and collect the results (once; later calls
        return the same)."""
        if self.stopped is not None:
            return self.stopped
        self.stopped = {"samples": [], "cpu_seconds": 0.0, "errors": []}
        for pipe in self.pipes:
            with contextlib.suppress(OSError):
                pipe.send("stop")
        samples: list[tuple[str, float]] = []
        cpu = 0.0
        errors: list[str] = []
        for pipe in self.pipes:
            if pipe.poll(timeout):
                result = pipe.recv()
                samples.extend(result["samples"])
                cpu += result["cpu_seconds"]
                errors.extend(result["errors"])
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
        self.stopped = {"samples": samples, "cpu_seconds": cpu, "errors": errors[:20]}
        return self.stopped


def start_clients(
    url: str, token: str, variables: list[dict[str, Any]], processes: int, deflate: bool = False
) -> Clients:
    context = multiprocessing.get_context("spawn")
    shares = [variables[i::processes] for i in range(processes)]
    procs: list[multiprocessing.process.BaseProcess] = []
    pipes: list[Connection] = []
    counters: list[SynchronizedArray[int]] = []
    for share in shares:
        parent, child = context.Pipe()
        array = context.Array("q", 4, lock=False)
        process = context.Process(
            target=client_process,
            args=(child, url, token, share, array, deflate),
            daemon=True,
        )
        process.start()
        procs.append(process)
        pipes.append(parent)
        counters.append(array)
    return Clients(procs, pipes, counters, len(variables))


async def wait_for(
    what: str, condition: Callable[[], bool], seconds: float, poke: Callable[[], Awaitable[None]]
) -> None:
    """Wait until ``condition``; ``poke`` is awaited every half second meanwhile."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await poke()
        await asyncio.sleep(0.5)


async def _nothing() -> None:
    return None


# --- measurements -------------------------------------------------------------------------


def cpu_split_of(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of ``pid`` (system: mostly the loopback TCP
    work of each ``send``, which Linux charges to the sender)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def cpu_seconds_of(pid: int) -> float:
    return sum(cpu_split_of(pid))


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Meter:
    """CPU of the server, the clients, the publisher and everyone else."""

    pid: int
    started: float = field(default_factory=time.monotonic)
    server: float = 0.0
    server_system: float = 0.0
    machine: float = 0.0
    publisher: float = 0.0

    def __post_init__(self) -> None:
        self.server = cpu_seconds_of(self.pid)
        self.server_system = cpu_split_of(self.pid)[1]
        self.machine = _machine_busy_seconds()
        self.publisher = self_cpu()

    def read(self, client_seconds: float) -> dict[str, float]:
        wall = time.monotonic() - self.started
        server = cpu_seconds_of(self.pid) - self.server
        server_system = cpu_split_of(self.pid)[1] - self.server_system
        machine = _machine_busy_seconds() - self.machine
        publisher = self_cpu() - self.publisher
        other = max(0.0, machine - server - client_seconds - publisher)
        return {
            "wall_seconds": round(wall, 2),
            "server_seconds": round(server, 2),
            "server_system_seconds": round(server_system, 2),
            "client_seconds": round(client_seconds, 2),
            "publisher_seconds": round(publisher, 2),
            "other_seconds": round(other, 2),
            "server_cores": round(server / wall, 2),
            "client_cores": round(client_seconds / wall, 2),
            "publisher_cores": round(publisher / wall, 2),
            "other_cores": round(other / wall, 2),
        }


def latency_stats(
    sent: dict[str, float], samples: list[tuple[str, float]], expected: int
) -> dict[str, Any]:
    """Per-delivery latency (receive - commit) of the events in ``sent``."""
    latencies = sorted((t - sent[e]) * 1000 for e, t in samples if e in sent)
    return {
        "deliveries": len(latencies),
        "expected": expected,
        "missing": expected - len(latencies),
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p90": round(percentile(latencies, 90), 1),
            "p99": round(percentile(latencies, 99), 1),
            "max": round(latencies[-1], 1) if latencies else float("nan"),
        },
    }


@dataclass(frozen=True)
class Target:
    name: str
    """``mcms`` or ``bare``."""
    port: int
    pid: int
    token: str
    routing_ids: list[int]
    publisher: Publisher
    deflate: bool = False
    """The subscribers offer per-message-deflate (as browsers do)."""

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


async def connect_clients(
    target: Target, variables: list[dict[str, Any]], processes: int
) -> tuple[Clients, float]:
    """Start the clients, wait until every connection is subscribed and has
    received an event (so every subscription is live); returns the seconds."""
    t0 = time.monotonic()
    clients = start_clients(
        target.url, target.token, variables, min(processes, len(variables)), target.deflate
    )
    routed = sorted({int(v["routingId"]) for v in variables if "routingId" in v})
    # Filtered subscriptions need an event of their own routing; the others, any.
    everyone = routed if all("routingId" in v for v in variables) else target.routing_ids[:1]

    def failed() -> bool:
        if clients.count(FAILED):
            failed = clients.count(FAILED)
            errors = clients.stop(timeout=10)["errors"]
            raise RuntimeError(f"{failed} subscriber connections failed: {errors[:3]}")
        return False

    await wait_for(
        f"{len(variables)} subscriptions",
        lambda: failed() or clients.count(READY) == len(variables),
        180,
        _nothing,
    )

    async def warm_up() -> None:
        for routing_id in everyone:
            await target.publisher.publish(routing_id)

    await wait_for(
        "a first event on every subscription",
        lambda: failed() or clients.count(FIRST) == len(variables),
        120,
        warm_up,
    )
    await asyncio.sleep(1.0)  # let the warm-up deliveries drain
    return clients, round(time.monotonic() - t0, 1)


async def saturation(
    target: Target,
    subscribers: int,
    processes: int,
    duration: float,
    window: int,
    on_start: Callable[[], None] | None = None,
) -> dict[str, Any]:
    """Events as fast as the server delivers them: at most ``window`` events in
    flight per subscriber, one transaction each."""
    variables: list[dict[str, Any]] = [{} for _ in range(subscribers)]
    clients, setup = await connect_clients(target, variables, processes)
    try:
        routing_id = target.routing_ids[0]
        received0 = clients.count(RECEIVED)
        clients.mark(record=False)
        if on_start is not None:
            on_start()
        meter = Meter(target.pid)
        start = time.monotonic()
        published = 0
        while time.monotonic() - start < duration:
            delivered = clients.count(RECEIVED) - received0
            if published * subscribers - delivered < window * subscribers:
                await target.publisher.publish(routing_id)
                published += 1
            else:
                await asyncio.sleep(0.001)
        delivered = clients.count(RECEIVED) - received0
        elapsed = time.monotonic() - start
        server_seconds = cpu_seconds_of(target.pid) - meter.server
        client = clients.stop()
        cpu = meter.read(client["cpu_seconds"])
        cpu["wall_seconds"] = round(elapsed, 2)
    finally:
        with contextlib.suppress(Exception):
            clients.stop(timeout=5)
    per_delivery = server_seconds / max(1, delivered) * 1e6
    return {
        "subscribers": subscribers,
        "client_processes": len(clients.processes),
        "setup_seconds": setup,
        "window_events": window,
        "events_published": published,
        "events_per_second": round(published / elapsed, 1),
        "deliveries": delivered,
        "deliveries_per_second": round(delivered / elapsed),
        "server_cpu_us_per_delivery": round(per_delivery, 1),
        "deliveries_per_server_cpu_second": round(delivered / max(1e-9, server_seconds)),
        "errors": client["errors"],
        "cpu": cpu,
    }


async def burst(target: Target, subscribers: int, processes: int, rounds: int) -> dict[str, Any]:
    """One event to every subscriber, ``rounds`` times, 2 s apart."""
    variables: list[dict[str, Any]] = [{} for _ in range(subscribers)]
    clients, setup = await connect_clients(target, variables, processes)
    rss_before = rss_mb(target.pid)
    try:
        clients.mark()
        meter = Meter(target.pid)
        sent: dict[str, float] = {}
        per_round: list[dict[str, Any]] = []
        for _ in range(rounds):
            before = clients.count(RECEIVED)
            event_id, at = await target.publisher.publish(target.routing_ids[0])
            sent[event_id] = at
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # polling shared memory: no event to wait on
                if clients.count(RECEIVED) - before >= subscribers:
                    break
                await asyncio.sleep(0.002)
            per_round.append(
                {
                    "event_id": event_id,
                    "all_received_after_ms": round((time.time() - at) * 1000, 1),
                    "received": clients.count(RECEIVED) - before,
                }
            )
            await asyncio.sleep(2.0)
        rss_after = rss_mb(target.pid)
        server_seconds = cpu_seconds_of(target.pid) - meter.server
        client = clients.stop()
        cpu = meter.read(client["cpu_seconds"])
    finally:
        with contextlib.suppress(Exception):
            clients.stop(timeout=5)
    stats = latency_stats(sent, client["samples"], subscribers * rounds)
    for entry in per_round:
        own = latency_stats({entry["event_id"]: sent[entry["event_id"]]}, client["samples"], 0)
        entry["latency_ms"] = own["latency_ms"]
    deliveries = max(1, stats["deliveries"])
    return {
        "subscribers": subscribers,
        "client_processes": len(clients.processes),
        "setup_seconds": setup,
        "rounds": rounds,
        **stats,
        "per_round": per_round,
        "server_rss_mb": {"subscribed": rss_before, "after": rss_after},
        "server_rss_peak_mb": rss_mb(target.pid, "VmHWM"),
        "server_cpu_us_per_delivery": round(server_seconds / deliveries * 1e6, 1),
        "errors": client["errors"],
        "cpu": cpu,
    }


async def steady(
    target: Target,
    variables: list[dict[str, Any]],
    processes: int,
    rate: float,
    duration: float,
    routing_ids: list[int],
    per_event: int,
) -> dict[str, Any]:
    """Open loop: events at ``rate`` a second, routing ``i % len(routing_ids)``;
    latency from each commit. A late publisher does not hide latency: the
    schedule it missed is reported."""
    clients, setup = await connect_clients(target, variables, processes)
    try:
        clients.mark()
        meter = Meter(target.pid)
        sent: dict[str, float] = {}
        publish_ms: list[float] = []
        interval = 1.0 / rate
        total = int(rate * duration)
        start = time.monotonic() + 0.05
        for i in range(total):
            delay = start + i * interval - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            t0 = time.monotonic()
            event_id, at = await target.publisher.publish(routing_ids[i % len(routing_ids)])
            publish_ms.append((time.monotonic() - t0) * 1000)
            sent[event_id] = at
        elapsed = time.monotonic() - start
        expected = total * per_event
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            await asyncio.sleep(0.2)
            if clients.count(RECEIVED) >= expected:
                break
        server_seconds = cpu_seconds_of(target.pid) - meter.server
        client = clients.stop()
        cpu = meter.read(client["cpu_seconds"])
    finally:
        with contextlib.suppress(Exception):
            clients.stop(timeout=5)
    stats = latency_stats(sent, client["samples"], expected)
    publish_ms.sort()
    return {
        "subscribers": len(variables),
        "client_processes": len(clients.processes),
        "setup_seconds": setup,
        "offered_events_per_second": rate,
        "achieved_events_per_second": round(total / elapsed, 1),
        "events": total,
        "subscribers_per_event": per_event,
        **stats,
        "publish_ms": {
            "p50": round(percentile(publish_ms, 50), 2),
            "p99": round(percentile(publish_ms, 99), 2),
        },
        "server_cpu_us_per_delivery": round(server_seconds / max(1, stats["deliveries"]) * 1e6, 1),
        "errors": client["errors"],
        "cpu": cpu,
    }


# --- servers ------------------------------------------------------------------------------


def pinned(command: list[str], cpu: int | None) -> list[str]:
    if cpu is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", str(cpu), *command]


@contextlib.contextmanager
def server(
    name: str,
    data_dir: Path,
    work_dir: Path,
    broadcast_url: str,
    cpu: int | None,
    ws: str | None = None,
) -> Iterator[tuple[int, int]]:
    """``mcms serve`` (or the bare server) on a free port; yields ``(port, pid)``.
    With ``ws``, MCMS runs under the ``uvicorn`` command instead, with that
    WebSocket implementation (``mcms serve`` has no such option)."""
    port = free_port()
    if name == "mcms" and ws is not None:
        command = [sys.executable, "-m", "uvicorn", "mcms.app:create_app_from_environment"]
        command += ["--factory", "--host", "127.0.0.1", "--port", str(port), "--ws", ws]
        command += ["--no-server-header", "--no-proxy-headers", "--no-access-log"]
        command += ["--log-level", "warning"]
    elif name == "mcms":
        command = [sys.executable, "-m", "mcms", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
    else:
        command = [sys.executable, str(BENCH_DIR / "bare_subscriptions.py"), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCMS_")}
    env.update(
        MCMS_DATA_DIR=str(data_dir),
        MCMS_CONFIG=str(data_dir / "no-such-mcms.toml"),
        MCMS_HOST="127.0.0.1",
        MCMS_PORT=str(port),
        MCMS_WORKERS="1",
        MCMS_LOG_LEVEL="WARNING",
        MCMS_BROADCAST_URL=broadcast_url,
        MCMS_MAX_SUBSCRIPTIONS_PER_CONNECTION="50",
    )
    with launched(pinned(command, cpu), env, port, work_dir, work_dir / f"{name}.log") as started:
        yield started


def wait_for_load(below: float, max_wait: float) -> dict[str, Any]:
    """Wait until the 1-minute load average drops below ``below`` (others' test
    runs would share the two cores)."""
    started = time.monotonic()
    load = float(Path("/proc/loadavg").read_text().split()[0])
    while load >= below and time.monotonic() - started < max_wait:
        print(f"   waiting for the load average ({load:.2f}) to drop below {below}", flush=True)
        time.sleep(10)
        load = float(Path("/proc/loadavg").read_text().split()[0])
    return {"loadavg_1min": load, "waited_seconds": round(time.monotonic() - started, 1)}


def profile(
    pid: int, seconds: float, out: Path, *, gil_only: bool = False
) -> subprocess.Popen[bytes] | None:
    """``py-spy record`` of the server (raw collapsed stacks) while a test runs;
    ``gil_only`` keeps only samples of the thread holding the GIL (what the one
    core of a saturated Python server is spent on, idle threads left out)."""
    spy = Path(sys.executable).parent / "py-spy"
    if not spy.exists():
        return None
    command = [str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds))]
    command += ["--format", "raw", "--rate", "200", "--nonblocking", "--output", str(out)]
    if gil_only:
        command.append("--gil")
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def hot_spots(raw: Path, top: int = 15) -> dict[str, list[tuple[str, float]]]:
    """Self and inclusive shares of the functions in py-spy's collapsed stacks."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        total += count
        frames = [f.split(" (")[0] + " (" + f.split(" (")[-1].split(":")[0].split("/")[-1] + ")"
                  for f in stack.split(";")]  # fmt: skip
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count

    def ranked(table: dict[str, int]) -> list[tuple[str, float]]:
        best = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [(name, round(100 * n / max(1, total), 1)) for name, n in best]

    return {"self_percent": ranked(own), "inclusive_percent": ranked(inclusive)}


# --- main ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    subscribers: int
    burst_subscribers: int
    clients: int
    duration: float
    window: int
    burst_rounds: int
    steady_rate: float
    routings: int
    per_routing: int
    filtered_rate: float
    profile_seconds: float
    prime: bool
    scenarios: frozenset[str] = frozenset(SCENARIOS)
    client_deflate: bool = False


async def run_mcms(
    port: int, pid: int, data_dir: Path, seeded: Seeded, broadcast_url: str, o: Options,
    work_dir: Path,
) -> dict[str, Any]:  # fmt: skip
    publisher = McmsPublisher(sqlite_url(data_dir), broadcast_url)
    target = Target(
        "mcms", port, pid, seeded.token, seeded.routing_ids, publisher, o.client_deflate
    )
    out: dict[str, Any] = {"server": "mcms", "rss_idle_mb": rss_mb(pid)}
    try:
        if o.prime:
            # One subscriber alone first: the hub starts once. Subscribers that
            # arrive together at a cold hub each start a poll loop of their own
            # (a race in EventHub._start), which would dominate every figure.
            clients, _ = await connect_clients(target, [{}], 1)
            clients.stop()
        if "saturation" in o.scenarios:
            print("== MCMS: saturated fan-out", flush=True)
            out["saturation"] = await saturation(
                target, o.subscribers, o.clients, o.duration, o.window
            )
            print(f"   {_saturation_line(out['saturation'])}", flush=True)
        if "steady" in o.scenarios:
            print("== MCMS: steady", flush=True)
            out["steady"] = await steady(
                target, [{} for _ in range(o.subscribers)], o.clients, o.steady_rate,
                o.duration, seeded.routing_ids[:1], o.subscribers,
            )  # fmt: skip
            print(f"   {_latency_line(out['steady'])}", flush=True)
        if "filtered" in o.scenarios:
            print("== MCMS: filtered", flush=True)
            routings = seeded.routing_ids[: o.routings]
            variables = [{"routingId": str(r)} for r in routings for _ in range(o.per_routing)]
            out["filtered"] = await steady(
                target, variables, o.clients, o.filtered_rate, o.duration, routings, o.per_routing
            )
            print(f"   {_latency_line(out['filtered'])}", flush=True)
        if "burst" in o.scenarios:
            print("== MCMS: burst", flush=True)
            out["burst"] = await burst(target, o.burst_subscribers, o.clients, o.burst_rounds)
            print(f"   {_latency_line(out['burst'])}", flush=True)
        if o.profile_seconds > 0:
            print("== MCMS: saturated fan-out under py-spy (not measured)", flush=True)
            raw = work_dir / "mcms-saturation.pyspy.txt"
            spies: list[subprocess.Popen[bytes]] = []

            def start_profile() -> None:
                spy = profile(pid, o.profile_seconds, raw)
                if spy is not None:
                    spies.append(spy)

            await saturation(
                target, o.subscribers, o.clients, o.profile_seconds + 1, o.window, start_profile
            )
            for spy in spies:
                spy.wait(timeout=60)
            if spies:
                if raw.exists():
                    out["profile_saturation"] = hot_spots(raw)
                    shutil.copy(raw, RESULTS_DIR / "fanout-profile-latest.txt")
    finally:
        await publisher.close()
    return out


async def run_bare(port: int, pid: int, seeded: Seeded, o: Options) -> dict[str, Any]:
    publisher = BarePublisher(port)
    target = Target("bare", port, pid, "unused", seeded.routing_ids, publisher, o.client_deflate)
    out: dict[str, Any] = {"server": "bare", "rss_idle_mb": rss_mb(pid)}
    try:
        if "saturation" in o.scenarios:
            print("== bare Strawberry: saturated fan-out", flush=True)
            out["saturation"] = await saturation(
                target, o.subscribers, o.clients, o.duration, o.window
            )
            print(f"   {_saturation_line(out['saturation'])}", flush=True)
        if "burst" in o.scenarios:
            print("== bare Strawberry: burst", flush=True)
            out["burst"] = await burst(target, o.burst_subscribers, o.clients, o.burst_rounds)
            print(f"   {_latency_line(out['burst'])}", flush=True)
    finally:
        await publisher.close()
    return out


def _saturation_line(r: dict[str, Any]) -> str:
    c = r["cpu"]
    return (
        f"{r['deliveries_per_second']} deliveries/s ({r['events_per_second']} events/s x "
        f"{r['subscribers']}), server {r['server_cpu_us_per_delivery']} µs CPU/delivery; "
        f"cores: server {c['server_cores']} ({_system_share(c)} system), "
        f"clients {c['client_cores']}, "
        f"publisher {c['publisher_cores']}, others {c['other_cores']}"
    )


def _system_share(cpu: dict[str, float]) -> str:
    return f"{100 * cpu['server_system_seconds'] / max(1e-9, cpu['server_seconds']):.0f} %"


def _latency_line(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    rss = f", server RSS {r['server_rss_mb']['after']} MB" if "server_rss_mb" in r else ""
    return (
        f"{r['subscribers']} subscribers: p50 {lat['p50']} ms, p99 {lat['p99']} ms, "
        f"max {lat['max']} ms, missing {r['missing']} of {r['expected']}{rss}; "
        f"server {r['server_cpu_us_per_delivery']} µs CPU/delivery, cores: server "
        f"{r['cpu']['server_cores']} ({_system_share(r['cpu'])} system), "
        f"clients {r['cpu']['client_cores']}"
    )


def _latency_verdict(r: dict[str, Any], p99_max: float) -> dict[str, Any]:
    return {
        "p99_ms": r["latency_ms"]["p99"],
        "missing": r["missing"],
        "met": r["latency_ms"]["p99"] <= p99_max and r["missing"] == 0,
    }


def verdicts(mcms: dict[str, Any], bare: dict[str, Any] | None) -> dict[str, Any]:
    """Each scenario that ran against its target, and the ratios to the baseline."""
    out: dict[str, Any] = {}
    if "saturation" in mcms:
        sat = mcms["saturation"]
        out["saturation"] = {
            "deliveries_per_second": sat["deliveries_per_second"],
            "server_cpu_us_per_delivery": sat["server_cpu_us_per_delivery"],
            "deliveries_per_server_cpu_second": sat["deliveries_per_server_cpu_second"],
            "target": TARGET_DELIVERIES_PER_SECOND,
            "met": sat["deliveries_per_second"] >= TARGET_DELIVERIES_PER_SECOND,
        }
    if "burst" in mcms:
        burst_ = mcms["burst"]
        out["burst"] = {
            **_latency_verdict(burst_, TARGET_BURST_P99_MS),
            "rss_mb": burst_["server_rss_mb"]["after"],
        }
        out["burst"]["met"] = (
            out["burst"]["met"] and burst_["server_rss_mb"]["after"] <= TARGET_BURST_RSS_MB
        )
    if "steady" in mcms:
        out["steady"] = _latency_verdict(mcms["steady"], TARGET_STEADY_P99_MS)
    if "filtered" in mcms:
        out["filtered"] = _latency_verdict(mcms["filtered"], TARGET_FILTERED_P99_MS)
    if bare is not None:
        out["versus_bare"] = _versus_bare(mcms, bare)
    return out


def _versus_bare(mcms: dict[str, Any], bare: dict[str, Any]) -> dict[str, float]:
    ratios: dict[str, float] = {}
    if "saturation" in mcms and "saturation" in bare:
        sat, b_sat = mcms["saturation"], bare["saturation"]
        ratios["deliveries_per_second_ratio"] = round(
            sat["deliveries_per_second"] / max(1, b_sat["deliveries_per_second"]), 2
        )
        ratios["server_cpu_per_delivery_ratio"] = round(
            sat["server_cpu_us_per_delivery"] / max(1e-9, b_sat["server_cpu_us_per_delivery"]), 3
        )
        ratios["deliveries_per_server_cpu_second_ratio"] = round(
            sat["deliveries_per_server_cpu_second"]
            / max(1, b_sat["deliveries_per_server_cpu_second"]),
            2,
        )
    if "burst" in mcms and "burst" in bare:
        ratios["burst_p99_ratio"] = round(
            mcms["burst"]["latency_ms"]["p99"] / max(1e-9, bare["burst"]["latency_ms"]["p99"]), 2
        )
    return ratios


FANOUT_PACKAGES = (
    "strawberry-graphql", "graphql-core", "starlette", "uvicorn", "uvloop",
    "websockets", "sqlalchemy", "aiosqlite", "redis",
)  # fmt: skip


def machine() -> dict[str, Any]:
    return {
        **shared_machine(FANOUT_PACKAGES),
        "pinning": f"server on CPU {SERVER_CPU}; clients and publisher on CPU {CLIENT_CPU}",
    }


def _scenarios(parser: argparse.ArgumentParser, text: str) -> list[str]:
    chosen = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fan-out benchmark of the live updates.")
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--burst-subscribers", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=4, help="subscriber processes")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per test")
    parser.add_argument("--window", type=int, default=20, help="saturation: events in flight")
    parser.add_argument("--burst-rounds", type=int, default=3)
    parser.add_argument("--steady-rate", type=float, default=4.0, help="events/s to everyone")
    parser.add_argument("--routings", type=int, default=20)
    parser.add_argument("--per-routing", type=int, default=10)
    parser.add_argument("--filtered-rate", type=float, default=200.0, help="events/s, filtered")
    parser.add_argument("--broadcast-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Strawberry runs")
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and clients")
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds (0: none)")
    parser.add_argument("--quick", action="store_true", help="5 s tests, fewer subscribers")
    parser.add_argument("--load-below", type=float, default=0.7)
    parser.add_argument("--load-wait", type=float, default=600.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument(
        "--ws",
        choices=["websockets-sansio", "websockets", "wsproto"],
        help="run MCMS under `uvicorn --ws X` instead of `mcms serve` (default: auto)",
    )
    parser.add_argument(
        "--client-deflate",
        action="store_true",
        help="subscribers offer per-message-deflate, as browsers do",
    )
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help=f"comma-separated scenarios to run (default: all of {', '.join(SCENARIOS)})",
    )
    parser.add_argument(
        "--cold-hub",
        action="store_true",
        help="let the first 1,000 subscribers start the hub together (EventHub._start race)",
    )
    args = parser.parse_args(argv)

    options = Options(
        subscribers=200 if args.quick else args.subscribers,
        burst_subscribers=500 if args.quick else args.burst_subscribers,
        clients=args.clients,
        duration=5.0 if args.quick else args.duration,
        window=args.window,
        burst_rounds=args.burst_rounds,
        steady_rate=args.steady_rate,
        routings=args.routings,
        per_routing=args.per_routing,
        filtered_rate=args.filtered_rate,
        profile_seconds=args.profile,
        prime=not args.cold_hub,
        scenarios=frozenset(_scenarios(parser, args.only)),
        client_deflate=args.client_deflate,
    )
    with contextlib.suppress(ValueError, OSError):
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    server_cpu: int | None = None
    if not args.no_pin and (os.cpu_count() or 1) >= 2:
        server_cpu = SERVER_CPU
        with contextlib.suppress(OSError, AttributeError):
            os.sched_setaffinity(0, {CLIENT_CPU})
    quiet = wait_for_load(args.load_below, args.load_wait)
    started = datetime.now(UTC)
    info = machine()
    info["quiet"] = quiet
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu_model']}), Python {info['python']}, "
        f"commit {info['git']['commit'][:10]}{' (dirty)' if info['git']['dirty'] else ''}, "
        f"load {quiet['loadavg_1min']}"
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="mcms-fanout-"))
    data_dir = work_dir / "data"
    data_dir.mkdir()
    runner = asyncio.Runner(loop_factory=loop_factory())
    bare: dict[str, Any] | None = None
    try:
        seeded = runner.run(seed(data_dir, max(options.routings, 1)))
        with server("mcms", data_dir, work_dir, args.broadcast_url, server_cpu, args.ws) as (
            port,
            pid,
        ):
            mcms = runner.run(
                run_mcms(port, pid, data_dir, seeded, args.broadcast_url, options, work_dir)
            )
        if not args.no_bare:
            with server("bare", data_dir, work_dir, args.broadcast_url, server_cpu) as (
                port,
                pid,
            ):
                bare = runner.run(run_bare(port, pid, seeded, options))
    finally:
        runner.close()
        if args.keep:
            print(f"Kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    result = {
        "benchmark": "fanout",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "options": {**options.__dict__, "scenarios": sorted(options.scenarios)},
        "broadcast_url": args.broadcast_url,
        "mcms_server": f"uvicorn --ws {args.ws}" if args.ws else "mcms serve (uvicorn --ws auto)",
        "targets": {
            "saturation_deliveries_per_second_min": TARGET_DELIVERIES_PER_SECOND,
            "burst_p99_ms_max": TARGET_BURST_P99_MS,
            "burst_rss_mb_max": TARGET_BURST_RSS_MB,
            "steady_p99_ms_max": TARGET_STEADY_P99_MS,
            "filtered_p99_ms_max": TARGET_FILTERED_P99_MS,
        },
        "mcms": mcms,
        "bare": bare,
        "verdicts": verdicts(mcms, bare),
    }
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"fanout-{stamp}.json"
    text = json.dumps(_without_nan(result), indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "fanout-latest.json").write_text(text, encoding="utf-8")
    print(f"\nVerdicts: {json.dumps(_without_nan(result['verdicts']), indent=2)}")
    print(f"Results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

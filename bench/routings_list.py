"""Load benchmark of the routings list query (``make bench``; see docs/performance.md).

What it does, end to end:

1. seeds a fresh SQLite data dir in a temporary directory through the services
   (10 engineers and 5 approvers with an API token each, an admin, and
   20 items x 3 revisions x 2 routings x 5 steps);
2. for each worker count (``--workers 1,2``) starts ``mcms serve`` as a
   subprocess on a free port with ``MCMS_LOG_LEVEL=WARNING`` and waits for
   ``/readyz``, then checks that one ``RoutingsPage`` query answers 50 routings
   for every token;
3. **open loop**: ``--users`` virtual users, spread over the 15 tokens, each send
   the query ``--rate`` times a second with a random phase, from a separate
   process, whether or not earlier answers came back; latency is measured from
   the *scheduled* send time, so a slow server cannot hide behind a slow
   generator (no coordinated omission);
4. **saturation**: ``wrk`` closed loop with ``--connections`` connections;
5. **mixed read/write** (cache on only): both tests again while a writer process
   sends ``updateRouting`` mutations at ``--writes-per-second`` (0 disables);
   every commit empties the response cache;
6. the same two tests against ``bench/bare_strawberry.py`` (``{ hello }``), so
   the ratio shows what the domain layer costs;
7. prints a table and writes JSON to ``bench/results/`` with the machine.

    .venv/bin/python bench/routings_list.py [--workers 1,2] [--duration 20] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.metadata
import json
import multiprocessing
import os
import platform
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

TARGET_P95_MS = 50.0
"""Open loop, 100 users at one request a second each: p95 at or under this."""
TARGET_SATURATION_RPS = 250.0
"""Closed loop at saturation: at least this many requests a second."""
PAGE_SIZE = 50

ROUTINGS_QUERY = (
    "query RoutingsPage { routings(first: 50) { totalCount edges { cursor node { "
    "id code title status version camRevision updatedAt "
    "owner { id username displayName } "
    "steps { id sequence name workCenter machine setupMinutes cycleMinutes } "
    "} } pageInfo { hasNextPage endCursor } } }"
)
HELLO_QUERY = "query Hello { hello }"

STEP_TEMPLATES = (
    ("Saw cut blank", "SAW-01", "Kasto", 5.0, 2.5),
    ("Rough mill", "MILL-5AX", "DMG Mori DMU 50", 45.0, 18.0),
    ("Finish mill", "MILL-5AX", "DMG Mori DMU 50", 10.0, 12.0),
    ("Deburr", "BENCH", "", 0.0, 4.0),
    ("CMM inspection", "QA-CMM", "Zeiss Contura", 15.0, 9.0),
)


# --- the data set ----------------------------------------------------------------------


@dataclass(frozen=True)
class DataShape:
    items: int
    revisions: int
    routings_per_revision: int
    steps: int

    @property
    def routings(self) -> int:
        return self.items * self.revisions * self.routings_per_revision


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite+aiosqlite:///{(data_dir / 'mcms.db').resolve()}"


ENGINEERS = 10
"""Engineers seeded, each with an API token; they own the routings."""
APPROVERS = 5
"""Approvers seeded, each with an API token."""


@dataclass(frozen=True)
class Seeded:
    engineer_tokens: list[str]
    approver_tokens: list[str]
    writer_token: str
    """A second API token of the first engineer, for the writer."""
    writer_routing_id: int
    """A DRAFT routing the first engineer owns: the one the writer retitles."""

    @property
    def reader_tokens(self) -> list[str]:
        """The open loop's tokens; virtual user ``u`` uses ``reader_tokens[u % len]``."""
        return [*self.engineer_tokens, *self.approver_tokens]


async def seed(data_dir: Path, shape: DataShape) -> Seeded:
    """Fill a fresh database through the services: engineers and approvers with an
    API token each, an admin, and the items, revisions and routings."""
    from mcms.approvals import service as approvals
    from mcms.core.auth import Principal, Role
    from mcms.core.db import Database
    from mcms.core.migrate import upgrade_to_head_async
    from mcms.items import service as items
    from mcms.routings import service as routings
    from mcms.routings.service import StepData
    from mcms.users import service as users

    url = sqlite_url(data_dir)
    await upgrade_to_head_async(url)
    db = Database(url, pool_size=2)
    try:
        async with db.unit_of_work() as session:
            people: list[tuple[Principal, str]] = []
            for role, count in ((Role.ENGINEER, ENGINEERS), (Role.APPROVER, APPROVERS)):
                for n in range(1, count + 1):
                    name = f"bench-{role.value.lower()}{n}"
                    user = await users.create_user(
                        session=session,
                        username=name,
                        role=role,
                        password=f"{name}-password",
                        display_name=f"{role.value.title()} {n}",
                    )
                    principal = users.principal_of(user)
                    _, token = await users.create_token(
                        session=session, user_id=principal.user_id, name="bench"
                    )
                    people.append((principal, token))
            name = "bench-admin"
            await users.create_user(
                session=session,
                username=name,
                role=Role.ADMIN,
                password=f"{name}-password",
                display_name="Ada Admin",
            )
            engineers = [p for p, _ in people if p.role is Role.ENGINEER]
            approver = next(p for p, _ in people if p.role is Role.APPROVER)
            _, writer_token = await users.create_token(
                session=session, user_id=engineers[0].user_id, name="bench-writer"
            )
            writer_routing_id: int | None = None
            steps = [
                StepData(
                    name=name,
                    work_center=center,
                    machine=machine,
                    setup_minutes=setup,
                    cycle_minutes=cycle,
                    tooling_notes="T12 Ø16 roughing end mill" if "mill" in name else "",
                    parameters={"coolant": "flood"} if "mill" in name else {},
                )
                for name, center, machine, setup, cycle in (
                    STEP_TEMPLATES[i % len(STEP_TEMPLATES)] for i in range(shape.steps)
                )
            ]
            counter = 0
            for i in range(shape.items):
                owner = engineers[i % len(engineers)]
                item = await items.create_item(
                    session=session,
                    actor=owner,
                    item_code=f"BRK-{1000 + i}",
                    name=f"Bracket {i}",
                    description="6061-T6 aluminium bracket",
                )
                for r in range(shape.revisions):
                    revision = await items.create_revision(
                        session=session, actor=owner, item_id=item.id, code=chr(ord("A") + r)
                    )
                    for k in range(shape.routings_per_revision):
                        # Blocks of four: every engineer owns routings in every state.
                        routing_owner = engineers[counter // 4 % len(engineers)]
                        routing_id = await routings.create_routing(
                            session=session,
                            actor=routing_owner,
                            revision_id=revision.id,
                            code=f"OP-{(k + 1) * 10:03d}",
                            title=f"5-axis milling, variant {k + 1}",
                            steps=steps,
                        )
                        if counter == 0:  # the first engineer's; stays DRAFT
                            writer_routing_id = routing_id
                        # A realistic mix of states: draft, pending, approved, rejected.
                        if counter % 4 >= 1:
                            await approvals.submit_routing(
                                session=session, actor=routing_owner, routing_id=routing_id
                            )
                        if counter % 4 == 2:
                            await approvals.approve_routing(
                                session=session, actor=approver, routing_id=routing_id
                            )
                        if counter % 4 == 3:
                            await approvals.reject_routing(
                                session=session,
                                actor=approver,
                                routing_id=routing_id,
                                reason="Tap drill missing",
                            )
                        counter += 1
    finally:
        await db.dispose()
    assert writer_routing_id is not None
    return Seeded(
        engineer_tokens=[t for p, t in people if p.role is Role.ENGINEER],
        approver_tokens=[t for p, t in people if p.role is Role.APPROVER],
        writer_token=writer_token,
        writer_routing_id=writer_routing_id,
    )


# --- servers -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerSpec:
    name: str
    """``mcms`` or ``bare``."""
    workers: int
    query: str
    response_cache: bool | None = None
    """MCMS's whole-response cache (``MCMS_GRAPHQL_RESPONSE_CACHE``); ``None``: default."""
    writes_per_second: float = 0.0
    """The writer's rate during both tests (mixed read/write); 0: no writes."""

    @property
    def label(self) -> str:
        what = "MCMS" if self.name == "mcms" else "bare { hello }"
        if self.response_cache is not None:
            what += ", cache " + ("on" if self.response_cache else "off")
        if self.writes_per_second:
            what += f", {self.writes_per_second:g} write/s"
        return f"{what}, {self.workers} worker{'s' if self.workers > 1 else ''}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def server_command(spec: ServerSpec, port: int) -> list[str]:
    if spec.name == "mcms":
        return [sys.executable, "-m", "mcms", "serve", "--host", "127.0.0.1", "--port", str(port)]
    return [
        sys.executable,
        str(BENCH_DIR / "bare_strawberry.py"),
        "--port",
        str(port),
        "--workers",
        str(spec.workers),
    ]


def server_env(spec: ServerSpec, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCMS_")}
    env.update(
        MCMS_DATA_DIR=str(data_dir),
        MCMS_CONFIG=str(data_dir / "no-such-mcms.toml"),
        MCMS_HOST="127.0.0.1",
        MCMS_PORT=str(port),
        MCMS_WORKERS=str(spec.workers),
        MCMS_LOG_LEVEL="WARNING",
    )
    if spec.response_cache is not None:
        env["MCMS_GRAPHQL_RESPONSE_CACHE"] = "true" if spec.response_cache else "false"
    return env


def process_group_cpu_seconds(pgid: int) -> float:
    """User + system CPU of every live process in the group (the server and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # fields[0] is state (field 3); pgrp is field 5, utime 14, stime 15.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wait_ready(proc: subprocess.Popen[bytes], port: int, log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    url = f"http://127.0.0.1:{port}/readyz"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-3000:]
            raise SystemExit(f"server exited with {proc.returncode} before ready:\n{tail}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server not ready within {timeout:.0f}s; see {log_path}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server we started and its workers (its own process group)."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    # Workers may outlive the supervisor for a moment; the group is ours alone.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


@contextlib.contextmanager
def launched(
    command: list[str], env: dict[str, str], port: int, work_dir: Path, log_path: Path
) -> Iterator[tuple[int, int]]:
    """Run ``command`` (a server listening on ``port``) in a session of its own,
    logging to ``log_path``; wait until ready; yields ``(port, process group id)``
    and stops the whole group afterwards. Shared by the benchmarks."""
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command,
            env=env,
            cwd=work_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_ready(proc, port, log_path, timeout=90)
            yield port, proc.pid
        finally:
            stop(proc)


@contextlib.contextmanager
def running(spec: ServerSpec, data_dir: Path, work_dir: Path) -> Iterator[tuple[int, int]]:
    """Start the server, wait until ready; yields ``(port, process group id)``."""
    port = free_port()
    log_path = work_dir / f"{spec.name}-w{spec.workers}.log"
    with launched(
        server_command(spec, port), server_env(spec, data_dir, port), port, work_dir, log_path
    ) as started:
        yield started


def verify(spec: ServerSpec, url: str, headers: dict[str, str]) -> dict[str, Any]:
    """One request by hand: the answer must be complete and error-free."""
    response = httpx.post(url, json={"query": spec.query}, headers=headers, timeout=30)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise SystemExit(f"{spec.label}: the query answered errors: {body['errors']}")
    data = body["data"]
    if spec.name == "bare":
        assert data == {"hello": "Hello, world!"}, data
        return {"response_bytes": len(response.content)}
    page = data["routings"]
    edges = page["edges"]
    if len(edges) != PAGE_SIZE:
        raise SystemExit(f"expected {PAGE_SIZE} routings on the first page, got {len(edges)}")
    steps = sum(len(edge["node"]["steps"]) for edge in edges)
    assert all(edge["node"]["owner"]["username"] for edge in edges)
    assert page["pageInfo"]["hasNextPage"] is True
    return {
        "response_bytes": len(response.content),
        "total_count": page["totalCount"],
        "routings_on_page": len(edges),
        "steps_on_page": steps,
    }


# --- open loop -----------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (``p`` in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(p / 100 * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


REQUEST_TIMEOUT = 10.0
"""Seconds; a request still unanswered then counts as an error."""


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def open_loop(
    url: str,
    body: bytes,
    header_sets: list[dict[str, str]],
    users: int,
    rate: float,
    warmup: float,
    duration: float,
    seed: int,
    start_at: float,
) -> dict[str, Any]:
    """Runs in its own process so the generator never shares a core's event loop
    with the bookkeeping of the parent. Virtual user ``u`` sends
    ``header_sets[u % len(header_sets)]`` (its own token); the schedule starts at
    ``start_at`` (``time.time()``)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        result = runner.run(
            _open_loop(url, body, header_sets, users, rate, warmup, duration, seed, start_at)
        )
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    result["generator_cpu_seconds"] = round(cpu, 3)
    return result


def http_request(target: httpx.URL, headers: dict[str, str], body: bytes) -> bytes:
    """The raw bytes of one HTTP/1.1 ``POST``, built once and sent over and over."""
    host, port = target.host, target.port or 80
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return (
        f"POST {target.raw_path.decode()} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body


class Connections:
    """Keep-alive HTTP/1.1 connections to one server, opened on demand.

    A deliberately small client (prebuilt request bytes, ``Content-Length``
    framing only): it costs a fraction of httpx's CPU per request, so the
    generator stays on schedule even when it shares the machine with the server.
    """

    def __init__(self, host: str, port: int, request: bytes) -> None:
        self.host = host
        self.port = port
        self.request = request
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.opened = 0

    async def send(self) -> tuple[int, bytes]:
        while self.idle:
            reader, writer = self.idle.pop()
            try:
                return await self._exchange(reader, writer)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                # The server closed this idle keep-alive connection (uvicorn does
                # after 5 s); like any HTTP client, retry on a fresh one. A partly
                # read answer is a real failure.
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
        reader, writer = await asyncio.open_connection(self.host, self.port)
        self.opened += 1
        return await self._exchange(reader, writer)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> tuple[int, bytes]:
        try:
            writer.write(self.request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            body = await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        self.idle.append((reader, writer))
        return status, body

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def _open_loop(
    url: str,
    body: bytes,
    header_sets: list[dict[str, str]],
    users: int,
    rate: float,
    warmup: float,
    duration: float,
    seed: int,
    start_at: float,
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    rng = random.Random(seed)
    interval = 1.0 / rate
    latencies: list[float] = []
    lags: list[float] = []
    errors: dict[str, int] = {}
    target = httpx.URL(url)
    host, port = target.host, target.port or 80
    pools = [
        Connections(host, port, http_request(target, headers, body)) for headers in header_sets
    ]
    start = loop.time() + max(0.0, start_at - time.time())
    measure_from = start + warmup
    end = measure_from + duration

    async def one(scheduled: float, connections: Connections) -> None:
        delay = scheduled - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        sent = loop.time()
        error: str | None = None
        try:
            status, content = await asyncio.wait_for(connections.send(), REQUEST_TIMEOUT)
            if status != 200:
                error = f"HTTP {status}"
            elif b'"errors"' in content:
                error = "GraphQL errors"
        except (OSError, EOFError, ValueError, TimeoutError, asyncio.LimitOverrunError) as exc:
            error = type(exc).__name__
        finished = loop.time()
        if scheduled < measure_from:
            return
        if error is None:
            latencies.append(finished - scheduled)
        else:
            errors[error] = errors.get(error, 0) + 1
        lags.append(sent - scheduled)

    tasks: list[asyncio.Task[None]] = []
    for user in range(users):
        connections = pools[user % len(pools)]
        at = start + rng.uniform(0, interval)
        while at < end:
            tasks.append(asyncio.create_task(one(at, connections)))
            at += interval
    await asyncio.gather(*tasks)
    wall = loop.time() - measure_from
    for connections in pools:
        connections.close()

    latencies.sort()
    lags.sort()
    sent_count = len(lags)
    ms = [v * 1000 for v in latencies]
    return {
        "offered_rps": users * rate,
        "tokens": len(header_sets),
        "requests": sent_count,
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "achieved_rps": round(len(latencies) / duration, 1),
        "wall_seconds": round(wall, 2),
        "latency_ms": {
            "p50": round(percentile(ms, 50), 2),
            "p90": round(percentile(ms, 90), 2),
            "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2),
            "max": round(ms[-1], 2) if ms else float("nan"),
            "mean": round(sum(ms) / len(ms), 2) if ms else float("nan"),
        },
        "generator_lag_ms": {
            "p50": round(percentile(lags, 50) * 1000, 2),
            "p99": round(percentile(lags, 99) * 1000, 2),
            "max": round(lags[-1] * 1000, 2) if lags else float("nan"),
        },
    }


# --- the writer (mixed read/write) ----------------------------------------------------------

RETITLE_MUTATION = (
    "mutation Retitle($id: ID!, $version: Int!, $title: String!) { "
    "updateRouting(id: $id, expectedVersion: $version, input: { title: $title }) "
    "{ id version title } }"
)
VERSION_QUERY = "query RoutingVersion($id: ID!) { routing(id: $id) { version } }"
WRITE_ATTEMPTS = 3
"""A write that meets ``CONFLICT`` re-reads the version and tries again, this often."""


def write_loop(
    url: str,
    token: str,
    routing_id: int,
    rate: float,
    warmup: float,
    duration: float,
    start_at: float,
) -> dict[str, Any]:
    """An engineer retitling one of their own DRAFT routings ``rate`` times a second,
    from ``start_at`` (``time.time()``) for ``warmup + duration`` seconds, in its own
    process. Each write sends the version it last saw as ``expectedVersion`` and,
    on ``CONFLICT``, re-reads it. One write at a time; latency is measured from the
    scheduled time, so a writer that falls behind shows up as latency."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    headers = {"Authorization": f"Bearer {token}"}
    latencies: list[float] = []
    errors: dict[str, int] = {}
    conflicts = attempted = completed_in_window = 0
    with httpx.Client(headers=headers, timeout=REQUEST_TIMEOUT) as client:

        def post(query: str, variables: dict[str, Any]) -> dict[str, Any]:
            response = client.post(url, json={"query": query, "variables": variables})
            response.raise_for_status()
            answer: dict[str, Any] = response.json()
            return answer

        def read_version() -> int:
            version: int = post(VERSION_QUERY, {"id": str(routing_id)})["data"]["routing"][
                "version"
            ]
            return version

        version = read_version()
        time.sleep(max(0.0, start_at - time.time()))
        start = time.monotonic()
        measure_from = start + warmup
        end = measure_from + duration
        scheduled = start
        while scheduled < end and time.monotonic() < end + REQUEST_TIMEOUT:
            time.sleep(max(0.0, scheduled - time.monotonic()))
            measured = scheduled >= measure_from
            attempted += measured
            error: str | None = "CONFLICT"  # stays if every attempt conflicts
            try:
                for _ in range(WRITE_ATTEMPTS):
                    title = f"5-axis milling, edited {time.time():.3f}"
                    answer = post(
                        RETITLE_MUTATION,
                        {"id": str(routing_id), "version": version, "title": title},
                    )
                    if not answer.get("errors"):
                        version = answer["data"]["updateRouting"]["version"]
                        error = None
                        break
                    code = answer["errors"][0].get("extensions", {}).get("code")
                    if code != "CONFLICT":
                        error = f"GraphQL {code}"
                        break
                    conflicts += measured
                    version = read_version()
            except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                error = type(exc).__name__
            finished = time.monotonic()
            if error is not None:
                if measured:
                    errors[error] = errors.get(error, 0) + 1
            else:
                if measured:
                    latencies.append(finished - scheduled)
                completed_in_window += measure_from <= finished <= end
            scheduled += 1.0 / rate
    after = resource.getrusage(resource.RUSAGE_SELF)
    ms = sorted(v * 1000 for v in latencies)
    return {
        "offered_wps": rate,
        "attempted": attempted,
        "ok": len(ms),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "conflicts_retried": conflicts,
        "achieved_wps": round(completed_in_window / duration, 2),
        "latency_ms": {
            "p50": round(percentile(ms, 50), 2),
            "p95": round(percentile(ms, 95), 2),
            "p99": round(percentile(ms, 99), 2),
            "max": round(ms[-1], 2) if ms else float("nan"),
        },
        "writer_cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
    }


# --- saturation (wrk) ---------------------------------------------------------------------

WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [==[{body}]==]
wrk.headers["Content-Type"] = "application/json"
{auth}
local threads = {{}}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  bad = 0
end
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {{"requests":%d,"duration_us":%d,"bytes":%d,"bad_responses":%d,' ..
    '"errors":{{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}},' ..
    '"latency_us":{{"mean":%.1f,"stdev":%.1f,"max":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d}}}}\\n',
    summary.requests, summary.duration, summary.bytes, bad_total,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99)))
end
"""


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        print("wrk is missing; installing it with apt-get …", flush=True)
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=False, capture_output=True)
        found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is required: install it (Debian/Ubuntu: apt-get install -y wrk)")
    return found


def write_wrk_script(path: Path, body: bytes, headers: dict[str, str]) -> None:
    auth = "".join(
        f'wrk.headers["{name}"] = [==[{value}]==]\n'
        for name, value in headers.items()
        if name.lower() == "authorization"
    )
    path.write_text(WRK_SCRIPT.format(body=body.decode(), auth=auth), encoding="utf-8")


def run_wrk(
    wrk: str, script: Path, url: str, threads: int, connections: int, seconds: float
) -> dict[str, Any]:
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{done.stdout}\n{done.stderr}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    seconds_run = raw["duration_us"] / 1e6
    lat = raw["latency_us"]
    socket_errors = sum(raw["errors"][k] for k in ("connect", "read", "write", "timeout"))
    return {
        "threads": threads,
        "connections": connections,
        "seconds": round(seconds_run, 2),
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds_run, 1),
        "errors": socket_errors + raw["bad_responses"],
        "socket_errors": raw["errors"],
        "bad_responses": raw["bad_responses"],
        "mb_per_s": round(raw["bytes"] / seconds_run / 1e6, 2),
        "latency_ms": {k: round(lat[k] / 1000, 2) for k in ("p50", "p90", "p95", "p99", "max")}
        | {"mean": round(lat["mean"] / 1000, 2)},
        "wrk_cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
    }


# --- one server, both tests -----------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    users: int
    rate: float
    warmup: float
    duration: float
    threads: int
    connections: int
    seed: int
    quiet_wait: float


START_DELAY = 2.0
"""Seconds between submitting a test's generator and writer and their common start,
so both processes (spawned on first use) are up in time."""


def bench_server(
    spec: ServerSpec,
    data_dir: Path,
    work_dir: Path,
    seeded: Seeded,
    wrk: str,
    options: Options,
    pool: ProcessPoolExecutor,
) -> dict[str, Any]:
    """Both tests, each against a freshly started server: an overloaded open loop
    leaves a backlog the server would still be working off during the next test.
    With ``spec.writes_per_second``, the writer runs alongside either test."""
    base = {"Content-Type": "application/json", "Accept": "application/json"}
    if spec.name == "mcms":
        header_sets = [base | {"Authorization": f"Bearer {t}"} for t in seeded.reader_tokens]
    else:
        header_sets = [base]
    body = json.dumps({"query": spec.query, "operationName": None}).encode()
    script = work_dir / f"wrk-{spec.name}.lua"
    write_wrk_script(script, body, header_sets[0])
    print(f"\n== {spec.label}", flush=True)

    def start_writer(url: str, warmup: float, start_at: float) -> Future[dict[str, Any]] | None:
        if not spec.writes_per_second:
            return None
        return pool.submit(
            write_loop,
            url,
            seeded.writer_token,
            seeded.writer_routing_id,
            spec.writes_per_second,
            warmup,
            options.duration,
            start_at,
        )

    def finish_writer(writer: Future[dict[str, Any]] | None, result: dict[str, Any]) -> float:
        """Attach the writer's result; returns its CPU seconds."""
        if writer is None:
            return 0.0
        result["writer"] = writer.result()
        print(f"   {_writer_summary(result['writer'])}", flush=True)
        cpu: float = result["writer"]["writer_cpu_seconds"]
        return cpu

    quiet_before_open = wait_for_quiet(options.quiet_wait)
    with running(spec, data_dir, work_dir) as (port, pgid):
        url = f"http://127.0.0.1:{port}/graphql"
        checked = {}
        for headers in header_sets:
            checked = verify(spec, url, headers)
        print(f"   verified ({len(header_sets)} token(s)): {checked}", flush=True)
        print(
            f"   open loop: {options.users} users x {options.rate:g}/s, "
            f"{options.warmup:g}s warm-up + {options.duration:g}s …",
            flush=True,
        )
        meter = CpuMeter(pgid)
        start_at = time.time() + START_DELAY
        writer = start_writer(url, options.warmup, start_at)
        future = pool.submit(
            open_loop,
            url,
            body,
            header_sets,
            options.users,
            options.rate,
            options.warmup,
            options.duration,
            options.seed,
            start_at,
        )
        opened = future.result()
        writer_cpu = finish_writer(writer, opened)
        opened["cpu"] = meter.read(client_seconds=opened["generator_cpu_seconds"] + writer_cpu)
        opened["machine_before"] = quiet_before_open
        print(f"   {_open_summary(opened)}", flush=True)

    quiet_before_saturation = wait_for_quiet(options.quiet_wait)
    with running(spec, data_dir, work_dir) as (port, pgid):
        url = f"http://127.0.0.1:{port}/graphql"
        verify(spec, url, header_sets[0])
        warmup = min(options.warmup, 5)
        print(
            f"   saturation: wrk -t{options.threads} -c{options.connections}, "
            f"{warmup:g}s warm-up + {options.duration:g}s …",
            flush=True,
        )
        start_at = time.time() + START_DELAY
        writer = start_writer(url, warmup, start_at)
        time.sleep(max(0.0, start_at - time.time()))
        run_wrk(wrk, script, url, options.threads, options.connections, warmup)
        meter = CpuMeter(pgid)
        saturated = run_wrk(
            wrk, script, url, options.threads, options.connections, options.duration
        )
        writer_cpu = finish_writer(writer, saturated)
        cpu = meter.read(client_seconds=saturated["wrk_cpu_seconds"] + writer_cpu)
        saturated["cpu"] = cpu
        saturated["machine_before"] = quiet_before_saturation
        saturated["server_cpu_ms_per_request"] = round(
            cpu["server_seconds"] * 1000 / max(1, saturated["requests"]), 3
        )
        print(f"   {_saturation_summary(saturated)}", flush=True)

    return {
        "server": spec.name,
        "workers": spec.workers,
        "response_cache": spec.response_cache,
        "writes_per_second": spec.writes_per_second,
        "label": spec.label,
        "query": spec.query,
        "verified": checked,
        "open_loop": opened,
        "saturation": saturated,
    }


def _machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (``/proc/stat``)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    busy = sum(values[:8]) - idle  # guest time is already in user
    return busy / os.sysconf("SC_CLK_TCK")


QUIET_CORES = 0.3
"""Below this much CPU used by everything else, the machine counts as quiet."""


def wait_for_quiet(max_wait: float) -> dict[str, float]:
    """Wait (up to ``max_wait`` s) until other processes leave the CPUs alone, so
    a test does not start in the middle of someone else's build or test run."""
    started = time.monotonic()
    while True:
        before = _machine_busy_seconds()
        time.sleep(1.0)
        busy = _machine_busy_seconds() - before
        waited = time.monotonic() - started
        if busy <= QUIET_CORES or waited >= max_wait:
            if busy > QUIET_CORES:
                print(f"   (machine still busy: {busy:.2f} cores in use by others)", flush=True)
            return {"busy_cores": round(busy, 2), "waited_seconds": round(waited, 1)}


class CpuMeter:
    """Where the machine's CPU went during a test: the server, the load generator,
    and everything else (other processes share this machine: they are noise)."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.started = time.monotonic()
        self.server = process_group_cpu_seconds(pgid)
        self.machine = _machine_busy_seconds()

    def read(self, *, client_seconds: float) -> dict[str, float]:
        wall = time.monotonic() - self.started
        server = process_group_cpu_seconds(self.pgid) - self.server
        machine = _machine_busy_seconds() - self.machine
        other = max(0.0, machine - server - client_seconds)
        return {
            "wall_seconds": round(wall, 2),
            "server_seconds": round(server, 2),
            "client_seconds": round(client_seconds, 2),
            "other_seconds": round(other, 2),
            "server_cores": round(server / wall, 2),
            "client_cores": round(client_seconds / wall, 2),
            "other_cores": round(other / wall, 2),
            "machine_cores_busy": round(machine / wall, 2),
        }


def _open_summary(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    return (
        f"open loop: {r['achieved_rps']}/s of {r['offered_rps']:g}/s, "
        f"p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, "
        f"errors {r['errors']}, generator lag p99 {r['generator_lag_ms']['p99']} ms; "
        f"cores busy: server {r['cpu']['server_cores']}, generator "
        f"{r['cpu']['client_cores']}, other processes {r['cpu']['other_cores']}"
    )


def _writer_summary(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    return (
        f"writer: {r['achieved_wps']}/s of {r['offered_wps']:g}/s, p50 {lat['p50']} ms, "
        f"p95 {lat['p95']} ms, errors {r['errors']}, conflicts retried {r['conflicts_retried']}"
    )


def _saturation_summary(r: dict[str, Any]) -> str:
    lat = r["latency_ms"]
    return (
        f"saturation: {r['rps']} req/s, p50 {lat['p50']} ms, p99 {lat['p99']} ms, "
        f"errors {r['errors']}, server {r['server_cpu_ms_per_request']} CPU-ms/req; "
        f"cores busy: server {r['cpu']['server_cores']}, wrk {r['cpu']['client_cores']}, "
        f"other processes {r['cpu']['other_cores']}"
    )


# --- report ---------------------------------------------------------------------------------


ROUTINGS_LIST_PACKAGES = (
    "strawberry-graphql", "starlette", "uvicorn", "uvloop", "httptools",
    "sqlalchemy", "aiosqlite", "httpx",
)  # fmt: skip


def machine(packages: Sequence[str] = ROUTINGS_LIST_PACKAGES) -> dict[str, Any]:
    """The machine and software a run was measured on (both benchmarks use it)."""
    cpu_model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    memory_gb: float | None = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for dist in packages:
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            versions[dist] = importlib.metadata.version(dist)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "packages": versions,
        "git": _git_state(),
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
    }


def _git_state() -> dict[str, Any]:
    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def print_table(runs: list[dict[str, Any]]) -> None:
    header = (
        f"{'server':<40} {'open-loop rps':>13} {'p50':>7} {'p95':>7} {'p99':>7} {'err':>4}"
        f" | {'sat. rps':>8} {'p50':>7} {'p99':>7} {'err':>4} {'CPU-ms/req':>10}"
        f" {'others':>6} | {'writes/s':>13} {'write p95':>9}"
    )
    print("\n" + header)
    print("-" * len(header))
    for run in runs:
        o, s = run["open_loop"], run["saturation"]
        ol, sl = o["latency_ms"], s["latency_ms"]
        writes = "-"
        write_p95 = "-"
        if "writer" in o:
            writes = f"{o['writer']['achieved_wps']} / {s['writer']['achieved_wps']}"
            write_p95 = f"{o['writer']['latency_ms']['p95']}"
        print(
            f"{run['label']:<40} {o['achieved_rps']:>13} {ol['p50']:>7} {ol['p95']:>7}"
            f" {ol['p99']:>7} {o['errors']:>4} | {s['rps']:>8} {sl['p50']:>7} {sl['p99']:>7}"
            f" {s['errors']:>4} {s['server_cpu_ms_per_request']:>10}"
            f" {max(o['cpu']['other_cores'], s['cpu']['other_cores']):>6}"
            f" | {writes:>13} {write_p95:>9}"
        )
    print(
        "(latencies in ms; open loop measured from the scheduled send time; CPU-ms/req is\n"
        " the server's CPU per request at saturation; 'others' is the most CPU, in cores,\n"
        " that other processes on the machine used during either test: noise; writes/s is\n"
        " the writer's achieved rate during the open loop / during saturation, write p95\n"
        " its latency during the open loop)"
    )


def verdicts(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    bare = {r["workers"]: r for r in runs if r["server"] == "bare"}
    for run in runs:
        if run["server"] != "mcms":
            continue
        o, s = run["open_loop"], run["saturation"]
        entry: dict[str, Any] = {
            "p95_ms": o["latency_ms"]["p95"],
            "p95_target_met": o["errors"] == 0 and o["latency_ms"]["p95"] <= TARGET_P95_MS,
            "saturation_rps": s["rps"],
            "saturation_target_met": s["errors"] == 0 and s["rps"] >= TARGET_SATURATION_RPS,
        }
        base = bare.get(run["workers"])
        if base is not None:
            entry["bare_rps_over_mcms_rps"] = round(
                base["saturation"]["rps"] / max(0.1, s["rps"]), 1
            )
            entry["mcms_cpu_ms_over_bare_cpu_ms"] = round(
                s["server_cpu_ms_per_request"]
                / max(1e-9, base["saturation"]["server_cpu_ms_per_request"]),
                1,
            )
            entry["mcms_open_p50_over_bare_open_p50"] = round(
                o["latency_ms"]["p50"] / max(1e-9, base["open_loop"]["latency_ms"]["p50"]), 1
            )
        if "writer" in o:
            entry["writes_per_second_achieved"] = [
                o["writer"]["achieved_wps"],
                s["writer"]["achieved_wps"],
            ]
            entry["write_p95_ms"] = o["writer"]["latency_ms"]["p95"]
        cache = run.get("response_cache")
        suffix = "" if cache is None else ("_cache_on" if cache else "_cache_off")
        if run.get("writes_per_second"):
            suffix += f"_{run['writes_per_second']:g}_writes_per_s"
        out[f"mcms_{run['workers']}_worker{suffix}"] = entry
    return out


def _without_nan(value: Any) -> Any:
    """NaN (a percentile of no answers) is not JSON; it becomes ``null``."""
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    return value


def _cache_settings(text: str) -> list[bool | None]:
    """``on,off`` → ``[True, False]``; settings MCMS does not have are dropped."""
    from mcms.settings import Settings

    if "graphql_response_cache" not in Settings.model_fields:
        return [None]
    wanted = [w.strip() for w in text.split(",") if w.strip()]
    return [None if w == "default" else w == "on" for w in wanted] or [None]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load benchmark of the routings list query.")
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--users", type=int, default=100, help="open-loop virtual users")
    parser.add_argument("--rate", type=float, default=1.0, help="requests/s per virtual user")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds measured per test")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up per test")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--items", type=int, default=20, help="items to seed (x3 rev x2 rout.)")
    parser.add_argument("--no-bare", action="store_true", help="skip the bare Strawberry runs")
    parser.add_argument("--only-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="5 s tests, 2 s warm-up")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--seed", type=int, default=1, help="random seed for the phases")
    parser.add_argument(
        "--cache",
        default="on,off",
        help="MCMS response cache settings to run (on,off); 'default' leaves it unset",
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=1.0,
        help="mixed read/write runs (cache on): the writer's updateRouting rate; 0 disables",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=60.0,
        help="seconds to wait for other processes to leave the CPUs before each test",
    )
    args = parser.parse_args(argv)

    workers = [int(w) for w in args.workers.split(",") if w.strip()]
    caches = _cache_settings(args.cache)
    options = Options(
        users=args.users,
        rate=args.rate,
        warmup=2.0 if args.quick else args.warmup,
        duration=5.0 if args.quick else args.duration,
        threads=args.threads,
        connections=args.connections,
        seed=args.seed,
        quiet_wait=args.quiet_wait,
    )
    shape = DataShape(items=args.items, revisions=3, routings_per_revision=2, steps=5)
    if shape.routings <= PAGE_SIZE:
        parser.error(f"seed more than {PAGE_SIZE} routings (--items ≥ 9)")
    wrk = ensure_wrk()
    started = datetime.now(UTC)
    info = machine()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
    info["wrk"] = (wrk_version.stdout or wrk_version.stderr).splitlines()[0:1]
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu_model']}), Python {info['python']}, "
        f"commit {info['git']['commit'][:10]}{' (dirty)' if info['git']['dirty'] else ''}"
    )

    work_dir = Path(tempfile.mkdtemp(prefix="mcms-bench-"))
    data_dir = work_dir / "data"
    data_dir.mkdir()
    try:
        t0 = time.perf_counter()
        seeded = asyncio.run(seed(data_dir, shape))
        print(
            f"Seeded {shape.routings} routings x {shape.steps} steps in {data_dir} "
            f"({time.perf_counter() - t0:.1f}s)"
        )
        specs: list[ServerSpec] = []
        for n in workers:
            if not args.only_bare:
                specs.extend(ServerSpec("mcms", n, ROUTINGS_QUERY, c) for c in caches)
                if args.writes_per_second > 0:
                    # Every write empties the cache; without it the server is already
                    # overloaded by the reads alone, so mixed runs are cache-on only.
                    specs.extend(
                        ServerSpec("mcms", n, ROUTINGS_QUERY, c, args.writes_per_second)
                        for c in caches
                        if c is not False
                    )
            if not args.no_bare:
                specs.append(ServerSpec("bare", n, HELLO_QUERY))
        context = multiprocessing.get_context("spawn")
        # Two processes: the open-loop generator and the writer.
        with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
            runs = [
                bench_server(spec, data_dir, work_dir, seeded, wrk, options, pool) for spec in specs
            ]
    finally:
        if args.keep:
            print(f"Kept {work_dir}")
        else:
            shutil.rmtree(work_dir, ignore_errors=True)

    print_table(runs)
    result = {
        "benchmark": "routings_list",
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "data": {
            "items": shape.items,
            "revisions_per_item": shape.revisions,
            "routings_per_revision": shape.routings_per_revision,
            "routings": shape.routings,
            "steps_per_routing": shape.steps,
            "engineer_tokens": len(seeded.engineer_tokens),
            "approver_tokens": len(seeded.approver_tokens),
        },
        "writes_per_second": args.writes_per_second,
        "options": options.__dict__,
        "targets": {
            "open_loop_p95_ms_max": TARGET_P95_MS,
            "saturation_rps_min": TARGET_SATURATION_RPS,
        },
        "runs": runs,
        "verdicts": verdicts(runs),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"routings_list-{stamp}.json"
    text = json.dumps(_without_nan(result), indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "routings_list-latest.json").write_text(text, encoding="utf-8")
    print(f"\nVerdicts: {json.dumps(_without_nan(result['verdicts']), indent=2)}")
    print(f"Results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

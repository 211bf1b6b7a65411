"""Benchmark of the add-in job queue (``make bench``; see docs/performance.md, "Add-in jobs").

Issue targets ("Speed"): 8 agents claiming and completing short jobs,
**≥ 200 claim→complete cycles/s** on SQLite and on PostgreSQL with **claim
p99 ≤ 50 ms**; and, with a long-polling agent, **approval → claim p95 ≤ 100 ms**.

For each backend (``--backends sqlite,postgresql``):

1. **Data.** A fresh database (SQLite: a file in a temporary data dir;
   PostgreSQL: a throwaway database ``mcms_bench_<hex>`` on the server of
   ``MCMS_TEST_POSTGRES_URL``, dropped afterwards), filled through the services:
   an ADMIN, an APPROVER, an ENGINEER and an AGENT user, one API token per
   agent, ``--approvals + 5`` routings the engineer submitted, left
   ``PENDING_APPROVAL`` for scenario 2, and one routing the approver approved
   (approval queues its job in the same transaction, as in production); then
   ``--warmup + --jobs + spare - 1`` copies of that approved routing and its
   queued job are bulk-inserted.
2. **Server.** ``python -m mcms serve`` as a subprocess on a free port
   (``MCMS_WORKERS=1`` or ``--workers``, ``MCMS_LOG_LEVEL=WARNING``, the background worker on as
   by default, ``MCMS_DATABASE_URL`` for PostgreSQL), ready at ``/readyz``.
3. **Throughput.** ``--agents`` agents, each an ``AgentClient`` of its own
   (a lean HTTP/1.1 client: one keep-alive connection, its own bearer token) in this process on
   uvloop, loop ``POST /api/addin/jobs/claim {agentId}`` → ``POST
   /api/addin/jobs/{jobId}/complete {resultStatus: "completed", message,
   leaseToken}`` as fast as the server answers (closed loop). The first
   ``--warmup`` cycles are not measured; then cycles/s over the next ``--jobs``
   completed cycles, claim latency p50/p95/p99 and complete latency p50/p99
   (client side, request sent → answer parsed). Every claim must be a job no
   one else got, every completion ``200 COMPLETED``; afterwards the admin's
   ``GET /api/metrics/dashboard`` must show no job RUNNING and as many
   COMPLETED as the agents completed. CPU: the server's process group, this
   process (the agents), the PostgreSQL cluster's processes, everything else.
4. **Approval → claim.** The leftover queued jobs are drained, then one agent
   long-polls ``POST /api/addin/jobs/claim?wait=30`` (and completes what it
   gets), while an approver approves a pending routing every ``--interval``
   seconds through GraphQL ``approveRouting`` (5 unmeasured, then
   ``--approvals``). Per approval: approval request sent → claim answer
   received (an upper bound: it includes the approval mutation), the job's
   ``createdAt`` (server clock, inside the approval's transaction) → claim
   received, and approval answer received → claim received (negative when
   the claim arrives first).
5. Optionally (``--profile S``) ``py-spy record`` of the server during S more
   seconds of the throughput loop (not measured), with the hot spots.

Prints a table and a verdict per target, and writes JSON to ``bench/results/``.

    .venv/bin/python bench/addin_jobs.py [--backends sqlite,postgresql] [--quick] [--profile 8]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import hot_spots, profile  # py-spy helpers of the sibling benchmark
from routings_list import (  # the sibling benchmark's helpers
    _machine_busy_seconds,
    _without_nan,
    free_port,
    launched,
    loop_factory,
    percentile,
    process_group_cpu_seconds,
    sqlite_url,
    wait_for_quiet,
)
from routings_list import (
    machine as shared_machine,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

TARGET_CYCLES_PER_SECOND = 200.0
TARGET_CLAIM_P99_MS = 50.0
TARGET_APPROVAL_TO_CLAIM_P95_MS = 100.0

POSTGRES_ADMIN_URL = os.environ.get(
    "MCMS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
APPROVAL_WARMUP = 5
"""Approvals before the measured ones in scenario 2 (connections, caches, the hub)."""
SPARE_JOBS_PER_AGENT = 4
"""Queued beyond warm-up + measured, so the queue never runs dry while measuring."""
PROFILE_JOBS_PER_SECOND = 400
"""Jobs seeded per second of ``--profile`` (more than the server completes)."""
LONG_POLL_SECONDS = 30

APPROVE = (
    "mutation Approve($id: ID!, $comment: String) "
    "{ approveRouting(id: $id, comment: $comment) { id status } }"
)
BENCH_PACKAGES = (
    "starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "aiosqlite", "asyncpg", "httpx",
)  # fmt: skip


# --- data -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    agent_tokens: list[str]
    approver_token: str
    admin_token: str
    engineer_token: str
    pending_routing_ids: list[int]
    queued_jobs: int
    seconds: float


async def seed(url: str, *, agents: int, queued: int, pending: int) -> Seeded:
    """Migrate a fresh database and fill it (see the docstring).

    The users, the pending routings and the first approved routing with its job
    go through the services. The other ``queued - 1`` approved routings and
    their jobs are copies of that routing's and that job's rows, bulk-inserted
    (about 13 ms a routing through the services, 2,000 would take half a
    minute); a claim and a completion touch only those two rows, and the
    history and events they write."""
    from sqlalchemy import Table, select
    from sqlalchemy.ext.asyncio import AsyncSession

    from mcms.addin_jobs.service import jobs_table
    from mcms.approvals import service as approvals
    from mcms.core.auth import Principal, Role
    from mcms.core.db import Database, utcnow
    from mcms.core.migrate import upgrade_to_head_async
    from mcms.items import service as items
    from mcms.routings import service as routings
    from mcms.routings.models import Routing
    from mcms.routings.service import StepData
    from mcms.users import service as users

    routings_table = cast(Table, Routing.__table__)
    step = StepData(
        name="Rough mill",
        work_center="MILL-5AX",
        machine="DMG Mori DMU 50",
        setup_minutes=45.0,
        cycle_minutes=18.0,
        tooling_notes="",
        parameters={},
    )

    async def submitted_routing(session: AsyncSession, number: int) -> int:
        routing_id = await routings.create_routing(
            session=session,
            actor=engineer,
            revision_id=revision.id,
            code=f"OP-{number:05d}",
            title=f"5-axis milling, variant {number}",
            steps=[step],
        )
        await approvals.submit_routing(session=session, actor=engineer, routing_id=routing_id)
        return routing_id

    started = time.monotonic()
    await upgrade_to_head_async(url)
    db = Database(url, pool_size=2)
    try:
        async with db.unit_of_work() as session:
            people: dict[Role, Principal] = {}
            tokens: dict[Role, str] = {}
            for role in (Role.ADMIN, Role.APPROVER, Role.ENGINEER, Role.AGENT):
                name = f"bench-{role.value.lower()}"
                user = await users.create_user(
                    session=session,
                    username=name,
                    role=role,
                    password=None if role is Role.AGENT else f"{name}-password",
                    display_name=f"Bench {role.value.title()}",
                )
                people[role] = users.principal_of(user)
                _, tokens[role] = await users.create_token(
                    session=session, user_id=user.id, name="bench"
                )
            agent_tokens = [tokens[Role.AGENT]]
            for n in range(2, agents + 1):
                _, token = await users.create_token(
                    session=session, user_id=people[Role.AGENT].user_id, name=f"bench-agent-{n}"
                )
                agent_tokens.append(token)
            engineer, approver = people[Role.ENGINEER], people[Role.APPROVER]
            item = await items.create_item(
                session=session, actor=engineer, item_code="BRK-1000", name="Bracket"
            )
            revision = await items.create_revision(
                session=session, actor=engineer, item_id=item.id, code="A"
            )
            # The template: approval queues its generation job, as in production.
            template_id = await submitted_routing(session, 1)
            await approvals.approve_routing(session=session, actor=approver, routing_id=template_id)
            pending_ids = [await submitted_routing(session, 2 + k) for k in range(pending)]
        async with db.unit_of_work() as session:
            routing_row = (
                await session.execute(
                    select(routings_table).where(routings_table.c.id == template_id)
                )
            ).one()
            job_row = (
                await session.execute(
                    select(jobs_table).where(jobs_table.c.routing_id == template_id)
                )
            ).one()
            batch = 500
            for first in range(2 + pending, 1 + pending + queued, batch):
                numbers = range(first, min(first + batch, 1 + pending + queued))
                now = utcnow()
                copies = [
                    {
                        **{k: v for k, v in routing_row._asdict().items() if k != "id"},
                        "code": f"OP-{n:05d}",
                        "title": f"5-axis milling, variant {n}",
                        "last_addin_job_id": None,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for n in numbers
                ]
                ids = (
                    await session.execute(
                        routings_table.insert().returning(routings_table.c.id), copies
                    )
                ).scalars()
                job = {k: v for k, v in job_row._asdict().items() if k != "id"}
                await session.execute(
                    jobs_table.insert(),
                    [{**job, "routing_id": i, "created_at": now, "queued_at": now} for i in ids],
                )
    finally:
        await db.dispose()
    return Seeded(
        agent_tokens=agent_tokens,
        approver_token=tokens[Role.APPROVER],
        admin_token=tokens[Role.ADMIN],
        engineer_token=tokens[Role.ENGINEER],
        pending_routing_ids=pending_ids,
        queued_jobs=queued,
        seconds=round(time.monotonic() - started, 1),
    )


# --- PostgreSQL -----------------------------------------------------------------------------


def _asyncpg_dsn(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_admin(statement: str) -> str:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL), timeout=5)
    try:
        return str(await connection.execute(statement))
    finally:
        await connection.close()


async def _postgres_version() -> str:
    import asyncpg

    connection = await asyncpg.connect(_asyncpg_dsn(POSTGRES_ADMIN_URL), timeout=5)
    try:
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    """A throwaway database on the PostgreSQL server; yields its SQLAlchemy URL."""
    from sqlalchemy import make_url

    name = f"mcms_bench_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def postgres_cpu_seconds() -> float:
    """User + system CPU of every live ``postgres`` process (the whole cluster)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.index("(") + 1 : stat.rindex(")")] != "postgres":
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])
    return total / ticks


# --- the server -------------------------------------------------------------------------------


@contextlib.contextmanager
def server(
    backend: str, database_url: str, data_dir: Path, work_dir: Path, workers: int = 1
) -> Iterator[tuple[int, int]]:
    """``python -m mcms serve`` on a free port; yields ``(port, pid)`` (the pid is
    also the process group: the server runs in a session of its own)."""
    port = free_port()
    command = [sys.executable, "-m", "mcms", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCMS_")}
    env.update(
        MCMS_DATA_DIR=str(data_dir),
        MCMS_CONFIG=str(data_dir / "no-such-mcms.toml"),
        MCMS_DATABASE_URL=database_url,
        MCMS_HOST="127.0.0.1",
        MCMS_PORT=str(port),
        MCMS_WORKERS=str(workers),
        MCMS_LOG_LEVEL="WARNING",
    )
    with launched(command, env, port, work_dir, work_dir / f"mcms-{backend}.log") as started:
        yield started


class Cpu:
    """Where the machine's CPU went during a phase."""

    def __init__(self, server_pgid: int) -> None:
        self.pgid = server_pgid
        self.started = time.monotonic()
        self.server = process_group_cpu_seconds(server_pgid)
        self.client = time.process_time()
        self.postgres = postgres_cpu_seconds()
        self.machine = _machine_busy_seconds()

    def read(self) -> dict[str, float]:
        wall = time.monotonic() - self.started
        server = process_group_cpu_seconds(self.pgid) - self.server
        client = time.process_time() - self.client
        postgres = max(0.0, postgres_cpu_seconds() - self.postgres)  # a backend may exit
        machine = _machine_busy_seconds() - self.machine
        other = max(0.0, machine - server - client - postgres)
        return {
            "wall_seconds": round(wall, 2),
            "server_cores": round(server / wall, 2),
            "agents_cores": round(client / wall, 2),
            "postgres_cores": round(postgres / wall, 2),
            "other_cores": round(other / wall, 2),
            "server_cpu_seconds": round(server, 2),
        }


# --- scenario 1: 8 agents, closed loop --------------------------------------------------------


class BenchError(Exception):
    """The server answered something a correct server would not."""


@dataclass
class Swarm:
    """Shared state of the agents of one throughput run."""

    warmup: int
    measured: int | None
    """Stop after ``warmup + measured`` cycles; ``None``: run until stopped or empty."""
    until: float | None = None
    """``time.monotonic()`` after which the agents stop (``None``: no time limit)."""
    server_pgid: int | None = None
    """Measure the server's CPU (and the others') over the measured cycles."""
    completed: int = 0
    started_at: float | None = None
    ended_at: float | None = None
    done: bool = False
    ran_dry: int = 0
    claims_ms: list[float] = field(default_factory=list)
    completes_ms: list[float] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    cpu_meter: Cpu | None = None
    cpu: dict[str, float] = field(default_factory=dict)

    def finished_cycle(self, claim_s: float, complete_s: float, now: float) -> None:
        self.completed += 1
        if self.completed <= self.warmup:
            if self.completed == self.warmup:
                self.started_at = now
                if self.server_pgid is not None:
                    self.cpu_meter = Cpu(self.server_pgid)
            return
        self.claims_ms.append(claim_s * 1000)
        self.completes_ms.append(complete_s * 1000)
        if self.measured is not None and self.completed >= self.warmup + self.measured:
            if self.ended_at is None:
                self.ended_at = now
                if self.cpu_meter is not None:
                    self.cpu = self.cpu_meter.read()
            self.done = True
        if self.until is not None and now >= self.until:
            self.done = True


async def agent(client: AgentClient, agent_id: str, swarm: Swarm) -> None:
    """Claim → complete until the swarm is done or the queue is empty."""
    claim_body = {"agentId": agent_id}
    while not swarm.done:
        t0 = time.perf_counter()
        response = await client.post("/api/addin/jobs/claim", json=claim_body)
        if response.status_code == 204:
            swarm.ran_dry += 1
            return
        if response.status_code != 200:
            raise BenchError(f"claim: {response.status_code} {response.text[:300]}")
        job = response.json()
        t1 = time.perf_counter()
        job_id = job["jobId"]
        if job_id in swarm.seen:
            raise BenchError(f"job {job_id} was handed out twice")
        swarm.seen.add(job_id)
        response = await client.post(
            f"/api/addin/jobs/{job_id}/complete",
            json={
                "resultStatus": "completed",
                "message": f"Generated by {agent_id}.",
                "leaseToken": job["leaseToken"],
            },
        )
        if response.status_code != 200 or response.json().get("status") != "COMPLETED":
            raise BenchError(f"complete {job_id}: {response.status_code} {response.text[:300]}")
        t2 = time.perf_counter()
        swarm.finished_cycle(t1 - t0, t2 - t1, t2)


@dataclass(frozen=True, slots=True)
class AgentResponse:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


class AgentClient:
    """What a real add-in does on the wire: one keep-alive HTTP/1.1 connection,
    a bearer token, small JSON requests, each answer read to its end.

    Not httpx: on this 2-core machine the agents run beside the server (in
    production they are other workstations), and 8 httpx clients took 0.5 to
    0.6 of a core, CPU the server then lacked. This client does only what the
    server's answers need (a status line, ``Content-Length`` bodies; the
    server never chunks these JSON answers) and refuses anything else."""

    def __init__(self, port: int, token: str, timeout: float) -> None:
        self._port = port
        self._head = (
            f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            "Content-Type: application/json\r\nAccept: application/json\r\n"
        ).encode()
        self._timeout = timeout
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def post(self, path: str, json: Any) -> AgentResponse:
        return await asyncio.wait_for(self._post(path, json), self._timeout)

    async def _post(self, path: str, payload: Any) -> AgentResponse:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection("127.0.0.1", self._port)
        assert self._reader is not None
        body = json.dumps(payload).encode()
        self._writer.write(
            b"POST " + path.encode() + b" HTTP/1.1\r\n" + self._head
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )  # fmt: skip
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise BenchError(f"unexpected Transfer-Encoding: {value.strip()}")
            elif name == "connection" and value.strip().lower() == "close":
                raise BenchError("the server closed the agent's keep-alive connection")
        content = await self._reader.readexactly(length) if length else b""
        return AgentResponse(status, content)

    async def aclose(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
            self._writer = None


def agent_clients(port: int, tokens: Sequence[str]) -> list[AgentClient]:
    return [AgentClient(port, token, timeout=LONG_POLL_SECONDS + 15.0) for token in tokens]


async def run_swarm(clients: Sequence[AgentClient], swarm: Swarm) -> None:
    tasks = [
        asyncio.create_task(agent(client, f"bench-agent-{n + 1}", swarm))
        for n, client in enumerate(clients)
    ]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()


def _stats(values: list[float], ps: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    out = {f"p{p:g}": round(percentile(ordered, p), 1) for p in ps}
    out["max"] = round(ordered[-1], 1) if ordered else float("nan")
    return out


async def throughput(
    port: int, pid: int, seeded: Seeded, agents: int, warmup: int, jobs: int
) -> dict[str, Any]:
    clients = agent_clients(port, seeded.agent_tokens[:agents])
    swarm = Swarm(warmup=warmup, measured=jobs, server_pgid=pid)
    try:
        await run_swarm(clients, swarm)
    finally:
        for client in clients:
            await client.aclose()
    if swarm.started_at is None or swarm.ended_at is None:
        raise BenchError(
            f"the queue ran dry after {swarm.completed} cycles "
            f"(seeded {seeded.queued_jobs}, wanted {warmup + jobs})"
        )
    seconds = swarm.ended_at - swarm.started_at
    return {
        "agents": agents,
        "warmup_cycles": warmup,
        "measured_cycles": jobs,
        "seconds": round(seconds, 2),
        "cycles_per_second": round(jobs / seconds, 1),
        "claim_ms": _stats(swarm.claims_ms, (50, 95, 99)),
        "complete_ms": _stats(swarm.completes_ms, (50, 95, 99)),
        "completed_total": swarm.completed,
        "server_cpu_ms_per_cycle": round(swarm.cpu.get("server_cpu_seconds", 0) * 1000 / jobs, 2),
        "cpu": swarm.cpu,
    }


async def profile_swarm(
    port: int, pid: int, seeded: Seeded, agents: int, seconds: float, out: Path
) -> dict[str, Any] | None:
    """The throughput loop for ``seconds`` under ``py-spy record`` (not measured)."""
    spy = profile(pid, seconds, out, gil_only=True)
    if spy is None:
        print("   (py-spy is not in .venv: `.venv/bin/pip install py-spy`)", flush=True)
        return None
    clients = agent_clients(port, seeded.agent_tokens[:agents])
    swarm = Swarm(warmup=0, measured=None, until=time.monotonic() + seconds)
    try:
        await run_swarm(clients, swarm)
    finally:
        for client in clients:
            await client.aclose()
    await asyncio.to_thread(spy.wait, 60)
    if not await asyncio.to_thread(out.exists):
        return None
    return {"cycles": swarm.completed, "seconds": seconds, **hot_spots(out, top=25)}


async def drain(port: int, seeded: Seeded, agents: int) -> int:
    """Claim and complete whatever is still queued; returns how many."""
    clients = agent_clients(port, seeded.agent_tokens[:agents])
    swarm = Swarm(warmup=0, measured=None)
    try:
        await run_swarm(clients, swarm)
    finally:
        for client in clients:
            await client.aclose()
    return swarm.completed


async def check_dashboard(port: int, token: str, completed: int) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        response = await client.get("/api/metrics/dashboard")
    response.raise_for_status()
    board: dict[str, Any] = response.json()
    by_status = board["jobsByStatus"]
    if by_status.get("RUNNING", 0) or by_status.get("COMPLETED", 0) != completed:
        raise BenchError(f"dashboard: {by_status}, but the agents completed {completed} jobs")
    return {"jobsByStatus": by_status, "queueDepth": board["queueDepth"]}


# --- scenario 2: approval → long-polling claim ---------------------------------------------------


@dataclass
class Claimed:
    received: float
    """``time.perf_counter()`` when the claim's answer was parsed."""
    received_wall: float
    created_at: float
    """The job's ``createdAt`` (server clock, inside the approval's transaction)."""


async def long_poller(
    client: AgentClient,
    claimed: dict[str, Claimed],
    expected: int,
    all_claimed: asyncio.Event,
    stopping: asyncio.Event,
) -> int:
    """One agent: ``claim?wait=30`` in a loop, completing what it gets (sets
    ``all_claimed`` at ``expected`` jobs). Returns the number of empty (204) answers."""
    empty = 0
    while not stopping.is_set():
        response = await client.post(
            f"/api/addin/jobs/claim?wait={LONG_POLL_SECONDS}", json={"agentId": "bench-longpoll"}
        )
        received, received_wall = time.perf_counter(), time.time()
        if response.status_code == 204:
            empty += 1
            continue
        if response.status_code != 200:
            raise BenchError(f"long-poll claim: {response.status_code} {response.text[:300]}")
        job = response.json()
        created = datetime.fromisoformat(job["createdAt"].replace("Z", "+00:00")).timestamp()
        claimed[job["routingId"]] = Claimed(received, received_wall, created)
        if len(claimed) >= expected:
            all_claimed.set()
        response = await client.post(
            f"/api/addin/jobs/{job['jobId']}/complete",
            json={"resultStatus": "completed", "message": "ok", "leaseToken": job["leaseToken"]},
        )
        if response.status_code != 200:
            raise BenchError(f"complete: {response.status_code} {response.text[:300]}")
    return empty


async def approval_to_claim(
    port: int, seeded: Seeded, approvals: int, interval: float
) -> dict[str, Any]:
    routing_ids = seeded.pending_routing_ids[: APPROVAL_WARMUP + approvals]
    if len(routing_ids) < APPROVAL_WARMUP + approvals:
        raise BenchError("not enough pending routings seeded")
    poller = agent_clients(port, seeded.agent_tokens[:1])[0]
    approver = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        headers={"Authorization": f"Bearer {seeded.approver_token}"},
        timeout=15.0,
    )
    claimed: dict[str, Claimed] = {}
    sent: dict[str, tuple[float, float]] = {}
    approve_ms: list[float] = []
    stopping, all_claimed = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(
        long_poller(poller, claimed, len(routing_ids), all_claimed, stopping)
    )
    try:
        await asyncio.sleep(0.5)  # the agent is waiting when the first approval comes
        start = time.perf_counter()
        for n, routing_id in enumerate(routing_ids):
            key = str(routing_id)
            delay = start + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            t0 = time.perf_counter()
            response = await approver.post(
                "/graphql", json={"query": APPROVE, "variables": {"id": key}}
            )
            t1 = time.perf_counter()
            body = response.json()
            if response.status_code != 200 or body.get("errors"):
                raise BenchError(f"approveRouting {key}: {response.status_code} {body}")
            sent[key] = (t0, t1)
            if n >= APPROVAL_WARMUP:
                approve_ms.append((t1 - t0) * 1000)
            if task.done():
                await task  # raises what went wrong
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_claimed.wait(), 5.0)
    finally:
        stopping.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await poller.aclose()
        await approver.aclose()
    from_sent, from_created, from_answer = [], [], []
    for key in map(str, routing_ids[APPROVAL_WARMUP:]):
        got = claimed.get(key)
        if got is None:
            continue
        t0, t1 = sent[key]
        from_sent.append((got.received - t0) * 1000)
        from_created.append((got.received_wall - got.created_at) * 1000)
        from_answer.append((got.received - t1) * 1000)
    return {
        "approvals": approvals,
        "interval_seconds": interval,
        "claimed": len(from_sent),
        "missing": approvals - len(from_sent),
        "approval_sent_to_claim_ms": _stats(from_sent, (50, 95, 99)),
        "job_created_to_claim_ms": _stats(from_created, (50, 95, 99)),
        "approval_answered_to_claim_ms": _stats(from_answer, (50, 95, 99)),
        "approve_mutation_ms": _stats(approve_ms, (50, 95, 99)),
    }


# --- one backend ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    agents: int
    warmup: int
    jobs: int
    approvals: int
    interval: float
    workers: int
    profile_seconds: float
    quiet_wait: float


async def bench_backend(
    backend: str, port: int, pid: int, seeded: Seeded, o: Options, work_dir: Path
) -> dict[str, Any]:
    out: dict[str, Any] = {"backend": backend, "seed_seconds": seeded.seconds}
    print(f"== {backend}: {o.agents} agents, claim → complete", flush=True)
    out["quiet_before_throughput"] = await asyncio.to_thread(wait_for_quiet, o.quiet_wait)
    out["throughput"] = r = await throughput(port, pid, seeded, o.agents, o.warmup, o.jobs)
    print(f"   {_throughput_line(r)}", flush=True)
    if o.profile_seconds > 0:
        print(f"== {backend}: the same under py-spy for {o.profile_seconds:g} s", flush=True)
        raw = work_dir / f"addin_jobs-{backend}.pyspy.txt"
        out["profile"] = await profile_swarm(port, pid, seeded, o.agents, o.profile_seconds, raw)
        if raw.exists():
            shutil.copy(raw, RESULTS_DIR / f"addin_jobs-{backend}-profile-latest.txt")
    drained = await drain(port, seeded, o.agents)
    out["dashboard"] = await check_dashboard(
        port, seeded.admin_token, out["throughput"]["completed_total"] + drained + _profiled(out)
    )
    print(f"== {backend}: approval → long-polling claim, {o.approvals} approvals", flush=True)
    out["quiet_before_approvals"] = await asyncio.to_thread(wait_for_quiet, o.quiet_wait)
    out["approval"] = a = await approval_to_claim(port, seeded, o.approvals, o.interval)
    print(f"   {_approval_line(a)}", flush=True)
    return out


def _profiled(out: dict[str, Any]) -> int:
    prof = out.get("profile")
    return int(prof["cycles"]) if prof else 0


def _throughput_line(r: dict[str, Any]) -> str:
    c, cl, co = r["cpu"], r["claim_ms"], r["complete_ms"]
    return (
        f"{r['cycles_per_second']} cycles/s over {r['measured_cycles']} cycles; claim p50 "
        f"{cl['p50']} / p95 {cl['p95']} / p99 {cl['p99']} ms; complete p50 {co['p50']} / "
        f"p99 {co['p99']} ms; server {r['server_cpu_ms_per_cycle']} CPU-ms/cycle; "
        f"cores: server {c.get('server_cores')}, agents "
        f"{c.get('agents_cores')}, postgres {c.get('postgres_cores')}, others "
        f"{c.get('other_cores')}"
    )


def _approval_line(a: dict[str, Any]) -> str:
    s, c, m = a["approval_sent_to_claim_ms"], a["job_created_to_claim_ms"], a["approve_mutation_ms"]
    return (
        f"approval sent → claim p50 {s['p50']} / p95 {s['p95']} / max {s['max']} ms; job "
        f"created → claim p50 {c['p50']} / p95 {c['p95']} ms; approveRouting p50 {m['p50']} ms; "
        f"claimed {a['claimed']} of {a['approvals']}"
    )


def run_backend(backend: str, o: Options, runner: asyncio.Runner, root: Path) -> dict[str, Any]:
    work_dir = root / backend
    data_dir = work_dir / "data"
    data_dir.mkdir(parents=True)
    queued = o.warmup + o.jobs + SPARE_JOBS_PER_AGENT * o.agents
    queued += int(o.profile_seconds * PROFILE_JOBS_PER_SECOND)
    pending = APPROVAL_WARMUP + o.approvals

    def go(url: str) -> dict[str, Any]:
        print(f"== {backend}: seeding {queued} queued jobs, {pending} pending routings", flush=True)
        seeded = runner.run(seed(url, agents=o.agents, queued=queued, pending=pending))
        print(f"   seeded in {seeded.seconds} s", flush=True)
        with server(backend, url, data_dir, work_dir, o.workers) as (port, pid):
            return runner.run(bench_backend(backend, port, pid, seeded, o, work_dir))

    if backend == "sqlite":
        return go(sqlite_url(data_dir))
    with postgres_database() as url:
        result = go(url)
    result["postgres_version"] = asyncio.run(_postgres_version())
    return result


# --- report -------------------------------------------------------------------------------------


def verdicts(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for run in runs:
        t, a = run["throughput"], run["approval"]
        out[run["backend"]] = {
            "cycles_per_second": {
                "value": t["cycles_per_second"],
                "target": f">= {TARGET_CYCLES_PER_SECOND:g}",
                "met": t["cycles_per_second"] >= TARGET_CYCLES_PER_SECOND,
            },
            "claim_p99_ms": {
                "value": t["claim_ms"]["p99"],
                "target": f"<= {TARGET_CLAIM_P99_MS:g}",
                "met": t["claim_ms"]["p99"] <= TARGET_CLAIM_P99_MS,
            },
            "approval_to_claim_p95_ms": {
                "value": a["approval_sent_to_claim_ms"]["p95"],
                "target": f"<= {TARGET_APPROVAL_TO_CLAIM_P95_MS:g} (from approval request sent)",
                "met": a["approval_sent_to_claim_ms"]["p95"] <= TARGET_APPROVAL_TO_CLAIM_P95_MS
                and a["missing"] == 0,
            },
        }
    return out


def print_table(runs: list[dict[str, Any]], verdict: dict[str, Any]) -> None:
    print()
    print(
        "| backend | cycles/s | claim p50 | p95 | p99 | complete p50 | p99 | "
        "server CPU-ms/cycle | approval→claim p50 | p95 | max | job created→claim p95 | "
        "approveRouting p50 | cores: server / agents / postgres / others |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for run in runs:
        t, a = run["throughput"], run["approval"]
        cl, co, s = t["claim_ms"], t["complete_ms"], a["approval_sent_to_claim_ms"]
        c = t["cpu"]
        print(
            f"| {run['backend']} | {t['cycles_per_second']} | {cl['p50']} | {cl['p95']} | "
            f"{cl['p99']} | {co['p50']} | {co['p99']} | {t['server_cpu_ms_per_cycle']} | "
            f"{s['p50']} | {s['p95']} | {s['max']} | "
            f"{a['job_created_to_claim_ms']['p95']} | {a['approve_mutation_ms']['p50']} | "
            f"{c.get('server_cores')} / {c.get('agents_cores')} / {c.get('postgres_cores')} / "
            f"{c.get('other_cores')} |"
        )
    print("(latencies in ms)\n")
    for backend, checks in verdict.items():
        for name, check in checks.items():
            mark = "MET" if check["met"] else "NOT MET"
            value, target = check["value"], check["target"]
            print(f"{backend:>10}  {name:<26} {value:>8}  target {target}: {mark}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of the add-in job queue.")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--agents", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=200, help="unmeasured cycles first")
    parser.add_argument("--jobs", type=int, default=2000, help="measured cycles")
    parser.add_argument("--approvals", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between approvals")
    parser.add_argument("--workers", type=int, default=1, help="MCMS_WORKERS of the server")
    parser.add_argument("--profile", type=float, default=0.0, help="py-spy seconds (0: none)")
    parser.add_argument("--quick", action="store_true", help="500 jobs, 30 approvals")
    parser.add_argument("--quiet-wait", type=float, default=30.0)
    parser.add_argument("--keep", action="store_true", help="keep the temporary data dirs")
    args = parser.parse_args(argv)

    options = Options(
        agents=args.agents,
        warmup=min(args.warmup, 100) if args.quick else args.warmup,
        jobs=500 if args.quick else args.jobs,
        approvals=30 if args.quick else args.approvals,
        interval=args.interval,
        workers=args.workers,
        profile_seconds=args.profile,
        quiet_wait=args.quiet_wait,
    )
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = set(backends) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown backends: {', '.join(sorted(unknown))}")
    started = datetime.now(UTC)
    info = shared_machine(BENCH_PACKAGES)
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu_model']}), Python {info['python']}, "
        f"commit {info['git']['commit'][:10]}{' (dirty)' if info['git']['dirty'] else ''}, "
        f"load {' '.join(info['loadavg_at_start'])}",
        flush=True,
    )
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="mcms-addin-jobs-"))
    runner = asyncio.Runner(loop_factory=loop_factory())
    runs: list[dict[str, Any]] = []
    try:
        for backend in backends:
            runs.append(run_backend(backend, options, runner, root))
    finally:
        runner.close()
        if args.keep:
            print(f"Kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)

    verdict = verdicts(runs)
    print_table(runs, verdict)
    result = {
        "benchmark": "addin_jobs",
        "started_at": started.isoformat(timespec="seconds"),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "options": options.__dict__,
        "targets": {
            "cycles_per_second_min": TARGET_CYCLES_PER_SECOND,
            "claim_p99_ms_max": TARGET_CLAIM_P99_MS,
            "approval_to_claim_p95_ms_max": TARGET_APPROVAL_TO_CLAIM_P95_MS,
        },
        "runs": runs,
        "verdicts": verdict,
    }
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"addin_jobs-{stamp}.json"
    text = json.dumps(_without_nan(result), indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "addin_jobs-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

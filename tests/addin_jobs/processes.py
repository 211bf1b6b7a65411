"""Real processes for the add-in tests: ``mcms serve``, ``mcms addin-agent``, and a
small Python script standing in for ESPRIT (the generator), plus the people and
reads the tests need. Everything a test starts is killed when it ends."""

from __future__ import annotations

import asyncio
import hashlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from mcms.core.auth import Role
from mcms.core.db import Database
from tests.factories import APPROVE_ROUTING, Factory, TestUser

T = TypeVar("T")

LEASE_SECONDS = 5  # the shortest the settings allow
WAIT = 30.0
"""The deadline of an ordinary wait: generous, since other suites may share the machine."""
POLL = 0.05
NC_PROGRAM = b"%\nO1234 (END TO END)\nG0 X0 Y0 Z50.\nM30\n%\n"
NC_OUTPUT = {
    "name": "O1234.nc",
    "size": len(NC_PROGRAM),
    "sha256": hashlib.sha256(NC_PROGRAM).hexdigest(),
}

GENERATOR = f'''
"""Stands in for ESPRIT: MODE [SECONDS] JOB_FILE OUTPUT_DIR.

ok: report progress, sleep, write O1234.nc; hang: sleep; fail: complain, exit 3;
look: write down what it was given (seen-<job>.json), then as ok.
Leaves started-<job>-<attempt> (holding its pid) and finished-<job>-<attempt>
in $E2E_MARKERS so the test can tell where it is.
"""
import json, os, sys, time
from pathlib import Path

*options, job_file, outputs = sys.argv[1:]
mode, seconds = options[0], float(options[1]) if len(options) > 1 else 0.0
job = json.loads(Path(job_file).read_text())
name = f"{{job['jobId']}}-{{job['attempt']}}"
markers = Path(os.environ["E2E_MARKERS"])
(markers / f"started-{{name}}").write_text(str(os.getpid()))
if mode == "fail":
    print("Loading part.esp", flush=True)
    print("post-processor: tool T12 is not in the library", file=sys.stderr, flush=True)
    sys.exit(3)
print("PROGRESS 50 half", flush=True)
time.sleep(seconds)
if mode == "look":
    seen = {{
        "argv": sys.argv[-2:],
        "cwd": os.getcwd(),
        "job": job,
        "env": {{k: v for k, v in os.environ.items() if k.startswith("MCMS_")}},
    }}
    (markers / f"seen-{{job['jobId']}}.json").write_text(json.dumps(seen))
    Path(outputs, "sub").mkdir()
    Path(outputs, "sub", "setup.txt").write_text("fixture 3")
    os.symlink(os.path.join(outputs, "O1234.nc"), os.path.join(outputs, "link.nc"))
if mode in ("ok", "look"):
    Path(outputs, "O1234.nc").write_bytes({NC_PROGRAM!r})
    print("Generated O1234.nc", flush=True)
(markers / f"finished-{{name}}").write_text("done")
'''

ROUTING_STATE = """
query Routing($id: ID!) {
  routing(id: $id) {
    status generationStatus camRevision lastGeneratedAt
    history(first: 100) { edges { node { type actor message data } } }
    addinJobs(first: 10) {
      edges {
        node {
          id status attempt agentId progress message failureReason
          outputs { name size sha256 }
          claimedAt finishedAt
        }
      }
    }
  }
}
"""


# -- polling ---------------------------------------------------------------------------


async def eventually(probe: Callable[[], Awaitable[T | None]], what: str, within: float) -> T:
    """The first non-None value of ``probe``, polled until ``within`` seconds pass."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"gave up after {within} s waiting for {what}")
        await asyncio.sleep(POLL)


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None


async def marker(path: Path, within: float = WAIT) -> str:
    async def probe() -> str | None:
        return await asyncio.to_thread(read_text, path) or None  # empty: still being written

    return await eventually(probe, f"the generator to leave {path.name}", within)


# -- processes -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "MCMS_CONFIG": "/nonexistent/mcms.toml", **extra}


@dataclass
class Server:
    """``mcms serve`` on a port of its own; ``kill`` and ``start`` again keep the
    port, the data directory and the database."""

    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return (read_text(self.log) or "")[-4000:]

    async def start(self) -> None:
        self._spawn()
        await self._healthy()

    def _spawn(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [sys.executable, "-m", "mcms", "serve", "--port", str(self.port)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    async def _healthy(self) -> None:
        deadline = time.monotonic() + WAIT
        async with httpx.AsyncClient(timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process is None or self.process.poll() is not None:
                    pytest.fail(f"mcms serve exited:\n{self.log_text()}")
                with suppress(httpx.TransportError):
                    if (await client.get(f"{self.url}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        pytest.fail(f"mcms serve did not come up:\n{self.log_text()}")

    async def kill(self) -> None:
        """A crash: SIGKILL, no shutdown of any kind."""
        assert self.process is not None
        self.process.kill()
        await asyncio.to_thread(self.process.wait)

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        await asyncio.to_thread(self.process.wait)


@dataclass
class AgentProcess:
    name: str
    process: subprocess.Popen[bytes]
    log: Path
    work_dir: Path

    def log_text(self) -> str:
        return read_text(self.log) or ""

    async def exit_code(self, within: float = WAIT) -> int:
        try:
            return await asyncio.to_thread(self.process.wait, within)
        except subprocess.TimeoutExpired:
            pytest.fail(f"agent {self.name} still running after {within} s:\n{self.log_text()}")

    async def logged(self, line: str, within: float = WAIT) -> None:
        """Until the agent's log contains ``line``; fails at once if the agent exits."""

        async def probe() -> bool | None:
            if line in await asyncio.to_thread(self.log_text):
                return True
            if self.process.poll() is not None:
                pytest.fail(f"agent {self.name} exited:\n{self.log_text()}")
            return None

        await eventually(probe, f"{line!r} in the log of agent {self.name}", within)

    def signal(self, signum: signal.Signals) -> None:
        self.process.send_signal(signum)

    def job_dirs(self) -> list[str]:
        return sorted(p.name for p in self.work_dir.glob("job-*"))


@dataclass
class Lab:
    """One test's processes: a server, agents, and the generator they run. Whatever
    is still alive when the test ends is killed, generators orphaned by a killed
    agent included."""

    tmp: Path
    database_url: str
    db: Database
    markers: Path
    generator: Path
    agents: list[AgentProcess] = field(default_factory=list)
    servers: list[Server] = field(default_factory=list)

    @asynccontextmanager
    async def server(self, lease_seconds: int = LEASE_SECONDS) -> AsyncIterator[Server]:
        """A running server, stopped (gracefully) at the end of the block."""
        server = self.server_not_started(lease_seconds)
        try:
            await server.start()
            yield server
        finally:
            await server.stop()

    def server_not_started(self, lease_seconds: int = LEASE_SECONDS) -> Server:
        """A server with its port, data directory and settings, not running yet."""
        port = free_port()
        env = environment(
            MCMS_DATABASE_URL=self.database_url,
            MCMS_DATA_DIR=str(self.tmp / "data"),
            MCMS_PORT=str(port),
            MCMS_LOG_JSON="false",
            MCMS_ADDIN_LEASE_SECONDS=str(lease_seconds),
            MCMS_ADDIN_SWEEP_SECONDS="0.2",
            MCMS_WORKER_POLL_SECONDS="0.2",
        )
        server = Server(port=port, env=env, log=self.tmp / "server.log")
        self.servers.append(server)
        return server

    def agent(
        self, server: Server, token: str, name: str, generate: str, *options: str
    ) -> AgentProcess:
        """``python -m mcms addin-agent`` with ``options``, running the generator with
        the arguments ``generate`` (e.g. ``"ok 3"``)."""
        command = shlex.join([sys.executable, str(self.generator), *generate.split()])
        work_dir = self.tmp / f"work-{name}"
        log = self.tmp / f"agent-{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                [
                    *(sys.executable, "-m", "mcms", "addin-agent", "--server", server.url),
                    *("--command", command, "--agent-id", name, "--work-dir", str(work_dir)),
                    *options,
                ],
                env=environment(MCMS_AGENT_TOKEN=token, E2E_MARKERS=str(self.markers)),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        agent = AgentProcess(name=name, process=process, log=log, work_dir=work_dir)
        self.agents.append(agent)
        return agent

    def running_generators(self) -> list[int]:
        """Pids of this test's generators still running (checked by command line, so
        that a pid reused by another process is never touched)."""
        pids = []
        for marker in self.markers.glob("started-*"):
            pid = marker.read_text().strip()
            cmdline = read_text(Path(f"/proc/{pid}/cmdline")) if pid.isdigit() else None
            if cmdline is not None and str(self.generator) in cmdline:
                pids.append(int(pid))
        return pids

    def kill_everything(self) -> None:
        for agent in self.agents:
            if agent.process.poll() is None:
                agent.process.kill()
            agent.process.wait()
        for pid in self.running_generators():
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for server in self.servers:
            if server.process is not None and server.process.poll() is None:
                server.process.kill()
                server.process.wait()


@contextmanager
def open_lab(tmp_path: Path, database_url: str, db: Database) -> Iterator[Lab]:
    """A lab in ``tmp_path`` whose server will use ``database_url``."""
    markers = tmp_path / "markers"
    markers.mkdir()
    generator = tmp_path / "generator.py"
    generator.write_text(GENERATOR, encoding="utf-8")
    lab = Lab(tmp=tmp_path, database_url=database_url, db=db, markers=markers, generator=generator)
    try:
        yield lab
    finally:
        lab.kill_everything()


# -- the people and the routing --------------------------------------------------------


JOB_OUTPUT_FILE = """
query JobOutputFile($id: ID!) {
  addinJob(id: $id) { outputs { file { logicalName addinJobId sha256 downloadUrl } } }
}
"""


@dataclass
class Shop:
    """An engineer, an approver and an add-in account, talking to ``server``."""

    api: Factory
    engineer: TestUser
    approver: TestUser
    agent: TestUser

    async def approved_routing(self) -> str:
        """An engineer's routing, approved (which queues its generation job)."""
        routing = await self.api.pending_routing(self.engineer)
        await self.api.ok(APPROVE_ROUTING, {"id": routing["id"]}, as_=self.approver)
        return str(routing["id"])

    async def pending_routing(self) -> str:
        return str((await self.api.pending_routing(self.engineer))["id"])

    async def approve(self, routing_id: str) -> None:
        await self.api.ok(APPROVE_ROUTING, {"id": routing_id}, as_=self.approver)

    async def routing(self, routing_id: str) -> dict[str, Any]:
        data = await self.api.ok(ROUTING_STATE, {"id": routing_id}, as_=self.engineer)
        routing: dict[str, Any] = data["routing"]
        return routing

    async def job(self, routing_id: str) -> dict[str, Any]:
        """The routing's one and only job: more than one would be a duplicate."""
        edges = (await self.routing(routing_id))["addinJobs"]["edges"]
        assert len(edges) == 1, edges
        job: dict[str, Any] = edges[0]["node"]
        return job

    async def output_file(self, job_id: str, within: float = WAIT) -> dict[str, Any]:
        """The file the job's one output became, once the server has committed it."""

        async def probe() -> dict[str, Any] | None:
            data = await self.api.ok(JOB_OUTPUT_FILE, {"id": job_id}, as_=self.engineer)
            [output] = data["addinJob"]["outputs"]
            stored: dict[str, Any] | None = output["file"]
            return stored

        return await eventually(probe, "the output's file", within)

    async def download(self, url: str) -> bytes:
        response = await self.api.client.get(url, headers=self.engineer.headers)
        assert response.status_code == 200, response.text
        return response.content

    async def job_when(
        self, routing_id: str, what: str, within: float = WAIT, **expected: Any
    ) -> dict[str, Any]:
        async def probe() -> dict[str, Any] | None:
            job = await self.job(routing_id)
            return job if all(job[key] == value for key, value in expected.items()) else None

        return await eventually(probe, what, within)


@asynccontextmanager
async def open_shop(lab: Lab, server: Server) -> AsyncIterator[Shop]:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        api = Factory(db=lab.db, client=client)
        yield Shop(
            api=api,
            engineer=await api.user(Role.ENGINEER),
            approver=await api.user(Role.APPROVER),
            agent=await api.user(Role.AGENT),
        )


def history(routing: dict[str, Any]) -> list[dict[str, Any]]:
    return [edge["node"] for edge in routing["history"]["edges"]]


def history_types(routing: dict[str, Any]) -> list[str]:
    return [entry["type"] for entry in history(routing)]


def job_types(routing: dict[str, Any]) -> list[str]:
    """The history from the approval on: what the job did. The outputs' own
    FILE_UPLOADED entries are left out: they land when the server has committed
    each upload, before or after the completion."""
    types = history_types(routing)
    return [kind for kind in types[types.index("APPROVED") + 1 :] if kind != "FILE_UPLOADED"]


def started(lab: Lab, job: dict[str, Any], attempt: int = 1) -> Path:
    return lab.markers / f"started-{job_number(job)}-{attempt}"


def finished(lab: Lab, job: dict[str, Any], attempt: int = 1) -> Path:
    return lab.markers / f"finished-{job_number(job)}-{attempt}"


def job_number(job: dict[str, Any]) -> str:
    """The ``jobId`` the generator sees (GraphQL and REST ids are the same number)."""
    return str(job["id"])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; its state in /proc tells.
    stat = read_text(Path(f"/proc/{pid}/stat")) or ""
    return ") Z " not in stat

"""The generator command: how it is started, what it says, what it leaves."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcms.addin_agent._config import FAILURE_TAIL_CHARS, MESSAGE_CHARS, TOKEN_ENV
from mcms.addin_agent._http import ClaimedJob, OutputFile

KILL_AFTER_S = 5.0
"""A terminated generator that is still alive after this is killed."""
DRAIN_S = 2.0
"""After the generator exits, a grandchild may still hold its pipes open."""
TAIL_BYTES = 4096
LINE_BYTES = 4096
HASH_BLOCK = 1024 * 1024

_PROGRESS_LINE = re.compile(r"^PROGRESS\s+(\d+(?:\.\d+)?)(?:\s+(.*))?$")
_UNSAFE_PATH_CHARS = re.compile(r"[^A-Za-z0-9_.-]")


class Progress:
    """What the generator said on stdout: its latest ``PROGRESS n message`` line
    (for heartbeats) and its last other line (the success message)."""

    def __init__(self) -> None:
        self.percent: float | None = None
        self.message: str | None = None
        self.last_line = ""
        self.changed = asyncio.Event()

    def on_line(self, line: str) -> None:
        text = line.strip()
        match = _PROGRESS_LINE.match(text)
        if match:
            value = min(100.0, float(match.group(1)))
            self.percent = int(value) if value.is_integer() else value
            self.message = (match.group(2) or "").strip()[:MESSAGE_CHARS] or None
            self.changed.set()
        elif text:
            self.last_line = text[:MESSAGE_CHARS]


class _Tail:
    """The last ``TAIL_BYTES`` of a stream, so a chatty generator costs no memory."""

    def __init__(self) -> None:
        self._data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self._data += chunk
        del self._data[:-TAIL_BYTES]

    def text(self) -> str:
        return self._data.decode("utf-8", "replace")


class _Lines:
    """Splits a byte stream into lines; an endless line is cut at ``LINE_BYTES``."""

    def __init__(self, on_line: Callable[[str], None]) -> None:
        self._on_line = on_line
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
        *complete, rest = (self._partial + chunk).split(b"\n")
        for line in complete:
            self._on_line(line[:LINE_BYTES].decode("utf-8", "replace"))
        self._partial = rest[:LINE_BYTES]

    def close(self) -> None:
        if self._partial:
            self._on_line(self._partial.decode("utf-8", "replace"))
        self._partial = b""


@dataclass(frozen=True)
class JobPaths:
    directory: Path
    job_file: Path
    outputs: Path


def prepare_job_dir(work_dir: Path, job: ClaimedJob) -> JobPaths:
    """A directory per claim (job id and lease token), so a retried attempt never
    sees the files of an earlier one."""
    name = f"job-{job.job_id}-{job.lease_token}"
    directory = work_dir / _UNSAFE_PATH_CHARS.sub("_", name)
    paths = JobPaths(directory, directory / "job.json", directory / "outputs")
    paths.outputs.mkdir(parents=True, exist_ok=True)
    paths.job_file.write_text(json.dumps(job.document, indent=2), encoding="utf-8")
    return paths


class Generator:
    """One run of the generator command, in its own process group so that Ctrl+C
    on the agent's terminal does not kill it before the grace period, and so
    that stopping it also stops whatever it started."""

    def __init__(self, process: asyncio.subprocess.Process, progress: Progress) -> None:
        self._process = process
        self.stderr = _Tail()
        stdout_lines = _Lines(progress.on_line)
        if process.stdout is None or process.stderr is None:
            raise RuntimeError("the generator was started without pipes")
        self._readers = [
            asyncio.create_task(_pump(process.stdout, stdout_lines.feed, stdout_lines.close)),
            asyncio.create_task(_pump(process.stderr, self.stderr.feed, lambda: None)),
        ]

    @classmethod
    async def start(
        cls, argv: list[str], paths: JobPaths, job: ClaimedJob, progress: Progress
    ) -> Generator:
        env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}  # it needs no token
        env |= {
            "MCMS_JOB_FILE": str(paths.job_file),
            "MCMS_OUTPUT_DIR": str(paths.outputs),
            "MCMS_JOB_ID": job.job_id,
            "MCMS_ROUTING_ID": job.routing_id,
        }
        isolation: dict[str, Any] = {"start_new_session": True}
        if sys.platform == "win32":
            isolation = {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        process = await asyncio.create_subprocess_exec(
            *argv,
            str(paths.job_file),
            str(paths.outputs),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=paths.directory,
            env=env,
            **isolation,
        )
        return cls(process, progress)

    @property
    def running(self) -> bool:
        return self._process.returncode is None

    async def wait(self) -> int:
        code = await self._process.wait()
        _, stuck = await asyncio.wait(self._readers, timeout=DRAIN_S)
        for reader in stuck:
            reader.cancel()
        return code

    async def stop(self, *, at_once: bool = False) -> None:
        """Terminate (or kill ``at_once``), and kill if still alive after a while."""
        if self.running and not at_once:
            self._signal(kill=False)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._process.wait(), KILL_AFTER_S)
        if self.running:
            self._signal(kill=True)
        await self.wait()

    def kill_now(self) -> None:
        if self.running:
            self._signal(kill=True)

    def _signal(self, *, kill: bool) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if sys.platform == "win32":
                if kill:
                    self._process.kill()
                else:
                    self._process.terminate()
            else:
                os.killpg(self._process.pid, signal.SIGKILL if kill else signal.SIGTERM)


async def _pump(
    stream: asyncio.StreamReader, feed: Callable[[bytes], None], close: Callable[[], None]
) -> None:
    """Read in chunks, not lines: a generator may print a line of any length."""
    while chunk := await stream.read(65536):
        feed(chunk)
    close()


def describe_outputs(outputs: Path) -> list[OutputFile]:
    """Every regular file under ``outputs`` (symbolic links are not followed), by
    relative POSIX name, with its size and SHA-256 as the server will check them."""
    found = []
    for root, dirs, names in os.walk(outputs):
        dirs.sort()
        for name in names:
            path = Path(root, name)
            if stat.S_ISREG(path.lstat().st_mode):
                size, digest = _hash_file(path)
                found.append(OutputFile(path.relative_to(outputs).as_posix(), size, digest))
    return sorted(found, key=lambda out: out.name)


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while block := stream.read(HASH_BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def failure_message(code: int, stderr: str) -> str:
    how = f"exited with code {code}" if code >= 0 else f"was killed by signal {-code}"
    tail = stderr.strip()[-FAILURE_TAIL_CHARS:]
    return f"Generator {how}." + (f" stderr: {tail}" if tail else "")

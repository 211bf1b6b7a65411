"""Settings and constants shared by the agent's modules."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

EXIT_OK = 0
EXIT_REFUSED = 1
"""The server refuses the claim itself (400/404/...): retrying cannot help."""
EXIT_BAD_TOKEN = 2

TOKEN_ENV = "MCMS_AGENT_TOKEN"  # noqa: S105 - the variable's name, not a token
REQUEST_TIMEOUT_S = 10.0
FAILURE_TAIL_CHARS = 2000
MESSAGE_CHARS = 500


def default_agent_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class AgentConfig:
    server: str
    token: str = field(repr=False)
    command: str
    """The generator: split like a POSIX shell line; the job file and the outputs
    directory are appended as its last two arguments."""
    agent_id: str = field(default_factory=default_agent_id)
    capabilities: Mapping[str, str] = field(default_factory=dict)
    wait: int = 30
    work_dir: Path | None = None
    """None: a temporary directory, removed when the agent exits."""
    heartbeat: float | None = None
    """None: a third of the lease time left."""
    grace: float = 30.0
    max_jobs: int | None = None
    handle_signals: bool = True
    """Off when run in-process by a test; use ``Agent.request_stop`` instead."""
    transport: httpx.AsyncBaseTransport | None = None
    """For in-process tests (e.g. ``httpx.ASGITransport``)."""

"""``mcms addin-agent``: the reference add-in client.

It does what the ESPRIT add-in does, with any command standing in for ESPRIT:
claim a generation job (long-poll), run the generator in a fresh directory,
heartbeat while it runs, then report the result. It exists for demos and
tests, and as a worked example of the protocol for the people who maintain
the real (.NET) add-in: docs/addin-agent.md describes the same exchanges.

It talks to the server only over HTTP and imports nothing from the server
side, so it runs on a workstation with just this package and ``httpx``.

- ``_config``: AgentConfig and the constants the modules share;
- ``_http``: ShimApi (claim, heartbeat, complete, release), its errors, Backoff;
- ``_generator``: the generator process, its PROGRESS lines, its outputs;
- ``_heartbeat``: keeping the lease alive while the generator runs;
- ``_agent``: the loop that ties them together, and signal handling;
- ``cli``: the ``mcms addin-agent`` arguments.
"""

from mcms.addin_agent._agent import Agent
from mcms.addin_agent._config import (
    EXIT_BAD_TOKEN,
    EXIT_OK,
    EXIT_REFUSED,
    TOKEN_ENV,
    AgentConfig,
    default_agent_id,
)
from mcms.addin_agent._generator import Generator, JobPaths, Progress, describe_outputs
from mcms.addin_agent._heartbeat import Heartbeat
from mcms.addin_agent._http import (
    ApiError,
    Backoff,
    ClaimedJob,
    JobResult,
    OutputFile,
    ShimApi,
    TransientError,
    retrying,
)
from mcms.addin_agent.cli import add_parser, cmd_addin_agent

__all__ = [
    "EXIT_BAD_TOKEN",
    "EXIT_OK",
    "EXIT_REFUSED",
    "TOKEN_ENV",
    "Agent",
    "AgentConfig",
    "ApiError",
    "Backoff",
    "ClaimedJob",
    "Generator",
    "Heartbeat",
    "JobPaths",
    "JobResult",
    "OutputFile",
    "Progress",
    "ShimApi",
    "TransientError",
    "add_parser",
    "cmd_addin_agent",
    "default_agent_id",
    "describe_outputs",
    "retrying",
]

"""``mcms addin-agent``: its arguments, and the command that runs the agent."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import shlex
import sys
from pathlib import Path
from typing import Any

from mcms.addin_agent._agent import Agent
from mcms.addin_agent._config import (
    EXIT_BAD_TOKEN,
    EXIT_REFUSED,
    TOKEN_ENV,
    AgentConfig,
    default_agent_id,
)

MIN_GIVEN_HEARTBEAT_S = 0.1


def _capability(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def _count(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text}")
    return value


def _seconds(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be a number of seconds, not {text}")
    return value


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Adds ``mcms addin-agent`` to the ``mcms`` command's subparsers."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "addin-agent",
        help="run the reference add-in agent: claim jobs and run a generator command",
        description="Claims add-in generation jobs from an MCMS server and runs COMMAND "
        "for each, with the job file and the outputs directory as its last two "
        f"arguments. The token may also come from ${TOKEN_ENV}.",
    )
    parser.add_argument("--server", required=True, metavar="URL", help="e.g. http://mcms:8000")
    parser.add_argument(
        "--token", metavar="T", help=f"API token or add-in key (default: ${TOKEN_ENV})"
    )
    parser.add_argument("--command", required=True, metavar="CMD", help="the generator command")
    parser.add_argument("--agent-id", metavar="ID", help="default: HOSTNAME-PID")
    parser.add_argument(
        "--capability",
        action="append",
        type=_capability,
        default=[],
        metavar="KEY=VALUE",
        help="sent with each claim; repeatable",
    )
    parser.add_argument(
        "--wait", type=_count, default=30, metavar="S", help="long-poll seconds (default 30)"
    )
    parser.add_argument(
        "--work-dir", type=Path, metavar="DIR", help="default: a temporary directory"
    )
    parser.add_argument(
        "--heartbeat", type=_seconds, metavar="S", help="default: a third of the lease"
    )
    parser.add_argument(
        "--grace",
        type=_seconds,
        default=30.0,
        metavar="S",
        help="on SIGTERM, how long a running job may still take (default 30)",
    )
    parser.add_argument("--once", action="store_true", help="handle one job, then exit")
    parser.add_argument("--max-jobs", type=_count, metavar="N", help="exit after N jobs")
    parser.set_defaults(handler=cmd_addin_agent)
    return parser


def cmd_addin_agent(args: argparse.Namespace) -> int:
    token = (args.token or os.environ.get(TOKEN_ENV) or "").strip()
    if not token:
        print(f"mcms addin-agent: give --token or set {TOKEN_ENV}", file=sys.stderr)
        return EXIT_BAD_TOKEN
    try:
        shlex.split(args.command)
    except ValueError as exc:
        print(f"mcms addin-agent: --command: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    if not args.server.startswith(("http://", "https://")):
        print("mcms addin-agent: --server must be an http:// or https:// URL", file=sys.stderr)
        return EXIT_REFUSED
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per long-poll is noise
    config = AgentConfig(
        server=args.server,
        token=token,
        command=args.command,
        agent_id=args.agent_id or default_agent_id(),
        capabilities=dict(args.capability),
        wait=args.wait,
        work_dir=args.work_dir,
        heartbeat=None if args.heartbeat is None else max(MIN_GIVEN_HEARTBEAT_S, args.heartbeat),
        grace=args.grace,
        max_jobs=1 if args.once else args.max_jobs,
    )
    return asyncio.run(Agent(config).run())

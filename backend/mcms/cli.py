"""The ``mcms`` command.

mcms serve [--host H] [--port P] [--workers N] [--demo]
mcms migrate
mcms demo
mcms user create NAME --role ROLE [--password P] [--display-name D]
mcms token create --user NAME [--name LABEL]
mcms worker
mcms addin-agent --server URL --token T --command CMD
mcms export-schema [--output PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.core.errors import DomainError
from mcms.core.migrate import upgrade_to_head
from mcms.core.observability import configure_logging_from
from mcms.settings import Settings

DEFAULT_SCHEMA_PATH = Path("schema/schema.graphql")


def _load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        raise SystemExit(f"mcms: invalid configuration:\n{_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    """One line per bad setting, without the value given: a database or broadcast
    URL may hold a password, and this goes to the terminal and the logs."""
    lines = []
    for error in exc.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in error["loc"])
        where = f"MCMS_{field.upper()} ({field})" if field else "settings"
        lines.append(f"  {where}: {error['msg']}")
    return "\n".join(lines)


def _run_with_db(settings: Settings, work: Callable[[Database], Coroutine[Any, Any, None]]) -> None:
    async def main() -> None:
        db = Database(settings.resolved_database_url, pool_size=2)
        try:
            await work(db)
        finally:
            await db.dispose()

    asyncio.run(main())


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _load_settings()
    upgrade_to_head(settings.resolved_database_url)
    print(f"Database is at the newest schema: {_display_url(settings)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _load_settings(host=args.host, port=args.port, workers=args.workers)
    if args.demo:
        _refuse_demo_in_production(settings)
    _prepare_data_dir(settings)
    configure_logging_from(settings)
    upgrade_to_head(settings.resolved_database_url)
    if args.demo or settings.demo:
        from mcms.demo import load_demo

        _run_with_db(settings, load_demo)
    print(f"MCMS is serving on http://{settings.host}:{settings.port}/  (Ctrl+C stops it)")
    uvicorn.run(
        "mcms.app:create_app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=None,
        proxy_headers=False,
        server_header=False,
        # Live frames are small JSON on an intranet; compressing them costs each
        # subscriber its own zlib stream (about 2.5 x the CPU per delivery and
        # ~40 KB per connection, docs/performance.md), for bytes nobody misses.
        ws_per_message_deflate=False,
    )
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """The background worker alone (scale-out: the servers then run with
    ``MCMS_WORKER_ENABLED=false``, or keep theirs; any number may share a database)."""
    import signal

    from mcms.live.broadcast import create_broadcast
    from mcms.worker.duties import build_worker

    settings = _load_settings()
    _prepare_data_dir(settings)
    configure_logging_from(settings)
    upgrade_to_head(settings.resolved_database_url)

    async def work(db: Database) -> None:
        broadcast = create_broadcast(settings.broadcast_url)
        db.commit_hooks.append(broadcast.announce)  # servers' subscribers hear at once
        worker = build_worker(db, settings)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, worker.poke_stop)
        print(f"MCMS worker {worker.worker_id} is running (Ctrl+C stops it)", flush=True)
        try:
            await worker.run()
        finally:
            await broadcast.close()

    _run_with_db(settings, work)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from mcms.demo import load_demo

    settings = _load_settings()
    _refuse_demo_in_production(settings)
    _prepare_data_dir(settings)
    upgrade_to_head(settings.resolved_database_url)
    _run_with_db(settings, load_demo)
    return 0


def _refuse_demo_in_production(settings: Settings) -> None:
    if settings.is_production:
        raise SystemExit("mcms: demo users have public passwords; refused in production.")


def cmd_user_create(args: argparse.Namespace) -> int:
    from mcms.users import service

    settings = _load_settings()
    upgrade_to_head(settings.resolved_database_url)
    password = args.password
    if password is None and args.role != Role.AGENT.value and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.name}: ")

    async def work(db: Database) -> None:
        async with db.unit_of_work() as session:
            user = await service.create_user(
                session=session,
                username=args.name,
                role=Role(args.role),
                password=password or None,
                display_name=args.display_name,
            )
        print(f"Created {user.role} {user.username!r} (id {user.id}).")

    _run_with_db(settings, work)
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from mcms.users import service

    settings = _load_settings()
    upgrade_to_head(settings.resolved_database_url)

    async def work(db: Database) -> None:
        async with db.unit_of_work() as session:
            user = await service.get_user_by_name(session=session, username=args.user)
            token, secret = await service.create_token(
                session=session, user_id=user.id, name=args.name
            )
        print(f"Token {token.name!r} (id {token.id}) for {user.username}; it is shown only once:")
        print(secret)

    _run_with_db(settings, work)
    return 0


def cmd_fsck(args: argparse.Namespace) -> int:
    """Re-hash every blob of the file store; exit 1 if any is corrupt or missing."""
    from mcms.files.housekeeping import fsck
    from mcms.files.store import FileStore

    settings = _load_settings()
    upgrade_to_head(settings.resolved_database_url)
    healthy = True

    async def work(db: Database) -> None:
        nonlocal healthy
        report = await fsck(db=db, store=FileStore(settings.resolved_files_dir))
        print(f"Checked {report.checked} blob(s), {report.bytes_checked} bytes.")
        for label, names in (
            ("CORRUPT (bytes do not match their SHA-256)", report.mismatched),
            ("MISSING (known to the database, gone from the store)", report.missing),
            ("STRAY (not a blob name)", report.strays),
            ("orphan (not in the database; garbage collection removes it)", report.orphans),
        ):
            for name in names:
                print(f"{label}: {name}")
        healthy = report.healthy
        print("The file store is healthy." if healthy else "The file store has problems.")

    _run_with_db(settings, work)
    return 0 if healthy else 1


def cmd_export_schema(args: argparse.Namespace) -> int:
    from mcms.graphql.schema import sdl

    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(sdl(), encoding="utf-8")
    print(f"Wrote {output}")
    return 0


def _prepare_data_dir(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)


def _display_url(settings: Settings) -> str:
    url = settings.resolved_database_url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}"  # never print a password


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mcms", description="Machining CAM Management System")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="migrate, then serve the API and the SPA")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--workers", type=int)
    serve.add_argument("--demo", action="store_true", help="load demo users and data first")
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("migrate", help="bring the database to the newest schema").set_defaults(
        handler=cmd_migrate
    )
    commands.add_parser("demo", help="load demo users and data").set_defaults(handler=cmd_demo)
    commands.add_parser(
        "worker", help="run the background worker alone (lease sweeper, retries)"
    ).set_defaults(handler=cmd_worker)
    from mcms import addin_agent

    addin_agent.add_parser(commands)

    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True
    )
    user_create = user.add_parser("create", help="create a user")
    user_create.add_argument("name")
    user_create.add_argument("--role", required=True, choices=[r.value for r in Role])
    user_create.add_argument("--password")
    user_create.add_argument("--display-name")
    user_create.set_defaults(handler=cmd_user_create)

    token = commands.add_parser("token", help="manage API tokens").add_subparsers(
        dest="token_command", required=True
    )
    token_create = token.add_parser("create", help="create an API token (printed once)")
    token_create.add_argument("--user", required=True)
    token_create.add_argument("--name", default="cli")
    token_create.set_defaults(handler=cmd_token_create)

    commands.add_parser(
        "fsck", help="re-hash every stored file and report corrupt, missing and orphan blobs"
    ).set_defaults(handler=cmd_fsck)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL")
    export.add_argument("--output", default=str(DEFAULT_SCHEMA_PATH))
    export.set_defaults(handler=cmd_export_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result: int = args.handler(args)
    except DomainError as exc:
        print(f"mcms: {exc.message}", file=sys.stderr)
        return 1
    return result

"""The ``mcms`` console script, run for real in a subprocess on a fresh data dir."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from mcms.app import create_app
from mcms.core.db import Database
from mcms.core.migrate import head_revision
from mcms.graphql.schema import sdl
from mcms.settings import Settings

CLI_TIMEOUT_S = 120
SERVE_START_TIMEOUT_S = 60


def _mcms_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m mcms``."""
    script = Path(sys.executable).parent / "mcms"
    if script.is_file():
        return [str(script)]
    found = shutil.which("mcms")
    return [found] if found else [sys.executable, "-m", "mcms"]


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCMS_")}
    env["MCMS_DATA_DIR"] = str(data_dir)
    env["MCMS_CONFIG"] = str(data_dir.parent / "no-such-mcms.toml")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def mcms(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    # cwd is the data dir's parent, so nothing is read from or written to the repo
    completed = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*_mcms_command(), *args],
        env={**_env(data_dir), **(env or {})},
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)


def _ok(result: Result) -> Result:
    assert result.code == 0, (
        f"exit {result.code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    assert "Traceback" not in result.stderr
    return result


def _query(db_file: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(db_file)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


# --- migrate, users, tokens ----------------------------------------------------------


def test_migrate_creates_the_database_and_is_repeatable(data_dir: Path) -> None:
    first = _ok(mcms(data_dir, "migrate"))
    assert "newest schema" in first.stdout
    db_file = data_dir / "mcms.db"
    assert db_file.is_file()
    assert _query(db_file, "SELECT version_num FROM alembic_version") == [(head_revision(),)]
    tables = {name for (name,) in _query(db_file, "SELECT name FROM sqlite_master")}
    assert {"users", "routings", "history_entries"} <= tables

    _ok(mcms(data_dir, "migrate"))
    assert _query(db_file, "SELECT version_num FROM alembic_version") == [(head_revision(),)]


@dataclass(frozen=True)
class IssuedToken:
    data_dir: Path
    token: str
    stdout: str


@pytest.fixture(scope="module")
def issued_token(tmp_path_factory: pytest.TempPathFactory) -> IssuedToken:
    """alice (an ENGINEER) and a token for her, made with the CLI alone on a data
    dir no migration has touched (``user create`` migrates it). Shared by the
    tests below, which must leave it as they found it."""
    data_dir = tmp_path_factory.mktemp("cli") / "data"
    created = _ok(
        mcms(data_dir, "user", "create", "alice", "--role", "ENGINEER", "--password", "pw-alice-1")
    )
    assert "alice" in created.stdout
    result = _ok(mcms(data_dir, "token", "create", "--user", "alice", "--name", "laptop"))
    last_line = result.stdout.rstrip("\n").splitlines()[-1]
    return IssuedToken(data_dir=data_dir, token=last_line, stdout=result.stdout)


def test_token_create_prints_the_token_alone_on_the_last_line(issued_token: IssuedToken) -> None:
    token = issued_token.token
    assert token.startswith("mcms_")
    assert token == token.strip()
    assert " " not in token
    assert len(token) > len("mcms_") + 20
    # stored only as a hash
    rows = _query(issued_token.data_dir / "mcms.db", "SELECT name, token_hash FROM api_tokens")
    assert len(rows) == 1
    name, token_hash = rows[0]
    assert name == "laptop"
    assert token not in str(token_hash)
    assert token[len("mcms_") :] not in str(token_hash)


async def test_cli_token_authenticates_against_the_app(issued_token: IssuedToken) -> None:
    settings = Settings(data_dir=issued_token.data_dir)
    db = Database(settings.resolved_database_url, pool_size=2)
    try:
        app = create_app(settings, db=db)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            query = {"query": "{ me { username role } }"}
            authorized = await http.post(
                "/graphql",
                json=query,
                headers={"Authorization": f"Bearer {issued_token.token}"},
            )
            forged = await http.post(
                "/graphql",
                json=query,
                headers={"Authorization": f"Bearer {issued_token.token[:-2]}xx"},
            )
    finally:
        await db.dispose()
    assert authorized.status_code == 200, authorized.text
    assert authorized.json()["data"]["me"] == {"username": "alice", "role": "ENGINEER"}
    assert forged.json().get("data", {}).get("me") is None


def test_duplicate_user_is_refused_with_a_clear_message(issued_token: IssuedToken) -> None:
    again = mcms(issued_token.data_dir, "user", "create", "alice", "--role", "ADMIN")
    assert again.code != 0
    assert "alice" in again.stderr
    assert "already exists" in again.stderr
    assert "Traceback" not in again.stderr + again.stdout
    # and alice is still the one ENGINEER she was
    rows = _query(issued_token.data_dir / "mcms.db", "SELECT username, role FROM users")
    assert rows == [("alice", "ENGINEER")]


def test_unknown_role_is_refused(data_dir: Path) -> None:
    result = mcms(data_dir, "user", "create", "bob", "--role", "WIZARD", "--password", "pw-bob-12")
    assert result.code != 0
    assert "WIZARD" in result.stderr
    assert "ENGINEER" in result.stderr  # says what is allowed
    assert "Traceback" not in result.stderr
    if (data_dir / "mcms.db").exists():
        assert _query(data_dir / "mcms.db", "SELECT username FROM users") == []


def test_bad_settings_are_named_without_echoing_their_values(data_dir: Path) -> None:
    secret = "S3cretPassw0rd"
    result = mcms(
        data_dir,
        "migrate",
        env={
            "MCMS_BROADCAST_URL": f"rediss+x://mcms:{secret}@bus.example:6379/0",
            "MCMS_DATABASE_URL": f"nosuchdb+x://mcms:{secret}@db.example/mcms",
            "MCMS_PORT": "0",
        },
    )

    assert result.code != 0
    assert "MCMS_BROADCAST_URL" in result.stderr
    assert "MCMS_DATABASE_URL" in result.stderr
    assert "MCMS_PORT" in result.stderr
    assert "greater than or equal to 1" in result.stderr  # says what is wrong
    assert secret not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_token_for_an_unknown_user_is_refused(data_dir: Path) -> None:
    _ok(mcms(data_dir, "migrate"))
    result = mcms(data_dir, "token", "create", "--user", "nobody")
    assert result.code != 0
    assert "nobody" in result.stderr
    assert "Traceback" not in result.stderr
    assert "mcms_" not in result.stdout
    assert _query(data_dir / "mcms.db", "SELECT id FROM api_tokens") == []


# --- export-schema and demo -------------------------------------------------------------


def test_export_schema_writes_the_sdl(tmp_path: Path, data_dir: Path) -> None:
    output = tmp_path / "out" / "schema.graphql"
    result = _ok(mcms(data_dir, "export-schema", "--output", str(output)))
    assert str(output) in result.stdout
    assert output.read_text(encoding="utf-8") == sdl()


def test_demo_prints_sign_in_lines_and_is_idempotent(data_dir: Path) -> None:
    first = _ok(mcms(data_dir, "demo"))
    assert "Sign in" in first.stdout
    assert "engineer-demo" in first.stdout
    assert "approver" in first.stdout
    db_file = data_dir / "mcms.db"
    counts = "SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM routings)"
    after_first = _query(db_file, counts)
    users, routings = after_first[0]
    assert isinstance(users, int)
    assert users >= 4
    assert isinstance(routings, int)
    assert routings >= 1

    second = _ok(mcms(data_dir, "demo"))
    assert "Sign in" in second.stdout
    assert _query(db_file, counts) == after_first


# --- serve -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_until_healthy(
    http: httpx.Client, process: subprocess.Popen[bytes], log_file: Path
) -> httpx.Response:
    deadline = time.monotonic() + SERVE_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"mcms serve exited with {process.returncode}:\n{log_file.read_text()}")
        try:
            response = http.get("/healthz")
        except httpx.TransportError:
            time.sleep(0.2)
            continue
        if response.status_code == 200:
            return response
        time.sleep(0.2)
    pytest.fail(f"mcms serve did not become healthy:\n{log_file.read_text()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


@pytest.mark.slow
def test_serve_migrates_and_answers_on_a_fresh_data_dir(tmp_path: Path, data_dir: Path) -> None:
    port = _free_port()
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [*_mcms_command(), "serve", "--port", str(port)],
            env=_env(data_dir),
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
                health = _wait_until_healthy(http, process, log_file)
                assert health.json() == {"status": "ok"}
                ready = http.get("/readyz")
                assert ready.status_code == 200, ready.text
                assert ready.json()["checks"]["database"] == "ok"
                home = http.get("/", headers={"Accept": "text/html"})
                assert home.status_code == 200
                assert home.headers["content-type"].startswith("text/html")
                assert "<html" in home.text.lower()
        finally:
            _stop(process)
    # it migrated the fresh data dir on start, and logs to a file there
    assert _query(data_dir / "mcms.db", "SELECT version_num FROM alembic_version") == [
        (head_revision(),)
    ]
    assert (data_dir / "logs" / "mcms.log").is_file()

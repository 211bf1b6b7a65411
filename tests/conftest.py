"""Test harness: every database test runs on a real SQLite file *and* the real
PostgreSQL on this machine.

Migrations run once per backend per session. Between tests, SQLite gets a
fresh copy of the migrated template file; PostgreSQL gets its tables truncated
(TRUNCATE does not fire the history table's append-only row triggers, which
refuse DELETE).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from mcms.app import create_app
from mcms.core import auth
from mcms.core.db import Database
from mcms.core.migrate import upgrade_to_head
from mcms.settings import Settings
from tests.factories import Factory

POSTGRES_ADMIN_URL = os.environ.get(
    "MCMS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
TABLES = (
    "file_downloads",
    "file_commit_audit",
    "upload_sessions",
    "routing_files",
    "file_blobs",
    "worker_commands",
    "addin_parameter_set_versions",
    "addin_parameter_sets",
    "addin_jobs",
    "events",
    "history_entries",
    "routing_steps",
    "routings",
    "revisions",
    "items",
    "web_sessions",
    "api_tokens",
    "users",
)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _postgres_admin(statement: str, url: str = POSTGRES_ADMIN_URL) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


# The fixtures that prepare databases are synchronous on purpose: they run
# before a test's event loop is entered, and Alembic runs its own loop.
@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of our own on the real server, created and dropped per session."""
    name = f"mcms_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade_to_head(url)
    yield url
    asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_to_head(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "mcms.db"
        shutil.copyfile(template, target)
        return f"sqlite+aiosqlite:///{target}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_postgres_admin(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE", url))
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url, pool_size=5)
    yield database
    await database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", log_json=True)


@pytest.fixture
async def app(settings: Settings, db: Database) -> AsyncIterator[Any]:
    application: Any = create_app(settings, db=db)
    yield application
    await application.state.ingest.close()  # the locks kept between PATCHes
    await application.state.hub.close()


@pytest.fixture
async def client(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
def factory(db: Database, client: httpx.AsyncClient) -> Factory:
    return Factory(db=db, client=client)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """argon2 with its production cost (64 MiB, 3 passes) makes every test user
    cost ~100 ms; the tests check that hashing is used, not how expensive it is."""
    original = auth._password_hasher
    auth._password_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    auth._password_hasher = original


@pytest.fixture(autouse=True)
def _no_leaked_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the developer's own MCMS_* environment or config file."""
    for key in list(os.environ):
        if key.startswith("MCMS_") and key != "MCMS_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.setenv("MCMS_CONFIG", "/nonexistent/mcms.toml")

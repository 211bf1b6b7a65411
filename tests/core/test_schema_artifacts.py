"""Artifacts that must stay in step with the code: the exported SDL, the DDL on
every supported dialect, the migration against the models, and the database's
own guard on the append-only history table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.dialects import mssql, postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.schema import CreateIndex, CreateTable

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.core.migrate import head_revision
from mcms.core.models import load_all_models
from mcms.graphql.schema import sdl
from tests.factories import Factory

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"

EXPECTED_TABLES = {
    "users",
    "api_tokens",
    "web_sessions",
    "items",
    "revisions",
    "routings",
    "routing_steps",
    "history_entries",
}


# --- the exported GraphQL schema -------------------------------------------------


def test_committed_sdl_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == sdl(), (
        f"{SCHEMA_FILE} is out of date with the GraphQL code; run `make schema` "
        "(mcms export-schema) and commit the result."
    )


def test_sdl_is_the_whole_api() -> None:
    schema = sdl()
    for name in ("type Query", "type Mutation", "scalar BigInt", "routings(", "approveRouting("):
        assert name in schema


# --- DDL on every supported dialect ------------------------------------------------


def _ddl(dialect: Dialect) -> str:
    metadata = load_all_models().metadata
    statements: list[str] = []
    for table in metadata.sorted_tables:
        statements.append(str(CreateTable(table).compile(dialect=dialect)))
        statements.extend(
            str(CreateIndex(index).compile(dialect=dialect))
            for index in sorted(table.indexes, key=lambda i: str(i.name))
        )
    return ";\n".join(statements)


@pytest.mark.parametrize(
    "dialect",
    [mssql.dialect(), postgresql.dialect(), sqlite.dialect()],  # type: ignore[no-untyped-call]
    ids=["mssql", "postgresql", "sqlite"],
)
def test_models_compile_to_ddl(dialect: Dialect) -> None:
    ddl = _ddl(dialect)
    for table in EXPECTED_TABLES:
        assert f"CREATE TABLE {table} " in ddl, table
    assert "CREATE INDEX ix_routings_status ON routings (status)" in ddl


def test_sql_server_ddl_uses_sql_server_types() -> None:
    # deprecate_large_types is what a SQL Server 2012+ connection reports.
    ddl = _ddl(mssql.dialect(deprecate_large_types=True))  # type: ignore[no-untyped-call]
    # UTC timestamps keep microseconds (DATETIME2, not DATETIME's 3.33 ms steps
    # nor TIMESTAMP, which is a row version there); keys are IDENTITY columns.
    assert "created_at DATETIME2 NOT NULL" in ddl
    assert " DATETIME " not in ddl
    assert "TIMESTAMP" not in ddl
    assert "id INTEGER NOT NULL IDENTITY" in ddl
    assert "description VARCHAR(max) NOT NULL" in ddl  # Text, not the deprecated TEXT
    assert "data NVARCHAR(max) NOT NULL" in ddl  # JSON


# --- the migration matches the models ------------------------------------------------


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, load_all_models().metadata))


async def test_migration_matches_the_models(db: Database) -> None:
    # db is on a freshly migrated database (see conftest)
    async with db.engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    assert differences == [], (
        "The models and the migrations disagree; write a migration "
        f"(alembic revision --autogenerate) for: {differences}"
    )


async def test_migrated_database_is_at_head(db: Database) -> None:
    async with db.engine.connect() as connection:
        versions = (await connection.execute(text("SELECT version_num FROM alembic_version"))).all()
    assert [v for (v,) in versions] == [head_revision()]


# --- history is append-only in the database itself -------------------------------------


async def _history_ids(db: Database, routing_id: int) -> list[tuple[int, str]]:
    async with db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT id, message FROM history_entries WHERE routing_id = :r ORDER BY id"),
            {"r": routing_id},
        )
        return [(int(row.id), str(row.message)) for row in rows]


async def test_history_rows_refuse_update_and_delete(db: Database, factory: Factory) -> None:
    # given a routing with its ROUTING_CREATED entry and one inserted by raw SQL
    engineer = await factory.user(Role.ENGINEER)
    routing_id = int((await factory.routing(engineer))["id"])
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO history_entries (routing_id, type, actor, at, message, data) "
                "VALUES (:r, 'ROUTING_UPDATED', 'raw', CURRENT_TIMESTAMP, 'inserted by hand', '{}')"
            ),
            {"r": routing_id},
        )
    before = await _history_ids(db, routing_id)
    assert len(before) == 2
    assert before[-1][1] == "inserted by hand"

    # when anyone tries to rewrite or erase it with plain SQL, the database refuses
    statements = [
        ("UPDATE history_entries SET message = 'forged' WHERE routing_id = :r", {"r": routing_id}),
        ("DELETE FROM history_entries WHERE routing_id = :r", {"r": routing_id}),
        ("DELETE FROM history_entries", {}),
    ]
    for statement, params in statements:
        with pytest.raises(DBAPIError, match="history is append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement), params)

    # then every row is still there, unchanged
    assert await _history_ids(db, routing_id) == before


AUDIT_ROWS = {
    "file_commit_audit": (
        "INSERT INTO file_commit_audit (sha256, size, chunk_count, uploader_id, file_id, "
        "stored_new_bytes, at) VALUES (:sha, 3, 1, :user, :file, TRUE, CURRENT_TIMESTAMP)"
    ),
    "file_downloads": (
        "INSERT INTO file_downloads (file_id, user_id, method, status, at) "
        "VALUES (:file, :user, 'GET', 200, CURRENT_TIMESTAMP)"
    ),
}
AUDIT_REWRITES = {
    "file_commit_audit": ("UPDATE file_commit_audit SET size = 4", "DELETE FROM file_commit_audit"),
    "file_downloads": ("UPDATE file_downloads SET status = 206", "DELETE FROM file_downloads"),
}
SHA = "a" * 64


@pytest.mark.parametrize("table", sorted(AUDIT_ROWS))
async def test_the_file_audits_refuse_update_and_delete(
    db: Database, factory: Factory, table: str
) -> None:
    # given an audit row about a file (inserted by hand: only their presence matters)
    engineer = await factory.user(Role.ENGINEER)
    routing_id = int((await factory.routing(engineer))["id"])
    file_id = await _a_file_by_hand(db, routing_id, engineer.id)
    async with db.engine.begin() as connection:
        await connection.execute(
            text(AUDIT_ROWS[table]), {"sha": SHA, "user": engineer.id, "file": file_id}
        )

    # when anyone tries to rewrite or erase it with plain SQL, the database refuses
    for statement in AUDIT_REWRITES[table]:
        with pytest.raises(DBAPIError, match="the audit is append-only"):
            async with db.engine.begin() as connection:
                await connection.execute(text(statement))

    # then the row is still there
    async with db.engine.connect() as connection:
        count = await connection.execute(text(f"SELECT COUNT(*) FROM {table}"))  # noqa: S608 - a constant
        assert count.scalar() == 1


async def _a_file_by_hand(db: Database, routing_id: int, user_id: int) -> int:
    async with db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO file_blobs (sha256, size, scan_status, scan_detail, scanner, "
                "created_at) VALUES (:sha, 3, 'CLEAN', '', 'none', CURRENT_TIMESTAMP)"
            ),
            {"sha": SHA},
        )
        found = await connection.execute(
            text(
                "INSERT INTO routing_files (routing_id, logical_name, revision, blob_sha256, "
                "uploaded_by_id, created_at) VALUES "
                "(:routing, 'part.esp', 1, :sha, :user, CURRENT_TIMESTAMP) RETURNING id"
            ),
            {"routing": routing_id, "sha": SHA, "user": user_id},
        )
        return int(found.scalar_one())

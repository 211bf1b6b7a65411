"""How the claim locks rows on each database.

PostgreSQL and SQLite run for real in the other tests; SQL Server cannot run
on this machine, so for it we check the SQL that SQLAlchemy renders: the
candidate row must be picked with ``UPDLOCK, READPAST`` (the equivalent of
``SKIP LOCKED``), or concurrent claimers would queue on one row and the losers
find nothing."""

from __future__ import annotations

from sqlalchemy.dialects import mssql, postgresql, sqlite
from sqlalchemy.engine import Dialect

from mcms.addin_jobs.leases import _claim_statement


def rendered(dialect: Dialect) -> str:
    return " ".join(str(_claim_statement().compile(dialect=dialect)).split())


def test_sql_server_claims_skip_rows_other_claimers_hold() -> None:
    sql = rendered(mssql.dialect())  # type: ignore[no-untyped-call]

    assert "FROM addin_jobs WITH (UPDLOCK, READPAST, ROWLOCK)" in sql
    assert "OUTPUT inserted.id" in sql  # the claimed row comes back in the same statement


def test_postgresql_claims_skip_locked_rows() -> None:
    assert "FOR UPDATE SKIP LOCKED" in rendered(postgresql.dialect())  # type: ignore[no-untyped-call]


def test_sqlite_claims_need_no_row_locks() -> None:
    sql = rendered(sqlite.dialect())

    assert "FOR UPDATE" not in sql
    assert "UPDLOCK" not in sql
    assert "RETURNING" in sql

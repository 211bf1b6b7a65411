"""Background commands: durable, claimed with a lease, retried with backoff."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from mcms.core.db import Base, UTCDateTime, utcnow


class CommandStatus(StrEnum):
    PENDING = "PENDING"
    RUNNING = "RUNNING"
    DONE = "DONE"
    FAILED = "FAILED"
    """Gave up after ``max_attempts`` transient failures, or hit a permanent one."""


class WorkerCommand(Base):
    __tablename__ = "worker_commands"
    __table_args__ = (
        Index("ix_worker_commands_due", "status", "run_after"),
        # At most one pending-or-running command per key: periodic duties queued
        # by every worker process at once still run one at a time.
        Index(
            "ix_worker_commands_singleton",
            "singleton_key",
            unique=True,
            sqlite_where=text("singleton_key IS NOT NULL"),
            postgresql_where=text("singleton_key IS NOT NULL"),
            mssql_where=text("singleton_key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    """Which handler runs it, e.g. ``addin.sweep_leases``."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[CommandStatus] = mapped_column(
        Enum(CommandStatus, native_enum=False, length=16), default=CommandStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=5)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    """Not before this time (backoff after a transient failure)."""
    lease_token: Mapped[int] = mapped_column(Integer, default=0)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    """A worker that dies mid-command loses it when this passes; another takes it."""
    worker_id: Mapped[str | None] = mapped_column(String(200))
    singleton_key: Mapped[str | None] = mapped_column(String(100))
    """Set while pending or running; cleared when finished."""
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

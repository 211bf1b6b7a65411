"""Add-in generation jobs, their leases, and the parameter sets they are built from."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

import mcms.routings.models  # noqa: F401 - registers the tables our foreign keys name
from mcms.core.db import Base, UTCDateTime, utcnow


class AddinJobStatus(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


ACTIVE_STATUSES = (AddinJobStatus.QUEUED, AddinJobStatus.RUNNING)
FINISHED_STATUSES = (AddinJobStatus.COMPLETED, AddinJobStatus.FAILED, AddinJobStatus.CANCELLED)


class FailureReason(StrEnum):
    ADDIN_FAILED = "ADDIN_FAILED"
    """The add-in ran and reported a failure."""
    TIMED_OUT = "TIMED_OUT"
    """Every attempt's lease expired without a result."""


class ResultStatus(StrEnum):
    """What the add-in reports (the REST shim's lower-case words)."""

    COMPLETED = "completed"
    FAILED = "failed"


# One active (queued or running) job per routing: a partial unique index, so
# two approvals or retries racing each other cannot both queue one.
_ONE_ACTIVE = "status IN ('QUEUED', 'RUNNING')"


class AddinJob(Base):
    __tablename__ = "addin_jobs"
    __table_args__ = (
        Index(
            "ix_addin_jobs_one_active_per_routing",
            "routing_id",
            unique=True,
            sqlite_where=text(_ONE_ACTIVE),
            postgresql_where=text(_ONE_ACTIVE),
            mssql_where=text(_ONE_ACTIVE),
        ),
        Index("ix_addin_jobs_status_id", "status", "id"),
        Index("ix_addin_jobs_status_lease", "status", "lease_expires_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routings.id"), index=True)
    status: Mapped[AddinJobStatus] = mapped_column(
        Enum(AddinJobStatus, native_enum=False, length=16), default=AddinJobStatus.QUEUED
    )
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """The merged add-in parameter sets at the time the job was queued."""
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    """Which attempt this is; an expired lease returns the job with ``attempt + 1``."""
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    lease_token: Mapped[int] = mapped_column(Integer, default=0)
    """Fencing token: grows on every claim, so a result or heartbeat carrying an
    older token comes from an agent whose lease was taken away."""
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    lease_seconds: Mapped[int | None] = mapped_column(Integer)
    agent_id: Mapped[str | None] = mapped_column(String(200))
    """The holder's own name for itself (workstation), as it gave it when claiming."""
    holder_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    """The AGENT account whose credential claimed the job."""
    capabilities: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """What the holder said it can do (e.g. its ESPRIT build)."""
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str | None] = mapped_column(Text)
    """The latest word from the add-in (heartbeat or result) or the server."""
    result_status: Mapped[ResultStatus | None] = mapped_column(
        Enum(ResultStatus, native_enum=False, length=16)
    )
    result_message: Mapped[str | None] = mapped_column(Text)
    outputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """What the generation produced: ``{name, size, sha256}`` per output file."""
    failure_reason: Mapped[FailureReason | None] = mapped_column(
        Enum(FailureReason, native_enum=False, length=16)
    )
    retry_of_id: Mapped[int | None] = mapped_column(Integer)
    """The failed or cancelled job this one retries."""
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    """When it last became claimable (creation, or a lease returned to the queue)."""
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ParameterScope(StrEnum):
    ITEM = "ITEM"
    REVISION = "REVISION"
    ROUTING = "ROUTING"


class AddinParameterSet(Base):
    """The add-in parameters an administrator keeps for one item, revision or
    routing. A job gets item < revision < routing, the more specific winning."""

    __tablename__ = "addin_parameter_sets"
    __table_args__ = (UniqueConstraint("scope", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[ParameterScope] = mapped_column(
        Enum(ParameterScope, native_enum=False, length=16)
    )
    target_id: Mapped[int] = mapped_column(Integer)
    """The item, revision or routing id, depending on ``scope``."""
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AddinParameterSetVersion(Base):
    """Every version a parameter set ever had, with who saved it: the audit trail."""

    __tablename__ = "addin_parameter_set_versions"
    __table_args__ = (UniqueConstraint("set_id", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("addin_parameter_sets.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

"""Routings (process plans) and their ordered steps."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import mcms.items.models  # noqa: F401 - registers the tables our foreign keys name
from mcms.core.db import Base, UTCDateTime, utcnow


class RoutingStatus(StrEnum):
    DRAFT = "DRAFT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


class GenerationStatus(StrEnum):
    NONE = "NONE"
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"


class Routing(Base):
    __tablename__ = "routings"
    __table_args__ = (UniqueConstraint("revision_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    """Unique within its revision, e.g. ``OP-MILL``."""
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[RoutingStatus] = mapped_column(
        Enum(RoutingStatus, native_enum=False, length=24), default=RoutingStatus.DRAFT, index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    """Optimistic-concurrency counter, bumped by every change to the routing."""
    cam_revision: Mapped[int] = mapped_column(Integer, default=0)
    """Bumped when a generation produces new outputs."""
    generation_status: Mapped[GenerationStatus] = mapped_column(
        Enum(GenerationStatus, native_enum=False, length=16), default=GenerationStatus.NONE
    )
    last_addin_job_id: Mapped[int | None] = mapped_column(Integer)
    last_generated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoutingStep(Base):
    __tablename__ = "routing_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routings.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    """0-based order within the routing; ``sequence`` is derived from it (10, 20, …)."""
    sequence: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    work_center: Mapped[str] = mapped_column(String(100), default="")
    machine: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    setup_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    cycle_minutes: Mapped[float] = mapped_column(Float, default=0.0)
    tooling_notes: Mapped[str] = mapped_column(Text, default="")
    parameters: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    """Free key → value parameters (both strings)."""

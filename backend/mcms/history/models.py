"""The append-only history of each routing.

Nothing in the application updates or deletes a row here, and the migration
installs database triggers (SQLite, PostgreSQL) that refuse it outright.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

import mcms.routings.models  # noqa: F401 - registers the tables our foreign keys name
from mcms.core.db import Base, UTCDateTime, utcnow


class HistoryType(StrEnum):
    ROUTING_CREATED = "ROUTING_CREATED"
    ROUTING_UPDATED = "ROUTING_UPDATED"
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    ADDIN_JOB_QUEUED = "ADDIN_JOB_QUEUED"
    ADDIN_JOB_CLAIMED = "ADDIN_JOB_CLAIMED"
    ADDIN_JOB_COMPLETED = "ADDIN_JOB_COMPLETED"
    ADDIN_JOB_FAILED = "ADDIN_JOB_FAILED"
    ADDIN_JOB_RETRIED = "ADDIN_JOB_RETRIED"
    ADDIN_JOB_CANCELLED = "ADDIN_JOB_CANCELLED"
    ADDIN_JOB_RELEASED = "ADDIN_JOB_RELEASED"
    """An agent gave its job back (shutting down); queued again, same attempt."""
    ADDIN_JOB_REQUEUED = "ADDIN_JOB_REQUEUED"
    """A lease expired without a result; queued again with ``attempt + 1``."""
    FILE_UPLOADED = "FILE_UPLOADED"
    FILE_QUARANTINED = "FILE_QUARANTINED"
    STORAGE_COMMIT_FAILED = "STORAGE_COMMIT_FAILED"
    CAM_REVISION_BUMPED = "CAM_REVISION_BUMPED"


class HistoryEntry(Base):
    __tablename__ = "history_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """Increasing; orders the entries of a routing."""
    routing_id: Mapped[int] = mapped_column(ForeignKey("routings.id"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(64))
    """Username of whoever caused the entry (or ``system``)."""
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    message: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

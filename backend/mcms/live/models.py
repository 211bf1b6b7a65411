"""The event log: one row per published event, written in the transaction of
the change it announces, so an event exists exactly when its change does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from mcms.core.db import Base, UTCDateTime, utcnow


class Event(Base):
    __tablename__ = "events"
    # Never reuse an id, even after retention empties the table: cursors must grow.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    """The event cursor (``eventId``): increasing, orders all events."""
    name: Mapped[str] = mapped_column(String(64), index=True)
    """SPEC event name, e.g. ``routing.approval.changed``."""
    routing_id: Mapped[int | None] = mapped_column(Integer, index=True)
    """The routing the event is about, for subscription filters (no foreign key:
    the log outlives nothing and must never block a change)."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    audience: Mapped[list[str] | None] = mapped_column(JSON)
    """Who may receive it: ``user:<id>`` / ``role:<ROLE>`` entries; ``NULL`` means
    everyone who may read routings."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

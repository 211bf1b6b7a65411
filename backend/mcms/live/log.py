"""Writing to and reading from the event log. Callers own the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.auth import Principal
from mcms.core.db import EVENTS_WRITTEN, utcnow
from mcms.live.models import Event

events_table = cast(Table, Event.__table__)
_INSERT = events_table.insert()
"""Built once: statements are cheap to run from SQLAlchemy's cache, not to build."""
_READ_AFTER = (
    select(events_table)
    .where(events_table.c.id > bindparam("cursor", type_=Integer))
    .order_by(events_table.c.id)
    .limit(bindparam("limit", type_=Integer))
)
"""The hub runs this after every commit it hears of."""


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One committed event, as subscribers receive it."""

    id: int
    name: str
    routing_id: int | None
    payload: dict[str, Any]
    audience: tuple[str, ...] | None
    created_at: datetime

    def visible_to(self, principal: Principal) -> bool:
        if self.audience is None:
            return True
        return (
            f"user:{principal.user_id}" in self.audience
            or f"role:{principal.role.value}" in self.audience
        )


async def publish(
    *,
    session: AsyncSession,
    name: str,
    payload: dict[str, Any],
    routing_id: int | None = None,
    audience: Sequence[str] | None = None,
) -> None:
    """Append an event; it becomes visible to subscribers when the caller commits."""
    session.info[EVENTS_WRITTEN] = True  # wake subscribers after the commit
    await session.execute(
        _INSERT,
        {
            "name": name,
            "routing_id": routing_id,
            "payload": payload,
            "audience": list(audience) if audience is not None else None,
            "created_at": utcnow(),
        },
    )


async def read_after(*, session: AsyncSession, cursor: int, limit: int) -> list[EventRecord]:
    """Committed events with ids above ``cursor``, oldest first."""
    rows = (await session.execute(_READ_AFTER, {"cursor": cursor, "limit": limit})).all()
    return [_record(row) for row in rows]


async def read_newest(*, session: AsyncSession, name: str, limit: int) -> list[EventRecord]:
    """The newest ``limit`` committed events named ``name``, newest first."""
    query = (
        select(events_table)
        .where(events_table.c.name == name)
        .order_by(events_table.c.id.desc())
        .limit(limit)
    )
    return [_record(row) for row in (await session.execute(query)).all()]


async def oldest_id(*, session: AsyncSession) -> int | None:
    """The oldest event still kept (older ones were removed by retention)."""
    value = await session.scalar(select(func.min(events_table.c.id)))
    return int(value) if value is not None else None


async def newest_id(*, session: AsyncSession, older_than: timedelta | None = None) -> int:
    """The highest event id (0 if none); with ``older_than``, the highest among
    events written at least that long ago."""
    query = select(func.max(events_table.c.id))
    if older_than is not None:
        query = query.where(events_table.c.created_at <= utcnow() - older_than)
    value = await session.scalar(query)
    return int(value) if value is not None else 0


async def purge_older_than(*, session: AsyncSession, age: timedelta) -> None:
    """Retention: drop events older than ``age``; a later ``since`` below what is
    left gets ``RESYNC`` instead of a silent gap."""
    await session.execute(delete(events_table).where(events_table.c.created_at < utcnow() - age))


def _record(row: Any) -> EventRecord:
    return EventRecord(
        id=row.id,
        name=row.name,
        routing_id=row.routing_id,
        payload=row.payload,
        audience=tuple(row.audience) if row.audience is not None else None,
        created_at=row.created_at,
    )

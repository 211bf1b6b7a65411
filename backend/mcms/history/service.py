"""Writing and reading the append-only history.

``record`` is the only writer. It joins the caller's transaction, so an entry
exists exactly when the change it describes was committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Row, Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.core.db import utcnow
from mcms.history.models import HistoryEntry, HistoryType

_table = cast(Table, HistoryEntry.__table__)
_INSERT = _table.insert()
"""Built once: statements are cheap to run from SQLAlchemy's cache, not to build."""


async def record(
    *,
    session: AsyncSession,
    routing_id: int,
    type: HistoryType,
    actor: str,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> None:
    await session.execute(
        _INSERT,
        {
            "routing_id": routing_id,
            "type": type.value,
            "actor": actor,
            "at": utcnow(),
            "message": message,
            "data": data or {},
        },
    )


async def entries_for_routings(
    *, session: AsyncSession, routing_ids: Sequence[int]
) -> list[Row[Any]]:
    """All entries of the given routings, oldest first (one query for a whole page)."""
    query = select(_table).where(_table.c.routing_id.in_(routing_ids)).order_by(_table.c.id)
    return list((await session.execute(query)).all())

"""GraphQL type for history entries (read-only: there is no mutation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row
from strawberry.scalars import JSON

from mcms.history.models import HistoryType

HistoryTypeEnum = strawberry.enum(
    HistoryType, name="HistoryType", description="What a history entry records."
)


@strawberry.type(description="One append-only record of something that happened to a routing.")
class HistoryEntry:
    id: strawberry.ID = strawberry.field(description="Increasing id; orders a routing's entries.")
    type: HistoryTypeEnum = strawberry.field(description="Kind of event.")  # type: ignore[valid-type]
    actor: str = strawberry.field(description="Username of who caused it, or `system`.")
    at: datetime = strawberry.field(description="When it happened (UTC).")
    message: str = strawberry.field(description="Human-readable summary.")
    data: JSON = strawberry.field(description="Structured details (reason, comment, version …).")

    @classmethod
    def from_row(cls, row: Row[Any]) -> HistoryEntry:
        return cls(
            id=strawberry.ID(str(row.id)),
            type=HistoryType(row.type),
            actor=row.actor,
            at=row.at,
            message=row.message,
            data=row.data,
        )

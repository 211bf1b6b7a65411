"""The routing enums as GraphQL sees them (registered once, used by several schemas)."""

from __future__ import annotations

import strawberry

from mcms.routings.models import GenerationStatus, RoutingStatus

RoutingStatusEnum = strawberry.enum(
    RoutingStatus,
    name="RoutingStatus",
    description="Approval state: DRAFT → PENDING_APPROVAL → APPROVED, "
    "or → REJECTED → (edit) → PENDING_APPROVAL.",
)
GenerationStatusEnum = strawberry.enum(
    GenerationStatus,
    name="GenerationStatus",
    description="State of the latest CAM generation, separate from approval.",
)

"""The add-in job enums as GraphQL sees them (registered once, used by several schemas)."""

from __future__ import annotations

import strawberry

from mcms.addin_jobs.models import AddinJobStatus, FailureReason, ParameterScope

AddinJobStatusEnum = strawberry.enum(
    AddinJobStatus,
    name="AddinJobStatus",
    description="State of an add-in generation job: QUEUED → RUNNING → COMPLETED | FAILED, "
    "or CANCELLED.",
)
FailureReasonEnum = strawberry.enum(
    FailureReason, name="AddinJobFailureReason", description="Why a job FAILED."
)
ParameterScopeEnum = strawberry.enum(
    ParameterScope,
    name="AddinParameterScope",
    description="What an add-in parameter set belongs to; ROUTING overrides REVISION "
    "overrides ITEM.",
)

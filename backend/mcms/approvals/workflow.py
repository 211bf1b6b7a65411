"""The approval state machine, as a table.

DRAFT ──submit──▶ PENDING_APPROVAL ──approve──▶ APPROVED
                    │        ▲
                 reject    submit
                    ▼        │
                    REJECTED ┘   (edits allowed in DRAFT and REJECTED)
"""

from __future__ import annotations

from enum import StrEnum

from mcms.core.errors import Conflict
from mcms.routings.models import RoutingStatus


class ApprovalAction(StrEnum):
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"


TRANSITIONS: dict[tuple[RoutingStatus, ApprovalAction], RoutingStatus] = {
    (RoutingStatus.DRAFT, ApprovalAction.SUBMIT): RoutingStatus.PENDING_APPROVAL,
    (RoutingStatus.REJECTED, ApprovalAction.SUBMIT): RoutingStatus.PENDING_APPROVAL,
    (RoutingStatus.PENDING_APPROVAL, ApprovalAction.APPROVE): RoutingStatus.APPROVED,
    (RoutingStatus.PENDING_APPROVAL, ApprovalAction.REJECT): RoutingStatus.REJECTED,
}

EDITABLE = frozenset({RoutingStatus.DRAFT, RoutingStatus.REJECTED})


def next_status(current: RoutingStatus, action: ApprovalAction) -> RoutingStatus:
    """Where ``action`` takes a routing in ``current``; ``CONFLICT`` if it cannot."""
    try:
        return TRANSITIONS[(current, action)]
    except KeyError:
        raise Conflict(
            f"A routing in {current} cannot be {_PAST[action]}.",
            status=current.value,
        ) from None


_PAST = {
    ApprovalAction.SUBMIT: "submitted",
    ApprovalAction.APPROVE: "approved",
    ApprovalAction.REJECT: "rejected",
}


def is_editable(status: RoutingStatus) -> bool:
    return status in EDITABLE

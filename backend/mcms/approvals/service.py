"""Submit, approve and reject. Callers own the transaction.

Each action reads the routing, asks the workflow table where it may go, and
moves it there with the same conditional UPDATE as any edit (status and
version must still be what was read), so of two approvers acting at once
exactly one succeeds and the other gets ``CONFLICT``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.addin_jobs import service as addin_jobs
from mcms.approvals.workflow import ApprovalAction, next_status
from mcms.core.auth import Permission, Principal, require
from mcms.core.db import utcnow
from mcms.core.errors import Forbidden
from mcms.core.validation import clean_text
from mcms.history import service as history
from mcms.history.models import HistoryType
from mcms.live import log as events
from mcms.routings import service as routings

COMMENT_MAX = 4_000


APPROVAL_CHANGED = "routing.approval.changed"


async def _move(
    *,
    session: AsyncSession,
    routing: Row[Any],
    action: ApprovalAction,
    actor: Principal,
    values: dict[str, Any],
) -> None:
    """Move the routing, and announce it in the event log (same transaction)."""
    target = next_status(routing.status, action)
    await routings.bump_version(
        session=session,
        routing_id=routing.id,
        expected_version=routing.version,
        allowed_statuses=(routing.status,),
        values={"status": target.value, **values},
    )
    approved_by = actor.username if action is ApprovalAction.APPROVE else None
    await events.publish(
        session=session,
        name=APPROVAL_CHANGED,
        routing_id=routing.id,
        payload={
            "routingId": str(routing.id),
            "status": target.value,
            "approvedBy": approved_by,
            "timestamp": utcnow().isoformat(),
        },
    )


async def submit_routing(*, session: AsyncSession, actor: Principal, routing_id: int) -> None:
    """Ask for approval: ``DRAFT``/``REJECTED`` → ``PENDING_APPROVAL`` (owner or admin)."""
    require(actor, Permission.SUBMIT_ROUTING)
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    if routing.owner_id != actor.user_id and not actor.can(Permission.EDIT_ANY_ROUTING):
        raise Forbidden("Only the routing's owner (or an administrator) may submit it.")
    await _move(
        session=session,
        routing=routing,
        action=ApprovalAction.SUBMIT,
        actor=actor,
        values={"submitted_at": utcnow(), "approved_by_id": None, "approved_at": None},
    )
    await history.record(
        session=session,
        routing_id=routing_id,
        type=HistoryType.SUBMITTED,
        actor=actor.username,
        message="Submitted for approval.",
        data={"version": routing.version + 1},
    )


def _check_four_eyes(actor: Principal, routing: Row[Any]) -> None:
    if routing.owner_id == actor.user_id:
        raise Forbidden("Four-eyes rule: nobody may approve or reject their own routing.")


async def approve_routing(
    *,
    session: AsyncSession,
    actor: Principal,
    routing_id: int,
    comment: str | None = None,
    job_max_attempts: int = 3,
) -> None:
    """``PENDING_APPROVAL`` → ``APPROVED`` by an approver who does not own it; its
    generation job is queued in the same transaction."""
    require(actor, Permission.APPROVE_ROUTING)
    note = clean_text(comment or "", "comment", max_length=COMMENT_MAX)
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    _check_four_eyes(actor, routing)
    await _move(
        session=session,
        routing=routing,
        action=ApprovalAction.APPROVE,
        actor=actor,
        values={"approved_by_id": actor.user_id, "approved_at": utcnow()},
    )
    await history.record(
        session=session,
        routing_id=routing_id,
        type=HistoryType.APPROVED,
        actor=actor.username,
        message=note or "Approved.",
        data={"comment": note, "version": routing.version + 1},
    )
    await addin_jobs.queue_job(
        session=session, routing_id=routing_id, actor=actor.username, max_attempts=job_max_attempts
    )


async def reject_routing(
    *,
    session: AsyncSession,
    actor: Principal,
    routing_id: int,
    reason: str,
    comment: str | None = None,
) -> None:
    """``PENDING_APPROVAL`` → ``REJECTED``; the reason is required and recorded."""
    require(actor, Permission.APPROVE_ROUTING)
    why = clean_text(reason, "reason", max_length=COMMENT_MAX, required=True)
    note = clean_text(comment or "", "comment", max_length=COMMENT_MAX)
    routing = await routings.get_routing(session=session, routing_id=routing_id)
    _check_four_eyes(actor, routing)
    await _move(
        session=session, routing=routing, action=ApprovalAction.REJECT, actor=actor, values={}
    )
    await history.record(
        session=session,
        routing_id=routing_id,
        type=HistoryType.REJECTED,
        actor=actor.username,
        message=why,
        data={"reason": why, "comment": note, "version": routing.version + 1},
    )

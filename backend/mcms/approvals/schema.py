"""GraphQL mutations of the approval flow."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from mcms.approvals import service
from mcms.core.auth import Permission, Principal
from mcms.core.validation import parse_id
from mcms.graphql.context import Info
from mcms.routings import service as routings
from mcms.routings.schema import Routing

Action = Callable[[AsyncSession, Principal, int], Awaitable[None]]


async def _run(info: Info, permission: Permission, id: strawberry.ID, action: Action) -> Routing:
    actor = info.context.require(permission)
    routing_id = parse_id(id)
    async with info.context.db.unit_of_work() as session:
        await action(session, actor, routing_id)
        return Routing.from_row(await routings.get_routing(session=session, routing_id=routing_id))


@strawberry.type
class ApprovalMutation:
    @strawberry.mutation(
        description="Request approval of a DRAFT or REJECTED routing you own → PENDING_APPROVAL."
    )
    async def submit_routing(self, info: Info, id: strawberry.ID) -> Routing:
        async def submit(session: AsyncSession, actor: Principal, routing_id: int) -> None:
            await service.submit_routing(session=session, actor=actor, routing_id=routing_id)

        return await _run(info, Permission.SUBMIT_ROUTING, id, submit)

    @strawberry.mutation(
        description="Approve a PENDING_APPROVAL routing (approvers; never your own). Of two "
        "approvers acting at once, one succeeds and the other gets `CONFLICT`."
    )
    async def approve_routing(
        self, info: Info, id: strawberry.ID, comment: str | None = None
    ) -> Routing:
        async def approve(session: AsyncSession, actor: Principal, routing_id: int) -> None:
            await service.approve_routing(
                session=session,
                actor=actor,
                routing_id=routing_id,
                comment=comment,
                job_max_attempts=info.context.settings.addin_max_attempts,
            )

        return await _run(info, Permission.APPROVE_ROUTING, id, approve)

    @strawberry.mutation(
        description="Reject a PENDING_APPROVAL routing with a reason (approvers; never your own)."
    )
    async def reject_routing(
        self, info: Info, id: strawberry.ID, reason: str, comment: str | None = None
    ) -> Routing:
        async def reject(session: AsyncSession, actor: Principal, routing_id: int) -> None:
            await service.reject_routing(
                session=session, actor=actor, routing_id=routing_id, reason=reason, comment=comment
            )

        return await _run(info, Permission.APPROVE_ROUTING, id, reject)

"""``POST /api/routings/{id}/request-approval``, ``/approve``, ``/reject``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.approvals import service
from mcms.core.auth import Permission
from mcms.core.errors import InvalidArgument
from mcms.core.http import read_json_object
from mcms.rest.common import caller, database, json_response, path_id, settings
from mcms.routings.rest import routing_document


async def _optional_body(request: Request) -> dict[str, Any]:
    if not await request.body():
        return {}
    return await read_json_object(request)


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InvalidArgument(f"{key} must be a string.")
    return value


async def request_approval(request: Request) -> Response:
    actor = await caller(request, Permission.SUBMIT_ROUTING)
    routing_id = path_id(request)
    async with database(request).unit_of_work() as session:
        await service.submit_routing(session=session, actor=actor, routing_id=routing_id)
        return json_response(await routing_document(request, session, routing_id))


async def approve(request: Request) -> Response:
    """Body (optional): ``{"comment": "..."}``."""
    actor = await caller(request, Permission.APPROVE_ROUTING)
    routing_id = path_id(request)
    comment = _optional_text(await _optional_body(request), "comment")
    async with database(request).unit_of_work() as session:
        await service.approve_routing(
            session=session,
            actor=actor,
            routing_id=routing_id,
            comment=comment,
            job_max_attempts=settings(request).addin_max_attempts,
        )
        return json_response(await routing_document(request, session, routing_id))


async def reject(request: Request) -> Response:
    """Body: ``{"reason": "...", "comment": "..."}``; the reason is required."""
    actor = await caller(request, Permission.APPROVE_ROUTING)
    routing_id = path_id(request)
    body = await _optional_body(request)
    reason = _optional_text(body, "reason") or ""
    comment = _optional_text(body, "comment")
    async with database(request).unit_of_work() as session:
        await service.reject_routing(
            session=session, actor=actor, routing_id=routing_id, reason=reason, comment=comment
        )
        return json_response(await routing_document(request, session, routing_id))


routes = [
    Route("/api/routings/{id}/request-approval", request_approval, methods=["POST"]),
    Route("/api/routings/{id}/approve", approve, methods=["POST"]),
    Route("/api/routings/{id}/reject", reject, methods=["POST"]),
]

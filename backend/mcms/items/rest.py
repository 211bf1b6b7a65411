"""``GET /api/items``: items with their revisions and a summary of their routings."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.core.auth import Permission
from mcms.items import service
from mcms.rest.common import (
    caller,
    camel_row,
    database,
    json_response,
    page_params,
    sort_param,
)
from mcms.routings import service as routings

ITEM_FIELDS = ("id", "item_code", "name", "description", "created_at")
REVISION_FIELDS = ("id", "code", "description", "created_at")
ROUTING_SUMMARY_FIELDS = ("id", "code", "title", "status", "version", "generation_status")


async def list_items(request: Request) -> Response:
    """Query: ``page`` (from 1), ``pageSize`` (≤ 200), ``sort`` (itemCode, name,
    createdAt; ``-`` reverses), ``filter`` (text in the item code or name)."""
    await caller(request, Permission.READ)
    page = page_params(request)
    sort, descending = sort_param(request, tuple(service.ITEM_SORTS), "itemCode")
    search = request.query_params.get("filter") or None
    async with database(request).read_session() as session:
        found = await service.search_items(
            session=session, search=search, page=page, sort=sort, descending=descending
        )
        total = await service.count_items(session=session, search=search)
        item_ids = [row.id for row in found.items]
        revisions = await service.revisions_for_items(session=session, item_ids=item_ids)
        routing_rows = await routings.routings_for_revisions(
            session=session, revision_ids=[r.id for r in revisions]
        )
    return json_response(
        {
            "items": _nest(found.items, revisions, routing_rows),
            "page": page.offset // page.limit + 1,
            "pageSize": page.limit,
            "totalCount": total,
        }
    )


def _nest(items: list[Any], revisions: list[Any], routing_rows: list[Any]) -> list[dict[str, Any]]:
    routings_by_revision: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in routing_rows:
        routings_by_revision[row.revision_id].append(camel_row(row, ROUTING_SUMMARY_FIELDS))
    revisions_by_item: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in revisions:
        revisions_by_item[row.item_id].append(
            {**camel_row(row, REVISION_FIELDS), "routings": routings_by_revision[row.id]}
        )
    return [
        {**camel_row(row, ITEM_FIELDS), "revisions": revisions_by_item[row.id]} for row in items
    ]


routes = [Route("/api/items", list_items, methods=["GET"])]

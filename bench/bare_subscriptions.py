"""A bare Strawberry subscription server: the baseline for ``bench/fanout.py``.

What a plain Strawberry application does for live updates: an in-process event
source (a set of unbounded ``asyncio.Queue``, one per subscriber, as
``broadcaster``'s memory backend does) and a subscription whose generator
yields each event; Strawberry executes the selection set and encodes the JSON
once *per subscriber* per event. Served like ``mcms serve`` (Starlette routing,
Strawberry's ASGI view, uvicorn with the same options); no database, no
authentication (``connection_init`` is accepted whatever its payload).

Events enter through ``POST /publish`` with ``{"events": [{"routingId": "7",
"status": "APPROVED", "approvedBy": "x", "timestamp": "…"}, …]}``; the answer
lists the ``eventId`` given to each, in order.

    .venv/bin/python bench/bare_subscriptions.py --port 8002
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import AsyncGenerator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import strawberry
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL


class RoutingStatus(StrEnum):
    DRAFT = "DRAFT"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"


RoutingStatusEnum = strawberry.enum(RoutingStatus, name="RoutingStatus")


@strawberry.type
class RoutingApprovalChanged:
    event_id: str
    routing_id: strawberry.ID
    status: RoutingStatusEnum  # type: ignore[valid-type]
    approved_by: str | None
    timestamp: datetime


class Source:
    """The in-process event source: every subscriber has its own queue."""

    def __init__(self) -> None:
        self.queues: set[asyncio.Queue[dict[str, Any]]] = set()
        self.last_id = 0

    def publish(self, payload: dict[str, Any]) -> str:
        self.last_id += 1
        event_id = str(self.last_id)
        event = {**payload, "eventId": event_id}
        for queue in self.queues:
            queue.put_nowait(event)
        return event_id

    async def events(self) -> AsyncGenerator[dict[str, Any], None]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.queues.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.queues.discard(queue)


SOURCE = Source()


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "Hello, world!"


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def routing_approval_changed(
        self, routing_id: strawberry.ID | None = None
    ) -> AsyncGenerator[RoutingApprovalChanged, None]:
        async for event in SOURCE.events():
            if routing_id is not None and event["routingId"] != routing_id:
                continue
            yield RoutingApprovalChanged(
                event_id=event["eventId"],
                routing_id=strawberry.ID(event["routingId"]),
                status=RoutingStatus(event["status"]),
                approved_by=event.get("approvedBy"),
                timestamp=datetime.fromisoformat(event["timestamp"]),
            )


class CompactGraphQL(GraphQL[None, None]):
    """Encodes JSON like MCMS's endpoint (compact, no ASCII escaping)."""

    def encode_json(self, data: object) -> str:
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


async def publish(request: Request) -> Response:
    body = await request.json()
    ids = [SOURCE.publish(event) for event in body["events"]]
    return JSONResponse({"eventIds": ids})


async def readyz(_: Request) -> Response:
    return JSONResponse({"status": "ready", "subscribers": len(SOURCE.queues)})


def create_app() -> ASGIApp:
    schema = strawberry.Schema(query=Query, subscription=Subscription)
    graphql = CompactGraphQL(
        schema,
        graphql_ide=None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        keep_alive=True,
        keep_alive_interval=15,
    )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql),
            Route("/publish", publish, methods=["POST"]),
            Route("/readyz", readyz, methods=["GET"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8002)
    args = parser.parse_args()
    uvicorn.run(
        "bare_subscriptions:create_app",
        factory=True,
        app_dir=str(Path(__file__).resolve().parent),
        host=args.host,
        port=args.port,
        workers=1,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )


if __name__ == "__main__":
    main()

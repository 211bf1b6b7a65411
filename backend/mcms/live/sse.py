"""Server-sent events, the fallback when WebSocket is blocked.

``GET /events/updates`` (approval and add-in job events) and
``GET /events/alerts`` (alerts for the caller). ``id:`` is the event cursor,
``event:`` the SPEC event name, ``data:`` the JSON payload (with ``eventId``).
A reconnect with ``Last-Event-ID`` (browsers send it by themselves) replays
exactly what was missed, then goes live.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from mcms.core.auth import Permission, Principal
from mcms.core.errors import InvalidArgument
from mcms.core.validation import parse_id
from mcms.live.hub import EventHub, Resync
from mcms.live.log import EventRecord
from mcms.rest.common import caller

UPDATE_EVENTS = frozenset(
    {"routing.approval.changed", "addin.job.created", "addin.job.updated", "file.committed"}
)
ALERT_EVENTS = frozenset({"notification.alert"})

RETRY_MS = 3000
HEARTBEAT_SECONDS = 15.0
PUMP_BUFFER = 64


def format_event(event: EventRecord) -> str:
    data = json.dumps({**event.payload, "eventId": str(event.id)}, separators=(",", ":"))
    return f"id: {event.id}\nevent: {event.name}\ndata: {data}\n\n"


def _cursor(request: Request) -> int | None:
    raw = request.headers.get("last-event-id") or request.query_params.get("lastEventId")
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        raise InvalidArgument("Last-Event-ID must be an event id this server sent.")
    return int(raw)


def _filter(
    principal: Principal, names: frozenset[str], routing_id: int | None
) -> Callable[[EventRecord], bool]:
    def accepts(event: EventRecord) -> bool:
        return (
            event.name in names
            and event.visible_to(principal)
            and (routing_id is None or event.routing_id == routing_id)
        )

    return accepts


async def _pump(events: AsyncIterator[EventRecord], out: asyncio.Queue[str | None]) -> None:
    """Move formatted events into ``out``; the reader can then wait with a timeout
    (for heartbeats) without cancelling the event stream itself."""
    try:
        async for event in events:
            await out.put(format_event(event))
    except Resync:
        await out.put("event: resync\ndata: {}\n\n")
    await out.put(None)


async def _body(
    hub: EventHub, since: int | None, accepts: Callable[[EventRecord], bool]
) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    out: asyncio.Queue[str | None] = asyncio.Queue(PUMP_BUFFER)
    pump = asyncio.create_task(_pump(hub.stream(since=since, accepts=accepts), out))
    try:
        while True:
            try:
                chunk = await asyncio.wait_for(out.get(), HEARTBEAT_SECONDS)
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if chunk is None:
                return
            yield chunk
    finally:
        pump.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pump


async def _stream(request: Request, names: frozenset[str]) -> Response:
    principal = await caller(request, Permission.READ)
    raw_routing = request.query_params.get("routingId")
    routing_id = parse_id(raw_routing, "routingId") if raw_routing else None
    since = _cursor(request)
    hub: EventHub = request.app.state.hub
    return StreamingResponse(
        _body(hub, since, _filter(principal, names, routing_id)),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def updates(request: Request) -> Response:
    """Approval and add-in job events; ``?routingId=`` narrows to one routing."""
    return await _stream(request, UPDATE_EVENTS)


async def alerts(request: Request) -> Response:
    """Alerts addressed to the caller (by user or role)."""
    return await _stream(request, ALERT_EVENTS)


routes = [
    Route("/events/updates", updates, methods=["GET"]),
    Route("/events/alerts", alerts, methods=["GET"]),
]

"""The event log and its server-sent-events route, through a real HTTP server:
approval changes are logged in their own transaction, replayed after
``Last-Event-ID`` exactly once and in order, then delivered live."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from sqlalchemy import text

from mcms.core.auth import Role
from mcms.core.db import Database
from tests.factories import APPROVE_ROUTING, Factory, TestUser, error_codes


async def _read_events(
    url: str, user: TestUser, count: int, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """The first ``count`` events of the stream, parsed."""
    events: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(timeout=10) as client,
        client.stream("GET", url, headers={**user.headers, **(headers or {})}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        fields: dict[str, str] = {}
        async for line in response.aiter_lines():
            if line == "":
                if "event" in fields:
                    events.append({**fields, "data": json.loads(fields["data"])})
                    if len(events) == count:
                        return events
                fields = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                fields[key] = value
    return events


async def _event_ids(db: Database) -> list[int]:
    async with db.read_session() as session:
        return list(await session.scalars(text("SELECT id FROM events ORDER BY id")))


async def test_approval_changes_are_logged_with_their_change(
    factory: Factory, db: Database
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.pending_routing(engineer)
    await factory.ok(APPROVE_ROUTING, {"id": routing["id"]}, as_=approver)

    refused = await factory.gql(APPROVE_ROUTING, {"id": routing["id"]}, as_=approver)

    assert error_codes(refused) == ["CONFLICT"]
    async with db.read_session() as session:
        rows = (await session.execute(text("SELECT name, payload FROM events ORDER BY id"))).all()
    payloads = [json.loads(p) if isinstance(p, str) else p for _, p in rows]
    # nothing for the refused approve; the approval queued its generation job
    assert [name for name, _ in rows] == [
        "routing.approval.changed",
        "routing.approval.changed",
        "addin.job.created",
    ]
    assert [p.get("status") for p in payloads] == ["PENDING_APPROVAL", "APPROVED", None]
    assert payloads[2]["routingId"] == routing["id"]


async def test_sse_replays_after_last_event_id_then_goes_live(
    factory: Factory, db: Database, server_url: str
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    first = await factory.pending_routing(engineer)  # event 1
    await factory.ok(APPROVE_ROUTING, {"id": first["id"]}, as_=approver)  # events 2, 3 (job)
    second = await factory.pending_routing(engineer)  # event 4
    ids = await _event_ids(db)

    reader = asyncio.create_task(
        _read_events(f"{server_url}/events/updates", approver, 5, {"Last-Event-ID": str(ids[0])})
    )
    await asyncio.sleep(0.5)  # the three missed events are replayed meanwhile
    await factory.ok(APPROVE_ROUTING, {"id": second["id"]}, as_=approver)  # live: 5, 6
    events = await asyncio.wait_for(reader, 10)

    assert [int(e["id"]) for e in events] == [*ids[1:], ids[-1] + 1, ids[-1] + 2]
    approval, job = "routing.approval.changed", "addin.job.created"
    assert [e["event"] for e in events] == [approval, job, approval, approval, job]
    assert [e["data"].get("status") for e in events if e["event"] == approval] == [
        "APPROVED",
        "PENDING_APPROVAL",
        "APPROVED",
    ]
    assert events[0]["data"]["approvedBy"] == approver.username
    assert events[-1]["data"]["routingId"] == second["id"]
    assert events[-1]["data"]["eventId"] == events[-1]["id"]


async def test_sse_filters_by_routing(factory: Factory, server_url: str) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    watched = await factory.routing(engineer)
    other = await factory.pending_routing(engineer)

    reader = asyncio.create_task(
        _read_events(
            f"{server_url}/events/updates?routingId={watched['id']}&lastEventId=0", approver, 1
        )
    )
    await asyncio.sleep(0.3)
    await factory.ok(APPROVE_ROUTING, {"id": other["id"]}, as_=approver)
    await factory.ok(
        "mutation($id: ID!) { submitRouting(id: $id) { id } }",
        {"id": watched["id"]},
        as_=engineer,
    )
    events = await asyncio.wait_for(reader, 10)

    assert [e["data"]["routingId"] for e in events] == [watched["id"]]


async def test_sse_needs_a_reader(factory: Factory, server_url: str) -> None:
    agent = await factory.user(Role.AGENT)
    async with httpx.AsyncClient(timeout=5) as client:
        anonymous = await client.get(f"{server_url}/events/updates")
        forbidden = await client.get(f"{server_url}/events/updates", headers=agent.headers)
        bad_cursor = await client.get(
            f"{server_url}/events/updates",
            headers={**agent.headers, "Last-Event-ID": "abc"},
        )

    assert anonymous.status_code == 401
    assert forbidden.status_code == 403
    assert bad_cursor.status_code in (400, 403)

"""GraphQL subscriptions over real WebSockets (graphql-transport-ws and the
legacy graphql-ws): replay from ``since`` then live, authentication at
``connection_init``, the Origin check, alert audiences, RESYNC."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import text
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.live.alerts import AlertSeverity, publish_alert
from tests.factories import APPROVE_ROUTING, Factory, TestUser

APPROVALS = """
subscription Approvals($routingId: ID, $since: String) {
  routingApprovalChanged(routingId: $routingId, since: $since) {
    eventId routingId status approvedBy timestamp
  }
}
"""

ALERTS = "subscription { notificationAlert { eventId type title message severity } }"

SUBMIT = "mutation($id: ID!) { submitRouting(id: $id) { id } }"

TIMEOUT = 10


def _ws_url(server_url: str) -> str:
    return server_url.replace("http://", "ws://") + "/graphql"


@asynccontextmanager
async def _transport_ws(
    server_url: str, init_payload: dict[str, Any] | None, **kwargs: Any
) -> AsyncIterator[ClientConnection]:
    async with connect(
        _ws_url(server_url), subprotocols=[Subprotocol("graphql-transport-ws")], **kwargs
    ) as ws:
        message: dict[str, Any] = {"type": "connection_init"}
        if init_payload is not None:
            message["payload"] = init_payload
        await ws.send(json.dumps(message))
        yield ws


async def _acked(ws: ClientConnection) -> None:
    reply = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert reply["type"] == "connection_ack", reply


async def _subscribe(ws: ClientConnection, query: str, variables: dict[str, Any]) -> None:
    await ws.send(
        json.dumps(
            {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
    )


async def _next_payloads(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    payloads: list[dict[str, Any]] = []
    while len(payloads) < count:
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        if message["type"] in ("next", "data"):
            payloads.append(message["payload"])
        elif message["type"] in ("error", "complete"):
            payloads.append(message)
            return payloads
    return payloads


def _bearer(user: TestUser) -> dict[str, str]:
    return {"authorization": f"Bearer {user.token}"}


async def _event_ids(db: Database, *, after: int = 0, name: str | None = None) -> list[int]:
    query = "SELECT id FROM events WHERE id > :after"
    if name is not None:
        query += " AND name = :name"
    async with db.read_session() as session:
        rows = await session.scalars(text(query + " ORDER BY id"), {"after": after, "name": name})
        return list(rows)


async def test_replay_since_then_live_without_gap_or_duplicate(
    factory: Factory, db: Database, server_url: str
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    first = await factory.pending_routing(engineer)
    await factory.ok(APPROVE_ROUTING, {"id": first["id"]}, as_=approver)
    second = await factory.pending_routing(engineer)
    missed_after = (await _event_ids(db))[0]

    async with _transport_ws(server_url, _bearer(approver)) as ws:
        await _acked(ws)
        await _subscribe(ws, APPROVALS, {"since": str(missed_after)})
        replayed = await _next_payloads(ws, 2)
        await factory.ok(APPROVE_ROUTING, {"id": second["id"]}, as_=approver)
        live = await _next_payloads(ws, 1)

    events = [p["data"]["routingApprovalChanged"] for p in [*replayed, *live]]
    # exactly the approval events after the cursor (the approvals' job events in
    # between are not this subscription's), in order
    assert [int(e["eventId"]) for e in events] == await _event_ids(
        db, after=missed_after, name="routing.approval.changed"
    )
    assert [e["status"] for e in events] == ["APPROVED", "PENDING_APPROVAL", "APPROVED"]
    assert events[-1]["routingId"] == second["id"]
    assert events[-1]["approvedBy"] == approver.username


async def test_legacy_graphql_ws_protocol_works(factory: Factory, server_url: str) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)

    async with connect(_ws_url(server_url), subprotocols=[Subprotocol("graphql-ws")]) as ws:
        await ws.send(json.dumps({"type": "connection_init", "payload": _bearer(engineer)}))
        await _acked(ws)
        await ws.send(
            json.dumps(
                {
                    "id": "1",
                    "type": "start",
                    "payload": {"query": APPROVALS, "variables": {"routingId": routing["id"]}},
                }
            )
        )
        await asyncio.sleep(0.3)
        await factory.ok(
            "mutation($id: ID!) { submitRouting(id: $id) { id } }",
            {"id": routing["id"]},
            as_=engineer,
        )
        payloads = await _next_payloads(ws, 1)

    assert payloads[0]["data"]["routingApprovalChanged"]["status"] == "PENDING_APPROVAL"


async def _close_code(server_url: str, init_payload: dict[str, Any] | None) -> int | None:
    async with _transport_ws(server_url, init_payload) as ws:
        try:
            await asyncio.wait_for(ws.recv(), TIMEOUT)
            await asyncio.wait_for(ws.recv(), TIMEOUT)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
    return None


async def test_connection_init_authenticates(factory: Factory, server_url: str) -> None:
    agent = await factory.user(Role.AGENT)

    assert await _close_code(server_url, None) == 4401
    assert await _close_code(server_url, {"authorization": "Bearer mcms_not-a-token"}) == 4401
    assert await _close_code(server_url, _bearer(agent)) == 4403


async def test_cross_origin_handshake_is_refused(factory: Factory, server_url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(
            _ws_url(server_url),
            subprotocols=[Subprotocol("graphql-transport-ws")],
            origin="http://evil.example",  # type: ignore[arg-type]
        ):
            pass
    assert refused.value.response.status_code == 403


async def test_an_alert_reaches_only_its_audience(
    factory: Factory, db: Database, server_url: str
) -> None:
    alice = await factory.user(Role.ENGINEER)
    bob = await factory.user(Role.ENGINEER)

    async with (
        _transport_ws(server_url, _bearer(alice)) as alice_ws,
        _transport_ws(server_url, _bearer(bob)) as bob_ws,
    ):
        await _acked(alice_ws)
        await _acked(bob_ws)
        await _subscribe(alice_ws, ALERTS, {})
        await _subscribe(bob_ws, ALERTS, {})
        await asyncio.sleep(0.3)
        for user, title in ((alice, "for alice"), (bob, "for bob")):
            async with db.unit_of_work() as session:
                await publish_alert(
                    session=session,
                    type="TEST",
                    title=title,
                    message="m",
                    severity=AlertSeverity.WARNING,
                    audience=[f"user:{user.id}"],
                )
        alice_got = await _next_payloads(alice_ws, 1)
        bob_got = await _next_payloads(bob_ws, 1)

    assert alice_got[0]["data"]["notificationAlert"]["title"] == "for alice"
    assert bob_got[0]["data"]["notificationAlert"]["title"] == "for bob"  # not alice's


async def test_since_older_than_the_log_gets_resync(
    factory: Factory, db: Database, server_url: str
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    for _ in range(3):
        await factory.pending_routing(engineer)
    ids = await _event_ids(db)
    async with db.unit_of_work() as session:  # what retention does to old events
        await session.execute(text("DELETE FROM events WHERE id < :keep"), {"keep": ids[-1]})

    async with _transport_ws(server_url, _bearer(engineer)) as ws:
        await _acked(ws)
        await _subscribe(ws, APPROVALS, {"since": str(ids[0])})
        answer = await _next_payloads(ws, 1)

    first = answer[0]  # a `next` carrying errors, or an `error` message
    errors = first.get("errors") or first.get("payload")
    assert errors is not None, first
    assert errors[0]["extensions"]["code"] == "RESYNC"


async def test_subscribers_of_one_operation_share_one_execution(
    factory: Factory, server_url: str, app: Any
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    subscribers = 5
    fanout = app.state.hub.fanout
    executions_before = fanout.executions

    async with AsyncExitStack() as stack:
        sockets = [
            await stack.enter_async_context(_transport_ws(server_url, _bearer(engineer)))
            for _ in range(subscribers)
        ]
        for ws in sockets:
            await _acked(ws)
            await _subscribe(ws, APPROVALS, {"routingId": routing["id"]})
        await asyncio.sleep(0.3)
        await factory.ok(
            "mutation($id: ID!) { submitRouting(id: $id) { id } }",
            {"id": routing["id"]},
            as_=engineer,
        )
        frames = [await asyncio.wait_for(ws.recv(), TIMEOUT) for ws in sockets]

    assert len(set(frames)) == 1  # the very same frame text for everyone
    assert json.loads(frames[0])["payload"]["data"]["routingApprovalChanged"]["status"] == (
        "PENDING_APPROVAL"
    )
    assert fanout.executions == executions_before + 1  # executed once, not five times


async def test_shared_frames_carry_each_operation_its_own_id(
    factory: Factory, server_url: str, app: Any
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    variables = {"routingId": routing["id"]}
    fanout = app.state.hub.fanout
    executions_before = fanout.executions

    async with (  # plain frames on one, per-message-deflate on the other
        _transport_ws(server_url, _bearer(engineer), compression=None) as modern,
        connect(_ws_url(server_url), subprotocols=[Subprotocol("graphql-ws")]) as legacy,
    ):
        await _acked(modern)
        for operation_id in ("a", 'quote"d'):
            await modern.send(
                json.dumps(
                    {
                        "id": operation_id,
                        "type": "subscribe",
                        "payload": {"query": APPROVALS, "variables": variables},
                    }
                )
            )
        await legacy.send(json.dumps({"type": "connection_init", "payload": _bearer(engineer)}))
        await _acked(legacy)
        start = {"query": APPROVALS, "variables": variables}
        await legacy.send(json.dumps({"id": "old", "type": "start", "payload": start}))
        await asyncio.sleep(0.3)
        await factory.ok(SUBMIT, {"id": routing["id"]}, as_=engineer)
        modern_frames = [json.loads(await asyncio.wait_for(modern.recv(), TIMEOUT)) for _ in "ab"]
        legacy_frame = await asyncio.wait_for(legacy.recv(), TIMEOUT)
        while json.loads(legacy_frame)["type"] == "ka":  # the legacy keep-alive
            legacy_frame = await asyncio.wait_for(legacy.recv(), TIMEOUT)

    assert sorted(f["id"] for f in modern_frames) == ["a", 'quote"d']
    assert {f["type"] for f in modern_frames} == {"next"}
    old = json.loads(legacy_frame)
    assert (old["id"], old["type"]) == ("old", "data")
    assert old["payload"] == modern_frames[0]["payload"] == modern_frames[1]["payload"]
    assert old["payload"]["data"]["routingApprovalChanged"]["status"] == "PENDING_APPROVAL"
    assert fanout.executions == executions_before + 1  # one execution for the three

"""A job's life as browsers see it: the ``addinJobCreated``, ``addinJobUpdated``
and ``notificationAlert`` subscriptions over a real WebSocket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from mcms.core.auth import Role
from tests.addin_jobs.support import (
    APPROVE,
    claimed,
    complete,
    completion,
    heartbeat,
    json_of,
    queued_job,
)
from tests.factories import Factory, TestUser
from tests.servers import serving

CREATED = """
subscription Created($routingId: ID) { addinJobCreated(routingId: $routingId) {
  eventId jobId routingId createdAt } }
"""

UPDATED = """
subscription Updated($jobId: ID, $since: String) { addinJobUpdated(jobId: $jobId, since: $since) {
  eventId jobId routingId status message updatedAt } }
"""

ALERTS = "subscription { notificationAlert { type title message severity } }"

TIMEOUT = 10
QUIET = 0.5


@pytest.fixture
async def ws_url(app: Any) -> AsyncIterator[str]:
    """The app behind a real uvicorn (the in-process transport cannot stream)."""
    async with serving(app) as address:
        yield f"ws://{address}/graphql"


@asynccontextmanager
async def subscribed(
    url: str, user: TestUser, query: str, variables: dict[str, Any]
) -> AsyncIterator[ClientConnection]:
    """A graphql-transport-ws connection with one subscription started."""
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {user.token}"}}
        await ws.send(json.dumps(init))
        ack = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert ack["type"] == "connection_ack", ack
        payload = {"query": query, "variables": variables}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": payload}))
        await asyncio.sleep(0.2)  # the subscription is live before anything happens
        yield ws


async def received(ws: ClientConnection, count: int) -> list[dict[str, Any]]:
    """The next ``count`` results' data."""
    found: list[dict[str, Any]] = []
    while len(found) < count:
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        assert message["type"] == "next", message
        found.append(message["payload"]["data"])
    return found


async def nothing_more(ws: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(ws.recv(), QUIET)


async def test_a_job_is_followed_from_queue_to_completion(
    factory: Factory, client: httpx.AsyncClient, ws_url: str
) -> None:
    # given an engineer watching a pending routing's jobs
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.pending_routing(engineer)
    async with subscribed(ws_url, engineer, CREATED, {"routingId": routing["id"]}) as ws:
        # when it is approved
        await factory.ok(APPROVE, {"id": routing["id"]}, as_=approver)

        # then the engineer sees its job queued
        [data] = await received(ws, 1)
    created = data["addinJobCreated"]
    assert created["routingId"] == routing["id"]
    job_id = created["jobId"]

    async with subscribed(ws_url, engineer, UPDATED, {"jobId": job_id}) as ws:
        # when an agent claims it, reports progress and completes it
        agent = await factory.user(Role.AGENT)
        job = await claimed(client, agent)
        token = job["leaseToken"]
        beat = {"leaseToken": token, "progress": 50, "message": "Roughing"}
        json_of(await heartbeat(client, agent, job_id, beat))
        json_of(await complete(client, agent, job_id, completion(token, message="NC written")))

        # then each step arrives, in order
        updates = [d["addinJobUpdated"] for d in await received(ws, 3)]
        await nothing_more(ws)
    assert [(u["status"], u["message"]) for u in updates] == [
        ("RUNNING", None),
        ("RUNNING", "Roughing"),
        ("COMPLETED", "NC written"),
    ]
    assert {u["jobId"] for u in updates} == {job_id}
    assert [int(u["eventId"]) for u in updates] == sorted(int(u["eventId"]) for u in updates)

    # and a reconnect from the first update's cursor replays the rest
    since = {"jobId": job_id, "since": updates[0]["eventId"]}
    async with subscribed(ws_url, engineer, UPDATED, since) as ws:
        replayed = [d["addinJobUpdated"] for d in await received(ws, 2)]
    assert replayed == updates[1:]


async def test_a_failure_alerts_the_owner_and_approvers_only(
    factory: Factory, client: httpx.AsyncClient, ws_url: str
) -> None:
    # given a running job, watched by its owner, an approver and another engineer
    queued = await queued_job(factory)
    approver = await factory.user(Role.APPROVER)
    bystander = await factory.user(Role.ENGINEER)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    async with (
        subscribed(ws_url, queued.owner, ALERTS, {}) as owner_ws,
        subscribed(ws_url, approver, ALERTS, {}) as approver_ws,
        subscribed(ws_url, bystander, ALERTS, {}) as bystander_ws,
    ):
        # when the add-in reports a failure
        result = completion(job["leaseToken"], status="failed", message="Tool T12 missing")
        json_of(await complete(client, agent, queued.job_id, result))

        # then the owner and the approver are alerted, the bystander is not
        [to_owner] = await received(owner_ws, 1)
        [to_approver] = await received(approver_ws, 1)
        await nothing_more(bystander_ws)
    alert = to_owner["notificationAlert"]
    assert alert == to_approver["notificationAlert"]
    assert (alert["type"], alert["severity"]) == ("ADDIN_JOB_FAILED", "ERROR")
    assert "Tool T12 missing" in alert["message"]

"""What the add-in job tests share: a queued job, the agent's REST calls, and
reads of the rows and events a state change leaves behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Row, select

from mcms.addin_jobs import service
from mcms.addin_jobs.leases import Holder
from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.history.models import HistoryEntry
from mcms.live.log import events_table
from mcms.routings import service as routings
from tests.factories import Factory, TestUser

PROBLEM_JSON = "application/problem+json"
JOB_CREATED = "addin.job.created"
JOB_UPDATED = "addin.job.updated"
ALERT = "notification.alert"

NC_OUTPUT = {"name": "O1234.nc", "size": 2048, "sha256": "ab" * 32}

APPROVE = """
mutation Approve($id: ID!) { approveRouting(id: $id) { id status } }
"""


@dataclass(frozen=True)
class QueuedJob:
    routing_id: str
    job_id: str
    owner: TestUser


async def queued_job(
    factory: Factory, owner: TestUser | None = None, approver: TestUser | None = None
) -> QueuedJob:
    """An approved routing; its approval queued the job."""
    owner = owner or await factory.user(Role.ENGINEER)
    approver = approver or await factory.user(Role.APPROVER)
    routing = await factory.approved_routing(owner, approver)
    async with factory.db.read_session() as session:
        [job] = await service.jobs_for_routings(session=session, routing_ids=[int(routing["id"])])
    return QueuedJob(routing_id=routing["id"], job_id=str(job.id), owner=owner)


def holder_of(agent: TestUser, agent_id: str = "ws-1") -> Holder:
    return Holder(user_id=agent.id, username=agent.username, agent_id=agent_id)


# --- the agent's REST calls ---------------------------------------------------------------


async def claim(
    client: httpx.AsyncClient, agent: TestUser, *, wait: str | None = None, agent_id: str = "ws-1"
) -> httpx.Response:
    query = f"?wait={wait}" if wait is not None else ""
    return await client.post(
        f"/api/addin/jobs/claim{query}",
        json={"agentId": agent_id, "capabilities": {"esprit": "2024.1"}},
        headers=agent.headers,
    )


async def claimed(client: httpx.AsyncClient, agent: TestUser, agent_id: str = "ws-1") -> Any:
    """The job the agent claimed (there must be one)."""
    return json_of(await claim(client, agent, agent_id=agent_id))


async def heartbeat(
    client: httpx.AsyncClient, agent: TestUser, job_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(
        f"/api/addin/jobs/{job_id}/heartbeat", json=body, headers=agent.headers
    )


async def complete(
    client: httpx.AsyncClient, agent: TestUser, job_id: str, body: dict[str, Any]
) -> httpx.Response:
    return await client.post(f"/api/addin/jobs/{job_id}/complete", json=body, headers=agent.headers)


def completion(
    lease_token: str | None,
    status: str = "completed",
    message: str = "NC written",
    outputs: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {"resultStatus": status, "message": message, "outputs": outputs or []}
    if lease_token is not None:
        body["leaseToken"] = lease_token
    return body


# --- answers ------------------------------------------------------------------------------


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["error"]["code"] == code
    return body


def seconds_from_now(timestamp: str) -> float:
    assert timestamp.endswith("Z"), timestamp
    moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return (moment - datetime.now(UTC)).total_seconds()


# --- what the database holds ----------------------------------------------------------


async def job_row(db: Database, job_id: str | int) -> Row[Any]:
    async with db.read_session() as session:
        return await service.get_job(session=session, job_id=int(job_id))


async def routing_row(db: Database, routing_id: str | int) -> Row[Any]:
    async with db.read_session() as session:
        return await routings.get_routing(session=session, routing_id=int(routing_id))


async def history_of(db: Database, routing_id: str | int) -> list[HistoryEntry]:
    """The routing's history entries, oldest first."""
    query = (
        select(HistoryEntry)
        .where(HistoryEntry.routing_id == int(routing_id))
        .order_by(HistoryEntry.id)
    )
    async with db.read_session() as session:
        return list(await session.scalars(query))


async def history_types(db: Database, routing_id: str | int) -> list[str]:
    return [entry.type for entry in await history_of(db, routing_id)]


@dataclass(frozen=True)
class LoggedEvent:
    name: str
    payload: dict[str, Any]
    audience: list[str] | None
    routing_id: int | None


async def events_named(db: Database, name: str) -> list[LoggedEvent]:
    """The event log's entries called ``name``, oldest first."""
    query = select(events_table).where(events_table.c.name == name).order_by(events_table.c.id)
    async with db.read_session() as session:
        rows = (await session.execute(query)).all()
    return [LoggedEvent(r.name, r.payload, r.audience, r.routing_id) for r in rows]


async def job_updates(db: Database, job_id: str, status: str | None = None) -> list[LoggedEvent]:
    """``addin.job.updated`` events of one job (optionally only those with ``status``)."""
    return [
        event
        for event in await events_named(db, JOB_UPDATED)
        if event.payload["jobId"] == job_id and status in (None, event.payload["status"])
    ]

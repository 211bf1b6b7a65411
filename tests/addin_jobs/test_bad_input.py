"""Who may call what, and bad input: a clear 401/403/400 problem, nothing
changed, never a 500."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mcms.core.auth import Role
from mcms.history.models import HistoryEntry
from mcms.live.log import events_table
from tests.addin_jobs.support import claimed, job_row, queued_job
from tests.factories import Factory, TestUser, error_codes

GOOD_OUTPUT = {"name": "O1.nc", "size": 1, "sha256": "0" * 64}


@dataclass
class World:
    """A running job held by ``agent``, and people of every role."""

    job_id: str
    token: str
    agent: TestUser
    engineer: TestUser
    approver: TestUser
    admin: TestUser


@pytest.fixture
async def world(factory: Factory, client: httpx.AsyncClient) -> World:
    engineer = await factory.user(Role.ENGINEER)
    queued = await queued_job(factory, owner=engineer)
    agent = await factory.user(Role.AGENT)
    job = await claimed(client, agent)
    return World(
        job_id=queued.job_id,
        token=job["leaseToken"],
        agent=agent,
        engineer=engineer,
        approver=await factory.user(Role.APPROVER),
        admin=await factory.user(Role.ADMIN),
    )


async def snapshot(factory: Factory, world: World) -> tuple[Any, ...]:
    """Everything a refused call must leave as it was."""
    async with factory.db.read_session() as session:
        history = await session.scalar(select(func.count()).select_from(HistoryEntry))
        events = await session.scalar(select(func.count()).select_from(events_table))
    return (tuple(await job_row(factory.db, world.job_id)), history, events)


async def send(
    client: httpx.AsyncClient, method: str, path: str, body: Any, user: TestUser | None
) -> httpx.Response:
    headers = dict(user.headers) if user else {}
    if isinstance(body, bytes):
        headers["content-type"] = "application/json"
        return await client.request(method, path, content=body, headers=headers)
    return await client.request(method, path, json=body, headers=headers)


# --- who may call what -------------------------------------------------------------------------

AGENT_ROUTES = [
    ("POST", "/api/addin/jobs/claim", {}),
    ("GET", "/api/addin/jobs/next", None),
    ("POST", "/api/addin/jobs/{job}/heartbeat", {"leaseToken": "{token}"}),
    (
        "POST",
        "/api/addin/jobs/{job}/complete",
        {"resultStatus": "completed", "leaseToken": "{token}"},
    ),
    ("POST", "/api/addin/jobs/{job}/release", {"leaseToken": "{token}"}),
]

PEOPLE_ROUTES = [
    ("POST", "/api/addin/jobs", {"routingId": "1"}),
    ("GET", "/api/addin/jobs", None),
    ("POST", "/api/addin/jobs/{job}/retry", None),
    ("POST", "/api/addin/jobs/{job}/cancel", None),
    ("GET", "/api/metrics/dashboard", None),
    ("GET", "/api/addin/keys/current", None),
    ("POST", "/api/addin/keys/renew", None),
]


def _fill(world: World, path: str, body: Any) -> tuple[str, Any]:
    path = path.replace("{job}", world.job_id)
    if isinstance(body, dict):
        body = {k: world.token if v == "{token}" else v for k, v in body.items()}
    return path, body


async def answers(
    client: httpx.AsyncClient, world: World, calls: Sequence[tuple[str, str, Any, TestUser | None]]
) -> list[tuple[str, int, str | None]]:
    """``(call, status, code)`` of each call, sent one after the other."""
    found = []
    for method, path, body, user in calls:
        path, body = _fill(world, path, body)
        response = await send(client, method, path, body, user)
        code = response.json().get("code") if response.status_code >= 400 else None
        assert response.status_code < 500, response.text
        found.append((f"{method} {path} {body!r}", response.status_code, code))
    return found


def expecting(
    answered: list[tuple[str, int, str | None]], status: int, code: str
) -> list[tuple[str, int, str | None]]:
    """The answers that were not ``status`` with ``code`` (so ``[]`` when all were)."""
    return [a for a in answered if a[1:] != (status, code)]


async def test_only_agents_use_the_agent_routes(
    factory: Factory, client: httpx.AsyncClient, world: World
) -> None:
    # given a running job
    before = await snapshot(factory, world)

    # when people of every other role call the agent's routes
    people = [world.engineer, world.approver, world.admin]
    calls = [(m, p, b, who) for m, p, b in AGENT_ROUTES for who in people]
    answered = await answers(client, world, calls)

    # then each is forbidden, and nothing changed
    assert expecting(answered, 403, "FORBIDDEN") == []
    assert await snapshot(factory, world) == before


async def test_agents_may_not_use_the_people_routes(
    factory: Factory, client: httpx.AsyncClient, world: World
) -> None:
    before = await snapshot(factory, world)

    answered = await answers(client, world, [(*route, world.agent) for route in PEOPLE_ROUTES])

    assert expecting(answered, 403, "FORBIDDEN") == []
    assert await snapshot(factory, world) == before


async def test_without_a_valid_token_everything_is_401(
    factory: Factory, client: httpx.AsyncClient, world: World
) -> None:
    # given a token nobody was issued
    before = await snapshot(factory, world)
    forged = TestUser(0, "nobody", Role.AGENT, "mcms_not-a-real-token", "")

    # when every route is called without a token, or with the forged one
    calls = [(*route, who) for route in AGENT_ROUTES + PEOPLE_ROUTES for who in (None, forged)]
    answered = await answers(client, world, calls)

    # then each is 401
    assert expecting(answered, 401, "UNAUTHENTICATED") == []
    assert await snapshot(factory, world) == before


AGENT_READS = """
query { addinJobs { totalCount } }
"""

AGENT_READS_ONE = """
query Job($id: ID!) { addinJob(id: $id) { id status } }
"""


async def test_an_agent_may_not_read_through_graphql(factory: Factory, world: World) -> None:
    many = await factory.gql(AGENT_READS, as_=world.agent)
    one = await factory.gql(AGENT_READS_ONE, {"id": world.job_id}, as_=world.agent)

    assert error_codes(many) == ["FORBIDDEN"]
    assert error_codes(one) == ["FORBIDDEN"]


async def test_an_agent_reads_a_job_over_rest(client: httpx.AsyncClient, world: World) -> None:
    # the add-in checks a job's status after a restart; only its holder sees the token
    mine = (await client.get(f"/api/addin/jobs/{world.job_id}", headers=world.agent.headers)).json()
    theirs = (
        await client.get(f"/api/addin/jobs/{world.job_id}", headers=world.engineer.headers)
    ).json()

    assert (mine["status"], mine["leaseToken"]) == ("RUNNING", world.token)
    assert (theirs["status"], theirs["leaseToken"]) == ("RUNNING", None)


# --- bad input ---------------------------------------------------------------------------------

NOT_JSON = b'{"leaseToken": '

CLAIM_BODIES: list[Any] = [
    NOT_JSON,
    b"[1, 2]",
    b'"text"',
    {"agentId": 5},
    {"agentId": "x" * 201},
    {"agentId": "bell\x07"},
    {"capabilities": "esprit"},
    {"capabilities": {"esprit": 2024}},
    {"capabilities": ["esprit"]},
]

CLAIM_WAITS = ["-1", "abc", "nan", "inf", "1e400", "-0.5", "0x10"]

HEARTBEATS: list[Any] = [
    NOT_JSON,
    b"null",
    {},
    {"progress": 10},
    {"leaseToken": "abc"},
    {"leaseToken": "-1"},
    {"leaseToken": 1.5},
    {"leaseToken": True},
    {"leaseToken": "9" * 40},
    {"leaseToken": "{token}", "progress": 150},
    {"leaseToken": "{token}", "progress": -1},
    {"leaseToken": "{token}", "progress": "50"},
    {"leaseToken": "{token}", "progress": True},
    {"leaseToken": "{token}", "message": 5},
    {"leaseToken": "{token}", "message": "bell\x07"},
    {"leaseToken": "{token}", "message": "x" * 4001},
]

COMPLETIONS: list[Any] = [
    NOT_JSON,
    b"[]",
    {"leaseToken": "{token}"},
    {"leaseToken": "{token}", "resultStatus": "done"},
    {"leaseToken": "{token}", "resultStatus": 1},
    {"leaseToken": "{token}", "resultStatus": None},
    {"leaseToken": "abc", "resultStatus": "completed"},
    {"leaseToken": "{token}", "resultStatus": "completed", "message": ["x"]},
    {"leaseToken": "{token}", "resultStatus": "completed", "outputs": "O1.nc"},
    {"leaseToken": "{token}", "resultStatus": "completed", "outputs": ["O1.nc"]},
    {"leaseToken": "{token}", "resultStatus": "completed", "outputs": {"name": "O1.nc"}},
]

BAD_OUTPUTS: list[dict[str, Any]] = [
    {**GOOD_OUTPUT, "sha256": "z" * 64},
    {**GOOD_OUTPUT, "sha256": "0" * 63},
    {**GOOD_OUTPUT, "sha256": None},
    {**GOOD_OUTPUT, "size": -1},
    {**GOOD_OUTPUT, "size": 2**53},  # past what GraphQL's BigInt carries exactly
    {**GOOD_OUTPUT, "size": 10**400},
    {**GOOD_OUTPUT, "size": "1"},
    {**GOOD_OUTPUT, "size": 1.5},
    {**GOOD_OUTPUT, "size": True},
    {**GOOD_OUTPUT, "name": ""},
    {**GOOD_OUTPUT, "name": 7},
    {"size": 1, "sha256": "0" * 64},
    GOOD_OUTPUT,  # the same name twice
]

BAD_IDS = ["abc", "0", "-1", "1.5", "%C2%B2", "1e3", str(2**31), "9" * 17]
"""Ids past 32 bits name nothing; PostgreSQL would refuse to compare with them."""


async def assert_refused(
    factory: Factory, client: httpx.AsyncClient, world: World, calls: list[tuple[str, Any]]
) -> None:
    """Each ``(path, body)``, POSTed by the job's agent, is ``INVALID_ARGUMENT``
    and changes nothing."""
    before = await snapshot(factory, world)

    answered = await answers(client, world, [("POST", p, b, world.agent) for p, b in calls])

    assert expecting(answered, 400, "INVALID_ARGUMENT") == []
    assert await snapshot(factory, world) == before


async def test_bad_claims(factory: Factory, client: httpx.AsyncClient, world: World) -> None:
    calls = [("/api/addin/jobs/claim", body) for body in CLAIM_BODIES]
    calls += [(f"/api/addin/jobs/claim?wait={wait}", {}) for wait in CLAIM_WAITS]
    await assert_refused(factory, client, world, calls)


async def test_bad_heartbeats(factory: Factory, client: httpx.AsyncClient, world: World) -> None:
    path = "/api/addin/jobs/{job}/heartbeat"
    await assert_refused(factory, client, world, [(path, body) for body in HEARTBEATS])


async def test_bad_completions(factory: Factory, client: httpx.AsyncClient, world: World) -> None:
    path = "/api/addin/jobs/{job}/complete"
    calls = [(path, body) for body in COMPLETIONS]
    calls += [
        (
            path,
            {"leaseToken": "{token}", "resultStatus": "completed", "outputs": [GOOD_OUTPUT, bad]},
        )
        for bad in BAD_OUTPUTS
    ]
    await assert_refused(factory, client, world, calls)


async def test_bad_releases_and_job_ids(
    factory: Factory, client: httpx.AsyncClient, world: World
) -> None:
    body = {"leaseToken": "{token}", "resultStatus": "completed"}
    calls: list[tuple[str, Any]] = [("/api/addin/jobs/{job}/release", {"message": "bye"})]
    calls += [
        (f"/api/addin/jobs/{job_id}/{action}", body)
        for job_id in BAD_IDS
        for action in ("heartbeat", "complete", "release")
    ]
    await assert_refused(factory, client, world, calls)


async def test_bad_queue_requests(
    factory: Factory, client: httpx.AsyncClient, world: World
) -> None:
    before = await snapshot(factory, world)
    bodies: list[Any] = [
        NOT_JSON,
        {},
        {"routingId": "abc"},
        {"routingId": ["1"]},
        {"routingId": "1", "parameters": ["a"]},
        {"routingId": "1", "parameters": {"post": 1}},
        {"routingId": "1", "parameters": {"": "x"}},
    ]

    answered = await answers(
        client, world, [("POST", "/api/addin/jobs", body, world.admin) for body in bodies]
    )

    assert expecting(answered, 400, "INVALID_ARGUMENT") == []
    assert await snapshot(factory, world) == before


async def test_bad_list_queries(client: httpx.AsyncClient, world: World) -> None:
    queries = ["status=BOGUS", "routingId=abc", "page=x", "pageSize=-3"]

    answered = await answers(
        client, world, [("GET", f"/api/addin/jobs?{q}", None, world.engineer) for q in queries]
    )

    assert expecting(answered, 400, "INVALID_ARGUMENT") == []

"""Add-in keys: issued once by an administrator, hashed at rest, renewed with an
overlap during which the previous key still works."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mcms.app import create_app
from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.settings import Settings
from mcms.users.models import ApiToken
from tests.addin_jobs.support import assert_problem, json_of, queued_job
from tests.factories import Factory, TestUser, error_codes


async def renew(client: httpx.AsyncClient, admin: TestUser, agent: str | None = None) -> Any:
    query = f"?agent={agent}" if agent else ""
    return json_of(await client.post(f"/api/addin/keys/renew{query}", headers=admin.headers), 201)


async def claim_with(client: httpx.AsyncClient, key: str) -> httpx.Response:
    return await client.post(
        "/api/addin/jobs/claim", json={}, headers={"Authorization": f"Bearer {key}"}
    )


@pytest.fixture
async def no_overlap_client(db: Database, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app on the same database, configured to retire a renewed key at once."""
    settings = Settings(data_dir=tmp_path / "other", log_json=True, addin_key_overlap_hours=0)
    application: Any = create_app(settings, db=db)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await application.state.hub.close()


async def test_a_renewed_key_is_shown_once_and_works_for_the_agent(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a queued job
    admin = await factory.user(Role.ADMIN)
    queued = await queued_job(factory)

    # when an administrator issues the add-in key
    issued = await renew(client, admin)

    # then it belongs to the AGENT account "addin", and claims the job
    assert (issued["agent"], issued["previous"], issued["expiresAt"]) == ("addin", [], None)
    assert issued["key"].startswith(issued["prefix"])
    job = json_of(await claim_with(client, issued["key"]))
    assert (job["jobId"], job["agentId"]) == (queued.job_id, "addin")
    # and only its hash is kept
    async with factory.db.read_session() as session:
        stored = (await session.scalars(select(ApiToken).where(ApiToken.kind == "addin_key"))).one()
    assert stored.token_hash != issued["key"]
    assert issued["key"] not in stored.token_hash


async def test_the_previous_key_works_during_the_overlap(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a key, then a renewal
    admin = await factory.user(Role.ADMIN)
    first = await renew(client, admin)
    second = await renew(client, admin)

    # when the workstations call with either key
    old = await claim_with(client, first["key"])
    new = await claim_with(client, second["key"])

    # then both work (204: nothing queued), and the renewal said until when the old one does
    assert (old.status_code, new.status_code) == (204, 204)
    [previous] = second["previous"]
    assert previous["keyId"] == first["keyId"]
    assert previous["expiresAt"] is not None
    assert "key" not in previous


async def test_without_overlap_the_previous_key_stops_at_once(
    factory: Factory, no_overlap_client: httpx.AsyncClient
) -> None:
    # given a key, renewed on a server configured without overlap
    admin = await factory.user(Role.ADMIN)
    first = await renew(no_overlap_client, admin)
    second = await renew(no_overlap_client, admin)

    # when the workstations call with either key
    old = await claim_with(no_overlap_client, first["key"])
    new = await claim_with(no_overlap_client, second["key"])

    # then only the new one works
    assert_problem(old, 401, "UNAUTHENTICATED")
    assert new.status_code == 204


async def test_current_keys_show_prefixes_never_the_key(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given two renewals
    admin = await factory.user(Role.ADMIN)
    first = await renew(client, admin)
    second = await renew(client, admin)

    # when an administrator looks at the current keys
    response = await client.get("/api/addin/keys/current", headers=admin.headers)

    # then the newest is current, the other previous, and no key appears anywhere
    body = json_of(response)
    assert body["current"]["keyId"] == second["keyId"]
    assert body["current"]["prefix"] == second["prefix"]
    assert [k["keyId"] for k in body["previous"]] == [first["keyId"]]
    assert first["key"] not in response.text
    assert second["key"] not in response.text


async def test_before_any_renewal_there_is_no_current_key(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    admin = await factory.user(Role.ADMIN)

    response = await client.get("/api/addin/keys/current", headers=admin.headers)

    assert json_of(response) == {"current": None, "previous": []}


async def test_keys_of_a_named_agent_account(factory: Factory, client: httpx.AsyncClient) -> None:
    # given keys for two workstations' accounts
    admin = await factory.user(Role.ADMIN)
    ws1 = await renew(client, admin, "esprit-ws1")
    ws2 = await renew(client, admin, "esprit-ws2")

    # when the first workstation's keys are listed
    body = json_of(
        await client.get("/api/addin/keys/current?agent=esprit-ws1", headers=admin.headers)
    )

    # then only its key is there, and each key claims as its own account
    assert (body["current"]["keyId"], body["previous"]) == (ws1["keyId"], [])
    assert (ws1["agent"], ws2["agent"]) == ("esprit-ws1", "esprit-ws2")


async def test_a_key_for_a_person_is_refused(factory: Factory, client: httpx.AsyncClient) -> None:
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)

    response = await client.post(
        f"/api/addin/keys/renew?agent={engineer.username}", headers=admin.headers
    )

    assert_problem(response, 400, "INVALID_ARGUMENT")


async def test_only_administrators_manage_keys(factory: Factory, client: httpx.AsyncClient) -> None:
    # given people of every other role
    others = [
        await factory.user(role)
        for role in (Role.ENGINEER, Role.APPROVER, Role.AUDITOR, Role.AGENT)
    ]

    # when they renew or list the add-in keys
    answers = []
    for user in others:
        answers.append(await client.post("/api/addin/keys/renew", headers=user.headers))
        answers.append(await client.get("/api/addin/keys/current", headers=user.headers))

    # then each is forbidden, and no key was issued
    for response in answers:
        assert_problem(response, 403, "FORBIDDEN")
    async with factory.db.read_session() as session:
        keys = await session.scalars(select(ApiToken).where(ApiToken.kind == "addin_key"))
        assert keys.all() == []


RENEW_ADDIN_KEY = """
mutation Renew($agent: String!) {
  renewAddinKey(agent: $agent) {
    secret
    key { id agent prefix expiresAt }
    previous { id expiresAt }
  }
}
"""

ADDIN_KEYS = """
query Keys($agent: String!) { addinKeys(agent: $agent) { id agent prefix createdAt expiresAt } }
"""


async def test_administrators_manage_keys_through_graphql_too(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a queued job and an administrator
    admin = await factory.user(Role.ADMIN)
    queued = await queued_job(factory)

    # when they renew a workstation's key twice through GraphQL (what the admin console uses)
    first = (await factory.ok(RENEW_ADDIN_KEY, {"agent": "esprit-ws9"}, as_=admin))["renewAddinKey"]
    second = (await factory.ok(RENEW_ADDIN_KEY, {"agent": "esprit-ws9"}, as_=admin))[
        "renewAddinKey"
    ]

    # then the newest key claims the job, the first one is retired after the overlap
    job = json_of(await claim_with(client, second["secret"]))
    assert (job["jobId"], job["agentId"]) == (queued.job_id, "esprit-ws9")
    assert [k["id"] for k in second["previous"]] == [first["key"]["id"]]
    assert second["previous"][0]["expiresAt"] is not None
    # and the list shows both by prefix only, the current one first
    listed = (await factory.ok(ADDIN_KEYS, {"agent": "esprit-ws9"}, as_=admin))["addinKeys"]
    assert [k["id"] for k in listed] == [second["key"]["id"], first["key"]["id"]]
    assert listed[0]["prefix"] == second["key"]["prefix"]
    assert second["secret"] not in str(listed)


async def test_only_administrators_manage_keys_through_graphql(factory: Factory) -> None:
    approver = await factory.user(Role.APPROVER)

    renewed = await factory.gql(RENEW_ADDIN_KEY, {"agent": "addin"}, as_=approver)
    listed = await factory.gql(ADDIN_KEYS, {"agent": "addin"}, as_=approver)

    assert error_codes(renewed) == ["FORBIDDEN"]
    assert error_codes(listed) == ["FORBIDDEN"]

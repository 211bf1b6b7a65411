"""The response cache answers repeats from memory, and never a stale answer:
any commit, from this process or another, invalidates it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import event, text

from mcms.app import create_app
from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.settings import Settings
from tests.factories import Factory, error_codes

ITEMS = """
query Items { items(first: 50) { totalCount edges { node { itemCode name } } } }
"""

ME = "query Me { me { username role } }"

RENAME_DIRECTLY = text("UPDATE items SET name = 'renamed elsewhere'")

REVOKE = """
mutation Revoke($id: ID!) { revokeApiToken(id: $id) { revokedAt } }
"""

TOKENS = "query Tokens { apiTokens { id name } }"


def _names(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in data["items"]["edges"]]


async def _endpoint_cache_stats(factory: Factory) -> tuple[int, int]:
    cache = factory.client._transport.app.state.response_cache  # type: ignore[attr-defined]
    return cache.hits, cache.misses


async def test_repeated_query_is_served_from_cache(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    await factory.item(engineer)

    first = await factory.ok(ITEMS, as_=engineer)
    hits_before, _ = await _endpoint_cache_stats(factory)
    second = await factory.ok(ITEMS, as_=engineer)
    hits_after, _ = await _endpoint_cache_stats(factory)

    assert second == first
    assert hits_after == hits_before + 1


async def test_a_mutation_invalidates_at_once(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    await factory.item(engineer)
    before = await factory.ok(ITEMS, as_=engineer)

    await factory.item(engineer)
    after = await factory.ok(ITEMS, as_=engineer)

    assert after["items"]["totalCount"] == before["items"]["totalCount"] + 1


async def test_a_commit_from_another_process_invalidates(
    factory: Factory, database_url: str
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    await factory.item(engineer)
    await factory.ok(ITEMS, as_=engineer)
    await factory.ok(ITEMS, as_=engineer)  # now cached

    other_process = Database(database_url, pool_size=1)  # its own connections
    try:
        async with other_process.unit_of_work() as session:
            await session.execute(RENAME_DIRECTLY)
    finally:
        await other_process.dispose()

    data = await factory.ok(ITEMS, as_=engineer)
    assert _names(data) == ["renamed elsewhere"]


async def test_each_caller_gets_their_own_answer(factory: Factory) -> None:
    alice = await factory.user(Role.ENGINEER)
    bob = await factory.user(Role.APPROVER)

    for _ in range(2):
        assert (await factory.ok(ME, as_=alice))["me"]["username"] == alice.username
        assert (await factory.ok(ME, as_=bob))["me"]["username"] == bob.username


async def test_revoked_token_is_refused_even_after_cached_answers(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    tokens = await factory.ok(TOKENS, as_=engineer)
    await factory.ok(ITEMS, as_=engineer)
    await factory.ok(ITEMS, as_=engineer)

    await factory.ok(REVOKE, {"id": tokens["apiTokens"][0]["id"]}, as_=engineer)
    body = await factory.gql(ITEMS, as_=engineer)

    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_errors_are_not_cached(factory: Factory) -> None:
    auditor = await factory.user(Role.AUDITOR)
    query = 'query One { item(id: "999") { id } }'
    _, misses_before = await _endpoint_cache_stats(factory)

    first = await factory.gql(query, as_=auditor)
    second = await factory.gql(query, as_=auditor)

    _, misses_after = await _endpoint_cache_stats(factory)
    assert error_codes(first) == error_codes(second) == ["NOT_FOUND"]
    assert misses_after == misses_before + 2


async def test_cache_can_be_switched_off(db: Database, settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"graphql_response_cache": False}), db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        factory = Factory(db=db, client=client)
        engineer = await factory.user(Role.ENGINEER)
        await factory.item(engineer)
        first = await factory.ok(ITEMS, as_=engineer)
        second = await factory.ok(ITEMS, as_=engineer)
    assert first == second
    assert app.state.response_cache is None  # type: ignore[attr-defined]


async def test_callers_with_the_same_role_share_an_answer(factory: Factory) -> None:
    alice = await factory.user(Role.ENGINEER)
    bob = await factory.user(Role.ENGINEER)
    await factory.item(alice)
    await factory.ok(ITEMS, as_=alice)
    hits_before, _ = await _endpoint_cache_stats(factory)

    shared = await factory.ok(ITEMS, as_=bob)

    hits_after, _ = await _endpoint_cache_stats(factory)
    assert hits_after == hits_before + 1
    assert shared["items"]["totalCount"] == 1


MINE = "query Mine { routings(mine: true) { edges { node { owner { username } } } } }"


async def test_questions_about_the_caller_are_not_shared(factory: Factory) -> None:
    alice = await factory.user(Role.ENGINEER)
    bob = await factory.user(Role.ENGINEER)
    await factory.routing(alice)
    await factory.routing(bob)

    for _ in range(2):
        for caller in (alice, bob):
            data = await factory.ok(MINE, as_=caller)
            owners = {e["node"]["owner"]["username"] for e in data["routings"]["edges"]}
            assert owners == {caller.username}


async def test_concurrent_misses_execute_once(factory: Factory, db: Database) -> None:
    engineers = [await factory.user(Role.ENGINEER) for _ in range(10)]
    await factory.item(engineers[0])
    executed: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM items" in statement and "count(" not in statement.lower():
            executed.append(statement)

    event.listen(db.read_engine.sync_engine, "before_cursor_execute", count)
    try:
        answers = await asyncio.gather(*(factory.ok(ITEMS, as_=e) for e in engineers))
    finally:
        event.remove(db.read_engine.sync_engine, "before_cursor_execute", count)

    assert all(answer == answers[0] for answer in answers)
    assert len(executed) == 1, executed

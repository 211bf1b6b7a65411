"""Password guessing is slowed to a crawl: RATE_LIMITED after 10 failures."""

from __future__ import annotations

from mcms.core.auth import Role
from tests.factories import Factory

MAX_FAILURES = 10


async def test_login_is_rate_limited_after_repeated_failures(factory: Factory) -> None:
    user = await factory.user(Role.ENGINEER)
    wrong = {"username": user.username, "password": "not-the-password"}

    statuses = [
        (await factory.client.post("/auth/login", json=wrong)).status_code
        for _ in range(MAX_FAILURES)
    ]
    limited = await factory.client.post(
        "/auth/login", json={"username": user.username, "password": user.password}
    )

    assert statuses == [401] * MAX_FAILURES
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMITED"
    assert int(limited.headers["Retry-After"]) > 0


async def test_success_clears_the_failures(factory: Factory) -> None:
    user = await factory.user(Role.ENGINEER)
    wrong = {"username": user.username, "password": "not-the-password"}
    right = {"username": user.username, "password": user.password}

    for _ in range(MAX_FAILURES - 1):
        await factory.client.post("/auth/login", json=wrong)
    assert (await factory.client.post("/auth/login", json=right)).status_code == 200
    for _ in range(MAX_FAILURES - 1):
        await factory.client.post("/auth/login", json=wrong)

    assert (await factory.client.post("/auth/login", json=right)).status_code == 200

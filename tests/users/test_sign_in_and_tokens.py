"""Signing in (the SPA's cookie session) and API tokens (scripts and agents)."""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.users.models import ApiToken, WebSession
from tests.factories import Factory, TestUser, error_codes

COOKIE = "mcms_session"
ME = "query { me { username role } }"
ITEMS = "query { items { totalCount } }"

CREATE_API_TOKEN = """
mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret token { id name prefix lastUsedAt revokedAt } }
}
"""

API_TOKENS = """
query Tokens($userId: ID) {
  apiTokens(userId: $userId) { id name prefix createdAt lastUsedAt revokedAt user { username } }
}
"""

REVOKE_API_TOKEN = "mutation Revoke($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }"

DEACTIVATE_USER = "mutation Deactivate($id: ID!) { deactivateUser(id: $id) { id isActive } }"


# --- helpers ----------------------------------------------------------------------------


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    response = await client.post("/auth/login", json={"username": username, "password": password})
    client.cookies.clear()  # every request below names its credentials explicitly
    return response


def session_cookie(response: httpx.Response) -> tuple[str, list[str]]:
    """The session cookie's value and its lower-cased attributes."""
    headers = response.headers.get_list("set-cookie")
    assert len(headers) == 1, headers
    name_value, *attributes = [part.strip() for part in headers[0].split(";")]
    name, _, value = name_value.partition("=")
    assert name == COOKIE
    return value, [a.lower() for a in attributes]


async def gql_with_cookie(client: httpx.AsyncClient, query: str, cookie: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Cookie": f"{COOKIE}={cookie}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def gql_with_token(client: httpx.AsyncClient, query: str, token: str) -> dict[str, Any]:
    response = await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_signed_out(body: dict[str, Any]) -> None:
    assert body == {"data": {"me": None}}


async def assert_token_refused(client: httpx.AsyncClient, token: str) -> None:
    assert_signed_out(await gql_with_token(client, ME, token))
    assert error_codes(await gql_with_token(client, ITEMS, token)) == ["UNAUTHENTICATED"]
    rest = await client.get("/api/items", headers={"Authorization": f"Bearer {token}"})
    assert rest.status_code == 401
    assert rest.json()["code"] == "UNAUTHENTICATED"


async def create_token(factory: Factory, user: TestUser, name: str = "cell-3") -> dict[str, Any]:
    data = await factory.ok(CREATE_API_TOKEN, {"input": {"name": name}}, as_=user)
    created: dict[str, Any] = data["createApiToken"]
    return created


# --- sign-in ----------------------------------------------------------------------------


async def test_login_sets_httponly_lax_session_cookie_that_signs_in(
    factory: Factory, client: httpx.AsyncClient, db: Database
) -> None:
    # given an engineer with a password
    engineer = await factory.user(Role.ENGINEER)

    # when they sign in
    response = await login(client, engineer.username, engineer.password)

    # then they get their user and an HttpOnly, SameSite=Lax session cookie
    assert response.status_code == 200, response.text
    assert response.json()["user"] == {
        "id": str(engineer.id),
        "username": engineer.username,
        "displayName": engineer.username,
        "role": "ENGINEER",
    }
    cookie, attributes = session_cookie(response)
    assert "httponly" in attributes
    assert "samesite=lax" in attributes
    assert "path=/" in attributes
    assert len(cookie) >= 32

    # and the cookie alone signs them in to GraphQL and the REST shim
    body = await gql_with_cookie(client, ME, cookie)
    assert body == {"data": {"me": {"username": engineer.username, "role": "ENGINEER"}}}
    rest = await client.get("/api/items", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert rest.status_code == 200

    # and only the cookie's SHA-256 is stored
    async with db.read_session() as session:
        hashes = list(await session.scalars(select(WebSession.secret_hash)))
    assert hashes == [hashlib.sha256(cookie.encode()).hexdigest()]


async def test_wrong_password_and_unknown_user_get_the_same_401(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an engineer
    engineer = await factory.user(Role.ENGINEER)

    # when someone signs in with a wrong password, and with a name nobody has
    wrong_password = await login(client, engineer.username, engineer.password + "x")
    unknown_user = await login(client, "nobody-here", engineer.password)

    # then both are the same problem+json 401, with no cookie and no hint which was wrong
    for response in (wrong_password, unknown_user):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert "set-cookie" not in response.headers
        body = response.json()
        assert body["code"] == "UNAUTHENTICATED"
        assert body["error"]["code"] == "UNAUTHENTICATED"
        assert body["traceId"] == response.headers["x-request-id"]
    assert wrong_password.json()["error"]["message"] == unknown_user.json()["error"]["message"]
    assert wrong_password.json()["detail"] == unknown_user.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"username": "someone"}, id="no-password"),
        pytest.param({"username": 42, "password": "long-enough"}, id="number-username"),
        pytest.param({"password": "long-enough"}, id="no-username"),
    ],
)
async def test_login_without_string_credentials_is_invalid_argument(
    client: httpx.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post("/auth/login", json=body)

    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_ARGUMENT"
    assert "set-cookie" not in response.headers


async def test_logout_ends_the_session_server_side(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a signed-in engineer
    engineer = await factory.user(Role.ENGINEER)
    cookie, _ = session_cookie(await login(client, engineer.username, engineer.password))
    assert (await gql_with_cookie(client, ME, cookie))["data"]["me"] is not None

    # when they sign out
    response = await client.post("/auth/logout", headers={"Cookie": f"{COOKIE}={cookie}"})
    client.cookies.clear()

    # then the cookie is cleared in the browser ...
    assert response.status_code == 204
    cleared, attributes = session_cookie(response)
    assert cleared in ("", '""')
    assert "max-age=0" in attributes
    # ... and a copy of the old cookie no longer works anywhere
    assert_signed_out(await gql_with_cookie(client, ME, cookie))
    refused = await gql_with_cookie(client, ITEMS, cookie)
    assert error_codes(refused) == ["UNAUTHENTICATED"]
    rest = await client.get("/api/items", headers={"Cookie": f"{COOKIE}={cookie}"})
    assert rest.status_code == 401
    # ... while their API token, a separate credential, still does
    assert (await factory.ok(ME, as_=engineer))["me"]["username"] == engineer.username


async def test_a_forged_session_cookie_signs_in_nobody(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    cookie, _ = session_cookie(await login(client, engineer.username, engineer.password))

    forged = cookie[:-1] + ("B" if cookie.endswith("A") else "A")  # never the real one
    assert_signed_out(await gql_with_cookie(client, ME, forged))
    assert_signed_out(await gql_with_cookie(client, ME, "x" * 5000))


async def test_deactivated_user_cannot_sign_in_and_their_credentials_stop_working(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an engineer with a browser session and an API token
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    cookie, _ = session_cookie(await login(client, engineer.username, engineer.password))
    assert (await factory.ok(ME, as_=engineer))["me"] is not None

    # when an administrator deactivates them
    data = await factory.ok(DEACTIVATE_USER, {"id": str(engineer.id)}, as_=admin)
    assert data["deactivateUser"]["isActive"] is False

    # then their password, their session and their token are all refused
    again = await login(client, engineer.username, engineer.password)
    assert again.status_code == 401
    assert again.json()["code"] == "UNAUTHENTICATED"
    unknown = await login(client, "nobody-here", engineer.password)
    assert again.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert_signed_out(await gql_with_cookie(client, ME, cookie))
    await assert_token_refused(client, engineer.token)
    # and the administrator's own access is untouched
    assert (await factory.ok(ME, as_=admin))["me"]["username"] == admin.username


async def test_revoked_token_stops_working_and_others_keep_working(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an engineer with a second token that works
    engineer = await factory.user(Role.ENGINEER)
    created = await create_token(factory, engineer)
    secret = created["secret"]
    assert (await gql_with_token(client, ME, secret))["data"]["me"] is not None

    # when they revoke it
    data = await factory.ok(REVOKE_API_TOKEN, {"id": created["token"]["id"]}, as_=engineer)

    # then it is refused everywhere, and shown as revoked
    assert data["revokeApiToken"]["revokedAt"] is not None
    await assert_token_refused(client, secret)
    tokens = (await factory.ok(API_TOKENS, as_=engineer))["apiTokens"]
    revoked = {t["name"]: t["revokedAt"] is not None for t in tokens}
    assert revoked == {"test": False, "cell-3": True}
    # and their first token still works
    assert (await factory.ok(ME, as_=engineer))["me"]["username"] == engineer.username


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param("Bearer mcms_not-a-real-token", id="unknown-token"),
        pytest.param("Bearer ", id="empty-bearer"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic-scheme"),
        pytest.param("Bearer " + "a" * 10_000, id="huge-token"),
    ],
)
async def test_bad_authorization_header_is_unauthenticated(
    client: httpx.AsyncClient, authorization: str
) -> None:
    response = await client.post(
        "/graphql", json={"query": ITEMS}, headers={"Authorization": authorization}
    )

    assert response.status_code == 200
    assert error_codes(response.json()) == ["UNAUTHENTICATED"]


# --- token format and storage -----------------------------------------------------------


def _random_part(secret: str) -> bytes:
    body = secret.removeprefix("mcms_")
    assert body, secret
    assert all(c.isascii() and (c.isalnum() or c in "-_") for c in body), secret
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except binascii.Error as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"not URL-safe base64: {body!r}") from exc


async def test_token_format_and_only_its_sha256_is_stored(factory: Factory, db: Database) -> None:
    # given an engineer
    engineer = await factory.user(Role.ENGINEER)

    # when they create two tokens
    first = await create_token(factory, engineer, "one")
    second = await create_token(factory, engineer, "two")

    # then each secret is mcms_ + at least 128 random bits, and they differ
    for created in (first, second):
        secret = created["secret"]
        assert secret.startswith("mcms_")
        assert len(_random_part(secret)) * 8 >= 128
        # the visible prefix helps tell tokens apart without giving the secret away
        prefix = created["token"]["prefix"]
        assert secret.startswith(prefix)
        assert len(prefix) <= 16 < len(secret)
    assert first["secret"] != second["secret"]
    assert _random_part(first["secret"]) != _random_part(second["secret"])

    # and the database holds the SHA-256 hex of each secret, never the secret
    async with db.read_session() as session:
        rows = (
            (await session.execute(select(ApiToken).where(ApiToken.name.in_(["one", "two"]))))
            .scalars()
            .all()
        )
        stored = {
            row.name: {c.key: getattr(row, c.key) for c in ApiToken.__table__.columns}
            for row in rows
        }
    for name, created in (("one", first), ("two", second)):
        secret = created["secret"]
        assert stored[name]["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
        body = secret.removeprefix("mcms_")
        for column, value in stored[name].items():
            assert body not in str(value), f"api_tokens.{column} holds the secret"


async def test_last_used_at_is_set_once_the_token_is_used(
    factory: Factory, client: httpx.AsyncClient, db: Database
) -> None:
    # given a fresh token that was never used
    engineer = await factory.user(Role.ENGINEER)
    created = await create_token(factory, engineer)
    assert created["token"]["lastUsedAt"] is None

    # when a script uses it
    assert (await gql_with_token(client, ME, created["secret"]))["data"]["me"] is not None

    # then its lastUsedAt is set (read with the other token, so only the use above counts)
    tokens = (await factory.ok(API_TOKENS, as_=engineer))["apiTokens"]
    used = next(t for t in tokens if t["id"] == created["token"]["id"])
    assert used["lastUsedAt"] is not None
    async with db.read_session() as session:
        last_used = await session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.id == int(created["token"]["id"]))
        )
    assert last_used is not None


async def test_secret_is_returned_once_and_never_listed(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a token just created
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    created = await create_token(factory, engineer)
    secret = created["secret"]

    # when its owner and an administrator list tokens
    own = await client.post("/graphql", json={"query": API_TOKENS}, headers=engineer.headers)
    by_admin = await client.post(
        "/graphql",
        json={"query": API_TOKENS, "variables": {"userId": str(engineer.id)}},
        headers=admin.headers,
    )

    # then the record is listed but the secret appears nowhere
    for response in (own, by_admin):
        assert response.status_code == 200
        ids = [t["id"] for t in response.json()["data"]["apiTokens"]]
        assert created["token"]["id"] in ids
        assert secret not in response.text
        assert secret.removeprefix("mcms_") not in response.text
    # and the type has no field that could carry it
    asked = await factory.gql("query { apiTokens { id secret } }", as_=engineer)
    assert error_codes(asked) == ["INVALID_ARGUMENT"]
    introspected = await factory.ok('query { __type(name: "ApiToken") { fields { name } } }')
    fields = {f["name"] for f in introspected["__type"]["fields"]}
    assert fields == {"id", "name", "prefix", "createdAt", "lastUsedAt", "revokedAt", "user"}

"""Bad input of every kind gets the SPEC's error code (SPEC §3 "Errors"): never a 500,
never a stack trace, and nothing in the database changes."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.history.models import HistoryEntry
from mcms.items.models import Item, Revision
from mcms.routings.models import Routing, RoutingStep
from mcms.users.models import ApiToken, User
from tests.factories import Factory, TestUser, error_codes

ONE_MIB = 1024 * 1024
JSON = {"content-type": "application/json"}
PROBLEM_JSON = "application/problem+json"


# --- the world every case starts from ---------------------------------------------------


@dataclass
class World:
    engineer: TestUser
    approver: TestUser
    admin: TestUser
    draft: dict[str, Any]
    """A DRAFT routing owned by the engineer."""
    pending: dict[str, Any]
    """A PENDING_APPROVAL routing owned by the engineer."""
    item_id: str
    revision_id: str
    token_id: str
    """The engineer's API token."""


@pytest.fixture
async def world(factory: Factory, db: Database) -> World:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    admin = await factory.user(Role.ADMIN)
    draft = await factory.routing(engineer)
    pending = await factory.pending_routing(engineer)
    data = await factory.ok(
        "query R($id: ID!) { routing(id: $id) { revision { id item { id } } } }",
        {"id": draft["id"]},
        as_=engineer,
    )
    async with db.read_session() as session:
        token_id = await session.scalar(select(ApiToken.id).where(ApiToken.user_id == engineer.id))
    return World(
        engineer=engineer,
        approver=approver,
        admin=admin,
        draft=draft,
        pending=pending,
        item_id=data["routing"]["revision"]["item"]["id"],
        revision_id=data["routing"]["revision"]["id"],
        token_id=str(token_id),
    )


async def fingerprint(db: Database) -> tuple[Any, ...]:
    """Everything a bad request could have changed."""
    async with db.read_session() as session:
        counts = [
            await session.scalar(select(func.count()).select_from(model))
            for model in (Item, Revision, Routing, RoutingStep, HistoryEntry, User, ApiToken)
        ]
        routings = (
            await session.execute(
                select(
                    Routing.id,
                    Routing.code,
                    Routing.status,
                    Routing.version,
                    Routing.title,
                    Routing.description,
                    Routing.approved_by_id,
                ).order_by(Routing.id)
            )
        ).all()
        steps = (
            await session.execute(
                select(RoutingStep.id, RoutingStep.name, RoutingStep.position).order_by(
                    RoutingStep.id
                )
            )
        ).all()
        users = (
            await session.execute(select(User.id, User.role, User.is_active).order_by(User.id))
        ).all()
        tokens = (
            await session.execute(select(ApiToken.id, ApiToken.revoked_at).order_by(ApiToken.id))
        ).all()
    return (
        tuple(counts),
        *(tuple(tuple(row) for row in rows) for rows in (routings, steps, users, tokens)),
    )


@pytest.fixture
async def unchanged(world: World, db: Database) -> AsyncIterator[None]:
    """Fails the test if the database differs after it from before it."""
    before = await fingerprint(db)
    yield
    assert await fingerprint(db) == before, "a refused request changed the database"


def assert_safe(response: httpx.Response) -> None:
    """Never a 500, never a stack trace, always JSON."""
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    response.json()


def assert_graphql_error(
    response: httpx.Response, code: str, statuses: tuple[int, ...] = (200, 400)
) -> None:
    assert_safe(response)
    assert response.status_code in statuses, response.text
    body = response.json()
    assert error_codes(body) == [code], body
    assert all(value is None for value in (body.get("data") or {}).values())


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert_safe(response)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["code"] == code
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert body["traceId"] == response.headers["x-request-id"]


async def post_graphql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    user: TestUser | None = None,
    **extra: Any,
) -> httpx.Response:
    body = {"query": query, "variables": variables or {}, **extra}
    # json.dumps keeps lone surrogates as \\ud800 escapes, as a hostile client would send them
    return await client.post(
        "/graphql",
        content=json.dumps(body).encode(),
        headers={**JSON, **(user.headers if user else {})},
    )


# --- GraphQL documents and variables ----------------------------------------------------

ITEMS_FIRST = "query Items($first: Int) { items(first: $first) { totalCount } }"
ITEMS_AFTER = "query Items($after: String) { items(after: $after) { totalCount } }"
ROUTING = "query Routing($id: ID!) { routing(id: $id) { id title } }"
UPDATE = """
mutation Update($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {
  updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) { id version }
}
"""
CREATE_ROUTING = """
mutation Create($revisionId: ID!, $input: CreateRoutingInput!) {
  createRouting(revisionId: $revisionId, input: $input) { id }
}
"""
CREATE_ITEM = "mutation Create($input: CreateItemInput!) { createItem(input: $input) { id } }"


def _cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def _nested(levels: int, routing_id: str = "1") -> str:
    """routing > revision, then ``levels`` times item > revisions > edges > node.

    Its depth is 2 + 4 * levels + 1 (the innermost ``id``)."""
    inner = "id"
    for _ in range(levels):
        inner = f"item {{ revisions {{ edges {{ node {{ {inner} }} }} }} }}"
    return f'query {{ routing(id: "{routing_id}") {{ revision {{ {inner} }} }} }}'


GraphQLCase = Callable[[World], tuple[str, dict[str, Any]]]

GRAPHQL_INVALID: dict[str, GraphQLCase] = {
    "syntax-error": lambda w: ("{ items { edges { node { id } }", {}),
    "unknown-field": lambda w: ("{ items { edges { node { colour } } } }", {}),
    "unknown-root-field": lambda w: ("{ deleteEverything }", {}),
    "unknown-argument": lambda w: ("{ items(colour: RED) { totalCount } }", {}),
    "wrong-literal-type": lambda w: ('{ items(first: "ten") { totalCount } }', {}),
    "wrong-variable-type": lambda w: (ITEMS_FIRST, {"first": "ten"}),
    "float-for-int": lambda w: (ITEMS_FIRST, {"first": 1.5}),
    "int-overflow": lambda w: (ITEMS_FIRST, {"first": 2**31}),
    "object-for-id": lambda w: (ROUTING, {"id": {"$gt": 0}}),
    "list-for-id": lambda w: (ROUTING, {"id": [1, 2]}),
    "null-for-required": lambda w: (ROUTING, {"id": None}),
    "missing-variable": lambda w: (ROUTING, {}),
    "missing-argument": lambda w: ("{ routing { id } }", {}),
    "missing-input-field": lambda w: (CREATE_ITEM, {"input": {"itemCode": "X-1"}}),
    "unknown-input-field": lambda w: (
        CREATE_ITEM,
        {"input": {"itemCode": "X-1", "name": "n", "price": 3}},
    ),
    "unknown-enum-value": lambda w: ("{ routings(status: DONE) { totalCount } }", {}),
    "surrogate-enum-variable": lambda w: (
        "query R($s: RoutingStatus) { routings(status: $s) { totalCount } }",
        {"s": "\ud800"},
    ),
    "surrogate-input-field-name": lambda w: (
        CREATE_ITEM,
        {"input": {"itemCode": "X-1", "name": "n", "\ud800": 1}},
    ),
    "missing-selection": lambda w: ("{ items }", {}),
    "too-many-aliases": lambda w: (
        "query { " + " ".join(f"a{i}: me {{ id }}" for i in range(31)) + " }",
        {},
    ),
    "too-deep": lambda w: (_nested(3, w.draft["id"]), {}),  # depth 15 > 12
    "too-many-tokens": lambda w: ("query { " + "me { id } " * 2000 + "}", {}),
    "first-too-large": lambda w: (ITEMS_FIRST, {"first": 100_000}),
    "first-negative": lambda w: (ITEMS_FIRST, {"first": -1}),
    "nested-first-too-large": lambda w: (
        "query R($id: ID!) { routing(id: $id) { history(first: 100000) { totalCount } } }",
        {"id": w.draft["id"]},
    ),
    "after-not-base64": lambda w: (ITEMS_AFTER, {"after": "!!not a cursor!!"}),
    "after-foreign-kind": lambda w: (ITEMS_AFTER, {"after": _cursor("x:1")}),
    "after-negative": lambda w: (ITEMS_AFTER, {"after": _cursor("o:-1")}),
    "after-huge-offset": lambda w: (ITEMS_AFTER, {"after": _cursor("o:" + "9" * 30)}),
    "after-unicode-digit": lambda w: (ITEMS_AFTER, {"after": _cursor("o:²")}),
    "search-control-character": lambda w: (
        "query S($s: String) { items(search: $s) { totalCount } }",
        {"s": "bracket\x00"},
    ),
    "search-too-long": lambda w: (
        "query S($s: String) { routings(search: $s) { totalCount } }",
        {"s": "x" * 201},
    ),
}


@pytest.mark.parametrize("case", GRAPHQL_INVALID.values(), ids=GRAPHQL_INVALID.keys())
@pytest.mark.usefixtures("unchanged")
async def test_graphql_invalid_request_is_invalid_argument(
    client: httpx.AsyncClient, world: World, case: GraphQLCase
) -> None:
    query, variables = case(world)

    response = await post_graphql(client, query, variables, world.engineer)

    assert_graphql_error(response, "INVALID_ARGUMENT")


async def test_query_within_limits_is_answered(client: httpx.AsyncClient, world: World) -> None:
    # the limits refuse only what exceeds them: 30 aliases, depth 12 and first 200 pass
    aliases = "query { " + " ".join(f"a{i}: me {{ id }}" for i in range(30)) + " }"
    nested = _nested(2, world.draft["id"])  # depth 11
    for query, variables in ((aliases, {}), (nested, {}), (ITEMS_FIRST, {"first": 200})):
        response = await post_graphql(client, query, variables, world.engineer)
        assert response.status_code == 200
        assert "errors" not in response.json(), response.text


# --- ids --------------------------------------------------------------------------------

MALFORMED_IDS = {
    "letters": "abc",
    "negative": "-1",
    "zero": "0",
    "exponent": "1e9",
    "decimal": "1.5",
    "hex": "0x10",
    "blank": " ",
    "empty": "",
    "too-many-digits": "9" * 19,
    "very-long": "1" * 5000,
    "superscript-digit": "²",
    "fullwidth-digit": "\uff11",  # FULLWIDTH DIGIT ONE: isdigit(), and int() accepts it
    "sql": "1; DROP TABLE routings",
}

ID_OPERATIONS: dict[str, tuple[str, Callable[[World, str], dict[str, Any]], str]] = {
    "routing": (ROUTING, lambda w, i: {"id": i}, "engineer"),
    "item": ("query I($id: ID!) { item(id: $id) { id } }", lambda w, i: {"id": i}, "engineer"),
    "revision": (
        "query R($id: ID!) { revision(id: $id) { id } }",
        lambda w, i: {"id": i},
        "engineer",
    ),
    "updateRouting": (
        UPDATE,
        lambda w, i: {"id": i, "input": {"title": "x"}, "expectedVersion": 1},
        "engineer",
    ),
    "submitRouting": (
        "mutation S($id: ID!) { submitRouting(id: $id) { id } }",
        lambda w, i: {"id": i},
        "engineer",
    ),
    "approveRouting": (
        "mutation A($id: ID!) { approveRouting(id: $id) { id } }",
        lambda w, i: {"id": i},
        "approver",
    ),
    "rejectRouting": (
        'mutation R($id: ID!) { rejectRouting(id: $id, reason: "no") { id } }',
        lambda w, i: {"id": i},
        "approver",
    ),
    "createRevision": (
        'mutation C($id: ID!) { createRevision(itemId: $id, input: {code: "Z"}) { id } }',
        lambda w, i: {"id": i},
        "engineer",
    ),
    "createRouting": (
        CREATE_ROUTING,
        lambda w, i: {"revisionId": i, "input": {"code": "OP-Z", "title": "t"}},
        "engineer",
    ),
    "changeUserRole": (
        "mutation C($id: ID!) { changeUserRole(id: $id, role: AUDITOR) { id } }",
        lambda w, i: {"id": i},
        "admin",
    ),
    "deactivateUser": (
        "mutation D($id: ID!) { deactivateUser(id: $id) { id } }",
        lambda w, i: {"id": i},
        "admin",
    ),
    "revokeApiToken": (
        "mutation R($id: ID!) { revokeApiToken(id: $id) { id } }",
        lambda w, i: {"id": i},
        "admin",
    ),
    "updateRouting-step-id": (
        UPDATE,
        lambda w, i: {
            "id": w.draft["id"],
            "input": {"steps": [{"id": i, "name": "Rough"}]},
            "expectedVersion": 1,
        },
        "engineer",
    ),
}


def _as(world: World, who: str) -> TestUser:
    user: TestUser = getattr(world, who)
    return user


@pytest.mark.parametrize("bad_id", MALFORMED_IDS.values(), ids=MALFORMED_IDS.keys())
@pytest.mark.usefixtures("unchanged")
async def test_malformed_id_is_invalid_argument(
    client: httpx.AsyncClient, world: World, bad_id: str
) -> None:
    for name in ("routing", "updateRouting", "approveRouting", "updateRouting-step-id"):
        query, variables, who = ID_OPERATIONS[name]
        response = await post_graphql(client, query, variables(world, bad_id), _as(world, who))
        assert_graphql_error(response, "INVALID_ARGUMENT")


@pytest.mark.parametrize("operation", ID_OPERATIONS.keys())
@pytest.mark.usefixtures("unchanged")
async def test_every_id_argument_refuses_a_malformed_id(
    client: httpx.AsyncClient, world: World, operation: str
) -> None:
    query, variables, who = ID_OPERATIONS[operation]

    response = await post_graphql(client, query, variables(world, "abc"), _as(world, who))

    assert_graphql_error(response, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "operation", [name for name in ID_OPERATIONS if name != "updateRouting-step-id"]
)
@pytest.mark.usefixtures("unchanged")
async def test_unknown_id_is_not_found(
    client: httpx.AsyncClient, world: World, operation: str
) -> None:
    query, variables, who = ID_OPERATIONS[operation]

    response = await post_graphql(client, query, variables(world, "999999"), _as(world, who))

    assert_graphql_error(response, "NOT_FOUND")


@pytest.mark.usefixtures("unchanged")
async def test_step_id_of_another_routing_is_invalid_argument(
    client: httpx.AsyncClient, world: World
) -> None:
    # a step id that exists, but belongs to another routing
    other_step = world.pending["id"]
    data = await post_graphql(
        client,
        "query R($id: ID!) { routing(id: $id) { steps { id } } }",
        {"id": other_step},
        world.engineer,
    )
    foreign = data.json()["data"]["routing"]["steps"][0]["id"]

    response = await post_graphql(
        client,
        UPDATE,
        {
            "id": world.draft["id"],
            "input": {"steps": [{"id": foreign, "name": "Stolen"}]},
            "expectedVersion": 1,
        },
        world.engineer,
    )

    assert_graphql_error(response, "INVALID_ARGUMENT")


# --- text: length limits and characters -------------------------------------------------

TEXT_CASES: dict[str, tuple[str, str]] = {
    # name: (field in CreateRoutingInput, value)
    "title-over-200": ("title", "t" * 201),
    "description-over-10000": ("description", "d" * 10_001),
    "code-over-64": ("code", "C" * 65),
    "code-with-punctuation": ("code", "OP<script>"),
    "title-blank": ("title", "   "),
    "title-nul": ("title", "Mill\x00ing"),
    "title-escape": ("title", "Mill\x1b[31m"),
    "title-delete-char": ("title", "Mill\x7f"),
    "description-bell": ("description", "ring\x07"),
    "title-lone-surrogate": ("title", "Mill\ud800"),
    "description-lone-surrogate": ("description", "\udfff"),
}


@pytest.mark.parametrize(("field", "value"), TEXT_CASES.values(), ids=TEXT_CASES.keys())
@pytest.mark.usefixtures("unchanged")
async def test_bad_text_on_create_and_update_is_invalid_argument(
    client: httpx.AsyncClient, world: World, field: str, value: str
) -> None:
    fields = {"code": "OP-NEW", "title": "Mill", "description": "", field: value}

    created = await post_graphql(
        client,
        CREATE_ROUTING,
        {"revisionId": world.revision_id, "input": fields},
        world.engineer,
    )
    updated = await post_graphql(
        client,
        UPDATE,
        {"id": world.draft["id"], "input": {field: value}, "expectedVersion": 1},
        world.engineer,
    )

    assert_graphql_error(created, "INVALID_ARGUMENT")
    assert_graphql_error(updated, "INVALID_ARGUMENT")


STEP_CASES: dict[str, dict[str, Any]] = {
    "name-over-200": {"name": "n" * 201},
    "name-blank": {"name": ""},
    "machine-over-100": {"name": "Mill", "machine": "m" * 101},
    "tooling-nul": {"name": "Mill", "toolingNotes": "T1\x00"},
    "negative-minutes": {"name": "Mill", "setupMinutes": -1},
    "absurd-minutes": {"name": "Mill", "cycleMinutes": 1e12},
    "parameter-key-nul": {"name": "Mill", "parameters": [{"key": "a\x00", "value": "1"}]},
    "parameter-value-too-long": {"name": "Mill", "parameters": [{"key": "a", "value": "v" * 2001}]},
    "parameter-key-repeated": {
        "name": "Mill",
        "parameters": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}],
    },
}


@pytest.mark.parametrize("step", STEP_CASES.values(), ids=STEP_CASES.keys())
@pytest.mark.usefixtures("unchanged")
async def test_bad_step_is_invalid_argument(
    client: httpx.AsyncClient, world: World, step: dict[str, Any]
) -> None:
    response = await post_graphql(
        client,
        UPDATE,
        {
            "id": world.draft["id"],
            "input": {"steps": [{"name": "Keep"}, step]},
            "expectedVersion": 1,
        },
        world.engineer,
    )

    assert_graphql_error(response, "INVALID_ARGUMENT")


async def test_text_at_the_limits_is_accepted(client: httpx.AsyncClient, world: World) -> None:
    # exactly 200 / 10000 characters, and newlines and tabs, are fine
    fields = {
        "code": "OP-LIMIT",
        "title": "t" * 200,
        "description": "line 1\n\tline 2" + "d" * 9986,
    }
    assert len(fields["description"]) == 10_000

    response = await post_graphql(
        client,
        CREATE_ROUTING,
        {"revisionId": world.revision_id, "input": fields},
        world.engineer,
    )

    assert response.status_code == 200
    assert "errors" not in response.json(), response.text


@pytest.mark.usefixtures("unchanged")
async def test_bad_reason_and_comment_are_invalid_argument(
    client: httpx.AsyncClient, world: World
) -> None:
    reject = "mutation R($id: ID!, $r: String!) { rejectRouting(id: $id, reason: $r) { id } }"
    approve = "mutation A($id: ID!, $c: String) { approveRouting(id: $id, comment: $c) { id } }"
    for query, variables in (
        (reject, {"id": world.pending["id"], "r": ""}),
        (reject, {"id": world.pending["id"], "r": "x" * 4001}),
        (reject, {"id": world.pending["id"], "r": "bad\x00"}),
        (approve, {"id": world.pending["id"], "c": "x" * 4001}),
        (approve, {"id": world.pending["id"], "c": "\x1b"}),
    ):
        response = await post_graphql(client, query, variables, world.approver)
        assert_graphql_error(response, "INVALID_ARGUMENT")


# --- malformed HTTP on /graphql ---------------------------------------------------------

RAW_GRAPHQL_BODIES: dict[str, tuple[bytes, str]] = {
    "not-json": (b"{not json", "application/json"),
    "truncated-json": (b'{"query": "{ me { id } }"', "application/json"),
    "invalid-utf8": (b'{"query": "\xff\xfe"}', "application/json"),
    "deeply-nested": (b"[" * 100_000, "application/json"),
    "empty": (b"", "application/json"),
    "json-array": (b"[1, 2]", "application/json"),
    "json-string": (b'"{ me { id } }"', "application/json"),
    "json-number": (b"5", "application/json"),
    "json-null": (b"null", "application/json"),
    "query-not-string": (b'{"query": 5}', "application/json"),
    "variables-not-object": (b'{"query": "{ me { id } }", "variables": [1]}', "application/json"),
    "no-query": (b'{"variables": {}}', "application/json"),
    "unknown-operation-name": (
        b'{"query": "query A { me { id } }", "operationName": "B\\ud800"}',
        "application/json",
    ),
    "plain-text": (b"{ me { id } }", "text/plain"),
}


@pytest.mark.parametrize(
    ("content", "content_type"), RAW_GRAPHQL_BODIES.values(), ids=RAW_GRAPHQL_BODIES.keys()
)
async def test_malformed_graphql_body_is_400_invalid_argument(
    client: httpx.AsyncClient, world: World, content: bytes, content_type: str
) -> None:
    response = await client.post(
        "/graphql",
        content=content,
        headers={"content-type": content_type, **world.engineer.headers},
    )

    assert_graphql_error(response, "INVALID_ARGUMENT", statuses=(400,))
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.usefixtures("unchanged")
async def test_graphql_mutation_in_a_malformed_body_changes_nothing(
    client: httpx.AsyncClient, world: World
) -> None:
    # a mutation followed by garbage: the JSON is rejected before anything runs
    body = json.dumps(
        {"query": 'mutation { createItem(input: {itemCode: "X-9", name: "n"}) { id } }'}
    )
    response = await client.post(
        "/graphql", content=body.encode() + b"}}", headers={**JSON, **world.engineer.headers}
    )

    assert_graphql_error(response, "INVALID_ARGUMENT", statuses=(400,))


async def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


@pytest.mark.usefixtures("unchanged")
async def test_graphql_body_over_one_mib_is_413(client: httpx.AsyncClient, world: World) -> None:
    mutation = 'mutation { createItem(input: {itemCode: "BIG-1", name: "n"}) { id } }'
    padded = json.dumps({"query": mutation + " " * ONE_MIB}).encode()

    declared = await client.post(
        "/graphql", content=padded, headers={**JSON, **world.engineer.headers}
    )
    streamed = await client.post(
        "/graphql", content=_chunks(ONE_MIB + 1), headers={**JSON, **world.engineer.headers}
    )

    for response in (declared, streamed):
        assert_graphql_error(response, "PAYLOAD_TOO_LARGE", statuses=(413,))


@pytest.mark.usefixtures("unchanged")
async def test_mutation_over_get_is_refused(client: httpx.AsyncClient, world: World) -> None:
    mutation = 'mutation { createItem(input: {itemCode: "GET-1", name: "n"}) { id } }'

    response = await client.get(
        "/graphql", params={"query": mutation}, headers=world.engineer.headers
    )

    assert_graphql_error(response, "INVALID_ARGUMENT", statuses=(400, 405))


async def test_query_over_get_still_works(client: httpx.AsyncClient, world: World) -> None:
    # the refusal above is about mutations, not GET itself
    response = await client.get(
        "/graphql",
        params={"query": "{ me { username } }"},
        headers={**world.engineer.headers, "accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {"data": {"me": {"username": world.engineer.username}}}


@pytest.mark.parametrize("variables", ["{broken", "[1]", '"text"'])
async def test_get_with_malformed_variables_is_invalid_argument(
    client: httpx.AsyncClient, world: World, variables: str
) -> None:
    response = await client.get(
        "/graphql",
        params={"query": ITEMS_FIRST, "variables": variables},
        headers=world.engineer.headers,
    )

    assert_graphql_error(response, "INVALID_ARGUMENT", statuses=(400,))


# --- missing credentials ----------------------------------------------------------------


@pytest.mark.usefixtures("unchanged")
async def test_missing_credentials_are_unauthenticated(
    client: httpx.AsyncClient, world: World
) -> None:
    for query, variables in (
        ("{ items { totalCount } }", {}),
        (ROUTING, {"id": world.draft["id"]}),
        (CREATE_ITEM, {"input": {"itemCode": "ANON-1", "name": "n"}}),
        (UPDATE, {"id": world.draft["id"], "input": {"title": "x"}, "expectedVersion": 1}),
        # even malformed arguments: who you are is checked first, and says nothing about ids
        (ROUTING, {"id": "abc"}),
    ):
        response = await post_graphql(client, query, variables)
        assert_graphql_error(response, "UNAUTHENTICATED", statuses=(200,))

    for method, path in (
        ("GET", "/api/items"),
        ("GET", f"/api/routings/{world.draft['id']}"),
        ("PUT", f"/api/routings/{world.draft['id']}"),
        ("POST", f"/api/routings/{world.pending['id']}/approve"),
        ("POST", f"/api/routings/{world.pending['id']}/reject"),
        ("POST", f"/api/routings/{world.draft['id']}/request-approval"),
    ):
        rest = await client.request(method, path, json={"title": "x", "reason": "r"})
        assert_problem(rest, 401, "UNAUTHENTICATED")


# --- REST: bodies -----------------------------------------------------------------------

REST_BAD_BODIES: dict[str, bytes] = {
    "not-json": b"{not json",
    "invalid-utf8": b'{"title": "\xff\xfe"}',
    "deeply-nested": b"[" * 100_000,
    "empty": b"",
    "json-array": b'[{"title": "x"}]',
    "json-string": b'"x"',
    "json-null": b"null",
    "unknown-field": b'{"title": "x", "colour": "red"}',
    "unknown-field-surrogate": b'{"\\ud800": 1}',
    "title-number": b'{"title": 5}',
    "title-over-200": json.dumps({"title": "t" * 201}).encode(),
    "description-over-10000": json.dumps({"description": "d" * 10_001}).encode(),
    "title-nul": b'{"title": "a\\u0000b"}',
    "title-surrogate": b'{"title": "a\\ud800"}',
    "steps-not-list": b'{"steps": "Rough"}',
    "step-not-object": b'{"steps": [1]}',
    "step-minutes-text": b'{"steps": [{"name": "Rough", "setupMinutes": "ten"}]}',
    "step-minutes-nan": b'{"steps": [{"name": "Rough", "setupMinutes": NaN}]}',
    "step-minutes-boolean": b'{"steps": [{"name": "Rough", "cycleMinutes": true}]}',
    "step-parameters-not-strings": b'{"steps": [{"name": "Rough", "parameters": {"a": 1}}]}',
    "step-id-malformed": b'{"steps": [{"id": "abc", "name": "Rough"}]}',
    "step-id-superscript": b'{"steps": [{"id": "\\u00b2", "name": "Rough"}]}',
    "step-id-unknown": b'{"steps": [{"id": "999999", "name": "Rough"}]}',
    "expected-version-text": b'{"title": "x", "expectedVersion": "abc"}',
    "expected-version-negative": b'{"title": "x", "expectedVersion": -1}',
    "expected-version-decimal": b'{"title": "x", "expectedVersion": 1.5}',
    "expected-version-boolean": b'{"title": "x", "expectedVersion": true}',
    "expected-version-huge": b'{"title": "x", "expectedVersion": 99999999999999999999999}',
    "expected-version-superscript": b'{"title": "x", "expectedVersion": "\\u00b9"}',
    "nothing-to-change": b'{"expectedVersion": 1}',
}


@pytest.mark.parametrize("content", REST_BAD_BODIES.values(), ids=REST_BAD_BODIES.keys())
@pytest.mark.usefixtures("unchanged")
async def test_rest_put_with_bad_body_is_400(
    client: httpx.AsyncClient, world: World, content: bytes
) -> None:
    response = await client.put(
        f"/api/routings/{world.draft['id']}",
        content=content,
        headers={**JSON, **world.engineer.headers},
    )

    assert_problem(response, 400, "INVALID_ARGUMENT")


@pytest.mark.parametrize(
    "if_match", [b'"abc"', b"-1", b'"99999999999999999999"', '"²"'.encode(), b'W/"1.5"']
)
@pytest.mark.usefixtures("unchanged")
async def test_rest_put_with_bad_if_match_is_400(
    client: httpx.AsyncClient, world: World, if_match: bytes
) -> None:
    response = await client.put(
        f"/api/routings/{world.draft['id']}",
        json={"title": "x"},
        headers=[
            (b"if-match", if_match),
            (b"authorization", world.engineer.headers["Authorization"].encode()),
        ],
    )

    assert_problem(response, 400, "INVALID_ARGUMENT")


@pytest.mark.usefixtures("unchanged")
async def test_rest_body_over_one_mib_is_413(client: httpx.AsyncClient, world: World) -> None:
    declared = await client.put(
        f"/api/routings/{world.draft['id']}",
        content=json.dumps({"title": "x", "description": "d" * ONE_MIB}).encode(),
        headers={**JSON, **world.engineer.headers},
    )
    streamed = await client.put(
        f"/api/routings/{world.draft['id']}",
        content=_chunks(ONE_MIB + 1),
        headers={**JSON, **world.engineer.headers},
    )

    for response in (declared, streamed):
        assert_problem(response, 413, "PAYLOAD_TOO_LARGE")


@pytest.mark.parametrize(
    ("action", "content"),
    [
        pytest.param("approve", b"{not json", id="approve-not-json"),
        pytest.param("approve", b"[]", id="approve-array"),
        pytest.param("approve", b'{"comment": 5}', id="approve-comment-number"),
        pytest.param("approve", b'{"comment": "\\u0000"}', id="approve-comment-nul"),
        pytest.param("reject", b"{}", id="reject-no-reason"),
        pytest.param("reject", b'{"reason": ""}', id="reject-empty-reason"),
        pytest.param("reject", b'{"reason": 5}', id="reject-reason-number"),
        pytest.param("reject", b'{"reason": "a\\ud800"}', id="reject-reason-surrogate"),
        pytest.param("reject", b"{not json", id="reject-not-json"),
    ],
)
@pytest.mark.usefixtures("unchanged")
async def test_rest_approval_with_bad_body_is_400(
    client: httpx.AsyncClient, world: World, action: str, content: bytes
) -> None:
    response = await client.post(
        f"/api/routings/{world.pending['id']}/{action}",
        content=content,
        headers={**JSON, **world.approver.headers},
    )

    assert_problem(response, 400, "INVALID_ARGUMENT")


# --- REST: paths and query parameters ---------------------------------------------------


@pytest.mark.parametrize(
    "bad_id", ["abc", "-1", "0", "1e9", "1.5", "9" * 19, "1" * 5000, "%C2%B2", "%20"]
)
@pytest.mark.usefixtures("unchanged")
async def test_rest_malformed_routing_id_is_400(
    client: httpx.AsyncClient, world: World, bad_id: str
) -> None:
    for method, path, user in (
        ("GET", f"/api/routings/{bad_id}", world.engineer),
        ("PUT", f"/api/routings/{bad_id}", world.engineer),
        ("POST", f"/api/routings/{bad_id}/request-approval", world.engineer),
        ("POST", f"/api/routings/{bad_id}/approve", world.approver),
        ("POST", f"/api/routings/{bad_id}/reject", world.approver),
    ):
        response = await client.request(
            method, path, json={"title": "x", "reason": "r"}, headers=user.headers
        )
        assert_problem(response, 400, "INVALID_ARGUMENT")


@pytest.mark.usefixtures("unchanged")
async def test_rest_unknown_routing_is_404(client: httpx.AsyncClient, world: World) -> None:
    for method, path, body, user in (
        ("GET", "/api/routings/999999", None, world.engineer),
        ("PUT", "/api/routings/999999", {"title": "x"}, world.engineer),
        ("PUT", "/api/routings/999999", {"title": "x", "expectedVersion": 1}, world.engineer),
        ("POST", "/api/routings/999999/request-approval", None, world.engineer),
        ("POST", "/api/routings/999999/approve", {"comment": "ok"}, world.approver),
        ("POST", "/api/routings/999999/reject", {"reason": "r"}, world.approver),
    ):
        response = await client.request(method, path, json=body, headers=user.headers)
        assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    ("method", "path", "accept"),
    [
        ("GET", "/api/nope", "application/json"),
        ("GET", "/api/nope", "text/html"),
        ("POST", "/api/nope", "application/json"),
        ("GET", "/api/routings", "text/html"),
        ("GET", "/api/routings/1/nope", "application/json"),
        ("DELETE", "/api/items/1", "application/json"),
        ("GET", "/api/", "text/html"),
    ],
)
async def test_unknown_rest_path_is_json_404(
    client: httpx.AsyncClient, world: World, method: str, path: str, accept: str
) -> None:
    # never the SPA's index.html, even for a browser asking for HTML
    response = await client.request(
        method, path, headers={"accept": accept, **world.engineer.headers}
    )

    assert_problem(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=%C2%B2",
        "page=99999999999",
        "pageSize=0",
        "pageSize=201",
        "pageSize=-5",
        "pageSize=1e2",
        "pageSize=%EF%BC%91",
        "sort=colour",
        "sort=--itemCode",
        "sort=-",
        "sort=item_code",
        "filter=" + "x" * 201,
        "filter=a%00b",
    ],
)
async def test_rest_bad_list_parameters_are_400(
    client: httpx.AsyncClient, world: World, query: str
) -> None:
    response = await client.get(f"/api/items?{query}", headers=world.engineer.headers)

    assert_problem(response, 400, "INVALID_ARGUMENT")


async def test_rest_list_parameters_at_the_limits_are_accepted(
    client: httpx.AsyncClient, world: World
) -> None:
    for query in (
        "page=1&pageSize=200",
        "page=999999999&pageSize=1",
        "sort=-createdAt",
        "filter=" + "x" * 200,
        "page=&pageSize=",
    ):
        response = await client.get(f"/api/items?{query}", headers=world.engineer.headers)
        assert response.status_code == 200, (query, response.text)

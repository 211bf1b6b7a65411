"""Who may do what (SPEC §2 "Users and roles"): every role, and no sign-in at all,
against every GraphQL mutation and the main queries.

Each row of the tables below is one test. An allowed call must succeed *and*
change what it is meant to change; a refused call must answer UNAUTHENTICATED,
FORBIDDEN (or NOT_FOUND where existence itself is hidden) in ``extensions.code``
and leave the database exactly as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.sql import Select

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.history.models import HistoryEntry
from mcms.items.models import Item, Revision
from mcms.routings.models import Routing
from mcms.users import service as users
from mcms.users.models import ApiToken, User
from tests.factories import Factory, TestUser, error_codes

OK = "OK"
FORBIDDEN = "FORBIDDEN"
UNAUTHENTICATED = "UNAUTHENTICATED"
NOT_FOUND = "NOT_FOUND"

E, P, A, U, G = Role.ENGINEER, Role.APPROVER, Role.ADMIN, Role.AUDITOR, Role.AGENT
ANONYMOUS = None

Caller = Role | None
Expectations = dict[Caller, str]

_unique = itertools.count(1)


# --- operations -------------------------------------------------------------------------

CREATE_ITEM = """
mutation CreateItem($input: CreateItemInput!) { createItem(input: $input) { id itemCode } }
"""

CREATE_REVISION = """
mutation CreateRevision($itemId: ID!, $input: CreateRevisionInput!) {
  createRevision(itemId: $itemId, input: $input) { id code }
}
"""

CREATE_ROUTING = """
mutation CreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {
  createRouting(revisionId: $revisionId, input: $input) { id status }
}
"""

UPDATE_ROUTING = """
mutation Update($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {
  updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) { id title version }
}
"""

SUBMIT_ROUTING = """
mutation Submit($id: ID!) { submitRouting(id: $id) { id status } }
"""

APPROVE_ROUTING = """
mutation Approve($id: ID!) { approveRouting(id: $id, comment: "ok") { id status } }
"""

REJECT_ROUTING = """
mutation Reject($id: ID!) { rejectRouting(id: $id, reason: "Missing chamfer") { id status } }
"""

CREATE_USER = """
mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id username } }
"""

CHANGE_USER_ROLE = """
mutation ChangeRole($id: ID!, $role: Role!) { changeUserRole(id: $id, role: $role) { id role } }
"""

DEACTIVATE_USER = """
mutation Deactivate($id: ID!) { deactivateUser(id: $id) { id isActive } }
"""

CREATE_API_TOKEN = """
mutation CreateToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) { secret token { id name } }
}
"""

REVOKE_API_TOKEN = """
mutation Revoke($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }
"""

ITEMS = "query { items { totalCount edges { node { id itemCode } } } }"

ITEM = "query Item($id: ID!) { item(id: $id) { id itemCode revisions { totalCount } } }"

REVISION = "query Revision($id: ID!) { revision(id: $id) { id code routings { totalCount } } }"

ROUTINGS = "query { routings { totalCount edges { node { id code owner { username } } } } }"

ROUTING = """
query Routing($id: ID!) {
  routing(id: $id) { id code steps { name } history { totalCount } }
}
"""

USERS = "query { users { totalCount edges { node { username role } } } }"

API_TOKENS = """
query Tokens($userId: ID) { apiTokens(userId: $userId) { id name user { username } } }
"""

ME = "query { me { username role } }"


# --- the world a case runs in -----------------------------------------------------------


@dataclass
class World:
    factory: Factory
    db: Database
    role: Caller

    async def caller(self) -> TestUser | None:
        """The caller: a fresh user with the case's role, or nobody."""
        return await self.factory.user(self.role) if self.role is not None else None

    async def engineer(self) -> TestUser:
        """Someone else: an engineer who owns the things a non-owner case acts on."""
        return await self.factory.user(Role.ENGINEER)

    async def become(self, user: TestUser) -> TestUser:
        """``user`` (who created things as an engineer) now holds the case's role."""
        assert self.role is not None, "an owner case needs a signed-in caller"
        async with self.db.unit_of_work() as session:
            await session.execute(update(User).where(User.id == user.id).values(role=self.role))
        return replace(user, role=self.role)

    async def scalar(self, query: Select[Any]) -> Any:
        async with self.db.read_session() as session:
            return await session.scalar(query)

    async def routing_state(self, routing_id: str) -> tuple[Any, ...]:
        async with self.db.read_session() as session:
            row = (
                await session.execute(
                    select(
                        Routing.status,
                        Routing.version,
                        Routing.title,
                        Routing.approved_by_id,
                        Routing.submitted_at,
                    ).where(Routing.id == int(routing_id))
                )
            ).one()
            entries = await session.scalar(
                select(func.count())
                .select_from(HistoryEntry)
                .where(HistoryEntry.routing_id == int(routing_id))
            )
        return (*row, entries)


@dataclass
class Call:
    """One GraphQL call, and a probe of what it may change."""

    document: str
    variables: dict[str, Any]
    state: Callable[[], Awaitable[object]]


Scenario = Callable[[World], Awaitable[tuple[TestUser | None, Call]]]


def _count(world: World, query: Select[Any]) -> Callable[[], Awaitable[object]]:
    async def probe() -> object:
        return await world.scalar(query)

    return probe


def _routing(world: World, routing_id: str) -> Callable[[], Awaitable[object]]:
    async def probe() -> object:
        return await world.routing_state(routing_id)

    return probe


# --- mutation scenarios -----------------------------------------------------------------


async def create_item(w: World) -> tuple[TestUser | None, Call]:
    caller = await w.caller()
    variables = {"input": {"itemCode": f"AUTHZ-{next(_unique)}", "name": "Bracket"}}
    count = select(func.count()).select_from(Item)
    return caller, Call(CREATE_ITEM, variables, _count(w, count))


async def create_revision(w: World) -> tuple[TestUser | None, Call]:
    item = await w.factory.item(await w.engineer())
    caller = await w.caller()
    variables = {"itemId": item["id"], "input": {"code": "B"}}
    count = select(func.count()).select_from(Revision).where(Revision.item_id == int(item["id"]))
    return caller, Call(CREATE_REVISION, variables, _count(w, count))


async def create_routing(w: World) -> tuple[TestUser | None, Call]:
    revision = await w.factory.revision(await w.engineer())
    caller = await w.caller()
    variables = {"revisionId": revision["id"], "input": {"code": "OP-NEW", "title": "Turn"}}
    count = (
        select(func.count()).select_from(Routing).where(Routing.revision_id == int(revision["id"]))
    )
    return caller, Call(CREATE_ROUTING, variables, _count(w, count))


def _update(w: World, routing_id: str) -> Call:
    variables = {"id": routing_id, "input": {"title": "Changed"}, "expectedVersion": 1}
    return Call(UPDATE_ROUTING, variables, _routing(w, routing_id))


async def update_own_routing(w: World) -> tuple[TestUser | None, Call]:
    owner = await w.engineer()
    routing = await w.factory.routing(owner)
    return await w.become(owner), _update(w, routing["id"])


async def update_other_routing(w: World) -> tuple[TestUser | None, Call]:
    routing = await w.factory.routing(await w.engineer())
    return await w.caller(), _update(w, routing["id"])


async def submit_own_routing(w: World) -> tuple[TestUser | None, Call]:
    owner = await w.engineer()
    routing = await w.factory.routing(owner)
    call = Call(SUBMIT_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.become(owner), call


async def submit_other_routing(w: World) -> tuple[TestUser | None, Call]:
    routing = await w.factory.routing(await w.engineer())
    call = Call(SUBMIT_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.caller(), call


async def approve_own_routing(w: World) -> tuple[TestUser | None, Call]:
    owner = await w.engineer()
    routing = await w.factory.pending_routing(owner)
    call = Call(APPROVE_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.become(owner), call


async def approve_other_routing(w: World) -> tuple[TestUser | None, Call]:
    routing = await w.factory.pending_routing(await w.engineer())
    call = Call(APPROVE_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.caller(), call


async def reject_own_routing(w: World) -> tuple[TestUser | None, Call]:
    owner = await w.engineer()
    routing = await w.factory.pending_routing(owner)
    call = Call(REJECT_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.become(owner), call


async def reject_other_routing(w: World) -> tuple[TestUser | None, Call]:
    routing = await w.factory.pending_routing(await w.engineer())
    call = Call(REJECT_ROUTING, {"id": routing["id"]}, _routing(w, routing["id"]))
    return await w.caller(), call


async def create_user(w: World) -> tuple[TestUser | None, Call]:
    caller = await w.caller()
    variables = {
        "input": {"username": f"new{next(_unique)}", "role": "ENGINEER", "password": "long-pass-1"}
    }
    count = select(func.count()).select_from(User)
    return caller, Call(CREATE_USER, variables, _count(w, count))


async def change_user_role(w: World) -> tuple[TestUser | None, Call]:
    target = await w.engineer()
    caller = await w.caller()
    role = select(User.role).where(User.id == target.id)
    return caller, Call(
        CHANGE_USER_ROLE, {"id": str(target.id), "role": "APPROVER"}, _count(w, role)
    )


async def deactivate_user(w: World) -> tuple[TestUser | None, Call]:
    target = await w.engineer()
    caller = await w.caller()
    active = select(User.is_active).where(User.id == target.id)
    return caller, Call(DEACTIVATE_USER, {"id": str(target.id)}, _count(w, active))


async def create_own_api_token(w: World) -> tuple[TestUser | None, Call]:
    caller = await w.caller()
    count = select(func.count()).select_from(ApiToken)
    return caller, Call(CREATE_API_TOKEN, {"input": {"name": "laptop"}}, _count(w, count))


async def create_api_token_for_other(w: World) -> tuple[TestUser | None, Call]:
    target = await w.engineer()
    caller = await w.caller()
    count = select(func.count()).select_from(ApiToken)
    variables = {"input": {"name": "cell-3", "userId": str(target.id)}}
    return caller, Call(CREATE_API_TOKEN, variables, _count(w, count))


async def _spare_token(w: World, user: TestUser) -> int:
    """A second token of ``user`` (not the one the caller authenticates with)."""
    async with w.db.unit_of_work() as session:
        token, _ = await users.create_token(session=session, user_id=user.id, name="spare")
        return token.id


async def revoke_own_api_token(w: World) -> tuple[TestUser | None, Call]:
    caller = await w.caller()
    assert caller is not None, "an owner case needs a signed-in caller"
    token_id = await _spare_token(w, caller)
    revoked = select(ApiToken.revoked_at).where(ApiToken.id == token_id)
    return caller, Call(REVOKE_API_TOKEN, {"id": str(token_id)}, _count(w, revoked))


async def revoke_other_api_token(w: World) -> tuple[TestUser | None, Call]:
    token_id = await _spare_token(w, await w.engineer())
    caller = await w.caller()
    revoked = select(ApiToken.revoked_at).where(ApiToken.id == token_id)
    return caller, Call(REVOKE_API_TOKEN, {"id": str(token_id)}, _count(w, revoked))


# fmt: off
# --- the expected table -----------------------------------------------------------------

_AUTHORING: Expectations = {
    E: OK, P: FORBIDDEN, A: OK, U: FORBIDDEN, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED,
}
_ADMIN_ONLY: Expectations = {
    E: FORBIDDEN, P: FORBIDDEN, A: OK, U: FORBIDDEN, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED,
}
# Owner cases have no anonymous column: nobody cannot own anything.
_OWNER_EDITS: Expectations = {E: OK, P: FORBIDDEN, A: OK, U: FORBIDDEN, G: FORBIDDEN}
_OTHERS_EDITS = _ADMIN_ONLY  # editing/submitting someone else's routing: administrators only
# Four-eyes: nobody approves or rejects their own routing, not even an approver or an admin.
_OWN_DECISION: Expectations = {
    E: FORBIDDEN, P: FORBIDDEN, A: FORBIDDEN, U: FORBIDDEN, G: FORBIDDEN,
}
_OTHERS_DECISION: Expectations = {
    E: FORBIDDEN, P: OK, A: OK, U: FORBIDDEN, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED,
}

MUTATIONS: dict[str, tuple[Scenario, str, Expectations]] = {
    "createItem": (create_item, "createItem", _AUTHORING),
    "createRevision": (create_revision, "createRevision", _AUTHORING),
    "createRouting": (create_routing, "createRouting", _AUTHORING),
    "updateRouting-own": (update_own_routing, "updateRouting", _OWNER_EDITS),
    "updateRouting-others": (update_other_routing, "updateRouting", _OTHERS_EDITS),
    "submitRouting-own": (submit_own_routing, "submitRouting", _OWNER_EDITS),
    "submitRouting-others": (submit_other_routing, "submitRouting", _OTHERS_EDITS),
    "approveRouting-own": (approve_own_routing, "approveRouting", _OWN_DECISION),
    "approveRouting-others": (approve_other_routing, "approveRouting", _OTHERS_DECISION),
    "rejectRouting-own": (reject_own_routing, "rejectRouting", _OWN_DECISION),
    "rejectRouting-others": (reject_other_routing, "rejectRouting", _OTHERS_DECISION),
    "createUser": (create_user, "createUser", _ADMIN_ONLY),
    "changeUserRole": (change_user_role, "changeUserRole", _ADMIN_ONLY),
    "deactivateUser": (deactivate_user, "deactivateUser", _ADMIN_ONLY),
    "createApiToken-self": (
        create_own_api_token,
        "createApiToken",
        # Auditors write nothing, not even tokens; agents only speak the add-in shim.
        {E: OK, P: OK, A: OK, U: FORBIDDEN, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED},
    ),
    "createApiToken-for-other": (create_api_token_for_other, "createApiToken", _ADMIN_ONLY),
    "revokeApiToken-own": (
        revoke_own_api_token,
        "revokeApiToken",
        {E: OK, P: OK, A: OK, U: FORBIDDEN, G: FORBIDDEN},
    ),
    "revokeApiToken-others": (
        revoke_other_api_token,
        "revokeApiToken",
        # Other people's tokens are invisible to non-administrators: NOT_FOUND, not FORBIDDEN.
        {
            E: NOT_FOUND, P: NOT_FOUND, A: OK, U: FORBIDDEN, G: FORBIDDEN,
            ANONYMOUS: UNAUTHENTICATED,
        },
    ),
}


# fmt: on


def _name(role: Caller) -> str:
    return role.value if role is not None else "ANONYMOUS"


MUTATION_CASES = [
    pytest.param(case, role, expected, id=f"{case}-{_name(role)}")
    for case, (_, _, table) in MUTATIONS.items()
    for role, expected in table.items()
]


@pytest.mark.parametrize(("case", "role", "expected"), MUTATION_CASES)
async def test_mutation_authorization(
    factory: Factory, db: Database, case: str, role: Caller, expected: str
) -> None:
    # given the scenario's data and a caller with this role (or nobody)
    scenario, field, _ = MUTATIONS[case]
    caller, call = await scenario(World(factory=factory, db=db, role=role))
    before = await call.state()

    # when the caller runs the mutation
    body = await factory.gql(call.document, call.variables, as_=caller)

    # then it succeeds and changes what it should, or is refused and changes nothing
    after = await call.state()
    if expected == OK:
        assert "errors" not in body, body
        assert body["data"][field] is not None
        assert after != before, f"{case} succeeded but changed nothing"
    else:
        assert error_codes(body) == [expected], body
        assert body["data"] is None
        assert after == before, f"refused {case} still changed {before!r} into {after!r}"


# --- queries ----------------------------------------------------------------------------


@dataclass
class Fixture:
    """What a reader should find: another engineer's item, revision and routing."""

    engineer: TestUser
    item: dict[str, Any]
    revision: dict[str, Any]
    routing: dict[str, Any]


Check = Callable[[dict[str, Any], Fixture, TestUser | None], None]


def _check_items(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    codes = [edge["node"]["itemCode"] for edge in data["items"]["edges"]]
    assert seen.item["itemCode"] in codes
    assert data["items"]["totalCount"] == len(codes)


def _check_item(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    assert data["item"]["id"] == seen.item["id"]
    assert data["item"]["revisions"]["totalCount"] == 1


def _check_revision(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    assert data["revision"]["id"] == seen.revision["id"]
    assert data["revision"]["routings"]["totalCount"] == 1


def _check_routings(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    nodes = [edge["node"] for edge in data["routings"]["edges"]]
    assert [n["id"] for n in nodes] == [seen.routing["id"]]
    assert nodes[0]["owner"]["username"] == seen.engineer.username


def _check_routing(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    assert data["routing"]["id"] == seen.routing["id"]
    assert [s["name"] for s in data["routing"]["steps"]] == ["Rough mill", "Finish mill"]
    assert data["routing"]["history"]["totalCount"] == 1


def _check_users(data: dict[str, Any], seen: Fixture, caller: TestUser | None) -> None:
    assert caller is not None
    names = {edge["node"]["username"] for edge in data["users"]["edges"]}
    assert names == {seen.engineer.username, caller.username}


def _check_own_tokens(data: dict[str, Any], _: Fixture, caller: TestUser | None) -> None:
    assert caller is not None
    tokens = data["apiTokens"]
    assert len(tokens) == 1
    assert tokens[0]["user"]["username"] == caller.username


def _check_other_tokens(data: dict[str, Any], seen: Fixture, _: TestUser | None) -> None:
    tokens = data["apiTokens"]
    assert len(tokens) == 1
    assert tokens[0]["user"]["username"] == seen.engineer.username


def _check_me(data: dict[str, Any], _: Fixture, caller: TestUser | None) -> None:
    if caller is None:
        assert data["me"] is None  # not signed in is an answer, not an error
    else:
        assert data["me"] == {"username": caller.username, "role": caller.role.value}


# fmt: off
_READERS: Expectations = {
    E: OK, P: OK, A: OK, U: OK, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED,
}
_OVERSEERS: Expectations = {
    E: FORBIDDEN, P: FORBIDDEN, A: OK, U: OK, G: FORBIDDEN, ANONYMOUS: UNAUTHENTICATED,
}
# fmt: on

Variables = Callable[[Fixture], dict[str, Any]]

QUERIES: dict[str, tuple[str, Variables, Check, Expectations]] = {
    "items": (ITEMS, lambda f: {}, _check_items, _READERS),
    "item": (ITEM, lambda f: {"id": f.item["id"]}, _check_item, _READERS),
    "revision": (REVISION, lambda f: {"id": f.revision["id"]}, _check_revision, _READERS),
    "routings": (ROUTINGS, lambda f: {}, _check_routings, _READERS),
    "routing": (ROUTING, lambda f: {"id": f.routing["id"]}, _check_routing, _READERS),
    "users": (USERS, lambda f: {}, _check_users, _OVERSEERS),
    "apiTokens-own": (API_TOKENS, lambda f: {}, _check_own_tokens, _READERS),
    "apiTokens-of-other": (
        API_TOKENS,
        lambda f: {"userId": str(f.engineer.id)},
        _check_other_tokens,
        _OVERSEERS,
    ),
    "me": (ME, lambda f: {}, _check_me, {E: OK, P: OK, A: OK, U: OK, G: OK, ANONYMOUS: OK}),
}

QUERY_CASES = [
    pytest.param(case, role, expected, id=f"{case}-{_name(role)}")
    for case, (_, _, _, table) in QUERIES.items()
    for role, expected in table.items()
]


@pytest.mark.parametrize(("case", "role", "expected"), QUERY_CASES)
async def test_query_authorization(
    factory: Factory, case: str, role: Caller, expected: str
) -> None:
    # given another engineer's item → revision → routing, and a caller with this role
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    revision = (
        await factory.ok(
            "query R($id: ID!) { routing(id: $id) { revision { id item { id itemCode } } } }",
            {"id": routing["id"]},
            as_=engineer,
        )
    )["routing"]["revision"]
    seen = Fixture(engineer=engineer, item=revision["item"], revision=revision, routing=routing)
    caller = await factory.user(role) if role is not None else None
    document, variables, check, _ = QUERIES[case]

    # when the caller reads
    body = await factory.gql(document, variables(seen), as_=caller)

    # then they see the data, or get the expected error and no data
    if expected == OK:
        assert "errors" not in body, body
        check(body["data"], seen, caller)
    else:
        assert error_codes(body) == [expected], body
        assert all(value is None for value in (body.get("data") or {}).values())


# --- the four-eyes rule, end to end -----------------------------------------------------


async def test_four_eyes_owner_refused_then_another_approver_approves(
    factory: Factory, db: Database
) -> None:
    # given an engineer's pending routing, whose owner has since become an approver
    owner = await factory.user(Role.ENGINEER)
    routing = await factory.pending_routing(owner)
    owner = await World(factory=factory, db=db, role=Role.APPROVER).become(owner)
    colleague = await factory.user(Role.APPROVER)

    # when the owner tries to approve it, then a colleague does
    own = await factory.gql(APPROVE_ROUTING, {"id": routing["id"]}, as_=owner)
    other = await factory.ok(APPROVE_ROUTING, {"id": routing["id"]}, as_=colleague)

    # then only the colleague's approval counted
    assert error_codes(own) == [FORBIDDEN]
    assert other["approveRouting"]["status"] == "APPROVED"
    data = await factory.ok(
        "query R($id: ID!) { routing(id: $id) { approvedBy { username } "
        "history { edges { node { type actor } } } } }",
        {"id": routing["id"]},
        as_=colleague,
    )
    assert data["routing"]["approvedBy"]["username"] == colleague.username
    entries = [e["node"] for e in data["routing"]["history"]["edges"]]
    assert [(e["type"], e["actor"]) for e in entries if e["type"] == "APPROVED"] == [
        ("APPROVED", colleague.username)
    ]


async def test_role_change_applies_to_existing_tokens_at_once(factory: Factory) -> None:
    # given an engineer whose token works for authoring
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    await factory.item(engineer)

    # when an administrator makes them an auditor
    await factory.ok(CHANGE_USER_ROLE, {"id": str(engineer.id), "role": "AUDITOR"}, as_=admin)

    # then the same token now reads but no longer writes
    refused = await factory.gql(
        CREATE_ITEM, {"input": {"itemCode": "LATE-1", "name": "Too late"}}, as_=engineer
    )
    assert error_codes(refused) == [FORBIDDEN]
    data = await factory.ok(ITEMS, as_=engineer)
    assert "LATE-1" not in [e["node"]["itemCode"] for e in data["items"]["edges"]]
    assert data["items"]["totalCount"] == 1

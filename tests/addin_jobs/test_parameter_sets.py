"""Add-in parameter sets over GraphQL: versioned with optimistic concurrency,
every version kept with who saved it, administrators only."""

from __future__ import annotations

import asyncio
from typing import Any

from mcms.core.auth import Role
from tests.factories import Factory, TestUser, error_codes

SAVE = """
mutation Save($scope: AddinParameterScope!, $targetId: ID!, $parameters: [KeyValueInput!]!,
              $expectedVersion: Int!) {
  saveAddinParameterSet(scope: $scope, targetId: $targetId, parameters: $parameters,
                        expectedVersion: $expectedVersion) {
    scope targetId version updatedBy parameters { key value }
  }
}
"""

SET = """
query Set($scope: AddinParameterScope!, $targetId: ID!) {
  addinParameterSet(scope: $scope, targetId: $targetId) {
    version parameters { key value }
    versions { version savedBy savedAt parameters { key value } }
  }
}
"""

EFFECTIVE = """
query Effective($routingId: ID!) { effectiveAddinParameters(routingId: $routingId) { key value } }
"""


def pairs(values: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


def save_vars(scope: str, target_id: str, values: dict[str, str], expected: int) -> dict[str, Any]:
    return {
        "scope": scope,
        "targetId": target_id,
        "parameters": pairs(values),
        "expectedVersion": expected,
    }


async def save(
    factory: Factory,
    admin: TestUser,
    scope: str,
    target_id: str,
    values: dict[str, str],
    expected: int,
) -> dict[str, Any]:
    data = await factory.ok(SAVE, save_vars(scope, target_id, values, expected), as_=admin)
    saved: dict[str, Any] = data["saveAddinParameterSet"]
    return saved


async def test_saving_versions_and_reading_them_back(factory: Factory) -> None:
    # given an administrator and a routing
    admin, other_admin = await factory.user(Role.ADMIN), await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)

    # when one saves version 1 and another version 2 of its set
    first = await save(factory, admin, "ROUTING", routing["id"], {"post": "fanuc"}, 0)
    second = await save(
        factory, other_admin, "ROUTING", routing["id"], {"post": "okuma", "units": "mm"}, 1
    )

    # then the set is at version 2, and both versions are kept, newest first
    assert (first["version"], first["updatedBy"]) == (1, admin.username)
    assert (second["version"], second["updatedBy"]) == (2, other_admin.username)
    found = (await factory.ok(SET, {"scope": "ROUTING", "targetId": routing["id"]}, as_=engineer))[
        "addinParameterSet"
    ]
    assert found["parameters"] == pairs({"post": "okuma", "units": "mm"})
    assert [(v["version"], v["savedBy"], v["parameters"]) for v in found["versions"]] == [
        (2, other_admin.username, pairs({"post": "okuma", "units": "mm"})),
        (1, admin.username, pairs({"post": "fanuc"})),
    ]


async def test_a_stale_expected_version_is_a_conflict(factory: Factory) -> None:
    # given a set at version 2
    admin = await factory.user(Role.ADMIN)
    item = await factory.item(admin)
    await save(factory, admin, "ITEM", item["id"], {"a": "1"}, 0)
    await save(factory, admin, "ITEM", item["id"], {"a": "2"}, 1)

    # when an administrator saves over version 1, or creates it anew
    stale = await factory.gql(SAVE, save_vars("ITEM", item["id"], {"a": "3"}, 1), as_=admin)
    anew = await factory.gql(SAVE, save_vars("ITEM", item["id"], {"a": "4"}, 0), as_=admin)

    # then both are refused and version 2 stands
    assert error_codes(stale) == ["CONFLICT"]
    assert error_codes(anew) == ["CONFLICT"]
    found = (await factory.ok(SET, {"scope": "ITEM", "targetId": item["id"]}, as_=admin))[
        "addinParameterSet"
    ]
    assert (found["version"], found["parameters"]) == (2, pairs({"a": "2"}))
    assert len(found["versions"]) == 2


async def test_two_administrators_saving_at_once_one_conflict(factory: Factory) -> None:
    # given a set at version 1
    first, second = await factory.user(Role.ADMIN), await factory.user(Role.ADMIN)
    item = await factory.item(first)
    await save(factory, first, "ITEM", item["id"], {"a": "1"}, 0)

    # when both save over version 1 at the same moment
    results = await asyncio.gather(
        factory.gql(SAVE, save_vars("ITEM", item["id"], {"a": "first"}, 1), as_=first),
        factory.gql(SAVE, save_vars("ITEM", item["id"], {"a": "second"}, 1), as_=second),
    )

    # then exactly one wins
    assert sorted(str(error_codes(r)) for r in results) == ["['CONFLICT']", "[]"]
    found = (await factory.ok(SET, {"scope": "ITEM", "targetId": item["id"]}, as_=first))[
        "addinParameterSet"
    ]
    assert found["version"] == 2
    assert [v["version"] for v in found["versions"]] == [2, 1]


async def test_only_administrators_save_sets(factory: Factory) -> None:
    # given a routing, and people of every other role
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    others = [
        await factory.user(r) for r in (Role.ENGINEER, Role.APPROVER, Role.AUDITOR, Role.AGENT)
    ]

    # when each saves a set for it
    variables = save_vars("ROUTING", routing["id"], {"a": "1"}, 0)
    answers = [error_codes(await factory.gql(SAVE, variables, as_=user)) for user in others]

    # then each is forbidden, and there is no set
    assert answers == [["FORBIDDEN"]] * len(others)
    found = await factory.ok(SET, {"scope": "ROUTING", "targetId": routing["id"]}, as_=engineer)
    assert found["addinParameterSet"] is None


async def test_bad_sets_are_refused(factory: Factory) -> None:
    # given a routing
    admin = await factory.user(Role.ADMIN)
    routing = await factory.routing(admin)
    cases = [
        ("424242", {"a": "1"}, "NOT_FOUND"),  # no such routing
        ("abc", {"a": "1"}, "INVALID_ARGUMENT"),
        (routing["id"], {"": "1"}, "INVALID_ARGUMENT"),
        (routing["id"], {"a": "x" * 2001}, "INVALID_ARGUMENT"),
        (routing["id"], {"a": "bell\x07"}, "INVALID_ARGUMENT"),
    ]

    # when an administrator saves bad sets
    answers = [
        error_codes(await factory.gql(SAVE, save_vars("ROUTING", target, values, 0), as_=admin))
        for target, values, _ in cases
    ]

    # then each is refused with its reason, and nothing was saved
    assert answers == [[code] for _, _, code in cases]
    found = await factory.ok(SET, {"scope": "ROUTING", "targetId": routing["id"]}, as_=admin)
    assert found["addinParameterSet"] is None


async def test_a_repeated_key_is_refused(factory: Factory) -> None:
    admin = await factory.user(Role.ADMIN)
    routing = await factory.routing(admin)
    variables = save_vars("ROUTING", routing["id"], {}, 0)
    variables["parameters"] = [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]

    body = await factory.gql(SAVE, variables, as_=admin)

    assert error_codes(body) == ["INVALID_ARGUMENT"]


async def test_effective_parameters_merge_item_revision_routing(factory: Factory) -> None:
    # given sets on a routing's item and revision, none on the routing yet
    admin = await factory.user(Role.ADMIN)
    engineer = await factory.user(Role.ENGINEER)
    item = await factory.item(engineer)
    revision = await factory.revision(engineer, item["id"])
    routing = await factory.routing(engineer, revision["id"])
    sibling = await factory.routing(engineer, revision["id"])
    await save(factory, admin, "ITEM", item["id"], {"post": "fanuc", "units": "mm"}, 0)
    await save(factory, admin, "REVISION", revision["id"], {"units": "inch"}, 0)

    # when the routing gets its own set
    before = await factory.ok(EFFECTIVE, {"routingId": routing["id"]}, as_=engineer)
    await save(factory, admin, "ROUTING", routing["id"], {"post": "okuma"}, 0)
    after = await factory.ok(EFFECTIVE, {"routingId": routing["id"]}, as_=engineer)
    beside = await factory.ok(EFFECTIVE, {"routingId": sibling["id"]}, as_=engineer)

    # then the more specific set wins, for that routing only
    assert before["effectiveAddinParameters"] == pairs({"post": "fanuc", "units": "inch"})
    assert after["effectiveAddinParameters"] == pairs({"post": "okuma", "units": "inch"})
    assert beside["effectiveAddinParameters"] == pairs({"post": "fanuc", "units": "inch"})

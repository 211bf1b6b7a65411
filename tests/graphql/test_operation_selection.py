"""Which operation of a document runs, as the GraphQL spec says."""

from __future__ import annotations

from mcms.core.auth import Role
from tests.factories import Factory, error_codes

TWO_OPERATIONS = "query A { me { username } } mutation B { __typename }"


async def test_several_operations_without_a_name_are_refused(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)

    body = await factory.gql(TWO_OPERATIONS, as_=engineer)

    assert error_codes(body) == ["INVALID_ARGUMENT"]
    assert body.get("data") is None


async def test_the_named_operation_runs(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)

    response = await factory.client.post(
        "/graphql",
        json={"query": TWO_OPERATIONS, "operationName": "A"},
        headers=engineer.headers,
    )

    assert response.json() == {"data": {"me": {"username": engineer.username}}}

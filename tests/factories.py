"""Builders for test data, going through the real services and the real API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import httpx

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.users import service as users

_counter = itertools.count(1)

CREATE_ITEM = """
mutation CreateItem($input: CreateItemInput!) {
  createItem(input: $input) { id itemCode name }
}
"""

CREATE_REVISION = """
mutation CreateRevision($itemId: ID!, $input: CreateRevisionInput!) {
  createRevision(itemId: $itemId, input: $input) { id code }
}
"""

CREATE_ROUTING = """
mutation CreateRouting($revisionId: ID!, $input: CreateRoutingInput!) {
  createRouting(revisionId: $revisionId, input: $input) {
    id code status version steps { id sequence name }
  }
}
"""

SUBMIT_ROUTING = """
mutation Submit($id: ID!) { submitRouting(id: $id) { id status version } }
"""

APPROVE_ROUTING = """
mutation Approve($id: ID!, $comment: String) {
  approveRouting(id: $id, comment: $comment) { id status version }
}
"""

REJECT_ROUTING = """
mutation Reject($id: ID!, $reason: String!) {
  rejectRouting(id: $id, reason: $reason) { id status version }
}
"""


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a test class, whatever pytest thinks of the name

    id: int
    username: str
    role: Role
    token: str
    password: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


class GraphQLErrorResponse(AssertionError):
    """Raised by ``Factory.ok`` when a call that should succeed returned errors."""


@dataclass
class Factory:
    db: Database
    client: httpx.AsyncClient

    async def user(self, role: Role = Role.ENGINEER, username: str | None = None) -> TestUser:
        name = username or f"{role.value.lower()}{next(_counter)}"
        password = f"pw-{name}-secret"
        async with self.db.unit_of_work() as session:
            user = await users.create_user(
                session=session, username=name, role=role, password=password
            )
            _, token = await users.create_token(session=session, user_id=user.id, name="test")
        return TestUser(id=user.id, username=name, role=role, token=token, password=password)

    async def gql(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: TestUser | None = None
    ) -> dict[str, Any]:
        """The whole GraphQL response body (``data`` and maybe ``errors``)."""
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=as_.headers if as_ else {},
        )
        assert response.status_code in (200, 400), response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(
        self, query: str, variables: dict[str, Any] | None = None, *, as_: TestUser | None = None
    ) -> dict[str, Any]:
        """``data`` of a call that must succeed."""
        body = await self.gql(query, variables, as_=as_)
        if body.get("errors"):
            raise GraphQLErrorResponse(str(body["errors"]))
        data: dict[str, Any] = body["data"]
        return data

    async def item(self, as_: TestUser, code: str | None = None) -> dict[str, Any]:
        code = code or f"ITEM-{next(_counter)}"
        data = await self.ok(
            CREATE_ITEM, {"input": {"itemCode": code, "name": f"Part {code}"}}, as_=as_
        )
        item: dict[str, Any] = data["createItem"]
        return item

    async def revision(self, as_: TestUser, item_id: str | None = None) -> dict[str, Any]:
        if item_id is None:
            item_id = (await self.item(as_))["id"]
        data = await self.ok(CREATE_REVISION, {"itemId": item_id, "input": {"code": "A"}}, as_=as_)
        revision: dict[str, Any] = data["createRevision"]
        return revision

    async def routing(
        self,
        as_: TestUser,
        revision_id: str | None = None,
        steps: list[dict[str, Any]] | None = None,
        code: str | None = None,
    ) -> dict[str, Any]:
        if revision_id is None:
            revision_id = (await self.revision(as_))["id"]
        steps = steps if steps is not None else [{"name": "Rough mill"}, {"name": "Finish mill"}]
        data = await self.ok(
            CREATE_ROUTING,
            {
                "revisionId": revision_id,
                "input": {"code": code or f"OP-{next(_counter)}", "title": "Mill", "steps": steps},
            },
            as_=as_,
        )
        routing: dict[str, Any] = data["createRouting"]
        return routing

    async def pending_routing(self, owner: TestUser) -> dict[str, Any]:
        routing = await self.routing(owner)
        data = await self.ok(SUBMIT_ROUTING, {"id": routing["id"]}, as_=owner)
        submitted: dict[str, Any] = data["submitRouting"]
        return submitted

    async def approved_routing(self, owner: TestUser, approver: TestUser) -> dict[str, Any]:
        routing = await self.pending_routing(owner)
        data = await self.ok(APPROVE_ROUTING, {"id": routing["id"]}, as_=approver)
        approved: dict[str, Any] = data["approveRouting"]
        return approved

    async def rejected_routing(self, owner: TestUser, approver: TestUser) -> dict[str, Any]:
        routing = await self.pending_routing(owner)
        data = await self.ok(
            REJECT_ROUTING, {"id": routing["id"], "reason": "Missing deburr"}, as_=approver
        )
        rejected: dict[str, Any] = data["rejectRouting"]
        return rejected


def error_codes(body: dict[str, Any]) -> list[str]:
    """The ``extensions.code`` of each error in a GraphQL response."""
    return [e.get("extensions", {}).get("code") for e in body.get("errors", [])]

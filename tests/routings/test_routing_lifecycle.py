"""The main path: create, edit, submit, approve/reject — with history."""

from __future__ import annotations

from mcms.core.auth import Role
from tests.factories import Factory, error_codes

ROUTING_WITH_HISTORY = """
query Routing($id: ID!) {
  routing(id: $id) {
    id code title status version camRevision generationStatus
    owner { username }
    approvedBy { username }
    revision { code item { itemCode } }
    steps { id sequence name workCenter setupMinutes cycleMinutes parameters { key value } }
    history { totalCount edges { node { type actor message data } } }
  }
}
"""

UPDATE_ROUTING = """
mutation Update($id: ID!, $input: UpdateRoutingInput!, $expectedVersion: Int!) {
  updateRouting(id: $id, input: $input, expectedVersion: $expectedVersion) {
    id title version steps { id sequence name }
  }
}
"""

APPROVE = """
mutation Approve($id: ID!, $comment: String) {
  approveRouting(id: $id, comment: $comment) { id status version approvedBy { username } }
}
"""

REJECT = """
mutation Reject($id: ID!, $reason: String!) { rejectRouting(id: $id, reason: $reason) { status } }
"""

SUBMIT = """
mutation Submit($id: ID!) { submitRouting(id: $id) { status version } }
"""


async def test_create_edit_submit_approve_records_history(factory: Factory) -> None:
    # given an engineer's routing with two steps
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.routing(
        engineer,
        steps=[
            {"name": "Rough", "parameters": [{"key": "coolant", "value": "flood"}]},
            {"name": "Finish"},
        ],
    )
    assert routing["status"] == "DRAFT"
    assert [s["sequence"] for s in routing["steps"]] == [10, 20]

    # when the engineer edits, submits, and an approver approves
    edited = await factory.ok(
        UPDATE_ROUTING,
        {"id": routing["id"], "input": {"title": "5-axis mill"}, "expectedVersion": 1},
        as_=engineer,
    )
    assert edited["updateRouting"]["version"] == 2
    await factory.ok(SUBMIT, {"id": routing["id"]}, as_=engineer)
    approved = await factory.ok(APPROVE, {"id": routing["id"], "comment": "fine"}, as_=approver)

    # then the routing is APPROVED by that approver and every step is in the history
    assert approved["approveRouting"]["status"] == "APPROVED"
    assert approved["approveRouting"]["approvedBy"]["username"] == approver.username
    data = await factory.ok(ROUTING_WITH_HISTORY, {"id": routing["id"]}, as_=engineer)
    history = [e["node"] for e in data["routing"]["history"]["edges"]]
    assert [h["type"] for h in history] == [
        "ROUTING_CREATED",
        "ROUTING_UPDATED",
        "SUBMITTED",
        "APPROVED",
        "ADDIN_JOB_QUEUED",  # approval queues the generation job, in the same transaction
    ]
    assert history[-2]["actor"] == approver.username
    assert history[-2]["data"]["comment"] == "fine"
    assert data["routing"]["steps"][0]["parameters"] == [{"key": "coolant", "value": "flood"}]


async def test_reorder_steps_keeps_ids_and_renumbers(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer, steps=[{"name": "A"}, {"name": "B"}, {"name": "C"}])
    a, b, c = routing["steps"]

    data = await factory.ok(
        UPDATE_ROUTING,
        {
            "id": routing["id"],
            "input": {
                "steps": [{"id": c["id"], "name": "C"}, {"id": a["id"], "name": "A"}, {"name": "D"}]
            },
            "expectedVersion": 1,
        },
        as_=engineer,
    )

    steps = data["updateRouting"]["steps"]
    assert [s["name"] for s in steps] == ["C", "A", "D"]
    assert [s["sequence"] for s in steps] == [10, 20, 30]
    assert steps[0]["id"] == c["id"]
    assert steps[1]["id"] == a["id"]
    assert b["id"] not in {s["id"] for s in steps}


async def test_reject_needs_reason_then_edit_and_resubmit(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.pending_routing(engineer)

    blank = await factory.gql(REJECT, {"id": routing["id"], "reason": "   "}, as_=approver)
    assert error_codes(blank) == ["INVALID_ARGUMENT"]

    await factory.ok(REJECT, {"id": routing["id"], "reason": "Missing deburr"}, as_=approver)
    edited = await factory.ok(
        UPDATE_ROUTING,
        {"id": routing["id"], "input": {"title": "With deburr"}, "expectedVersion": 3},
        as_=engineer,
    )
    assert edited["updateRouting"]["version"] == 4
    resubmitted = await factory.ok(SUBMIT, {"id": routing["id"]}, as_=engineer)
    assert resubmitted["submitRouting"]["status"] == "PENDING_APPROVAL"


async def test_stale_expected_version_is_conflict_and_changes_nothing(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    await factory.ok(
        UPDATE_ROUTING,
        {"id": routing["id"], "input": {"title": "first"}, "expectedVersion": 1},
        as_=engineer,
    )

    stale = await factory.gql(
        UPDATE_ROUTING,
        {"id": routing["id"], "input": {"title": "second"}, "expectedVersion": 1},
        as_=engineer,
    )

    assert error_codes(stale) == ["CONFLICT"]
    data = await factory.ok(ROUTING_WITH_HISTORY, {"id": routing["id"]}, as_=engineer)
    assert data["routing"]["title"] == "first"
    assert data["routing"]["version"] == 2
    assert data["routing"]["history"]["totalCount"] == 2


async def test_four_eyes_owner_cannot_approve_own_routing(factory: Factory) -> None:
    admin = await factory.user(Role.ADMIN)
    routing = await factory.pending_routing(admin)

    body = await factory.gql(APPROVE, {"id": routing["id"]}, as_=admin)

    assert error_codes(body) == ["FORBIDDEN"]


async def test_editing_approved_routing_is_conflict(factory: Factory) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.approved_routing(engineer, approver)

    body = await factory.gql(
        UPDATE_ROUTING,
        {"id": routing["id"], "input": {"title": "x"}, "expectedVersion": routing["version"]},
        as_=engineer,
    )

    assert error_codes(body) == ["CONFLICT"]

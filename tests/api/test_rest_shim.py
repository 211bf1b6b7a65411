"""The REST compatibility shim (SPEC §3): what the ESPRIT add-in and older scripts use.

camelCase JSON, ``Authorization: Bearer``, problem+json errors with ``code`` and
``traceId``, and ``page``/``pageSize``/``sort``/``filter`` on lists.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from mcms.core.auth import Role
from tests.factories import Factory, TestUser

PROBLEM_JSON = "application/problem+json"

ITEM_KEYS = {"id", "itemCode", "name", "description", "createdAt", "revisions"}
REVISION_KEYS = {"id", "code", "description", "createdAt", "routings"}
ROUTING_SUMMARY_KEYS = {"id", "code", "title", "status", "version", "generationStatus"}
STEP_KEYS = {
    "id",
    "sequence",
    "name",
    "workCenter",
    "machine",
    "description",
    "setupMinutes",
    "cycleMinutes",
    "toolingNotes",
    "parameters",
}
HISTORY_KEYS = {"id", "type", "actor", "at", "message", "data"}


# --- helpers ----------------------------------------------------------------------------


def json_of(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["error"] == {"code": code, "message": body["detail"]}
    assert body["traceId"] == response.headers["x-request-id"]
    return body


def snake_case_keys(value: Any, path: str = "$") -> list[str]:
    """Every key (at any depth, outside free-form maps) that is not camelCase."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, child in value.items():
            if "_" in key:
                found.append(f"{path}.{key}")
            if key not in ("parameters", "data"):  # user-chosen keys live there
                found += snake_case_keys(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += snake_case_keys(child, f"{path}[{index}]")
    return found


def utc_timestamp(text: str) -> datetime:
    assert text.endswith("Z"), text
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def get_routing(client: httpx.AsyncClient, routing_id: str, user: TestUser) -> dict[str, Any]:
    return json_of(await client.get(f"/api/routings/{routing_id}", headers=user.headers))


async def put_routing(
    client: httpx.AsyncClient,
    routing_id: str,
    user: TestUser,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.put(
        f"/api/routings/{routing_id}", json=body, headers={**user.headers, **(headers or {})}
    )


# --- GET /api/items ---------------------------------------------------------------------


async def test_list_items_nests_revisions_and_routing_summaries(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an item with revision A and a routing, and an item with no revisions
    engineer = await factory.user(Role.ENGINEER)
    with_routing = await factory.item(engineer, "SHIM-B")
    revision = await factory.revision(engineer, with_routing["id"])
    routing = await factory.routing(engineer, revision["id"], code="OP-10")
    bare = await factory.item(engineer, "SHIM-A")

    # when a script lists items
    body = json_of(await client.get("/api/items", headers=engineer.headers))

    # then it gets both, by item code, as camelCase JSON with string ids
    assert snake_case_keys(body) == []
    assert (body["page"], body["pageSize"], body["totalCount"]) == (1, 20, 2)
    first, second = body["items"]
    assert set(first) == ITEM_KEYS
    assert set(second) == ITEM_KEYS
    assert (first["id"], first["itemCode"], first["revisions"]) == (bare["id"], "SHIM-A", [])
    assert second["id"] == with_routing["id"]
    assert second["name"] == "Part SHIM-B"
    utc_timestamp(second["createdAt"])
    [rev] = second["revisions"]
    assert set(rev) == REVISION_KEYS
    assert (rev["id"], rev["code"]) == (revision["id"], "A")
    assert rev["routings"] == [
        {
            "id": routing["id"],
            "code": "OP-10",
            "title": "Mill",
            "status": "DRAFT",
            "version": 1,
            "generationStatus": "NONE",
        }
    ]
    assert set(rev["routings"][0]) == ROUTING_SUMMARY_KEYS


async def test_list_items_pages(factory: Factory, client: httpx.AsyncClient) -> None:
    # given five items
    engineer = await factory.user(Role.ENGINEER)
    for number in range(1, 6):
        await factory.item(engineer, f"PG-{number}")

    # when a script reads them two at a time
    pages = [
        json_of(await client.get(f"/api/items?page={page}&pageSize=2", headers=engineer.headers))
        for page in (1, 2, 3, 4)
    ]

    # then each page holds its slice, and every page knows the whole count
    assert [[i["itemCode"] for i in p["items"]] for p in pages] == [
        ["PG-1", "PG-2"],
        ["PG-3", "PG-4"],
        ["PG-5"],
        [],
    ]
    assert [(p["page"], p["pageSize"], p["totalCount"]) for p in pages] == [
        (1, 2, 5),
        (2, 2, 5),
        (3, 2, 5),
        (4, 2, 5),
    ]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        pytest.param(None, ["AX-1", "AX-2", "AX-3"], id="default-itemCode"),
        pytest.param("itemCode", ["AX-1", "AX-2", "AX-3"], id="itemCode"),
        pytest.param("-itemCode", ["AX-3", "AX-2", "AX-1"], id="-itemCode"),
        pytest.param("name", ["AX-2", "AX-3", "AX-1"], id="name"),
        pytest.param("-name", ["AX-1", "AX-3", "AX-2"], id="-name"),
    ],
)
async def test_list_items_sorts(
    factory: Factory, client: httpx.AsyncClient, sort: str | None, expected: list[str]
) -> None:
    # given items whose names sort differently from their codes
    engineer = await factory.user(Role.ENGINEER)
    for code, name in (("AX-2", "Adapter"), ("AX-1", "Sleeve"), ("AX-3", "Bracket")):
        await factory.ok(
            "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
            {"input": {"itemCode": code, "name": name}},
            as_=engineer,
        )
    query = f"?sort={sort}" if sort else ""

    body = json_of(await client.get(f"/api/items{query}", headers=engineer.headers))

    assert [i["itemCode"] for i in body["items"]] == expected


async def test_list_items_filters_by_code_or_name(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given items matching "brack" by name, by code, and one that does not match
    engineer = await factory.user(Role.ENGINEER)
    for code, name in (("BR-1", "Bracket left"), ("BRACK-9", "Plate"), ("SL-1", "Sleeve")):
        await factory.ok(
            "mutation C($input: CreateItemInput!) { createItem(input: $input) { id } }",
            {"input": {"itemCode": code, "name": name}},
            as_=engineer,
        )

    # when a script filters, case-insensitively, sorted and paged
    body = json_of(
        await client.get(
            "/api/items?filter=BRACK&sort=-itemCode&pageSize=1", headers=engineer.headers
        )
    )
    rest = json_of(
        await client.get(
            "/api/items?filter=brack&sort=-itemCode&pageSize=1&page=2", headers=engineer.headers
        )
    )

    # then only matching items count and come back, in the asked order
    assert body["totalCount"] == rest["totalCount"] == 2
    assert [i["itemCode"] for i in body["items"] + rest["items"]] == ["BRACK-9", "BR-1"]


# --- GET /api/routings/{id} -------------------------------------------------------------


async def test_get_routing_has_steps_and_history(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an engineer's routing with two steps
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(
        engineer,
        steps=[
            {
                "name": "Rough mill",
                "workCenter": "WC-5",
                "setupMinutes": 15,
                "cycleMinutes": 2.5,
                "parameters": [{"key": "coolant", "value": "flood"}],
            },
            {"name": "Deburr"},
        ],
    )

    # when the add-in reads it
    body = await get_routing(client, routing["id"], engineer)

    # then it gets the routing's fields, its ordered steps and its history, camelCase
    assert snake_case_keys(body) == []
    assert body["id"] == routing["id"]
    assert (body["code"], body["title"], body["status"], body["version"]) == (
        routing["code"],
        "Mill",
        "DRAFT",
        1,
    )
    assert body["ownerId"] == str(engineer.id)
    assert (body["camRevision"], body["generationStatus"]) == (0, "NONE")
    assert body["approvedById"] is None
    utc_timestamp(body["createdAt"])
    assert [set(step) for step in body["steps"]] == [STEP_KEYS, STEP_KEYS]
    rough, deburr = body["steps"]
    assert (rough["sequence"], rough["name"], rough["workCenter"]) == (10, "Rough mill", "WC-5")
    assert (rough["setupMinutes"], rough["cycleMinutes"]) == (15, 2.5)
    assert rough["parameters"] == {"coolant": "flood"}
    assert (deburr["sequence"], deburr["name"]) == (20, "Deburr")
    [created] = body["history"]
    assert set(created) == HISTORY_KEYS
    assert (created["type"], created["actor"]) == ("ROUTING_CREATED", engineer.username)
    utc_timestamp(created["at"])


# --- PUT /api/routings/{id} -------------------------------------------------------------


async def test_put_with_expected_version_edits_and_records_history(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)

    response = await put_routing(
        client,
        routing["id"],
        engineer,
        {"title": "5-axis mill", "description": "Use fixture F-2", "expectedVersion": 1},
    )

    body = json_of(response)
    assert (body["title"], body["description"], body["version"]) == (
        "5-axis mill",
        "Use fixture F-2",
        2,
    )
    assert [h["type"] for h in body["history"]] == ["ROUTING_CREATED", "ROUTING_UPDATED"]
    assert body["history"][-1]["data"]["fields"] == ["description", "title"]
    assert body["history"][-1]["actor"] == engineer.username
    # and the change is what everyone reads afterwards
    assert await get_routing(client, routing["id"], engineer) == body


@pytest.mark.parametrize("if_match", ['"1"', "1", 'W/"1"'])
async def test_put_with_if_match_edits(
    factory: Factory, client: httpx.AsyncClient, if_match: str
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)

    response = await put_routing(
        client, routing["id"], engineer, {"title": "Turned"}, headers={"If-Match": if_match}
    )

    body = json_of(response)
    assert (body["title"], body["version"]) == ("Turned", 2)


async def test_put_without_a_version_edits_the_current_one(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a routing already edited twice (version 3)
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    for version, title in ((1, "first"), (2, "second")):
        json_of(
            await put_routing(
                client, routing["id"], engineer, {"title": title, "expectedVersion": version}
            )
        )

    # when an old client that knows nothing of versions edits it
    response = await put_routing(client, routing["id"], engineer, {"title": "old client"})

    # then its edit applies on top, as in the system this one replaces
    body = json_of(response)
    assert (body["title"], body["version"]) == ("old client", 4)


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        pytest.param({"title": "late", "expectedVersion": 1}, {}, id="expectedVersion"),
        pytest.param({"title": "late"}, {"If-Match": '"1"'}, id="If-Match"),
        pytest.param({"title": "late", "expectedVersion": 7}, {}, id="future-version"),
    ],
)
async def test_put_with_stale_version_is_409_problem_and_changes_nothing(
    factory: Factory, client: httpx.AsyncClient, body: dict[str, Any], headers: dict[str, str]
) -> None:
    # given a routing someone already moved to version 2
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    current = json_of(
        await put_routing(client, routing["id"], engineer, {"title": "first", "expectedVersion": 1})
    )

    # when a client still holding version 1 saves
    response = await put_routing(client, routing["id"], engineer, body, headers=headers)

    # then it gets an RFC 7807 CONFLICT, and the routing is as the first save left it
    problem = assert_problem(response, 409, "CONFLICT")
    assert problem["type"] == "urn:mcms:error:conflict"
    assert problem["title"]
    assert problem["detail"]
    assert "Traceback" not in response.text
    assert await get_routing(client, routing["id"], engineer) == current


async def test_put_reorders_steps_keeping_their_ids(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer, steps=[{"name": "A"}, {"name": "B"}, {"name": "C"}])
    a, b, c = (await get_routing(client, routing["id"], engineer))["steps"]

    response = await put_routing(
        client,
        routing["id"],
        engineer,
        {
            "steps": [
                {"id": c["id"], "name": "C", "machine": "DMU-50"},
                {"id": int(a["id"]), "name": "A"},
                {"name": "D", "setupMinutes": 5, "parameters": {"tool": "T12"}},
            ],
            "expectedVersion": 1,
        },
    )

    steps = json_of(response)["steps"]
    assert [(s["sequence"], s["name"]) for s in steps] == [(10, "C"), (20, "A"), (30, "D")]
    assert [steps[0]["id"], steps[1]["id"]] == [c["id"], a["id"]]
    assert b["id"] not in {s["id"] for s in steps}
    assert steps[0]["machine"] == "DMU-50"
    assert (steps[2]["setupMinutes"], steps[2]["parameters"]) == (5, {"tool": "T12"})


async def test_put_ignores_read_only_fields_echoed_back(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a document as GET returned it
    engineer = await factory.user(Role.ENGINEER)
    intruder = await factory.user(Role.ENGINEER)
    routing = await factory.routing(engineer)
    document = await get_routing(client, routing["id"], engineer)
    echoed = {k: v for k, v in document.items() if k not in ("steps", "history")}

    # when a client sends it back with changed status, owner and version fields
    echoed.update(
        title="Echoed",
        status="APPROVED",
        ownerId=str(intruder.id),
        version=99,
        approvedById=str(intruder.id),
        expectedVersion=1,
    )
    body = json_of(await put_routing(client, routing["id"], engineer, echoed))

    # then only the editable field changed
    assert body["title"] == "Echoed"
    assert (body["status"], body["ownerId"], body["version"]) == ("DRAFT", str(engineer.id), 2)
    assert body["approvedById"] is None


# --- approval flow ----------------------------------------------------------------------


async def test_request_approval_then_approve_with_comment(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given an engineer's draft and an approver
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.routing(engineer)
    path = f"/api/routings/{routing['id']}"

    # when the engineer requests approval and the approver approves with a comment
    submitted = json_of(await client.post(f"{path}/request-approval", headers=engineer.headers))
    approved = json_of(
        await client.post(
            f"{path}/approve", json={"comment": "Looks good"}, headers=approver.headers
        )
    )

    # then the routing went DRAFT → PENDING_APPROVAL → APPROVED, each step in the history
    assert (submitted["status"], submitted["version"]) == ("PENDING_APPROVAL", 2)
    utc_timestamp(submitted["submittedAt"])
    assert (approved["status"], approved["version"]) == ("APPROVED", 3)
    assert approved["approvedById"] == str(approver.id)
    utc_timestamp(approved["approvedAt"])
    entries = approved["history"]
    assert [(h["type"], h["actor"]) for h in entries] == [
        ("ROUTING_CREATED", engineer.username),
        ("SUBMITTED", engineer.username),
        ("APPROVED", approver.username),
        ("ADDIN_JOB_QUEUED", approver.username),  # approval queues the generation job
    ]
    approval = next(entry for entry in entries if entry["type"] == "APPROVED")
    assert approval["data"]["comment"] == "Looks good"
    assert approval["message"] == "Looks good"


async def test_approve_without_a_body(factory: Factory, client: httpx.AsyncClient) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.pending_routing(engineer)

    response = await client.post(f"/api/routings/{routing['id']}/approve", headers=approver.headers)

    assert json_of(response)["status"] == "APPROVED"


async def test_reject_requires_a_reason_then_edit_and_resubmit(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    # given a routing waiting for approval
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    routing = await factory.pending_routing(engineer)
    path = f"/api/routings/{routing['id']}"
    before = await get_routing(client, routing["id"], engineer)

    # when the approver rejects without a reason (no body, comment only, blank reason)
    bodies: tuple[dict[str, str] | None, ...] = (None, {"comment": "meh"}, {"reason": "  "})
    for body in bodies:
        refused = await client.post(f"{path}/reject", json=body, headers=approver.headers)
        # then it is refused, and the routing is untouched
        assert_problem(refused, 400, "INVALID_ARGUMENT")
    assert await get_routing(client, routing["id"], engineer) == before

    # when they reject with a reason and a comment
    rejected = json_of(
        await client.post(
            f"{path}/reject",
            json={"reason": "Missing deburr", "comment": "See step 20"},
            headers=approver.headers,
        )
    )

    # then it is REJECTED with both recorded
    assert (rejected["status"], rejected["version"]) == ("REJECTED", 3)
    last = rejected["history"][-1]
    assert (last["type"], last["actor"], last["message"]) == (
        "REJECTED",
        approver.username,
        "Missing deburr",
    )
    assert (last["data"]["reason"], last["data"]["comment"]) == ("Missing deburr", "See step 20")

    # and the engineer can edit it and ask again
    edited = json_of(
        await put_routing(
            client, routing["id"], engineer, {"title": "With deburr", "expectedVersion": 3}
        )
    )
    assert edited["version"] == 4
    again = json_of(await client.post(f"{path}/request-approval", headers=engineer.headers))
    assert again["status"] == "PENDING_APPROVAL"


async def test_approval_flow_conflicts_are_409(factory: Factory, client: httpx.AsyncClient) -> None:
    engineer = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    draft = await factory.routing(engineer)
    approved = await factory.approved_routing(engineer, approver)

    # a draft cannot be approved, an approved routing cannot be approved again,
    # submitted again or edited
    for response in (
        await client.post(f"/api/routings/{draft['id']}/approve", headers=approver.headers),
        await client.post(f"/api/routings/{approved['id']}/approve", headers=approver.headers),
        await client.post(
            f"/api/routings/{approved['id']}/request-approval", headers=engineer.headers
        ),
        await put_routing(client, approved["id"], engineer, {"title": "x"}),
    ):
        assert_problem(response, 409, "CONFLICT")
    assert (await get_routing(client, draft["id"], engineer))["status"] == "DRAFT"
    after = await get_routing(client, approved["id"], engineer)
    assert (after["status"], after["version"], after["title"]) == ("APPROVED", 3, "Mill")


# --- who may call what ------------------------------------------------------------------


async def test_rest_shim_checks_the_bearer_token_and_role(
    factory: Factory, client: httpx.AsyncClient
) -> None:
    engineer = await factory.user(Role.ENGINEER)
    colleague = await factory.user(Role.ENGINEER)
    admin = await factory.user(Role.ADMIN)
    agent = await factory.user(Role.AGENT)
    auditor = await factory.user(Role.AUDITOR)
    draft = await factory.routing(engineer)
    own_pending = await factory.pending_routing(admin)
    path = f"/api/routings/{draft['id']}"

    # no token, or a token that is not one
    assert_problem(await client.get("/api/items"), 401, "UNAUTHENTICATED")
    assert_problem(
        await client.get("/api/items", headers={"Authorization": "Bearer mcms_nope"}),
        401,
        "UNAUTHENTICATED",
    )
    # an agent uses only the add-in routes; an auditor reads but never writes
    assert_problem(await client.get("/api/items", headers=agent.headers), 403, "FORBIDDEN")
    assert json_of(await client.get(path, headers=auditor.headers))["id"] == draft["id"]
    for user, method, suffix, body in (
        (auditor, "PUT", "", {"title": "x"}),
        (auditor, "POST", "/request-approval", None),
        (colleague, "PUT", "", {"title": "x"}),  # not the owner
        (colleague, "POST", "/request-approval", None),
        (engineer, "POST", "/approve", None),  # engineers do not approve
    ):
        response = await client.request(method, path + suffix, json=body, headers=user.headers)
        assert_problem(response, 403, "FORBIDDEN")
    # four-eyes: not even an administrator approves or rejects their own routing
    for action, body in (("approve", {"comment": "mine"}), ("reject", {"reason": "mine"})):
        response = await client.post(
            f"/api/routings/{own_pending['id']}/{action}", json=body, headers=admin.headers
        )
        assert_problem(response, 403, "FORBIDDEN")

    # and nothing of the above changed anything
    assert (await get_routing(client, draft["id"], engineer))["version"] == 1
    pending = await get_routing(client, own_pending["id"], admin)
    assert (pending["status"], pending["version"]) == ("PENDING_APPROVAL", 2)

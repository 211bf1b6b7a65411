"""``alerts``: the caller's alerts from the event log, newest first, only those
addressed to the caller or the caller's role (what the SPA's alert list shows)."""

from __future__ import annotations

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.live.alerts import AlertSeverity, publish_alert
from tests.factories import Factory

ALERTS = """query($first: Int!) {
  alerts(first: $first) { eventId type title severity routingId createdAt }
}"""


async def _alert(
    db: Database, title: str, audience: list[str], routing_id: int | None = None
) -> None:
    async with db.unit_of_work() as session:
        await publish_alert(
            session=session,
            type="TEST",
            title=title,
            message=f"about {title}",
            severity=AlertSeverity.ERROR,
            audience=audience,
            routing_id=routing_id,
        )


async def test_lists_only_the_callers_alerts_newest_first(factory: Factory, db: Database) -> None:
    alice = await factory.user(Role.ENGINEER)
    bob = await factory.user(Role.ENGINEER)
    approver = await factory.user(Role.APPROVER)
    await _alert(db, "alice 1", [f"user:{alice.id}"])
    await _alert(db, "bob 1", [f"user:{bob.id}"])
    await _alert(db, "approvers", ["role:APPROVER"])
    await _alert(db, "alice 2", [f"user:{alice.id}", "role:APPROVER"])

    def titles(body: dict[str, object]) -> list[str]:
        data = body["data"]
        assert isinstance(data, dict), body
        return [alert["title"] for alert in data["alerts"]]

    assert titles(await factory.gql(ALERTS, {"first": 10}, as_=alice)) == ["alice 2", "alice 1"]
    assert titles(await factory.gql(ALERTS, {"first": 10}, as_=bob)) == ["bob 1"]
    assert titles(await factory.gql(ALERTS, {"first": 10}, as_=approver)) == [
        "alice 2",
        "approvers",
    ]
    assert titles(await factory.gql(ALERTS, {"first": 1}, as_=alice)) == ["alice 2"]


async def test_an_alert_names_its_routing_and_time(factory: Factory, db: Database) -> None:
    alice = await factory.user(Role.ENGINEER)
    routing = await factory.routing(as_=alice)
    await _alert(db, "about a routing", [f"user:{alice.id}"], routing_id=int(routing["id"]))
    body = await factory.gql(ALERTS, {"first": 5}, as_=alice)
    [alert] = body["data"]["alerts"]
    assert alert["routingId"] == routing["id"]
    assert alert["severity"] == "ERROR"
    assert alert["createdAt"].startswith("20")
    assert int(alert["eventId"]) > 0


async def test_bad_page_sizes_are_invalid_arguments(factory: Factory) -> None:
    alice = await factory.user(Role.ENGINEER)
    for first in (0, 101, -5):
        body = await factory.gql(ALERTS, {"first": first}, as_=alice)
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


async def test_needs_a_signed_in_caller(factory: Factory) -> None:
    body = await factory.gql(ALERTS, {"first": 5})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"

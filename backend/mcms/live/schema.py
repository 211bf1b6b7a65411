"""GraphQL subscriptions (SPEC §3): each takes optional filters and ``since``, an
event cursor; it first replays what was missed from the event log, then goes
live, with no gap and no duplicate at the seam (see ``live/hub.py``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable
from datetime import datetime
from typing import Any, TypeVar

import strawberry

from mcms.addin_jobs.enums import AddinJobStatusEnum
from mcms.addin_jobs.events import JOB_CREATED, JOB_UPDATED
from mcms.addin_jobs.models import AddinJobStatus
from mcms.core.auth import Permission
from mcms.core.errors import InvalidArgument, ResyncRequired
from mcms.core.validation import parse_id
from mcms.files.commit import FILE_COMMITTED
from mcms.files.enums import ScanStatus
from mcms.files.schema import ScanStatusEnum
from mcms.graphql.context import Info
from mcms.graphql.scalars import BigInt
from mcms.live import log
from mcms.live.alerts import ALERT, AlertSeverity
from mcms.live.groups import LIVE_TARGET, follow
from mcms.live.hub import HubClosed, Resync
from mcms.live.log import EventRecord
from mcms.routings.enums import RoutingStatusEnum
from mcms.routings.models import RoutingStatus

APPROVAL_CHANGED = "routing.approval.changed"

T = TypeVar("T")

AlertSeverityEnum = strawberry.enum(
    AlertSeverity, name="AlertSeverity", description="How urgent an alert is."
)


@strawberry.type(description="`routing.approval.changed`: a routing's approval state moved.")
class RoutingApprovalChanged:
    event_id: str = strawberry.field(description="Event cursor; pass as `since` to resume.")
    routing_id: strawberry.ID = strawberry.field(description="The routing.")
    status: RoutingStatusEnum = strawberry.field(description="Its new status.")  # type: ignore[valid-type]
    approved_by: str | None = strawberry.field(description="Approver's username when APPROVED.")
    timestamp: datetime = strawberry.field(description="When it changed.")

    @classmethod
    def from_event(cls, event: EventRecord) -> RoutingApprovalChanged:
        payload = event.payload
        return cls(
            event_id=str(event.id),
            routing_id=strawberry.ID(payload["routingId"]),
            status=RoutingStatus(payload["status"]),
            approved_by=payload.get("approvedBy"),
            timestamp=datetime.fromisoformat(payload["timestamp"]),
        )


@strawberry.type(description="`addin.job.created`: a generation job was queued.")
class AddinJobCreated:
    event_id: str = strawberry.field(description="Event cursor; pass as `since` to resume.")
    job_id: strawberry.ID = strawberry.field(description="The job.")
    routing_id: strawberry.ID = strawberry.field(description="Its routing.")
    created_at: datetime = strawberry.field(description="When it was queued.")

    @classmethod
    def from_event(cls, event: EventRecord) -> AddinJobCreated:
        payload = event.payload
        return cls(
            event_id=str(event.id),
            job_id=strawberry.ID(payload["jobId"]),
            routing_id=strawberry.ID(payload["routingId"]),
            created_at=datetime.fromisoformat(payload["createdAt"]),
        )


@strawberry.type(description="`addin.job.updated`: a generation job changed state.")
class AddinJobUpdated:
    event_id: str = strawberry.field(description="Event cursor; pass as `since` to resume.")
    job_id: strawberry.ID = strawberry.field(description="The job.")
    routing_id: strawberry.ID = strawberry.field(description="Its routing.")
    status: AddinJobStatusEnum = strawberry.field(description="Its new state.")  # type: ignore[valid-type]
    message: str | None = strawberry.field(description="What the add-in or the server said.")
    updated_at: datetime = strawberry.field(description="When it changed.")

    @classmethod
    def from_event(cls, event: EventRecord) -> AddinJobUpdated:
        payload = event.payload
        return cls(
            event_id=str(event.id),
            job_id=strawberry.ID(payload["jobId"]),
            routing_id=strawberry.ID(payload["routingId"]),
            status=AddinJobStatus(payload["status"]),
            message=payload.get("message"),
            updated_at=datetime.fromisoformat(payload["updatedAt"]),
        )


@strawberry.type(description="`notification.alert`: something the caller should know about.")
class NotificationAlert:
    event_id: str = strawberry.field(description="Event cursor; pass as `since` to resume.")
    type: str = strawberry.field(description="Kind of alert, e.g. `ADDIN_JOB_FAILED`.")
    title: str = strawberry.field(description="Short title.")
    message: str = strawberry.field(description="What happened and what to do.")
    severity: AlertSeverityEnum = strawberry.field(description="Urgency.")  # type: ignore[valid-type]
    routing_id: strawberry.ID | None = strawberry.field(
        description="The routing it is about, if any."
    )
    created_at: datetime = strawberry.field(description="When it was raised.")

    @classmethod
    def from_event(cls, event: EventRecord) -> NotificationAlert:
        payload = event.payload
        return cls(
            event_id=str(event.id),
            type=payload["type"],
            title=payload["title"],
            message=payload["message"],
            severity=AlertSeverity(payload["severity"]),
            routing_id=strawberry.ID(str(event.routing_id)) if event.routing_id else None,
            created_at=event.created_at,
        )


@strawberry.type(
    description="`file.committed`: an upload was verified, scanned and stored as a routing's file."
)
class FileCommitted:
    event_id: str = strawberry.field(description="Event cursor; pass as `since` to resume.")
    file_id: strawberry.ID = strawberry.field(description="The new file (`file(id)`).")
    routing_id: strawberry.ID = strawberry.field(description="The routing it belongs to.")
    logical_name: str = strawberry.field(description="Its logical name.")
    revision: int = strawberry.field(description="Its revision of that name.")
    size: BigInt = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes, lower-case hex.")
    scan_status: ScanStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="The scan verdict (QUARANTINED files are kept but never downloadable)."
    )

    @classmethod
    def from_event(cls, event: EventRecord) -> FileCommitted:
        payload = event.payload
        return cls(
            event_id=str(event.id),
            file_id=strawberry.ID(payload["fileId"]),
            routing_id=strawberry.ID(payload["routingId"]),
            logical_name=payload["logicalName"],
            revision=int(payload["revision"]),
            size=BigInt(int(payload["size"])),
            sha256=payload["sha256"],
            scan_status=ScanStatus(payload["scanStatus"]),
        )


def parse_cursor(since: str | None) -> int | None:
    if since is None:
        return None
    if not since.isascii() or not since.isdigit() or len(since) > 15:
        raise InvalidArgument("since must be an eventId this server sent.")
    return int(since)


def _optional_id(value: strawberry.ID | None, field: str) -> int | None:
    return parse_id(value, field) if value is not None else None


async def _events(
    info: Info,
    since: str | None,
    name: str,
    matches: Callable[[EventRecord], bool],
    build: Callable[[EventRecord], T],
) -> AsyncIterator[T]:
    """The caller's events of one kind, replayed from ``since`` then live.

    On a WebSocket the live part bypasses Strawberry: the subscription joins the
    fan-out, which writes its frames (``live/groups.py``); only the replay comes
    through here. Elsewhere (``schema.subscribe`` in-process) every event does."""
    principal = info.context.require(Permission.READ)
    cursor = parse_cursor(since)
    hub = info.context.hub

    def accepts(event: EventRecord) -> bool:
        return event.name == name and event.visible_to(principal) and matches(event)

    try:
        target = LIVE_TARGET.get()
        member = None
        if target is not None and not hub.closed:
            await hub.ensure_started()
            member = hub.fanout.join(
                info, target.writer, target.prefix, principal, name, matches, build
            )
        if member is None:
            async for event in hub.stream(since=cursor, accepts=accepts):
                yield build(event)
            return
        try:
            async for event in follow(hub, member, cursor):
                yield build(event)
        finally:
            hub.fanout.leave(member)
    except HubClosed:
        return
    except Resync as exc:  # sent as extensions.code = RESYNC: reload, then resubscribe
        raise ResyncRequired(str(exc)) from exc


def _routing_is(routing_id: int | None) -> Callable[[EventRecord], bool]:
    return lambda event: routing_id is None or event.routing_id == routing_id


def _anything(_: EventRecord) -> bool:
    return True


def _payload_is(key: str, value: int | None) -> Callable[[dict[str, Any]], bool]:
    return lambda payload: value is None or payload.get(key) == str(value)


ALERTS_PAGE_MAX = 100
ALERTS_SCANNED = 2000
"""Alerts are few; the newest this many are read and filtered by audience in Python
(the audience is a JSON list, which the three databases query differently)."""


@strawberry.type
class AlertQuery:
    @strawberry.field(
        description="Your alerts (addressed to you or your role), newest first, as long as "
        "the event log keeps them (`MCMS_EVENTS_RETENTION_DAYS`). `first`: at most 100."
    )
    async def alerts(self, info: Info, first: int = 50) -> list[NotificationAlert]:
        principal = info.context.require(Permission.READ)
        if not 1 <= first <= ALERTS_PAGE_MAX:
            raise InvalidArgument(f"first must be between 1 and {ALERTS_PAGE_MAX}.")
        async with info.context.db.read_session() as session:
            events = await log.read_newest(session=session, name=ALERT, limit=ALERTS_SCANNED)
        visible = [event for event in events if event.visible_to(principal)]
        return [NotificationAlert.from_event(event) for event in visible[:first]]


@strawberry.type
class LiveSubscription:
    @strawberry.subscription(
        description="A routing's approval changes (`routing.approval.changed`); all routings "
        "if `routingId` is omitted. `since`: replay what came after that eventId first."
    )
    async def routing_approval_changed(
        self, info: Info, routing_id: strawberry.ID | None = None, since: str | None = None
    ) -> AsyncGenerator[RoutingApprovalChanged, None]:
        wanted = _routing_is(_optional_id(routing_id, "routingId"))
        async for value in _events(
            info, since, APPROVAL_CHANGED, wanted, RoutingApprovalChanged.from_event
        ):
            yield value

    @strawberry.subscription(
        description="Generation jobs queued (`addin.job.created`), optionally for one routing."
    )
    async def addin_job_created(
        self, info: Info, routing_id: strawberry.ID | None = None, since: str | None = None
    ) -> AsyncGenerator[AddinJobCreated, None]:
        wanted = _routing_is(_optional_id(routing_id, "routingId"))
        async for value in _events(info, since, JOB_CREATED, wanted, AddinJobCreated.from_event):
            yield value

    @strawberry.subscription(
        description="Generation job state changes (`addin.job.updated`), optionally for one "
        "routing or one job."
    )
    async def addin_job_updated(
        self,
        info: Info,
        routing_id: strawberry.ID | None = None,
        job_id: strawberry.ID | None = None,
        since: str | None = None,
    ) -> AsyncGenerator[AddinJobUpdated, None]:
        routing = _routing_is(_optional_id(routing_id, "routingId"))
        job = _payload_is("jobId", _optional_id(job_id, "jobId"))

        def wanted(event: EventRecord) -> bool:
            return routing(event) and job(event.payload)

        async for value in _events(info, since, JOB_UPDATED, wanted, AddinJobUpdated.from_event):
            yield value

    @strawberry.subscription(
        description="Files stored (`file.committed`), optionally for one routing: a finished "
        "upload or an add-in output, once verified and scanned."
    )
    async def file_committed(
        self, info: Info, routing_id: strawberry.ID | None = None, since: str | None = None
    ) -> AsyncGenerator[FileCommitted, None]:
        wanted = _routing_is(_optional_id(routing_id, "routingId"))
        async for value in _events(info, since, FILE_COMMITTED, wanted, FileCommitted.from_event):
            yield value

    @strawberry.subscription(
        description="Alerts for you (`notification.alert`): addressed to you or your role."
    )
    async def notification_alert(
        self, info: Info, since: str | None = None
    ) -> AsyncGenerator[NotificationAlert, None]:
        async for value in _events(info, since, ALERT, _anything, NotificationAlert.from_event):
            yield value

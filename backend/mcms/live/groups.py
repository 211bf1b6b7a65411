"""Live fan-out below Strawberry: one execution and one encoding per event and
group of identical subscriptions, frames written straight to the sockets.

A plain GraphQL server runs a subscription's generator, executes its selection
set and encodes its result once per subscriber per event, and sends each
frame through the whole ASGI stack. With thousands of open explorers that is
what makes an event slow to arrive. Here:

- WebSocket subscriptions with the same document and the same variables (a
  ``since`` aside, which only matters for the replay) form a *group*; who may
  see an event (``routingId``/``jobId`` filters, the event name, the audience)
  is decided before any execution;
- per event, each group that wants it executes its operation once, and the
  ``next`` payload is encoded once; each member's frame is that payload with
  the member's own operation id in front (``{"id":…,"type":"next","payload":``,
  or ``data`` for the legacy ``graphql-ws``), built by concatenation;
- each connection gets all its frames of a batch of events in one write
  (``live/wire.py``).

Strawberry still handles everything else: parsing, validation, permissions,
``connection_init``, ``complete``, errors, the limit per connection. The
subscription resolver joins the fan-out (``FanOut.join``), sends what it must
replay through Strawberry (``follow``), then parks until the hub closes or the
client leaves, while the fan-out writes its live events.

Gap- and duplicate-free seam: a member joins (and starts *holding* the events
delivered to its group) before it reads the log up to the hub's high-water
mark; it then sends what it held with ids above the last one replayed, and
goes live without an ``await`` in between. A member holding more than
``hold_limit`` events, or whose socket stalls, drops them and reads the log
again.
"""

from __future__ import annotations

import asyncio
import enum
import json
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from inspect import isawaitable
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, ExecutionResult, VariableNode
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from mcms.core.auth import Principal
from mcms.graphql.errors import log_unexpected, with_codes
from mcms.live.log import EventRecord
from mcms.live.wire import Writer

if TYPE_CHECKING:
    from mcms.live.hub import EventHub

HOLD_LIMIT = 1000
"""Events a member may hold while it replays; more are read from the log again."""


@dataclass(frozen=True, slots=True)
class OperationTarget:
    """Where one WebSocket operation's live frames go."""

    writer: Writer
    """The connection's (``live/wire.py``)."""
    prefix: bytes
    """The frame up to its payload, with the operation's own id."""


LIVE_TARGET: ContextVar[OperationTarget | None] = ContextVar("mcms_live_target", default=None)
"""Set by the WebSocket protocol handlers (``graphql/view.py``) while Strawberry
creates an operation's task, so the task (which copies the context) carries it
to the subscription resolver. Unset: no fan-out, Strawberry sends every event."""


def transport_ws_prefix(operation_id: str) -> bytes:
    """graphql-transport-ws: everything of a ``next`` frame before its payload."""
    return b'{"id":' + json.dumps(operation_id).encode() + b',"type":"next","payload":'


def graphql_ws_prefix(operation_id: str) -> bytes:
    """Legacy graphql-ws: everything of a ``data`` frame before its payload."""
    return b'{"type":"data","id":' + json.dumps(operation_id).encode() + b',"payload":'


class State(enum.Enum):
    CATCHING_UP = "catching up"
    """Replaying through Strawberry; live events are held for it."""
    LIVE = "live"
    """The fan-out writes its frames."""
    STALLED = "stalled"
    """Its socket stopped taking data; it reads the log once it drains."""
    CLOSED = "closed"
    """The hub closed."""


class Member:
    """One live subscription (one operation id on one connection)."""

    __slots__ = (
        "_woken",
        "group",
        "held",
        "last",
        "overflowed",
        "prefix",
        "principal",
        "state",
        "writer",
    )

    def __init__(self, group: Group, writer: Writer, prefix: bytes, principal: Principal) -> None:
        self.group = group
        self.writer = writer
        self.prefix = prefix
        self.principal = principal
        self.state = State.CATCHING_UP
        self.last = 0
        """The newest event id written to the socket while live."""
        self.held: deque[EventRecord] = deque()
        self.overflowed = False
        self._woken: asyncio.Future[State] | None = None

    def accepts(self, event: EventRecord) -> bool:
        return self.group.matches(event) and event.visible_to(self.principal)

    def hold(self, event: EventRecord) -> None:
        if self.overflowed:
            return
        if len(self.held) >= HOLD_LIMIT:
            self.overflowed = True  # it will read them from the log instead
            self.held.clear()
            return
        self.held.append(event)

    def catch_up(self) -> None:
        self.state = State.CATCHING_UP
        self.held.clear()
        self.overflowed = False

    def go_live(self, last: int) -> None:
        self.last = last
        self.state = State.LIVE
        self.writer.members.add(self)

    def leave_live(self, state: State) -> None:
        """Stop the direct writes (stalled socket, closed hub) and wake ``follow``."""
        self.state = state
        self.writer.members.discard(self)
        if self._woken is not None and not self._woken.done():
            self._woken.set_result(state)

    async def until_not_live(self) -> State:
        if self.state is not State.LIVE:
            return self.state
        self._woken = asyncio.get_running_loop().create_future()
        try:
            return await self._woken
        finally:
            self._woken = None


class Group:
    """Subscriptions that get the very same ``next`` payload for every event."""

    def __init__(
        self,
        key: tuple[str, ...],
        event_name: str,
        matches: Callable[[EventRecord], bool],
        build: Callable[[EventRecord], object],
        executor: Any,
    ) -> None:
        self.key = key
        self.event_name = event_name
        self._matches = matches
        self.build = build
        """The subscription field's value for an event (``RoutingApprovalChanged`` …)."""
        self.executor = executor
        """graphql-core's executor of the group's operation, built once."""
        self.members: set[Member] = set()

    def matches(self, event: EventRecord) -> bool:
        return event.name == self.event_name and self._matches(event)

    async def payload(self, event: EventRecord) -> bytes:
        """The encoded ``next`` payload for ``event``, plus the frame's closing brace."""
        result = self.executor.build_per_event_executor(self.build(event)).execute_operation(False)
        if isawaitable(result):
            result = await result
        return _encode_payload(result) + b"}"


def _encode_payload(result: ExecutionResult) -> bytes:
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        log_unexpected(result.errors)
        body["errors"] = [error.formatted for error in with_codes(result.errors)]
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:  # a lone surrogate in the data: escape it
        return json.dumps(body, separators=(",", ":")).encode()


class FanOut:
    """The groups of one hub; ``deliver`` is called with each batch it relays."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, ...], Group] = {}
        self._by_event: dict[str, list[Group]] = {}
        self.executions = 0
        """Executions so far (one per event and group that wanted it)."""

    @property
    def member_count(self) -> int:
        return sum(len(group.members) for group in self._groups.values())

    def join(
        self,
        info: Any,
        writer: Writer,
        prefix: bytes,
        principal: Principal,
        event_name: str,
        matches: Callable[[EventRecord], bool],
        build: Callable[[EventRecord], object],
    ) -> Member | None:
        """Add the subscription being resolved (Strawberry ``Info``) to its group;
        ``None`` if it cannot be executed once for many (then Strawberry runs it)."""
        key = _group_key(info, event_name)
        group = self._groups.get(key)
        if group is None:
            executor = _executor(info)
            if executor is None:
                return None
            group = Group(key, event_name, matches, build, executor)
            self._groups[key] = group
            self._by_event.setdefault(event_name, []).append(group)
        member = Member(group, writer, prefix, principal)
        group.members.add(member)
        return member

    def leave(self, member: Member) -> None:
        member.writer.members.discard(member)
        group = member.group
        group.members.discard(member)
        if not group.members and self._groups.get(group.key) is group:
            del self._groups[group.key]
            self._by_event[group.event_name].remove(group)

    async def deliver(self, events: list[EventRecord]) -> None:
        """Hand a batch of relayed events (in id order) to every group that wants
        them: held by members that are catching up, written for live ones."""
        if not self._groups:
            return
        touched: dict[Writer, None] = {}  # an ordered set: flushed once each
        for event in events:
            for group in list(self._by_event.get(event.name, ())):
                if group.members and group.matches(event):
                    await self._to_group(group, event, touched)
        for writer in touched:
            if not writer.flush():
                for member in list(writer.members):
                    member.leave_live(State.STALLED)

    async def _to_group(
        self, group: Group, event: EventRecord, touched: dict[Writer, None]
    ) -> None:
        tail = await group.payload(event)
        self.executions += 1
        restricted = event.audience is not None
        event_id = event.id
        for member in group.members:
            if restricted and not event.visible_to(member.principal):
                continue
            state = member.state
            if state is State.LIVE:
                if event_id > member.last:
                    member.last = event_id
                    writer = member.writer
                    if writer.write(member.prefix + tail):
                        touched[writer] = None
            elif state is State.CATCHING_UP:
                member.hold(event)

    def close(self) -> None:
        for group in list(self._groups.values()):
            for member in list(group.members):
                member.leave_live(State.CLOSED)


async def follow(hub: EventHub, member: Member, since: int | None) -> AsyncIterator[EventRecord]:
    """What ``member`` must send through Strawberry: the replay after ``since``,
    and later catch-ups. While it is live the fan-out writes its events, and this
    waits; it ends when the hub closes. Raises ``Resync`` for a purged cursor."""
    last = since if since is not None else hub.high_water
    if since is not None:
        await hub.check_retained(since)
    while True:
        member.catch_up()
        async for event in hub.replay(last, hub.high_water, member.accepts):
            last = event.id
            yield event
        while member.held:
            event = member.held.popleft()
            if event.id > last:
                last = event.id
                yield event
        if hub.closed:
            return
        if member.overflowed:
            continue  # it dropped what it held: read the log again
        member.go_live(last)  # no await since the hold emptied: nothing slips by
        if await member.until_not_live() is State.CLOSED:
            await member.writer.drained()
            return
        last = member.last  # stalled: wait until the client reads again
        await member.writer.drained()
        await hub.check_retained(last)


def _group_key(info: Any, event_name: str) -> tuple[str, ...]:
    """Same document, same operation, same variables except ``since``: same payloads."""
    raw = info._raw_info
    operation = raw.operation
    source = operation.loc.source.body if operation.loc is not None else repr(operation)
    name = operation.name.value if operation.name is not None else ""
    variables = dict(raw.variable_values)
    for argument in raw.field_nodes[0].arguments or ():
        # ``since`` only says where the replay starts; the live frames do not
        # depend on it (a String variable cannot appear in the selection set).
        if argument.name.value == "since" and isinstance(argument.value, VariableNode):
            variables.pop(argument.value.name.value, None)
    values = json.dumps(variables, sort_keys=True, separators=(",", ":"), default=str)
    return (event_name, source, name, values)


def _executor(info: Any) -> Any | None:
    """graphql-core's executor for the subscription's operation, as Strawberry
    would build it for each event (``None`` if the variables do not coerce)."""
    raw = info._raw_info
    document = DocumentNode(definitions=(raw.operation, *raw.fragments.values()))
    executor = StrawberryGraphQLCoreExecutionContext.build(
        raw.schema,
        document,
        context_value=raw.context,
        raw_variable_values=dict(raw.variable_values),
    )
    return None if isinstance(executor, list) else executor

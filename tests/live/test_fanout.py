"""The live fan-out below Strawberry (``live/groups.py``, ``live/wire.py``):
frames written for live members, a stalled socket catching up from the event
log with nothing lost or doubled, the WebSocket framing, and the ASGI writer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest
from starlette.requests import HTTPConnection
from websockets.frames import Frame, Opcode

from mcms.core.auth import Principal, Role
from mcms.core.db import Database
from mcms.graphql.context import Context
from mcms.graphql.schema import build_schema
from mcms.live import log
from mcms.live.groups import LIVE_TARGET, OperationTarget, transport_ws_prefix
from mcms.live.hub import EventHub
from mcms.live.wire import AsgiWriter, Writer, text_frame_header
from mcms.settings import Settings

APPROVALS = "subscription { routingApprovalChanged { eventId status } }"
TIMEOUT = 10


class FakeSocket(Writer):
    """A connection whose frames are kept, and which can be made to stall."""

    def __init__(self) -> None:
        super().__init__()
        self.frames: list[dict[str, Any]] = []
        self.stalled = False
        self._queued: list[bytes] = []
        self._drained = asyncio.Event()

    def write(self, frame: bytes) -> bool:
        self._queued.append(frame)
        return True

    def flush(self) -> bool:
        self.frames += [json.loads(frame) for frame in self._queued]
        self._queued.clear()
        return not self.stalled

    async def drained(self) -> None:
        await self._drained.wait()

    def reads_again(self) -> None:
        self.stalled = False
        self._drained.set()


def _event_ids(frames: list[dict[str, Any]]) -> list[int]:
    return [int(f["payload"]["data"]["routingApprovalChanged"]["eventId"]) for f in frames]


async def _publish(db: Database, count: int) -> None:
    for n in range(count):
        async with db.unit_of_work() as session:
            payload = {"routingId": "1", "status": "APPROVED", "timestamp": f"2026-11-22T0{n}:00"}
            await log.publish(
                session=session, name="routing.approval.changed", routing_id=1, payload=payload
            )


async def _until(condition: Any) -> None:
    for _ in range(TIMEOUT * 50):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


def _subscribe(
    db: Database, hub: EventHub, socket: FakeSocket, got: list[int]
) -> asyncio.Task[None]:
    """``schema.subscribe`` as the WebSocket handler runs it: in a task created
    with a live target set; ``got`` collects what Strawberry itself sends."""
    principal = Principal(user_id=1, username="u", display_name="U", role=Role.ENGINEER)
    settings = Settings()
    context = Context(
        request=HTTPConnection({"type": "websocket", "headers": []}),
        response=None,
        db=db,
        settings=settings,
        principal=principal,
        hub=hub,
    )

    async def run() -> None:
        results = await build_schema(settings).subscribe(APPROVALS, context_value=context)
        async for result in results:
            assert result.data is not None, result
            got.append(int(result.data["routingApprovalChanged"]["eventId"]))

    token = LIVE_TARGET.set(OperationTarget(writer=socket, prefix=transport_ws_prefix("7")))
    try:
        return asyncio.create_task(run())  # copies the context, as Strawberry's does
    finally:
        LIVE_TARGET.reset(token)


async def test_a_stalled_socket_catches_up_from_the_log_exactly_once(db: Database) -> None:
    hub = EventHub(db, poll_seconds=0.02)
    db.commit_hooks.append(hub.poke)
    socket = FakeSocket()
    through_strawberry: list[int] = []
    consumer = _subscribe(db, hub, socket, through_strawberry)
    try:
        await _until(lambda: hub.fanout.member_count == 1)
        await asyncio.sleep(0.1)  # replayed (nothing) and live
        await _publish(db, 3)
        await _until(lambda: len(socket.frames) == 3)

        socket.stalled = True  # the client stops reading
        await _publish(db, 5)
        await asyncio.sleep(0.3)
        written_while_stalled = len(socket.frames)
        socket.reads_again()
        missed = 8 - written_while_stalled
        await _until(lambda: len(through_strawberry) == missed)  # caught up from the log
        await _publish(db, 2)
        await _until(lambda: len(socket.frames) == written_while_stalled + 2)
    finally:
        consumer.cancel()
        await asyncio.gather(consumer, return_exceptions=True)
        await hub.close()

    # the batch that found it stalled was written, then nothing until it read again
    assert 4 <= written_while_stalled < 8
    assert {f["id"] for f in socket.frames} == {"7"}
    assert {f["type"] for f in socket.frames} == {"next"}
    live = _event_ids(socket.frames)
    delivered = sorted([*live, *through_strawberry])
    assert delivered == list(range(delivered[0], delivered[0] + 10))  # none lost, none twice
    last_before = live[written_while_stalled - 1]
    assert through_strawberry == list(range(last_before + 1, last_before + 1 + missed))
    assert hub.fanout.member_count == 0  # it left its group when the operation ended


@pytest.mark.parametrize("length", [0, 125, 126, 65535, 65536])
def test_text_frame_headers_match_rfc_6455(length: int) -> None:
    payload = b"x" * length
    expected = Frame(Opcode.TEXT, payload).serialize(mask=False, extensions=[])

    assert text_frame_header(length) + payload == expected


async def test_the_asgi_writer_sends_frames_in_order_from_its_own_task() -> None:
    sent: list[MutableMapping[str, Any]] = []
    release = asyncio.Event()

    async def send(message: MutableMapping[str, Any]) -> None:
        await release.wait()  # a slow socket
        sent.append(message)

    writer = AsgiWriter(send)
    assert writer.write(b'{"n":1}')
    assert writer.write(b'{"n":2}')
    assert writer.flush()  # returns at once: the sending happens in the writer's task
    assert sent == []
    release.set()
    await asyncio.wait_for(writer.drained(), TIMEOUT)

    assert [m["text"] for m in sent] == ['{"n":1}', '{"n":2}']
    assert {m["type"] for m in sent} == {"websocket.send"}

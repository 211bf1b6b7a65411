"""Writing live frames to a WebSocket without going through the ASGI stack.

Why: one event reaches thousands of sockets. Through Strawberry, Starlette and
uvicorn's ASGI ``send``, every frame costs a chain of coroutines and a ``send``
system call of its own, which is most of what a delivery costs. Here the
fan-out (``live/groups.py``) hands each connection its frames for a whole batch
of events, and the connection writes them out with one ``transport.write``.

- ``SocketWriter``, for uvicorn's default WebSocket implementation (websockets'
  sans-I/O protocol: ``--ws auto`` or ``websockets-sansio``): a connection
  without extensions gets plain text frames (a 2 to 10 byte header and the
  JSON; a server never masks); one that negotiated per-message-deflate has its
  frames compressed by its own ``ServerProtocol``. Either way the protocol's
  state is checked first, so nothing is written after a close;
- ``AsgiWriter``, for any other server or implementation: the frames go through
  the ASGI ``send``, from a task of the connection's own, so one slow socket
  never holds up the others.

Both are bounded: a connection with more than ``MAX_BUFFERED_BYTES`` not yet
taken by the kernel reports itself stalled; the fan-out then stops writing to
it, and its subscriptions catch up from the event log once it has drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
from collections import deque
from typing import Any

from starlette.types import Receive, Send
from websockets.protocol import State

try:  # uvicorn's default when the websockets package is installed
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - another server
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]

MAX_BUFFERED_BYTES = 256 * 1024
"""Per connection. A reader this far behind is stalled, not slow: at ~200 bytes
a frame that is over a thousand events."""
DRAINED_BYTES = MAX_BUFFERED_BYTES // 4
DRAIN_POLL_SECONDS = (0.02, 1.0)
"""How often a stalled connection is checked, first and at most (doubling)."""

SCOPE_KEY = "mcms.live.writer"
"""Where ``GraphQLEndpoint`` leaves a WebSocket connection's writer in its scope."""


class Writer:
    """Frames for one WebSocket connection: ``write`` some, then ``flush``."""

    def __init__(self) -> None:
        self.members: set[Any] = set()
        """The live subscriptions of this connection (``groups.Member``)."""

    def write(self, frame: bytes) -> bool:
        """Queue a text frame (UTF-8 JSON); ``False`` if the connection is closing."""
        raise NotImplementedError

    def flush(self) -> bool:
        """Send what was queued; ``False`` if the connection is now stalled."""
        raise NotImplementedError

    async def drained(self) -> None:
        """Return once a stalled connection has taken most of its backlog (or closed)."""
        raise NotImplementedError


def text_frame_header(length: int) -> bytes:
    """RFC 6455 header of an unmasked, final text frame of ``length`` bytes."""
    if length < 126:
        return bytes((0x81, length))
    if length < 1 << 16:
        return struct.pack("!BBH", 0x81, 126, length)
    return struct.pack("!BBQ", 0x81, 127, length)


class SocketWriter(Writer):
    """Frames straight into uvicorn's WebSocket protocol object and its transport."""

    def __init__(self, protocol: Any) -> None:
        super().__init__()
        self._conn = protocol.conn
        self._transport = protocol.transport
        self._plain = not self._conn.extensions
        """No per-message-deflate: the frames need no help from the protocol."""
        self._pending: list[bytes] = []

    def write(self, frame: bytes) -> bool:
        if self._conn.state is not State.OPEN or self._transport.is_closing():
            return False
        if self._plain:
            self._pending += (text_frame_header(len(frame)), frame)
        else:
            self._conn.send_text(frame)
        return True

    def flush(self) -> bool:
        data = self._conn.data_to_send()
        if self._pending:
            data += self._pending
            self._pending = []
        if data and not self._transport.is_closing():
            self._transport.write(b"".join(data))
        buffered: int = self._transport.get_write_buffer_size()
        return buffered <= MAX_BUFFERED_BYTES

    async def drained(self) -> None:
        delay, longest = DRAIN_POLL_SECONDS
        while (
            not self._transport.is_closing()
            and self._transport.get_write_buffer_size() > DRAINED_BYTES
        ):
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)


class AsgiWriter(Writer):
    """Frames through the ASGI ``send``, from one task per connection."""

    def __init__(self, send: Send) -> None:
        super().__init__()
        self._send = send
        self._outbox: deque[bytes] = deque()
        self._queued_bytes = 0
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._idle = asyncio.Event()
        self._idle.set()

    def write(self, frame: bytes) -> bool:
        if self._closing:
            return False
        self._outbox.append(frame)
        self._queued_bytes += len(frame)
        return True

    def flush(self) -> bool:
        if self._outbox and self._task is None:
            self._idle.clear()
            self._task = asyncio.create_task(self._drain(), name="mcms-live-writer")
        return self._queued_bytes <= MAX_BUFFERED_BYTES

    async def _drain(self) -> None:
        try:
            while self._outbox:
                frame = self._outbox.popleft()
                self._queued_bytes -= len(frame)
                await self._send({"type": "websocket.send", "text": frame.decode()})
        except Exception:  # the peer left; Strawberry's handler sees that too
            self._closing = True
            self._outbox.clear()
            self._queued_bytes = 0
        finally:
            self._task = None
            self._idle.set()

    async def drained(self) -> None:
        await self._idle.wait()


def writer_for(receive: Receive, send: Send) -> Writer:
    """The fastest writer this server allows for one WebSocket connection.

    Starlette hands the endpoint uvicorn's own ``receive`` (a bound method of
    the connection's protocol object) but a wrapped ``send``; the protocol object
    is how the frames get to its transport without the wrappers."""
    protocol = getattr(receive, "__self__", None)
    if WebSocketsSansIOProtocol is not None and isinstance(protocol, WebSocketsSansIOProtocol):
        with contextlib.suppress(AttributeError):
            return SocketWriter(protocol)
    return AsgiWriter(send)

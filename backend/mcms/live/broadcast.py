"""Waking the event hubs of the other processes when events are committed.

The event log is the source of truth (see ``hub.py``): every process's hub
tails the shared database, so an event committed by process B reaches the
subscribers of process A at A's next poll anyway. The broadcast only makes that
*immediate*: after a commit that wrote events, B publishes a content-free
signal, and every process that hears it pokes its hub to read the log now.

So a lost, duplicated or late signal costs nothing but latency. While the bus
is down, mutations keep working (publishing is fire-and-forget and never
raises) and events arrive at poll speed: late, never lost. The listener
reconnects with capped, jittered exponential backoff and pokes its hub on every
(re)connect, so whatever was committed during the outage is read at once.

``MCMS_BROADCAST_URL`` chooses the bus:

* ``memory://`` — one process: the commit hook's local poke is all it takes.
* ``redis://host:port/db`` — Redis pub/sub (redis-py's asyncio client).
* ``postgresql://…`` — PostgreSQL ``LISTEN``/``NOTIFY`` (asyncpg); may be the
  application's own database.

Why not the ``broadcaster`` package: its Redis listener task dies silently when
the connection drops (encode/broadcaster#144), nothing reconnects it, and its
per-subscriber queues are unbounded. We need none of its message passing (the
log carries the data), only a resilient wake-up signal, which is this thin
layer on redis-py and asyncpg. See docs/architecture.md.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from typing import Any, Final, Protocol
from urllib.parse import urlsplit, urlunsplit

logger = logging.getLogger("mcms.live.broadcast")

CHANNEL: Final = "mcms_events"
"""Redis channel / PostgreSQL notification channel the signal travels on."""

BACKOFF_MIN_SECONDS = 0.1
BACKOFF_MAX_SECONDS = 5.0
CONNECT_TIMEOUT_SECONDS = 3.0
PUBLISH_TIMEOUT_SECONDS = 2.0
PUBLISH_BACKOFF_MAX_SECONDS = 1.0
"""After a failed publish, later announces are dropped for a while (up to this
long) instead of hammering a bus that is down; the poll covers them."""
HEARTBEAT_SECONDS = 10.0
"""An idle listener checks its connection this often, so a half-open one (the
peer vanished without closing it) is noticed and replaced."""

REDIS_SCHEMES: Final = frozenset({"redis", "rediss"})
POSTGRES_SCHEMES: Final = frozenset({"postgres", "postgresql", "postgresql+asyncpg"})
SCHEMES: Final = frozenset({"memory"}) | REDIS_SCHEMES | POSTGRES_SCHEMES


class Broadcast(Protocol):
    """A wake-up signal shared by every process of one deployment."""

    async def start(self, on_signal: Callable[[], None]) -> None:
        """Begin listening (idempotent, returns at once); ``on_signal`` is called
        for every signal heard and after every (re)connect."""

    def announce(self) -> None:
        """Tell the other processes that events were committed. Synchronous,
        never raises, never waits: a commit hook calls it."""

    async def close(self) -> None:
        """Stop listening and release connections (idempotent)."""

    @property
    def status(self) -> str:
        """``ok``, ``not listening`` (no subscriber here yet) or ``unreachable``."""


def validate_url(url: str) -> str:
    """``url`` if MCMS understands it, else ``ValueError`` (never echoing the URL,
    which may hold a password)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise ValueError(
            "the broadcast URL must be memory://, redis://host:port/db or "
            f"postgresql://user@host:port/db; got scheme {scheme or '(none)'!r}"
        )
    if scheme != "memory" and not urlsplit(url).hostname:
        raise ValueError(f"the broadcast URL ({scheme}://) needs a host")
    return url


def create_broadcast(url: str) -> Broadcast:
    scheme = urlsplit(validate_url(url)).scheme.lower()
    if scheme in REDIS_SCHEMES:
        return RedisBroadcast(url)
    if scheme in POSTGRES_SCHEMES:
        return PostgresBroadcast(url)
    return MemoryBroadcast()


def redact(url: str) -> str:
    """``url`` without its password, for logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def _jittered(delay: float) -> float:
    return random.uniform(delay / 2, delay)  # noqa: S311 - spreading retries, not secrets


class MemoryBroadcast:
    """One process: the local poke (a commit hook of its own) is enough."""

    async def start(self, on_signal: Callable[[], None]) -> None:
        return None

    def announce(self) -> None:
        return None

    async def close(self) -> None:
        return None

    @property
    def status(self) -> str:
        return "ok"


class _Outage:
    """Logs a warning when a connection is lost and an info line when it is back:
    once per outage, not once per retry."""

    def __init__(self, what: str, url: str) -> None:
        self.what = what
        self.url = url
        self.since: float | None = None

    @property
    def down(self) -> bool:
        return self.since is not None

    def lost(self, exc: BaseException) -> None:
        if self.since is None:
            self.since = time.monotonic()
            logger.warning(
                "broadcast %s: %s unreachable (%s: %s); retrying with backoff, "
                "live updates arrive at poll speed meanwhile",
                self.what,
                redact(self.url),
                type(exc).__name__,
                exc,
            )

    def restored(self) -> None:
        if self.since is not None:
            logger.info(
                "broadcast %s: %s reachable again after %.1f s",
                self.what,
                redact(self.url),
                time.monotonic() - self.since,
            )
            self.since = None


class _NetworkBroadcast(abc.ABC):
    """Reconnecting listener and coalescing publisher; subclasses supply the
    three bus-specific operations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._on_signal: Callable[[], None] | None = None
        self._listener: asyncio.Task[None] | None = None
        self._listening = False
        self._listen_outage = _Outage("listener", url)
        self._publish_outage = _Outage("publisher", url)
        self._publisher: asyncio.Task[None] | None = None
        self._publish_wanted = False
        self._publish_paused_until = 0.0
        self._publish_backoff = BACKOFF_MIN_SECONDS

    # -- bus-specific ---------------------------------------------------------

    @abc.abstractmethod
    async def _listen(self, on_connected: Callable[[], None]) -> None:
        """Connect, subscribe, call ``on_connected``, then deliver signals until
        the connection fails (raise) — never return normally."""

    @abc.abstractmethod
    async def _publish(self) -> None:
        """Send one signal, (re)connecting the publishing connection if needed."""

    @abc.abstractmethod
    async def _close_publisher(self) -> None:
        """Drop the publishing connection (the next publish opens a new one)."""

    # -- listening ------------------------------------------------------------

    async def start(self, on_signal: Callable[[], None]) -> None:
        self._on_signal = on_signal
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(
                self._listen_forever(), name="mcms-broadcast-listener"
            )

    def _signal(self) -> None:
        if self._on_signal is not None:
            self._on_signal()

    def _connected(self) -> None:
        self._listening = True
        self._listen_outage.restored()
        self._publish_paused_until = 0.0  # the bus is back: publish again at once
        # Whatever was committed while we were not listening is in the log: read it.
        self._signal()

    async def _listen_forever(self) -> None:
        delay = BACKOFF_MIN_SECONDS
        while True:
            try:
                await self._listen(self._connected)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._listening:
                    delay = BACKOFF_MIN_SECONDS  # it had worked: start over quickly
                self._listening = False
                self._listen_outage.lost(exc)
            await asyncio.sleep(_jittered(delay))
            delay = min(delay * 2, BACKOFF_MAX_SECONDS)

    @property
    def status(self) -> str:
        if self._listening:
            return "ok"
        if self._listen_outage.down or self._publish_outage.down:
            return "unreachable"
        return "not listening"

    # -- publishing -----------------------------------------------------------

    def announce(self) -> None:
        try:
            if time.monotonic() < self._publish_paused_until:
                return  # the bus just failed; the poll delivers meanwhile
            self._publish_wanted = True
            if self._publisher is None or self._publisher.done():
                self._publisher = asyncio.get_running_loop().create_task(
                    self._publish_wanted_signals(), name="mcms-broadcast-publish"
                )
            # else: the running task publishes once more when it is done, for
            # every announce made meanwhile (a burst of commits: one signal).
        except Exception:  # a commit hook must never fail the request
            logger.debug("broadcast: could not schedule a publish", exc_info=True)

    async def _publish_wanted_signals(self) -> None:
        while self._publish_wanted:
            self._publish_wanted = False
            try:
                await asyncio.wait_for(self._publish(), PUBLISH_TIMEOUT_SECONDS)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._publish_outage.lost(exc)
                self._publish_wanted = False
                self._publish_paused_until = time.monotonic() + _jittered(self._publish_backoff)
                self._publish_backoff = min(self._publish_backoff * 2, PUBLISH_BACKOFF_MAX_SECONDS)
                with contextlib.suppress(Exception):
                    await self._close_publisher()
                return
            self._publish_outage.restored()
            self._publish_backoff = BACKOFF_MIN_SECONDS

    # -- closing --------------------------------------------------------------

    async def close(self) -> None:
        for task in (self._listener, self._publisher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._listener = None
        self._publisher = None
        self._listening = False
        with contextlib.suppress(Exception):
            await self._close_publisher()


class RedisBroadcast(_NetworkBroadcast):
    """Redis pub/sub on channel ``mcms_events``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self._client: Any = None

    def _new_client(self, *, socket_timeout: float | None) -> Any:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        # No retries inside redis-py: a failure surfaces at once and our own
        # backoff (with its once-per-outage logging) takes over.
        return Redis.from_url(
            self.url,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=socket_timeout,
            socket_keepalive=True,
            retry=Retry(NoBackoff(), 0),
        )

    async def _listen(self, on_connected: Callable[[], None]) -> None:
        client = self._new_client(socket_timeout=HEARTBEAT_SECONDS)
        pubsub = client.pubsub()
        try:
            await asyncio.wait_for(pubsub.subscribe(CHANNEL), CONNECT_TIMEOUT_SECONDS)
            on_connected()
            last_heard = time.monotonic()
            pinged = False
            while True:
                message = await pubsub.get_message(timeout=1.0)
                now = time.monotonic()
                if message is not None:
                    last_heard, pinged = now, False
                    if message.get("type") == "message":
                        self._signal()
                elif now - last_heard > 2 * HEARTBEAT_SECONDS:
                    raise ConnectionError("no answer to PING")
                elif now - last_heard > HEARTBEAT_SECONDS and not pinged:
                    await pubsub.ping()  # the PONG arrives as a message
                    pinged = True
        finally:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
            with contextlib.suppress(Exception):
                await client.aclose()

    async def _publish(self) -> None:
        if self._client is None:
            self._client = self._new_client(socket_timeout=PUBLISH_TIMEOUT_SECONDS)
        await self._client.publish(CHANNEL, b"")

    async def _close_publisher(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()


class PostgresBroadcast(_NetworkBroadcast):
    """PostgreSQL ``LISTEN``/``NOTIFY`` on channel ``mcms_events``."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        parts = urlsplit(url)
        # asyncpg takes postgres:// and postgresql://, not SQLAlchemy's "+driver".
        self._dsn = urlunsplit(parts._replace(scheme="postgresql"))
        self._connection: Any = None

    async def _connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_SECONDS)

    async def _listen(self, on_connected: Callable[[], None]) -> None:
        connection = await self._connect()
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, lambda *_args: self._signal())
            on_connected()
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(lost.wait(), HEARTBEAT_SECONDS)
                if lost.is_set() or connection.is_closed():
                    raise ConnectionError("connection closed")
                await asyncio.wait_for(connection.fetchval("SELECT 1"), HEARTBEAT_SECONDS)
        finally:
            connection.terminate()  # no goodbye: it is lost, or we are being cancelled

    async def _publish(self) -> None:
        if self._connection is None or self._connection.is_closed():
            self._connection = await self._connect()
        await self._connection.execute(f"NOTIFY {CHANNEL}")

    async def _close_publisher(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await asyncio.wait_for(connection.close(), PUBLISH_TIMEOUT_SECONDS)
            except Exception:
                connection.terminate()

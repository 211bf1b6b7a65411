"""An ASGI app behind a real uvicorn on a free loopback port, for what httpx's
in-process transport cannot test (streams, WebSockets, a scanner service)."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import uvicorn

START_SECONDS = 10.0


def _listener() -> tuple[socket.socket, str]:
    """A bound socket (handed to uvicorn, so no other process can take the port)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    return listener, f"127.0.0.1:{listener.getsockname()[1]}"


@asynccontextmanager
async def serving(app: Any, **config: Any) -> AsyncIterator[str]:
    """``app`` served in this event loop; yields ``host:port``. ``config`` adds
    to uvicorn's (no lifespan, no log configuration)."""
    listener, address = _listener()
    server = uvicorn.Server(
        uvicorn.Config(app, **{"lifespan": "off", "log_config": None, **config})
    )
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            assert not task.done(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            await asyncio.sleep(0.01)
        yield address
    finally:
        server.should_exit = True
        await task
        listener.close()


@contextmanager
def serving_in_thread(app: Any, **config: Any) -> Iterator[str]:
    """``app`` served by uvicorn in a thread with its own loop (no signal
    handlers), so it outlives any one test's loop; yields ``host:port``."""
    listener, address = _listener()
    server = uvicorn.Server(
        uvicorn.Config(app, **{"lifespan": "off", "log_level": "warning", **config})
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + START_SECONDS
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        yield address
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()

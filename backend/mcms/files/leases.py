"""Writer leases: an upload's locks kept for a moment after a PATCH.

A tus client sends its next PATCH as soon as the last one is answered, and
almost always to the same process (its keep-alive connection). Taking the
writer's locks for every PATCH (open and ``flock`` the part file, one write
transaction for the database lock, one read of the session before it) cost
about 3 ms of a 10 MiB PATCH's 30, in series with the client waiting. So a
PATCH that ends cleanly acknowledges its offset *without* letting go: the
database lock, the locked part file and the session as acknowledged stay here
for ``LEASE_SECONDS``, and a PATCH arriving in time simply takes them over.

Nothing is written while a lease is held, so the acknowledged offset stays
final; a lease is only an idle lock. Whoever else wants the upload:

- a request in this process (HEAD, DELETE, another user's PATCH) ends the
  lease at once (``Ingest._ask_release``);
- a request in another process finds the part file locked and waits, as it
  waits for a PATCH that is writing, until the lease runs out (at most
  ``LEASE_SECONDS``; a PATCH that sees ``release_requested`` in its
  acknowledgement does not take a lease at all);
- a process that dies drops its file locks with it, and its database locks
  are taken over as those of any dead writer.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row

logger = logging.getLogger("mcms.files")

LEASE_SECONDS = 1.0
"""How long the locks wait for the client's next PATCH (a lease is renewed by
each PATCH that takes it; another process waits at most this long)."""


@dataclass
class Lease:
    """The locks of one upload, held between PATCHes."""

    token: str
    """The database lock's token."""
    fd: int
    """The part file, open and ``flock``-ed."""
    upload: Row[Any]
    """The session as acknowledged by the PATCH that took the lease."""
    writer_id: int
    """Who sent that PATCH: their next one needs no second look at the session."""
    _timer: asyncio.TimerHandle | None = field(default=None, repr=False)


class WriterLeases:
    """The leases of one process, each ended after ``seconds`` unless taken."""

    def __init__(
        self, unlock: Callable[[str, str], Awaitable[None]], *, seconds: float = LEASE_SECONDS
    ) -> None:
        self._unlock = unlock
        self.seconds = seconds
        self._leases: dict[str, Lease] = {}
        self._unlocking: set[asyncio.Task[None]] = set()

    def keep(self, upload_id: str, lease: Lease) -> None:
        """Hold ``lease`` for ``upload_id`` (which has none: its PATCH took it)."""
        loop = asyncio.get_running_loop()
        lease._timer = loop.call_later(self.seconds, self._run_out, upload_id, lease)
        self._leases[upload_id] = lease

    def peek(self, upload_id: str) -> Lease | None:
        return self._leases.get(upload_id)

    def take(self, upload_id: str) -> Lease | None:
        """The lease, now the caller's: its locks are the caller's to release."""
        lease = self._leases.pop(upload_id, None)
        if lease is not None and lease._timer is not None:
            lease._timer.cancel()
        return lease

    async def end(self, upload_id: str) -> bool:
        """Release the lease's locks now (database lock first, file lock last,
        as every writer does); ``False`` if there was none."""
        lease = self.take(upload_id)
        if lease is None:
            return False
        try:
            await self._unlock(upload_id, lease.token)
        finally:
            os.close(lease.fd)
        return True

    async def end_all(self) -> None:
        """At shutdown: release every lease."""
        for upload_id in list(self._leases):
            await self.end(upload_id)
        if self._unlocking:
            await asyncio.gather(*self._unlocking, return_exceptions=True)

    def _run_out(self, upload_id: str, lease: Lease) -> None:
        """The client did not come back in time. The file lock goes at once (so
        a PATCH arriving now is not turned away); the database lock a moment
        later, and if that fails, the next writer takes it over (its holder no
        longer has the file)."""
        if self._leases.get(upload_id) is lease:
            del self._leases[upload_id]
        os.close(lease.fd)
        task = asyncio.ensure_future(self._unlock_quietly(upload_id, lease.token))
        self._unlocking.add(task)
        task.add_done_callback(self._unlocking.discard)

    async def _unlock_quietly(self, upload_id: str, token: str) -> None:
        try:
            await self._unlock(upload_id, token)
        except Exception:  # a lock whose holder has no file lock is taken over anyway
            logger.warning("upload %s: could not release a lease", upload_id, exc_info=True)

"""Receiving uploads: creation, HEAD, PATCH and termination, independent of
HTTP (``tus.py`` speaks the protocol, GraphQL creates sessions here too).

One PATCH writes at a time, across processes: the writer holds the session's
database lock (``uploads.try_lock``) *and* an exclusive ``flock`` on the part
file. The file lock dies with its process, so a newer request can tell a
holder that crashed (file lock free) from one that is alive and must be asked
to let go. An offset is acknowledged only after its bytes are fsynced; on
taking the lock the part file is cut back to the acknowledged offset, which is
how a crash at any byte is recovered. Between one PATCH and the client's next,
the locks are kept for a moment (``leases.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Row
from starlette.requests import ClientDisconnect

from mcms.core.auth import Principal
from mcms.core.db import Database, utcnow
from mcms.core.errors import Conflict, PayloadTooLarge
from mcms.files import commit, uploads
from mcms.files.enums import UploadStatus
from mcms.files.errors import ChecksumMismatch, InsufficientStorage, UploadGone, UploadLocked
from mcms.files.leases import Lease, WriterLeases
from mcms.files.names import ChunkChecksum
from mcms.files.receiver import BodyTooLong, PartWriter, Progress, pump
from mcms.files.sha256x import Digest, new_sha256
from mcms.files.store import FileStore, sha256_of
from mcms.files.uploads import LocalWriters, NewUpload
from mcms.settings import Settings

logger = logging.getLogger("mcms.files")

LOCK_WAIT_SECONDS = 20.0
"""How long a request waits for the current writer to let go (> ``LOCK_STALE``)."""
HEAD_WAIT_SECONDS = 5.0
"""A HEAD waits less: it only wants the offset the stopped writer leaves behind."""
SUPERVISE_SECONDS = 0.5
HEARTBEAT_SECONDS = 1.0
IDLE_TIMEOUT_SECONDS = 60.0
"""A PATCH that receives nothing for this long is ended (the client is gone)."""
CHECKPOINT_BYTES = 64 * 1024 * 1024
"""Without a chunk checksum, a long PATCH acknowledges its bytes this often."""


@dataclass(frozen=True, slots=True)
class PatchResult:
    offset: int
    expires_at: datetime
    complete: bool


@dataclass
class _Writing:
    """One PATCH in progress: its lock, its file and its hash states."""

    upload: Row[Any]
    writer_id: int
    token: str
    fd: int
    start: int
    file_hash: Digest
    checksum: ChunkChecksum | None
    chunk_hash: Digest | None
    leased: bool = False
    """The locks (and ``fd``) went to a lease instead of being released."""

    def hashes(self) -> list[Digest]:
        return [self.file_hash] + ([self.chunk_hash] if self.chunk_hash is not None else [])


class HashStates:
    """The whole-file hash of each upload in progress, as of its acknowledged
    offset, so the next PATCH continues it instead of re-reading the file.
    Lost on restart (or when a PATCH lands on another process): then rebuilt
    from the part file once."""

    def __init__(self) -> None:
        self._states: dict[str, tuple[int, Digest]] = {}

    def take(self, upload_id: str, offset: int) -> Digest | None:
        state = self._states.pop(upload_id, None)
        if state is None or state[0] != offset:
            return None
        return state[1]

    def put(self, upload_id: str, offset: int, digest: Digest) -> None:
        self._states[upload_id] = (offset, digest)

    def forget(self, upload_id: str) -> None:
        self._states.pop(upload_id, None)


class Ingest:
    """The upload machinery of one process (``app.state.ingest``)."""

    def __init__(
        self, db: Database, settings: Settings, *, on_commit_queued: Callable[[], None]
    ) -> None:
        self.db = db
        self.settings = settings
        self.store = FileStore(settings.resolved_files_dir)
        self.writers = LocalWriters()
        self.hashes = HashStates()
        self.leases = WriterLeases(self._unlock)
        self._on_commit_queued = on_commit_queued

    async def close(self) -> None:
        """At shutdown: let go of the locks kept between PATCHes."""
        await self.leases.end_all()

    @property
    def expiry(self) -> timedelta:
        return timedelta(hours=self.settings.upload_expiry_hours)

    # -- creation -------------------------------------------------------------------

    async def create(self, principal: Principal, upload: NewUpload) -> Row[Any]:
        """A new session (and its empty part file); a zero-byte file is complete at once."""
        async with self.db.read_session() as session:
            await uploads.check_may_upload(
                session=session,
                principal=principal,
                routing_id=upload.routing_id,
                addin_job_id=upload.addin_job_id,
            )
        free = await asyncio.to_thread(self.store.free_bytes)
        uploads.check_size(
            upload,
            max_bytes=self.settings.upload_max_bytes,
            free_bytes=free,
            headroom=self.settings.upload_min_free_bytes,
        )
        upload_id = uploads.new_upload_id()
        await asyncio.to_thread(self.store.create_part, upload_id)
        async with self.db.unit_of_work() as session:
            row = await uploads.create(
                session=session,
                upload_id=upload_id,
                principal=principal,
                upload=upload,
                expires_at=utcnow() + self.expiry,
            )
            if upload.size == 0:
                row = await self._received_all(session, row, new_sha256())
        self._after_received(row)
        return row

    # -- HEAD -------------------------------------------------------------------------

    async def offset(self, principal: Principal, upload_id: str) -> Row[Any]:
        """The session as of its acknowledged offset. A writer still holding it
        (a PATCH whose client vanished) is asked to stop first, so the offset
        the client resumes from is final."""
        row = await self._visible(principal, upload_id)
        if row.status in (UploadStatus.CANCELLED, UploadStatus.EXPIRED):
            raise UploadGone(f"Upload {upload_id} was {row.status.value.lower()}.")
        if row.lock_token is None or row.status != UploadStatus.RECEIVING:
            return row
        if self.leases.peek(upload_id) is not None:
            return row  # held between PATCHes, nothing being written: the offset is final
        # A lock whose holder died (its file lock went with it) is not waited for.
        if await self._writer_alive(upload_id):
            await self._ask_release(upload_id)
            deadline = time.monotonic() + HEAD_WAIT_SECONDS
            while time.monotonic() < deadline:
                await asyncio.sleep(0.05)
                if not await self._writer_alive(upload_id):
                    break
        # The writer drops the file lock last, after acknowledging: the offset is final.
        return await self._visible(principal, upload_id)

    # -- PATCH ------------------------------------------------------------------------

    async def patch(
        self,
        principal: Principal,
        upload_id: str,
        *,
        offset: int,
        checksum: ChunkChecksum | None,
        content_length: int | None,
        body: AsyncIterator[bytes],
    ) -> PatchResult:
        lease = self.leases.peek(upload_id)
        if lease is not None and lease.writer_id == principal.user_id:
            row = lease.upload  # what the last PATCH saw, and nobody else wrote since
        else:
            row = await self._visible(principal, upload_id)
        uploads.check_may_write(row, principal)
        self._check_open(row)
        remaining = row.size - offset
        if content_length is not None and remaining >= 0 and content_length > remaining:
            raise PayloadTooLarge(
                f"The chunk is {content_length} bytes; the upload has {remaining} left."
            )
        writing = await self._begin(row, principal, offset, checksum)
        try:
            return await self._write(writing, body)
        finally:
            if not writing.leased:
                os.close(writing.fd)  # also releases the file lock

    def _check_open(self, row: Row[Any]) -> None:
        if row.status in (UploadStatus.CANCELLED, UploadStatus.EXPIRED):
            raise UploadGone(f"Upload {row.id} was {row.status.value.lower()}.")
        if row.status != UploadStatus.RECEIVING:
            raise Conflict(
                f"Upload {row.id} has received all its bytes ({row.status}).",
            ).with_headers(offset_headers(row.offset))

    async def _begin(
        self, row: Row[Any], principal: Principal, offset: int, checksum: ChunkChecksum | None
    ) -> _Writing:
        token, fd, current = await self._lock(row.id)
        try:
            if current.status != UploadStatus.RECEIVING:
                self._check_open(current)
            if offset != current.offset:
                raise Conflict(
                    f"Upload-Offset {offset} does not match the upload's offset "
                    f"{current.offset}; send HEAD and resume from there."
                ).with_headers(offset_headers(current.offset))
            await self._cut_back(fd, row.id, current.offset)
            file_hash = self.hashes.take(row.id, current.offset)
            if file_hash is None:
                part = self.store.part_path(row.id)
                file_hash = await asyncio.to_thread(sha256_of, part, current.offset)
        except BaseException:
            await self._unlock(row.id, token)
            os.close(fd)
            raise
        return _Writing(
            upload=current,
            writer_id=principal.user_id,
            token=token,
            fd=fd,
            start=current.offset,
            file_hash=file_hash,
            checksum=checksum,
            chunk_hash=checksum.new_hash() if checksum is not None else None,
        )

    async def _cut_back(self, fd: int, upload_id: str, offset: int) -> None:
        """Drop whatever a writer left past the acknowledged ``offset`` (one that
        crashed, or was stopped mid-chunk). Usually there is nothing to drop, and
        ``fstat`` of the open file tells so without a trip to a thread."""
        if os.fstat(fd).st_size != offset:
            await asyncio.to_thread(self.store.truncate_part, upload_id, offset)

    async def _write(self, writing: _Writing, body: AsyncIterator[bytes]) -> PatchResult:
        upload_id = writing.upload.id
        base_hash = writing.file_hash.copy()  # to go back to if the chunk is refused
        writer = PartWriter(fd=writing.fd, offset=writing.start, hashes=writing.hashes())
        outcome = _Outcome()
        try:
            outcome.finished = await self._supervise(writing, writer, body)
        except BodyTooLong:
            outcome.failure = PayloadTooLarge("The chunk runs past the upload's length.")
        except OSError as exc:
            outcome.failure = exc
        try:
            await writer.sync()
        except OSError as exc:
            outcome.failure = outcome.failure or exc
        keep = self._bytes_to_keep(writing, writer, outcome)
        if keep < writer.written:
            await asyncio.to_thread(self.store.truncate_part, upload_id, writing.start + keep)
        file_hash = await self._hash_as_of(writing, writer, keep, base_hash)
        return await self._acknowledge(writing, keep, file_hash, outcome)

    async def _hash_as_of(
        self, writing: _Writing, writer: PartWriter, keep: int, base_hash: Digest
    ) -> Digest:
        """The whole-file hash state after ``keep`` bytes of this PATCH: the one
        from before, the one kept up to date, or (when a failed write or fsync
        left only part of the chunk acknowledged, or the hashes had a batch the
        file did not get) rebuilt from the part file."""
        if keep == 0:
            return base_hash
        if keep == writer.written and not writer.hashes_ahead:
            return writing.file_hash
        part = self.store.part_path(writing.upload.id)
        return await asyncio.to_thread(sha256_of, part, writing.start + keep)

    def _bytes_to_keep(self, writing: _Writing, writer: PartWriter, outcome: _Outcome) -> int:
        """A chunk with a checksum is all or nothing; without one, whatever was
        written durably stays (tus resumes from there)."""
        if isinstance(outcome.failure, PayloadTooLarge):
            return 0
        if writing.checksum is None:
            return writer.durable
        if outcome.failure is not None or not outcome.finished:
            return 0
        assert writing.chunk_hash is not None  # noqa: S101 - set whenever checksum is
        if writing.chunk_hash.digest() != writing.checksum.digest:
            outcome.mismatch = True
            return 0
        return writer.written

    async def _acknowledge(
        self, writing: _Writing, keep: int, file_hash: Digest, outcome: _Outcome
    ) -> PatchResult:
        upload_id = writing.upload.id
        new_offset = writing.start + keep
        expires_at = utcnow() + self.expiry
        keep_locks = _clean(outcome) and new_offset < writing.upload.size
        async with self.db.unit_of_work() as session:
            row = await uploads.record_progress(
                session=session,
                upload_id=upload_id,
                token=writing.token,
                offset=new_offset,
                chunks=1 if keep else 0,
                expires_at=expires_at,
                unlock=not keep_locks,
            )
            if keep_locks and row is not None and row.release_requested:
                # A request in another process is waiting for the upload.
                await uploads.unlock(session=session, upload_id=upload_id, token=writing.token)
                keep_locks = False
            complete = row is not None and row.offset == row.size
            if complete and row is not None:
                row = await self._received_all(session, row, file_hash)
        if row is None:
            raise UploadLocked(f"Upload {upload_id} was taken over by a newer request.")
        if complete:
            self._after_received(row)
        else:
            self.hashes.put(upload_id, new_offset, file_hash)
        if keep_locks:
            lease = Lease(
                token=writing.token, fd=writing.fd, upload=row, writer_id=writing.writer_id
            )
            self.leases.keep(upload_id, lease)
            writing.leased = True
        _raise_for(writing, outcome, new_offset)
        return PatchResult(offset=new_offset, expires_at=expires_at, complete=complete)

    async def _supervise(
        self, writing: _Writing, writer: PartWriter, body: AsyncIterator[bytes]
    ) -> bool:
        """Run the pump while keeping the lock alive; stop it when a newer request
        asks for the upload, or when the client stops sending. ``True`` if the
        whole body arrived, ``False`` if it was cut short."""
        upload_id = writing.upload.id
        release = self.writers.register(upload_id)
        progress = Progress()
        task = asyncio.ensure_future(
            pump(
                body,
                writer,
                limit=writing.upload.size - writing.start,
                progress=progress,
                checkpoint_every=CHECKPOINT_BYTES if writing.checksum is None else None,
                on_checkpoint=lambda: self._checkpoint(writing, writer),
            )
        )
        try:
            await self._watch(writing, task, release, progress)
        finally:
            self.writers.unregister(upload_id, release)
            if not task.done():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if task.cancelled():
            return False
        error = task.exception()
        if error is None:
            return True
        if isinstance(error, ClientDisconnect):
            return False
        raise error

    async def _watch(
        self,
        writing: _Writing,
        task: asyncio.Future[None],
        release: asyncio.Event,
        progress: Progress,
    ) -> None:
        last_heartbeat = last_progress = time.monotonic()
        seen = 0
        released = asyncio.ensure_future(release.wait())
        try:
            while not task.done():
                waiters: set[asyncio.Future[Any]] = {task, released}
                await asyncio.wait(
                    waiters, timeout=SUPERVISE_SECONDS, return_when=asyncio.FIRST_COMPLETED
                )
                if task.done() or release.is_set():
                    return
                now = time.monotonic()
                if progress.received != seen:
                    seen, last_progress = progress.received, now
                elif now - last_progress > IDLE_TIMEOUT_SECONDS:
                    logger.info("upload %s: client idle, ending its PATCH", writing.upload.id)
                    return
                if now - last_heartbeat >= HEARTBEAT_SECONDS:
                    last_heartbeat = now
                    if not await self._heartbeat(writing):
                        return
        finally:
            released.cancel()

    async def _heartbeat(self, writing: _Writing) -> bool:
        async with self.db.unit_of_work() as session:
            return await uploads.heartbeat(
                session=session, upload_id=writing.upload.id, token=writing.token
            )

    async def _checkpoint(self, writing: _Writing, writer: PartWriter) -> None:
        await writer.sync()
        async with self.db.unit_of_work() as session:
            await uploads.record_progress(
                session=session,
                upload_id=writing.upload.id,
                token=writing.token,
                offset=writing.start + writer.durable,
                chunks=0,
                expires_at=utcnow() + self.expiry,
                unlock=False,
            )

    # -- completion -------------------------------------------------------------------

    async def _received_all(self, session: Any, row: Row[Any], file_hash: Any) -> Row[Any]:
        """Every byte is in: check the declared hash, then hand over to the worker."""
        digest = file_hash.hexdigest()
        if row.declared_sha256 is not None and row.declared_sha256 != digest:
            failed = await uploads.set_status(
                session=session,
                upload_id=row.id,
                status=UploadStatus.FAILED,
                expected=(UploadStatus.RECEIVING,),
                sha256=digest,
                failure_reason=(
                    f"The file's SHA-256 is {digest}, not the declared "
                    f"{row.declared_sha256}; nothing was stored."
                ),
            )
            return failed or row
        verifying = await uploads.set_status(
            session=session,
            upload_id=row.id,
            status=UploadStatus.VERIFYING,
            expected=(UploadStatus.RECEIVING,),
            sha256=digest,
        )
        await commit.queue(
            session=session, upload_id=row.id, max_attempts=self.settings.worker_max_attempts
        )
        return verifying or row

    def _after_received(self, row: Row[Any]) -> None:
        self.hashes.forget(row.id)
        if row.status == UploadStatus.FAILED:
            self.store.remove_part(row.id)
        elif row.status == UploadStatus.VERIFYING:
            self._on_commit_queued()

    # -- termination ----------------------------------------------------------------

    async def cancel(self, principal: Principal, upload_id: str) -> Row[Any]:
        """tus DELETE / ``cancelUploadSession``: stop any writer, drop the bytes."""
        row = await self._visible(principal, upload_id)
        uploads.check_may_write(row, principal)
        if row.status in (UploadStatus.CANCELLED, UploadStatus.EXPIRED):
            raise UploadGone(f"Upload {upload_id} was already {row.status.value.lower()}.")
        if row.status != UploadStatus.RECEIVING:
            raise Conflict(f"Upload {upload_id} is {row.status}: it can no longer be cancelled.")
        token, fd, _ = await self._lock(upload_id)
        try:
            async with self.db.unit_of_work() as session:
                cancelled = await uploads.set_status(
                    session=session,
                    upload_id=upload_id,
                    status=UploadStatus.CANCELLED,
                    expected=(UploadStatus.RECEIVING,),
                    lock_token=None,
                    lock_heartbeat_at=None,
                )
            if cancelled is None:
                raise Conflict(f"Upload {upload_id} changed while being cancelled.")
            await asyncio.to_thread(self.store.remove_part, upload_id)
            self.hashes.forget(upload_id)
            return cancelled
        finally:
            await self._unlock(upload_id, token)
            os.close(fd)

    # -- locking ----------------------------------------------------------------------

    async def _lock(self, upload_id: str) -> tuple[str, int, Row[Any]]:
        """The file lock, then the database lock, waiting for (and asking) the
        current writer to let go; ``UploadLocked`` if it will not. Returns the
        lock's token, the locked part file and the session as of locking."""
        lease = self.leases.take(upload_id)
        if lease is not None:  # this process holds them already, idle since the last PATCH
            return lease.token, lease.fd, lease.upload
        token = uploads.new_upload_id()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        asked = False
        while True:
            fd = await self._try_file_lock(upload_id)
            if fd is not None:
                locked = await self._take_db_lock(upload_id, token)
                if locked is not None:
                    return token, fd, locked
                os.close(fd)
            if not asked:
                await self._ask_release(upload_id)
                asked = True
            if time.monotonic() > deadline:
                raise UploadLocked(
                    f"Upload {upload_id} is being written by another request; try again."
                )
            await asyncio.sleep(0.05)

    async def _try_file_lock(self, upload_id: str) -> int | None:
        try:
            return _flock(self.store.part_path(upload_id))
        except FileNotFoundError:
            pass
        # The bytes moved into the store (the upload is complete), or were removed
        # with a cancelled or expired upload: each has its own answer.
        self._check_open(await self._reload(upload_id))
        raise UploadGone(f"The bytes of upload {upload_id} are gone.")

    async def _writer_alive(self, upload_id: str) -> bool:
        """Whether a writer holds the part file's lock (a live process does; the
        lock of one that died was dropped with it)."""
        try:
            fd = _flock(self.store.part_path(upload_id))
        except FileNotFoundError:
            return False
        if fd is None:
            return True
        os.close(fd)
        return False

    async def _take_db_lock(self, upload_id: str, token: str) -> Row[Any] | None:
        """With the file lock in hand, the database lock is ours if free, stale,
        or held by a writer that no longer holds the file (it died): the session
        as of locking, or ``None``."""
        async with self.db.unit_of_work() as session:
            locked = await uploads.try_lock(session=session, upload_id=upload_id, token=token)
            if locked is not None:
                return locked
            row = await uploads.find(session=session, upload_id=upload_id)
            if row is None or row.lock_token is None:
                return None
            # Writers take the file lock first and drop it last, so a database
            # lock whose holder has no file lock is one left by a dead process.
            return await uploads.take_over(
                session=session, upload_id=upload_id, old=row.lock_token, token=token
            )

    async def _ask_release(self, upload_id: str) -> None:
        if await self.leases.end(upload_id) or self.writers.release(upload_id):
            return
        async with self.db.unit_of_work() as session:
            await uploads.ask_release(session=session, upload_id=upload_id)

    async def _unlock(self, upload_id: str, token: str) -> None:
        async with self.db.unit_of_work() as session:
            await uploads.unlock(session=session, upload_id=upload_id, token=token)

    # -- reads ------------------------------------------------------------------------

    async def _visible(self, principal: Principal, upload_id: str) -> Row[Any]:
        async with self.db.read_session() as session:
            return await uploads.get_visible(
                session=session, upload_id=upload_id, principal=principal
            )

    async def _reload(self, upload_id: str) -> Row[Any]:
        async with self.db.read_session() as session:
            row = await uploads.find(session=session, upload_id=upload_id)
        if row is None:
            raise UploadGone(f"Upload {upload_id} is gone.")
        return row


@dataclass
class _Outcome:
    """How a PATCH's body ended."""

    finished: bool = False
    """The whole body arrived (not cut short by the client, a newer request or idleness)."""
    failure: BaseException | None = None
    mismatch: bool = False
    """The chunk's checksum did not match."""


def _clean(outcome: _Outcome) -> bool:
    """The whole body arrived and was acknowledged: the client will send the next."""
    return outcome.finished and outcome.failure is None and not outcome.mismatch


def _raise_for(writing: _Writing, outcome: _Outcome, offset: int) -> None:
    """The PATCH's error, if any, now that the offset is settled and acknowledged."""
    headers = offset_headers(offset)
    failure = outcome.failure
    if isinstance(failure, PayloadTooLarge):
        raise failure.with_headers(headers)
    if isinstance(failure, OSError) and failure.errno in (errno.ENOSPC, errno.EDQUOT):
        raise InsufficientStorage(
            "The server's disk is full; the upload keeps its offset, retry later."
        ).with_headers(headers)
    if failure is not None:
        raise failure
    if outcome.mismatch:
        assert writing.checksum is not None  # noqa: S101 - a mismatch needs a checksum
        raise ChecksumMismatch(
            f"The chunk's {writing.checksum.algorithm} does not match Upload-Checksum; "
            "it was discarded."
        ).with_headers(headers)
    if not outcome.finished and writing.checksum is not None:
        raise Conflict(
            "The PATCH was interrupted before its checksummed chunk was complete; "
            "the chunk was discarded. Send HEAD and resume."
        ).with_headers(headers)


def _flock(path: Path) -> int | None:
    """``path`` opened and exclusively locked, or ``None`` if another holds the lock."""
    fd = os.open(path, os.O_WRONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def offset_headers(offset: int) -> dict[str, str]:
    return {"Upload-Offset": str(offset)}

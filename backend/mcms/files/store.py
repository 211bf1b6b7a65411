"""The local file store: partial uploads and the content-addressed blobs.

Layout under the store's root::

    uploads/<upload id>.part      bytes of an upload in progress
    cas/sha256/<2 hex>/<sha256>   committed blobs, named by their SHA-256
    tmp/                          legacy (multipart) uploads on their way in

A blob appears in ``cas/`` only complete: it is written (or received) into a
temporary file, fsynced, renamed into place and the directory fsynced, so a
crash leaves either no blob or the whole one. The same bytes are never
stored twice: committing a file whose hash is already present just drops the
new copy. Everything here is blocking I/O; callers run it in a thread.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from mcms.files.sha256x import Digest, new_sha256

READ_CHUNK = 4 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def fsync_directory(path: Path) -> None:
    """Make a rename or a new file in ``path`` durable (POSIX needs the directory synced)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sha256_of(path: Path, length: int | None = None) -> Digest:
    """The hash state of the first ``length`` bytes of ``path`` (all of it by
    default); of the kind the receiver continues fastest (``sha256x``)."""
    digest = new_sha256()
    remaining = length
    with path.open("rb", buffering=0) as source:
        while remaining is None or remaining > 0:
            want = READ_CHUNK if remaining is None else min(READ_CHUNK, remaining)
            block = source.read(want)
            if not block:
                break
            digest.update(block)
            if remaining is not None:
                remaining -= len(block)
    if remaining:
        raise OSError(f"{path} is {remaining} bytes shorter than expected")
    return digest


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.uploads = root / "uploads"
        self.cas = root / "cas" / "sha256"
        self.tmp = root / "tmp"

    def ensure(self) -> None:
        for directory in (self.uploads, self.cas, self.tmp):
            directory.mkdir(parents=True, exist_ok=True)

    # -- partial uploads -----------------------------------------------------------

    def part_path(self, upload_id: str) -> Path:
        return self.uploads / f"{upload_id}.part"

    def create_part(self, upload_id: str) -> None:
        self.ensure()
        fd = os.open(self.part_path(upload_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        fsync_directory(self.uploads)

    def part_size(self, upload_id: str) -> int:
        return self.part_path(upload_id).stat().st_size

    def truncate_part(self, upload_id: str, length: int) -> None:
        """Drop whatever lies past ``length`` (bytes never acknowledged)."""
        path = self.part_path(upload_id)
        if path.stat().st_size != length:
            os.truncate(path, length)
            fd = os.open(path, os.O_WRONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def remove_part(self, upload_id: str) -> None:
        self.part_path(upload_id).unlink(missing_ok=True)

    # -- blobs ----------------------------------------------------------------------

    def blob_path(self, sha256: str) -> Path:
        if not _SHA256.match(sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.cas / sha256[:2] / sha256

    def has_blob(self, sha256: str, size: int) -> bool:
        try:
            return self.blob_path(sha256).stat().st_size == size
        except FileNotFoundError:
            return False

    def commit_file(self, source: Path, sha256: str, size: int) -> bool:
        """Move the finished, fsynced ``source`` into the store as ``sha256``.

        Returns whether new bytes were stored (``False``: the blob was already
        there and ``source`` is dropped). ``source`` must be on the store's file
        system, so the rename is atomic."""
        if self._reuse_blob(sha256, size):
            source.unlink(missing_ok=True)
            return False
        target = self.blob_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        fsync_directory(target.parent)
        fsync_directory(source.parent)
        return True

    def _reuse_blob(self, sha256: str, size: int) -> bool:
        """Whether the blob is there to deduplicate against. Its modification time
        is renewed, under a shared lock, so garbage collection (which deletes only
        old blobs, under an exclusive lock, see ``delete_blob_if_older``) cannot
        take it between this check and the file reference's commit."""
        try:
            fd = os.open(self.blob_path(sha256), os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            status = os.fstat(fd)
            if status.st_nlink == 0 or status.st_size != size:
                return False  # deleted while we waited for the lock (or not ours)
            os.utime(fd)
            return True
        finally:
            os.close(fd)

    def delete_blob_if_older(self, sha256: str, cutoff: float) -> bool:
        """Delete the blob if it was last stored or reused before ``cutoff`` (a
        ``time.time()``); the exclusive lock waits out a commit reusing it."""
        path = self.blob_path(sha256)
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_mtime > cutoff:
                return False
            path.unlink(missing_ok=True)
            return True
        finally:
            os.close(fd)

    def delete_blob(self, sha256: str) -> None:
        self.blob_path(sha256).unlink(missing_ok=True)

    def iter_blobs(self) -> Iterator[tuple[str, Path]]:
        """Every file under ``cas/`` as (name, path); names that are not hashes
        are yielded too, so fsck can report them."""
        if not self.cas.exists():
            return
        for shard in sorted(self.cas.iterdir()):
            if not shard.is_dir():
                yield shard.name, shard
                continue
            for path in sorted(shard.iterdir()):
                yield path.name, path

    def iter_parts(self) -> Iterator[tuple[str, Path]]:
        if not self.uploads.exists():
            return
        for path in sorted(self.uploads.glob("*.part")):
            yield path.stem, path

    # -- space ----------------------------------------------------------------------

    def free_bytes(self) -> int:
        self.ensure()
        return shutil.disk_usage(self.root).free

    def new_temp_file(self, name: str) -> Path:
        self.ensure()
        return self.tmp / name

"""Benchmark of large file uploads and downloads (``make bench``; see
docs/performance.md, "Large file uploads and downloads").

Issue targets, on a 2-core machine over loopback:

- one ``--size-gib`` (2) GiB upload in ``--chunk-mib`` (10) MiB tus PATCHes,
  each with ``Upload-Checksum: sha256 …``: MCMS's ingest (chunk hash, whole-file
  hash, write, fsync before each offset is acknowledged) reaches **≥ 60 %** of
  the throughput of a bare Starlette endpoint that only counts the bytes of the
  same PATCH requests (``bench/bare_uploads.py``, under the uvicorn options of
  ``mcms serve``), measured in the same run;
- the server's RSS stays **under 150 MB** whatever the file size: peak RSS
  during the ``--size-gib`` upload and during a ``--big-gib`` (20) GiB upload;
- a single-stream download of the committed file (``GET
  /api/files/{fileId}/content``) at **≥ 500 MB/s**;
- re-uploading identical bytes adds **0 stored bytes** to ``files/cas/``.

How:

1. **Data.** A fresh SQLite data dir in a temporary directory on a disk file
   system (not tmpfs: ``--tmp-dir``), seeded through the services (the fan-out
   benchmark's ``seed``): one ENGINEER with an API token, owning two DRAFT
   routings (so it may upload to them).
2. **Servers.** ``python -m mcms serve`` (``MCMS_WORKERS=1``,
   ``MCMS_LOG_LEVEL=WARNING``, SQLite, the local store, the background worker on,
   no virus scanner: the defaults) and the bare endpoint, both pinned with
   ``taskset`` to ``--server-cpus`` (CPU 0; ``0-1`` lets them use both); this
   process, the client, pins itself to ``--client-cpu`` (CPU 1), so by default
   client and server never share a core.
3. **Bytes.** One random block of ``--chunk-mib``; chunk *i* of a file is the
   block with its last 16 bytes replaced by a stamp (file tag, *i*), so no two
   chunks of a file are alike and the whole file is unique, yet generating it
   costs nothing. The client computes every chunk's SHA-256 (cheaply: the
   block's hash state is copied and the stamp added) and the whole file's
   SHA-256 (a full pass, before the clock starts), declares the latter in
   ``Upload-Metadata`` and sends the former in ``Upload-Checksum``.
4. **Client.** A blocking socket per server, one keep-alive HTTP/1.1
   connection: each PATCH is one ``sendmsg`` of the request head, the block (a
   ``memoryview``, never copied) and the stamp; then it reads the ``204`` and
   checks ``Upload-Offset``. Downloads are read with ``recv_into`` into one
   buffer. The client uses well under one core, so it does not set the pace.
5. **Rounds.** ``--rounds`` (2) times: the bare endpoint gets the whole file,
   then the bare server's straightforward loop (hash the chunk and the file,
   write, fsync, all on the event loop: the issue's "about 43 %" yardstick, a
   reference without a target; ``--no-straightforward`` skips it), then MCMS
   gets it as a new tus upload (``POST /api/uploads``, then the
   PATCHes), and the bench waits for the upload to be ``COMMITTED`` (GraphQL
   ``uploadSession(id) { status file { id } }``). Throughput = bytes / time from
   the first PATCH sent to the last ``204`` received. The first MCMS upload
   stores the file; every later one re-uploads identical bytes, and the size of
   ``files/cas/`` before and after its commit gives the stored bytes it added.
   The verdict takes the best round of each server (others' jobs on a shared
   machine only ever slow a round down).
6. **Downloads** of the committed file, after round 1, each ``GET
   /api/files/{id}/content`` read to the end on a fresh connection: *right after
   the upload* (the store drops an upload's pages once they are on disk, so
   this is a first read), *again* (now in the page cache) and *from disk* (the
   blob's pages dropped first with ``posix_fadvise(DONTNEED)``, this file
   only); next to the first and the last, a plain ``pread`` loop of this
   process doing the same kind of read (a file of the same size written as the
   store writes it; the blob, pages dropped), to tell the server's cost from
   the machine's. Then one more download that the client hashes (not a target;
   ``--no-verify`` skips it). ``X-Checksum-SHA256`` and ``Content-Length`` are
   checked every time.
7. **RSS.** During every MCMS upload a thread polls the ``VmRSS`` of the
   server's processes every 50 ms, and the kernel's peak (``VmHWM``, reset
   through ``/proc/PID/clear_refs`` before the upload) is read after it.
8. **Big upload** (``--big-gib``, 0 skips it): one more MCMS upload of that
   size, with the same RSS sampling, waited for until ``COMMITTED``.
9. CPU of the server, of this process, of the kernel's threads (writeback,
   journal) and of every other process (``/proc``) per upload and download;
   before each, the bench waits (up to ``--quiet-wait`` s) for other
   processes to leave the CPUs alone. The temporary directory is deleted at the
   end. A table and verdicts on stdout, JSON in ``bench/results/``.

    .venv/bin/python bench/uploads.py [--size-gib 2] [--big-gib 20] [--rounds 2]
    .venv/bin/python bench/uploads.py --size-gib 0.5 --big-gib 0   # quick
    .venv/bin/python bench/uploads.py --server-cpus 0-1            # servers may use both CPUs
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import json
import os
import shutil
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fanout import seed  # the sibling benchmark's seeding: an engineer, a token, routings
from routings_list import (  # the sibling benchmark's helpers
    _machine_busy_seconds,
    _without_nan,
    free_port,
    launched,
    percentile,
    process_group_cpu_seconds,
    wait_for_quiet,
)
from routings_list import (
    machine as shared_machine,
)

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"

TARGET_INGEST_RATIO = 0.60
TARGET_RSS_MB = 150.0
TARGET_DOWNLOAD_MB_PER_S = 500.0
TARGET_DEDUP_ADDED_BYTES = 0

GIB = 1024**3
MIB = 1024**2
MB = 1_000_000
"""Throughputs are in MB/s (10^6 bytes), as the targets are."""
STAMP_BYTES = 16
RSS_POLL_SECONDS = 0.05
RECV_BYTES = 4 * MIB
COMMIT_TIMEOUT_SECONDS = 600.0
TUS = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
UPLOAD_SESSION = (
    "query Upload($id: ID!) { uploadSession(id: $id) "
    "{ status failureReason offset file { id size sha256 scanStatus downloadable } } }"
)
BENCH_PACKAGES = ("starlette", "uvicorn", "uvloop", "httptools", "sqlalchemy", "aiosqlite", "httpx")


class BenchError(Exception):
    """A server answered something a correct server would not."""


# --- the bytes -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Payload:
    """The bytes of one file: ``block`` again and again, each chunk ending with a
    stamp of its own. Built lazily, chunk by chunk; only the block is in memory."""

    size: int
    chunk: int
    tag: int
    block: bytes
    chunk_digests: list[bytes] = field(default_factory=list)
    sha256: str = ""

    def stamp(self, index: int) -> bytes:
        return self.tag.to_bytes(8, "big") + index.to_bytes(8, "big")

    def chunks(self) -> Iterator[tuple[int, memoryview, bytes]]:
        """``(offset, head, tail)``: the chunk is ``head`` (a view of the block) + ``tail``."""
        view = memoryview(self.block)
        for index, offset in enumerate(range(0, self.size, self.chunk)):
            length = min(self.chunk, self.size - offset)
            keep = max(0, length - STAMP_BYTES)
            yield offset, view[:keep], self.stamp(index)[: length - keep]


def make_payload(size: int, chunk: int, tag: int, block: bytes) -> Payload:
    """The file's chunk digests and whole-file SHA-256, as a client would compute
    them (a full pass over the file; the block's hash state is shared by the chunks)."""
    base = Payload(size=size, chunk=chunk, tag=tag, block=block)
    block_state = hashlib.sha256(block[: chunk - STAMP_BYTES])
    whole = hashlib.sha256()
    digests = []
    for _, head, tail in base.chunks():
        if len(head) == chunk - STAMP_BYTES:
            digest = block_state.copy()
        else:
            digest = hashlib.sha256(head)
        digest.update(tail)
        digests.append(digest.digest())
        whole.update(head)
        whole.update(tail)
    return Payload(size, chunk, tag, block, digests, whole.hexdigest())


# --- a minimal HTTP/1.1 client -----------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes = b""


class Connection:
    """One keep-alive HTTP/1.1 connection over a blocking socket: nothing is copied
    on the way out (``sendmsg`` of views) and downloads are read into one buffer."""

    def __init__(self, port: int) -> None:
        self.host = f"127.0.0.1:{port}"
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = bytearray()
        """Bytes received past the last answer's head."""

    def close(self) -> None:
        self.sock.close()

    def send(self, parts: Sequence[bytes | memoryview]) -> None:
        views = [memoryview(part) for part in parts if len(part)]
        while views:
            sent = self.sock.sendmsg(views)
            while views and sent >= len(views[0]):
                sent -= len(views[0])
                views.pop(0)
            if views and sent:
                views[0] = views[0][sent:]

    def head(self) -> Answer:
        """Status and headers of the next answer (the body is left to read)."""
        while (end := self.pending.find(b"\r\n\r\n")) < 0:
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("the server closed the connection")
            self.pending += data
        lines = bytes(self.pending[:end]).decode("latin-1").split("\r\n")
        del self.pending[: end + 4]
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        return Answer(status, headers)

    def answer(self) -> Answer:
        """The next whole answer (small bodies only)."""
        answer = self.head()
        length = int(answer.headers.get("content-length", "0"))
        while len(self.pending) < length:
            data = self.sock.recv(65536)
            if not data:
                raise BenchError("the server closed the connection mid-body")
            self.pending += data
        answer.body = bytes(self.pending[:length])
        del self.pending[:length]
        return answer

    def drain(self, length: int, digest: hashlib._Hash | None = None) -> None:
        """Read ``length`` body bytes into one reused buffer (hashing them if asked)."""
        taken = min(length, len(self.pending))
        if digest is not None:
            digest.update(self.pending[:taken])
        del self.pending[:taken]
        remaining = length - taken
        buffer = bytearray(RECV_BYTES)
        view = memoryview(buffer)
        while remaining:
            got = self.sock.recv_into(view, min(remaining, RECV_BYTES))
            if not got:
                raise BenchError(f"the download ended {remaining} bytes short")
            if digest is not None:
                digest.update(view[:got])
            remaining -= got


# --- measurements -------------------------------------------------------------------------------


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            if int(stat[stat.rindex(")") + 2 :].split()[2]) == pgid:
                pids.append(int(entry.name))
    return pids


def status_kib(pid: int, key: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    return 0


class RssSampler:
    """The server's RSS while an upload runs: ``VmRSS`` of its processes polled
    every 50 ms (summed), and the kernel's peak ``VmHWM``, reset at the start."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.pids = group_pids(pgid)
        self.polled_peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self.hwm_reset = True

    def __enter__(self) -> RssSampler:
        for pid in self.pids:
            try:
                Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset VmHWM (Linux ≥ 4.0)
            except OSError:
                self.hwm_reset = False
        self.start_kib = sum(status_kib(pid, "VmRSS") for pid in self.pids)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        rescan = time.monotonic() + 2.0
        while not self._stop.wait(RSS_POLL_SECONDS):
            if time.monotonic() > rescan:
                self.pids, rescan = group_pids(self.pgid), time.monotonic() + 2.0
            rss = sum(status_kib(pid, "VmRSS") for pid in self.pids)
            self.polled_peak_kib = max(self.polled_peak_kib, rss)
            self.samples += 1

    def result(self) -> dict[str, Any]:
        hwm = sum(status_kib(pid, "VmHWM") for pid in group_pids(self.pgid))
        return {
            "processes": len(self.pids),
            "start_mb": round(self.start_kib * 1024 / MB, 1),
            "polled_peak_mb": round(self.polled_peak_kib * 1024 / MB, 1),
            "vmhwm_mb": round(hwm * 1024 / MB, 1),
            "vmhwm_reset": self.hwm_reset,
            "samples": self.samples,
        }

    @property
    def peak_mb(self) -> float:
        result = self.result()
        return float(max(result["polled_peak_mb"], result["vmhwm_mb"]))


def kernel_threads_cpu_seconds() -> float:
    """CPU of the kernel's own threads (writeback, the ext4 journal and extent
    conversion, block I/O completion): mostly the uploads' disk work, but they
    serve every process on the machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            stat = (entry / "stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            if entry.name == "2" or fields[1] == "2":  # kthreadd and its children
                total += int(fields[11]) + int(fields[12])
    return total / ticks


class Cpu:
    """Cores used during a phase by the server, by this process (the client), by
    the kernel's threads and by every other process."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid
        self.started = time.monotonic()
        self.server = process_group_cpu_seconds(pgid)
        self.client = time.process_time()
        self.kernel = kernel_threads_cpu_seconds()
        self.machine = _machine_busy_seconds()

    def read(self, nbytes: int) -> dict[str, float]:
        wall = time.monotonic() - self.started
        server = process_group_cpu_seconds(self.pgid) - self.server
        client = time.process_time() - self.client
        kernel = kernel_threads_cpu_seconds() - self.kernel
        other = max(0.0, _machine_busy_seconds() - self.machine - server - client - kernel)
        return {
            "server_cores": round(server / wall, 2),
            "client_cores": round(client / wall, 2),
            "kernel_threads_cores": round(kernel / wall, 2),
            "other_cores": round(other / wall, 2),
            "server_cpu_ns_per_byte": round(server / nbytes * 1e9, 2),
            "kernel_threads_cpu_ns_per_byte": round(kernel / nbytes * 1e9, 2),
            "server_cpu_seconds": round(server, 2),
        }


def cas_bytes(files_dir: Path) -> dict[str, int]:
    """Apparent and allocated size of everything under ``cas/``."""
    apparent = allocated = count = 0
    for path in (files_dir / "cas").rglob("*"):
        if path.is_file():
            stat = path.stat()
            apparent += stat.st_size
            allocated += stat.st_blocks * 512
            count += 1
    return {"files": count, "bytes": apparent, "allocated_bytes": allocated}


# --- uploads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Server:
    name: str
    port: int
    pgid: int
    token: str


def patch_all(server: Server, path: str, payload: Payload) -> dict[str, Any]:
    """Every chunk of ``payload`` as one tus PATCH each, in order, on one connection."""
    connection = Connection(server.port)
    latencies = []
    cpu = Cpu(server.pgid)
    started = time.perf_counter()
    try:
        for (offset, head, tail), digest in zip(
            payload.chunks(), payload.chunk_digests, strict=True
        ):
            length = len(head) + len(tail)
            request = (
                f"PATCH {path} HTTP/1.1\r\nHost: {connection.host}\r\n"
                f"Authorization: Bearer {server.token}\r\nTus-Resumable: {TUS}\r\n"
                f"Content-Type: {OFFSET_STREAM}\r\nUpload-Offset: {offset}\r\n"
                f"Upload-Checksum: sha256 {base64.b64encode(digest).decode()}\r\n"
                f"Content-Length: {length}\r\n\r\n"
            ).encode("ascii")
            sent = time.perf_counter()
            connection.send([request, head, tail])
            answer = connection.answer()
            latencies.append((time.perf_counter() - sent) * 1000)
            if answer.status != 204 or answer.headers.get("upload-offset") != str(offset + length):
                raise BenchError(
                    f"{server.name} PATCH at {offset}: {answer.status} "
                    f"{answer.headers} {answer.body[:300]!r}"
                )
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    usage = cpu.read(payload.size)
    ordered = sorted(latencies)
    return {
        "bytes": payload.size,
        "patches": len(latencies),
        "seconds": round(seconds, 3),
        "mb_per_s": round(payload.size / seconds / MB, 1),
        "patch_ms": {
            "p50": round(percentile(ordered, 50), 2),
            "p99": round(percentile(ordered, 99), 2),
            "max": round(ordered[-1], 2),
        },
        "cpu": usage,
    }


def straightforward_upload(bare: Server, upload_id: str, payload: Payload) -> dict[str, Any]:
    """The payload through the bare server's straightforward receiver (its answers
    checked as the bare endpoint's are: ``204`` and the offset, so a chunk whose
    hash it disputes stops the bench); its file is deleted afterwards."""
    try:
        return patch_all(bare, f"/api/straightforward/{upload_id}", payload)
    finally:
        httpx.delete(f"http://127.0.0.1:{bare.port}/api/straightforward/{upload_id}")


def create_upload(server: Server, routing_id: int, name: str, payload: Payload) -> str:
    """``POST /api/uploads`` (tus creation) with the declared whole-file hash; the upload's path."""

    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    metadata = f"filename {b64(name)},routingId {b64(str(routing_id))},sha256 {b64(payload.sha256)}"
    response = httpx.post(
        f"http://127.0.0.1:{server.port}/api/uploads",
        headers={
            "Authorization": f"Bearer {server.token}",
            "Tus-Resumable": TUS,
            "Upload-Length": str(payload.size),
            "Upload-Metadata": metadata,
        },
        timeout=30,
    )
    if response.status_code != 201:
        raise BenchError(f"creation: {response.status_code} {response.text[:300]}")
    return response.headers["location"]


def wait_committed(server: Server, upload_id: str) -> dict[str, Any]:
    """Poll ``uploadSession`` until the upload is no longer on its way in."""
    started = time.perf_counter()
    deadline = time.monotonic() + COMMIT_TIMEOUT_SECONDS
    with httpx.Client(
        base_url=f"http://127.0.0.1:{server.port}",
        headers={"Authorization": f"Bearer {server.token}"},
        timeout=30,
    ) as client:
        while True:
            response = client.post(
                "/graphql", json={"query": UPLOAD_SESSION, "variables": {"id": upload_id}}
            )
            body = response.json()
            if body.get("errors"):
                raise BenchError(f"uploadSession: {body['errors']}")
            session = body["data"]["uploadSession"]
            if session["status"] not in ("RECEIVING", "VERIFYING", "SCANNING"):
                break
            if time.monotonic() > deadline:
                raise BenchError(f"upload {upload_id} still {session['status']}")
            time.sleep(0.05)
    if session["status"] != "COMMITTED":
        raise BenchError(f"upload {upload_id} ended {session['status']}: {session}")
    return {"seconds": round(time.perf_counter() - started, 2), **session}


def mcms_upload(
    server: Server, routing_id: int, name: str, payload: Payload, files_dir: Path
) -> dict[str, Any]:
    """One whole tus upload: creation, the PATCHes (RSS sampled), the commit."""
    before = cas_bytes(files_dir)
    path = create_upload(server, routing_id, name, payload)
    with RssSampler(server.pgid) as rss:
        run = patch_all(server, path, payload)
    run["rss"] = rss.result()
    run["rss_peak_mb"] = rss.peak_mb
    committed = wait_committed(server, path.rsplit("/", 1)[1])
    if committed["file"]["sha256"] != payload.sha256:
        raise BenchError(f"stored {committed['file']['sha256']}, sent {payload.sha256}")
    after = cas_bytes(files_dir)
    run["commit_seconds"] = committed["seconds"]
    run["file_id"] = committed["file"]["id"]
    run["cas_before"] = before
    run["cas_after"] = after
    run["stored_bytes_added"] = after["bytes"] - before["bytes"]
    run["allocated_bytes_added"] = after["allocated_bytes"] - before["allocated_bytes"]
    return run


# --- downloads --------------------------------------------------------------------------------


def download(server: Server, file_id: str, payload: Payload, *, verify: bool) -> dict[str, Any]:
    """``GET /api/files/{id}/content`` read to the end on one connection."""
    connection = Connection(server.port)
    digest = hashlib.sha256() if verify else None
    cpu = Cpu(server.pgid)
    started = time.perf_counter()
    try:
        connection.send(
            [
                (
                    f"GET /api/files/{file_id}/content HTTP/1.1\r\nHost: {connection.host}\r\n"
                    f"Authorization: Bearer {server.token}\r\n\r\n"
                ).encode("ascii")
            ]
        )
        answer = connection.head()
        first_byte = time.perf_counter() - started
        if answer.status != 200:
            raise BenchError(f"download: {answer.status} {answer.headers}")
        if answer.headers.get("x-checksum-sha256") != payload.sha256:
            raise BenchError(f"download announces {answer.headers.get('x-checksum-sha256')}")
        if answer.headers.get("content-length") != str(payload.size):
            raise BenchError(f"download Content-Length {answer.headers.get('content-length')}")
        connection.drain(payload.size, digest)
    finally:
        connection.close()
    seconds = time.perf_counter() - started
    if digest is not None and digest.hexdigest() != payload.sha256:
        raise BenchError(f"downloaded bytes hash to {digest.hexdigest()}")
    return {
        "bytes": payload.size,
        "seconds": round(seconds, 3),
        "mb_per_s": round(payload.size / seconds / MB, 1),
        "first_byte_ms": round(first_byte * 1000, 2),
        "verified_sha256": verify,
        "cpu": cpu.read(payload.size),
    }


def drop_cached_pages(path: Path) -> None:
    """Evict one file's pages from the page cache (no other file is touched)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def read_directly(path: Path) -> dict[str, Any]:
    """What one sequential reader gets (4 MiB ``pread``s), no server involved."""
    fd = os.open(path, os.O_RDONLY)
    buffer = bytearray(RECV_BYTES)
    total = 0
    started = time.perf_counter()
    try:
        while got := os.preadv(fd, [buffer], total):
            total += got
    finally:
        os.close(fd)
    seconds = time.perf_counter() - started
    speed = round(total / seconds / MB, 1)
    return {"bytes": total, "seconds": round(seconds, 3), "mb_per_s": speed}


def fresh_file_read(directory: Path, payload: Payload) -> dict[str, Any]:
    """A first read of bytes just written, no server involved: a file of the
    same size written as the store writes it (fsync every chunk, pages
    dropped), then read once. What a download right after an upload can hope
    for (on a VM where new page-cache pages are expensive, far below the disk)."""
    path = directory / "fresh-disk-read.bin"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        for offset, head, tail in payload.chunks():
            os.pwritev(fd, [head, tail], offset)
            os.fsync(fd)
            os.posix_fadvise(fd, offset, len(head) + len(tail), os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
    try:
        return read_directly(path)
    finally:
        path.unlink()


def downloads(
    server: Server, file_id: str, payload: Payload, files_dir: Path, *, verify: bool
) -> dict[str, Any]:
    """The committed file, downloaded: right after its upload (whatever the store
    left in the page cache), again (now cached), and from disk (its pages
    dropped), each next to a plain read loop doing such a read; then once more,
    hashed by the client."""
    blob = files_dir / "cas" / "sha256" / payload.sha256[:2] / payload.sha256
    out: dict[str, Any] = {"after_upload": download(server, file_id, payload, verify=False)}
    out["plain_read_fresh_file"] = fresh_file_read(files_dir.parent, payload)
    out["page_cache"] = download(server, file_id, payload, verify=False)
    drop_cached_pages(blob)
    out["plain_read_this_file"] = read_directly(blob)
    drop_cached_pages(blob)
    out["from_disk"] = download(server, file_id, payload, verify=False)
    if verify:
        out["verified"] = download(server, file_id, payload, verify=True)
    return out


# --- servers ----------------------------------------------------------------------------------


def pinned(command: list[str], cpus: str | None) -> list[str]:
    """``command`` on ``cpus`` (all of them if ``None``: this process may be pinned
    already, and a child inherits that)."""
    if shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", cpus or f"0-{(os.cpu_count() or 1) - 1}", *command]


@contextlib.contextmanager
def start(
    name: str, data_dir: Path, work_dir: Path, cpus: str | None, token: str
) -> Iterator[Server]:
    """``mcms serve`` or the bare endpoint on a free port, pinned to ``cpus``."""
    port = free_port()
    if name == "mcms":
        command = [sys.executable, "-m", "mcms", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(port)]
    else:
        straightforward_dir = work_dir / "straightforward"
        straightforward_dir.mkdir(exist_ok=True)
        command = [sys.executable, str(BENCH_DIR / "bare_uploads.py"), "--port", str(port)]
        command += ["--dir", str(straightforward_dir)]
    env = {k: v for k, v in os.environ.items() if not k.startswith("MCMS_")}
    env.update(
        MCMS_DATA_DIR=str(data_dir),
        MCMS_CONFIG=str(data_dir / "no-such-mcms.toml"),
        MCMS_HOST="127.0.0.1",
        MCMS_PORT=str(port),
        MCMS_WORKERS="1",
        MCMS_LOG_LEVEL="WARNING",
    )
    log = work_dir / f"{name}.log"
    with launched(pinned(command, cpus), env, port, work_dir, log) as (_, pgid):
        yield Server(name, port, pgid, token)


def disk_filesystem(path: Path) -> str:
    """The type of the file system ``path`` is on (from ``/proc/mounts``)."""
    best, kind = "", "unknown"
    resolved = str(path.resolve())
    with contextlib.suppress(OSError):
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            mount = parts[1]
            inside = resolved == mount or resolved.startswith(mount.rstrip("/") + "/")
            if inside and len(mount) > len(best):
                best, kind = mount, parts[2]
    return kind


# --- the run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    size: int
    big: int
    chunk: int
    rounds: int
    verify: bool
    straightforward: bool
    server_cpus: str | None
    client_cpu: int | None
    quiet_wait: float


def quiet(o: Options, what: str) -> dict[str, float]:
    print(f"-- {what}", flush=True)
    return wait_for_quiet(o.quiet_wait)


def run_rounds(
    mcms: Server, bare: Server, payload: Payload, routing_id: int, files_dir: Path, o: Options
) -> dict[str, Any]:
    out: dict[str, Any] = {"bare": [], "straightforward": [], "mcms": []}
    for number in range(1, o.rounds + 1):
        waited = quiet(o, f"round {number}: bare endpoint, {payload.size / GIB:g} GiB")
        bare_run = patch_all(bare, f"/api/uploads/bare-{number}", payload)
        bare_run["quiet"] = waited
        out["bare"].append(bare_run)
        print(f"   bare: {_upload_line(bare_run)}", flush=True)
        if o.straightforward:
            waited = quiet(o, f"round {number}: straightforward loop, {payload.size / GIB:g} GiB")
            plain = straightforward_upload(bare, f"straightforward-{number}", payload)
            plain["quiet"] = waited
            plain["ratio_to_bare"] = round(plain["mb_per_s"] / bare_run["mb_per_s"], 3)
            out["straightforward"].append(plain)
            print(f"   straightforward: {_upload_line(plain)}", flush=True)
        waited = quiet(o, f"round {number}: MCMS, {payload.size / GIB:g} GiB")
        run = mcms_upload(mcms, routing_id, "bench.bin", payload, files_dir)
        run["quiet"] = waited
        run["ratio_to_bare"] = round(run["mb_per_s"] / bare_run["mb_per_s"], 3)
        out["mcms"].append(run)
        print(f"   MCMS: {_upload_line(run)}; {_stored_line(run)}", flush=True)
        if number == 1:
            quiet(o, "downloads of the committed file")
            out["downloads"] = downloads(mcms, run["file_id"], payload, files_dir, verify=o.verify)
            for kind, result in out["downloads"].items():
                print(f"   {kind}: {_download_line(result)}", flush=True)
    return out


def run_big(mcms: Server, routing_id: int, block: bytes, files_dir: Path, o: Options) -> Any:
    print(f"-- hashing the {o.big / GIB:g} GiB file on the client", flush=True)
    payload = make_payload(o.big, o.chunk, 2, block)
    waited = quiet(o, f"big upload: MCMS, {o.big / GIB:g} GiB")
    run = mcms_upload(mcms, routing_id, "big.bin", payload, files_dir)
    run["quiet"] = waited
    print(f"   MCMS: {_upload_line(run)}; {_stored_line(run)}", flush=True)
    return run


def bench(o: Options, work_dir: Path) -> dict[str, Any]:
    data_dir = work_dir / "data"
    data_dir.mkdir()
    files_dir = data_dir / "files"
    seeded = asyncio.run(seed(data_dir, routings=2))
    block = os.urandom(o.chunk)
    t0 = time.perf_counter()
    payload = make_payload(o.size, o.chunk, 1, block)
    print(f"Hashed the {o.size / GIB:g} GiB file on the client in {time.perf_counter() - t0:.1f}s")
    token = seeded.token
    with (
        start("bare", data_dir, work_dir, o.server_cpus, token) as bare,
        start("mcms", data_dir, work_dir, o.server_cpus, token) as mcms,
    ):
        idle_kib = sum(status_kib(p, "VmRSS") for p in group_pids(mcms.pgid))
        out = run_rounds(mcms, bare, payload, seeded.routing_ids[0], files_dir, o)
        out["mcms_idle_rss_mb"] = round(idle_kib * 1024 / MB, 1)
        if o.big:
            out["big"] = run_big(mcms, seeded.routing_ids[1], block, files_dir, o)
    return out


# --- report -----------------------------------------------------------------------------------


def _upload_line(r: dict[str, Any]) -> str:
    line = (
        f"{r['mb_per_s']} MB/s ({r['seconds']} s, PATCH p50 {r['patch_ms']['p50']} ms, "
        f"p99 {r['patch_ms']['p99']} ms); cores: server {r['cpu']['server_cores']}, "
        f"client {r['cpu']['client_cores']}, kernel threads {r['cpu']['kernel_threads_cores']}, "
        f"others {r['cpu']['other_cores']}; CPU-ns/byte: server "
        f"{r['cpu']['server_cpu_ns_per_byte']}, kernel threads "
        f"{r['cpu']['kernel_threads_cpu_ns_per_byte']}"
    )
    if "rss" in r:
        line += f"; RSS peak {r['rss_peak_mb']} MB"
    return line


def _stored_line(r: dict[str, Any]) -> str:
    return f"committed in {r['commit_seconds']} s, {r['stored_bytes_added']} bytes added to cas/"


def _download_line(r: dict[str, Any]) -> str:
    if "cpu" not in r:
        return f"{r['mb_per_s']} MB/s ({r['seconds']} s)"
    return (
        f"{r['mb_per_s']} MB/s ({r['seconds']} s, first byte {r['first_byte_ms']} ms); "
        f"cores: server {r['cpu']['server_cores']}, client {r['cpu']['client_cores']}, "
        f"kernel threads {r['cpu']['kernel_threads_cores']}"
    )


DOWNLOADS = ("after_upload", "page_cache", "from_disk")
DOWNLOAD_LABELS = {
    "after_upload": "right after the upload",
    "plain_read_fresh_file": "a plain read loop, a file just written (no server)",
    "page_cache": "again (file in the page cache)",
    "plain_read_this_file": "a plain read loop, this file, pages dropped (no server)",
    "from_disk": "from disk (pages dropped)",
    "verified": "hashed by the client (not a target)",
}


def verdicts(out: dict[str, Any]) -> dict[str, Any]:
    best_bare = max(r["mb_per_s"] for r in out["bare"])
    best_mcms = max(r["mb_per_s"] for r in out["mcms"])
    ratio = best_mcms / best_bare
    rss = {"size": max(r["rss_peak_mb"] for r in out["mcms"])}
    if "big" in out:
        rss["big"] = out["big"]["rss_peak_mb"]
    added = [r["stored_bytes_added"] for r in out["mcms"][1:]]
    result: dict[str, Any] = {
        "ingest_ratio": {
            "mcms_mb_per_s": best_mcms,
            "bare_mb_per_s": best_bare,
            "ratio": round(ratio, 3),
            "target": TARGET_INGEST_RATIO,
            "met": ratio >= TARGET_INGEST_RATIO,
        },
        "rss": {
            "peak_mb": rss,
            "target_mb": TARGET_RSS_MB,
            "met": max(rss.values()) < TARGET_RSS_MB,
        },
        "dedup": {
            "bytes_added_by_reuploads": added,
            "target": TARGET_DEDUP_ADDED_BYTES,
            "met": bool(added) and all(a == TARGET_DEDUP_ADDED_BYTES for a in added),
        },
    }
    for kind in DOWNLOADS:
        speed = out["downloads"][kind]["mb_per_s"]
        result[f"download_{kind}"] = {
            "mb_per_s": speed,
            "target": TARGET_DOWNLOAD_MB_PER_S,
            "met": speed >= TARGET_DOWNLOAD_MB_PER_S,
        }
    return result


def _mark(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def print_uploads(out: dict[str, Any], o: Options) -> None:
    size = f"{o.size / GIB:g} GiB"
    print("| Upload | round | MB/s | PATCH p50 / p99 ms | server cores | server CPU-ns/B "
          "| kernel threads CPU-ns/B | client cores | other processes | RSS peak MB "
          "| added to cas/ |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = [("bare endpoint, " + size, n + 1, r) for n, r in enumerate(out["bare"])]
    rows += [
        ("straightforward loop (reference), " + size, n + 1, r)
        for n, r in enumerate(out["straightforward"])
    ]
    rows += [("MCMS, " + size, n + 1, r) for n, r in enumerate(out["mcms"])]
    if "big" in out:
        rows.append((f"MCMS, {o.big / GIB:g} GiB", 1, out["big"]))
    for label, number, r in rows:
        c = r["cpu"]
        added = f"{r['stored_bytes_added']:,} B" if "stored_bytes_added" in r else "-"
        print(
            f"| {label} | {number} | {r['mb_per_s']} | {r['patch_ms']['p50']} / "
            f"{r['patch_ms']['p99']} | {c['server_cores']} | {c['server_cpu_ns_per_byte']} "
            f"| {c['kernel_threads_cpu_ns_per_byte']} | {c['client_cores']} "
            f"| {c['other_cores']} | {r.get('rss_peak_mb', '-')} | {added} |"
        )


def print_downloads(out: dict[str, Any]) -> None:
    print("| Download | MB/s | first byte ms | server cores | client cores |")
    print("|---|---|---|---|---|")
    for kind, r in out["downloads"].items():
        c = r.get("cpu")
        cells = (
            f"{r['first_byte_ms']} | {c['server_cores']} | {c['client_cores']}"
            if c
            else "- | - | -"
        )
        print(f"| {DOWNLOAD_LABELS[kind]} | {r['mb_per_s']} | {cells} |")


def print_verdicts(out: dict[str, Any], v: dict[str, Any]) -> None:
    i, rss, dd = v["ingest_ratio"], v["rss"], v["dedup"]
    rss_text = ", ".join(f"{k} upload {mb} MB" for k, mb in rss["peak_mb"].items())
    print("| Target | Measured | Verdict |")
    print("|---|---|---|")
    print(
        f"| ingest ≥ {i['target']:.0%} of the bare endpoint | {i['mcms_mb_per_s']} / "
        f"{i['bare_mb_per_s']} MB/s = {i['ratio']:.1%} | {_mark(i['met'])} |"
    )
    if out["straightforward"]:
        plain = max(r["mb_per_s"] for r in out["straightforward"])
        print(
            f"| (reference, no target) the straightforward loop | {plain} / "
            f"{i['bare_mb_per_s']} MB/s = {plain / i['bare_mb_per_s']:.1%} | - |"
        )
    print(f"| server RSS < {rss['target_mb']:g} MB | {rss_text} | {_mark(rss['met'])} |")
    disk = {
        "after_upload": out["downloads"]["plain_read_fresh_file"]["mb_per_s"],
        "from_disk": out["downloads"]["plain_read_this_file"]["mb_per_s"],
    }
    for kind in DOWNLOADS:
        d = v[f"download_{kind}"]
        note = f" (a plain read loop: {disk[kind]} MB/s)" if kind in disk else ""
        print(
            f"| download {DOWNLOAD_LABELS[kind]} ≥ {d['target']:g} MB/s | "
            f"{d['mb_per_s']} MB/s{note} | {_mark(d['met'])} |"
        )
    print(
        f"| re-upload adds {dd['target']} bytes | {dd['bytes_added_by_reuploads']} "
        f"| {_mark(dd['met'])} |"
    )


def print_table(out: dict[str, Any], verdict: dict[str, Any], o: Options) -> None:
    print()
    print_uploads(out, o)
    print()
    print_downloads(out)
    print()
    print_verdicts(out, verdict)


def _check_room(parser: argparse.ArgumentParser, work_root: Path, o: Options) -> None:
    kind = disk_filesystem(work_root)
    if kind in ("tmpfs", "ramfs"):
        parser.error(f"{work_root} is on {kind}: the bytes would sit in RAM; pass --tmp-dir")
    # The blob, a re-upload's part file or the fresh-read file, the big upload, headroom.
    needed = 3 * o.size + o.big + GIB
    free = shutil.disk_usage(work_root).free
    if free < needed:
        parser.error(f"{work_root} has {free / GIB:.1f} GiB free; the run needs {needed / GIB:.1f}")


def _default_tmp() -> str:
    default = Path(tempfile.gettempdir())
    on_disk = disk_filesystem(default) not in ("tmpfs", "ramfs")
    return str(default if on_disk else "/var/tmp")  # noqa: S108 - the bench's own mkdtemp


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of large uploads and downloads.")
    parser.add_argument("--size-gib", type=float, default=2.0, help="the file of the rounds")
    parser.add_argument(
        "--big-gib", type=float, default=20.0, help="one more MCMS upload (RSS); 0 skips it"
    )
    parser.add_argument("--chunk-mib", type=float, default=10.0, help="bytes per PATCH")
    parser.add_argument(
        "--rounds", type=int, default=2, help="bare + MCMS uploads; rounds after the first "
        "re-upload identical bytes (at least 2)",
    )  # fmt: skip
    parser.add_argument("--no-verify", action="store_true", help="skip the hashed download")
    parser.add_argument(
        "--no-straightforward",
        action="store_true",
        help="skip the straightforward hash + write + fsync loop (a reference, no target)",
    )
    parser.add_argument(
        "--server-cpus", default="0", help="taskset CPU list of the servers; 'none': unpinned"
    )
    parser.add_argument(
        "--client-cpu", default="1", help="the CPU this process (the client) runs on; 'none'"
    )
    parser.add_argument("--tmp-dir", default=_default_tmp(), help="on a disk, not tmpfs")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=30.0,
        help="seconds to wait for other processes to leave the CPUs before each phase",
    )
    args = parser.parse_args(argv)
    if args.rounds < 2:
        parser.error("--rounds must be at least 2 (the second round is the re-upload)")
    o = Options(
        size=int(args.size_gib * GIB),
        big=int(args.big_gib * GIB),
        chunk=int(args.chunk_mib * MIB),
        rounds=args.rounds,
        verify=not args.no_verify,
        straightforward=not args.no_straightforward,
        server_cpus=None if args.server_cpus == "none" else args.server_cpus,
        client_cpu=None if args.client_cpu == "none" else int(args.client_cpu),
        quiet_wait=args.quiet_wait,
    )
    if o.size < o.chunk or o.chunk <= STAMP_BYTES:
        parser.error("--size-gib must hold at least one chunk")
    work_root = Path(args.tmp_dir)
    _check_room(parser, work_root, o)
    if o.client_cpu is not None:
        os.sched_setaffinity(0, {o.client_cpu})
    started = datetime.now(UTC)
    info = {
        **shared_machine(BENCH_PACKAGES),
        "pinning": f"servers on CPU(s) {o.server_cpus or 'any'} (taskset); "
        f"client (this process) on CPU {o.client_cpu if o.client_cpu is not None else 'any'}",
        "work_dir_filesystem": disk_filesystem(work_root),
    }
    print(
        f"Machine: {info['nproc']} CPUs ({info['cpu_model']}), Python {info['python']}, "
        f"commit {info['git']['commit'][:10]}{' (dirty)' if info['git']['dirty'] else ''}; "
        f"{info['pinning']}; data in {work_root} ({info['work_dir_filesystem']})"
    )
    work_dir = Path(tempfile.mkdtemp(prefix="mcms-bench-uploads-", dir=work_root))
    try:
        out = bench(o, work_dir)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    verdict = verdicts(out)
    print_table(out, verdict, o)
    result = {
        "benchmark": "uploads",
        "started_at": started.isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": info,
        "options": o.__dict__,
        "targets": {
            "ingest_ratio_min": TARGET_INGEST_RATIO,
            "rss_mb_max": TARGET_RSS_MB,
            "download_mb_per_s_min": TARGET_DOWNLOAD_MB_PER_S,
            "dedup_added_bytes": TARGET_DEDUP_ADDED_BYTES,
        },
        "results": out,
        "verdicts": verdict,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"uploads-{stamp}.json"
    text = json.dumps(_without_nan(result), indent=2, allow_nan=False) + "\n"
    path.write_text(text, encoding="utf-8")
    (RESULTS_DIR / "uploads-latest.json").write_text(text, encoding="utf-8")
    print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

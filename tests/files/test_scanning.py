"""Virus scanning against the real clamd (tests/files/clamd.py) and a real
HTTP AV API served by uvicorn in a thread."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mcms.files.enums import ScanStatus
from mcms.files.scanning import (
    CLAMD_MAX_BYTES,
    ClamdScanner,
    HttpScanner,
    NoScanner,
    ScanVerdict,
    scanner_from_url,
    validate_url,
)
from tests.files.clamd import REPORTED_SIGNATURE, STREAM_MAX_BYTES, eicar
from tests.servers import serving_in_thread

MiB = 1024 * 1024
FAST = (0.0, 0.0)
"""Retry delays for the tests: three tries, no waiting."""


def write(tmp_path: Path, data: bytes, name: str = "file.bin") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def big_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "big.bin"
    with path.open("wb") as file:
        for _ in range(size // MiB):
            file.write(os.urandom(MiB))
        file.write(os.urandom(size % MiB))
    return path


def clamd(url: str, *, max_bytes: int | None = None, timeout_seconds: float = 60) -> ClamdScanner:
    host, _, port = url.removeprefix("clamd://").rpartition(":")
    return ClamdScanner(
        host, int(port), max_bytes=max_bytes, timeout_seconds=timeout_seconds, retry_delays=FAST
    )


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: nothing listens there


# --- a stand-in clamd, for what the real one cannot be made to do -----------

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@dataclass
class FakeClamd:
    port: int
    connections: int = 0
    chunks: list[bytes] = field(default_factory=list)


@pytest.fixture
async def fake_clamd(request: pytest.FixtureRequest) -> AsyncIterator[FakeClamd]:
    """A TCP server playing clamd with the handler given by ``indirect`` param."""
    behaviour: Callable[[FakeClamd], Handler] = request.param
    fake = FakeClamd(port=0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        fake.connections += 1
        try:
            await behaviour(fake)(reader, writer)
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    fake.port = server.sockets[0].getsockname()[1]
    async with server:
        yield fake


def recording(fake: FakeClamd) -> Handler:
    """Parses INSTREAM framing into ``fake.chunks`` and answers OK."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        assert await reader.readexactly(10) == b"zINSTREAM\0"
        while length := struct.unpack(">I", await reader.readexactly(4))[0]:
            fake.chunks.append(await reader.readexactly(length))
        writer.write(b"stream: OK\0")
        await writer.drain()

    return handle


def hanging_up(fake: FakeClamd) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pass  # accept, then close without a word

    return handle


def silent(fake: FakeClamd) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # takes everything, never answers

    return handle


def babbling(fake: FakeClamd) -> Handler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"hello there\0")
        await writer.drain()

    return handle


# --- clamd --------------------------------------------------------------------


async def test_clean_file_is_clean(clamd_url: str, tmp_path: Path) -> None:
    scanner = scanner_from_url(clamd_url)

    verdict = await scanner.scan(write(tmp_path, b"G1 X10 Y20\n"), 11)

    assert verdict == ScanVerdict(ScanStatus.CLEAN, "", clamd_url)


async def test_eicar_is_quarantined_with_its_signature(clamd_url: str, tmp_path: Path) -> None:
    verdict = await scanner_from_url(clamd_url).scan(write(tmp_path, eicar()), len(eicar()))

    assert verdict == ScanVerdict(ScanStatus.QUARANTINED, REPORTED_SIGNATURE, clamd_url)


async def test_only_the_given_size_is_scanned(clamd_url: str, tmp_path: Path) -> None:
    # A part file may hold more than its acknowledged bytes; EICAR is the first 68.
    path = write(tmp_path, eicar() + b"trailing bytes not yet committed")

    verdict = await scanner_from_url(clamd_url).scan(path, len(eicar()))

    assert verdict.status is ScanStatus.QUARANTINED


async def test_multi_mib_file_is_scanned(clamd_url: str, tmp_path: Path) -> None:
    size = 8 * MiB + 123

    verdict = await scanner_from_url(clamd_url).scan(big_file(tmp_path, size), size)

    assert verdict.status is ScanStatus.CLEAN


@pytest.mark.parametrize("fake_clamd", [recording], indirect=True)
async def test_file_streams_in_1_mib_chunks(fake_clamd: FakeClamd, tmp_path: Path) -> None:
    size = 3 * MiB + 5
    path = big_file(tmp_path, size)

    verdict = await clamd(f"clamd://127.0.0.1:{fake_clamd.port}").scan(path, size)

    assert verdict.status is ScanStatus.CLEAN
    assert [len(c) for c in fake_clamd.chunks] == [MiB, MiB, MiB, 5]
    assert b"".join(fake_clamd.chunks) == path.read_bytes()


async def test_over_clamds_stream_limit_fails(clamd_url: str, tmp_path: Path) -> None:
    size = STREAM_MAX_BYTES + 2 * MiB

    verdict = await clamd(clamd_url).scan(big_file(tmp_path, size), size)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail == "over the scanner's limit (clamd: INSTREAM size limit exceeded)"


@pytest.mark.parametrize("fake_clamd", [recording], indirect=True)
async def test_over_max_bytes_fails_without_contacting(
    fake_clamd: FakeClamd, tmp_path: Path
) -> None:
    scanner = clamd(f"clamd://127.0.0.1:{fake_clamd.port}", max_bytes=10)

    verdict = await scanner.scan(write(tmp_path, b"eleven byte"), 11)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail == "over the scanner's limit (11 bytes > 10 bytes)"
    assert fake_clamd.connections == 0


def test_clamd_limit_defaults_to_just_under_2_gib() -> None:
    assert CLAMD_MAX_BYTES == 2**31 - 1
    assert scanner_from_url("clamd://av:3310").max_bytes == CLAMD_MAX_BYTES
    assert scanner_from_url("clamd://av:3310", max_bytes=2**40).max_bytes == CLAMD_MAX_BYTES
    assert scanner_from_url("clamd://av:3310", max_bytes=5 * MiB).max_bytes == 5 * MiB


async def test_scanner_down_fails_after_three_tries(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    scanner = clamd(f"clamd://127.0.0.1:{dead_port()}")

    with caplog.at_level(logging.WARNING, "mcms.files.scanning"):
        verdict = await scanner.scan(write(tmp_path, b"data"), 4)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail.startswith("scanner unreachable: ")
    assert "refused" in verdict.detail.lower()
    assert sum("retrying" in r.message for r in caplog.records) == 2


@pytest.mark.parametrize("fake_clamd", [hanging_up], indirect=True)
async def test_connection_closed_is_retried(fake_clamd: FakeClamd, tmp_path: Path) -> None:
    verdict = await clamd(f"clamd://127.0.0.1:{fake_clamd.port}").scan(write(tmp_path, b"x"), 1)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail.startswith("scanner unreachable: ")
    assert fake_clamd.connections == 3


@pytest.mark.parametrize("fake_clamd", [silent], indirect=True)
async def test_no_answer_times_out(fake_clamd: FakeClamd, tmp_path: Path) -> None:
    scanner = clamd(f"clamd://127.0.0.1:{fake_clamd.port}", timeout_seconds=0.2)

    verdict = await scanner.scan(write(tmp_path, b"x"), 1)

    assert verdict == ScanVerdict(
        ScanStatus.SCAN_FAILED, "scanner unreachable: no verdict within 0.2 s", scanner.name
    )
    assert fake_clamd.connections == 3


@pytest.mark.parametrize("fake_clamd", [babbling], indirect=True)
async def test_unexpected_answer_fails_once(fake_clamd: FakeClamd, tmp_path: Path) -> None:
    verdict = await clamd(f"clamd://127.0.0.1:{fake_clamd.port}").scan(write(tmp_path, b"x"), 1)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail == "unexpected answer from clamd: 'hello there'"
    assert fake_clamd.connections == 1


async def test_missing_file_raises(clamd_url: str, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        await scanner_from_url(clamd_url).scan(tmp_path / "gone.bin", 10)


async def test_file_shorter_than_size_raises(clamd_url: str, tmp_path: Path) -> None:
    with pytest.raises(OSError, match="fewer than"):
        await scanner_from_url(clamd_url).scan(write(tmp_path, b"short"), 10)


async def test_ping(clamd_url: str) -> None:
    assert await clamd(clamd_url).ping()
    assert not await clamd(f"clamd://127.0.0.1:{dead_port()}").ping()


# --- the HTTP AV API -----------------------------------------------------------


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    pieces: int


class AvApi:
    """A small AV HTTP API: ``/scan`` looks for EICAR, the others misbehave."""

    def __init__(self) -> None:
        self.url = ""
        self.received: list[Received] = []
        self.app = Starlette(routes=[Route("/{kind}", self.answer, methods=["POST"])])

    async def answer(self, request: Request) -> Response:
        pieces = [piece async for piece in request.stream() if piece]
        body = b"".join(pieces)
        self.received.append(Received(request.url.path, dict(request.headers), body, len(pieces)))
        kind = request.path_params["kind"]
        if kind == "slow":
            await asyncio.sleep(1.0)
        if kind in ("broken", "unavailable"):
            return PlainTextResponse("oops", status_code=500 if kind == "broken" else 503)
        if kind == "garbage":
            return PlainTextResponse("<html>not json</html>")
        return JSONResponse(self.verdict(kind, body))

    @staticmethod
    def verdict(kind: str, body: bytes) -> object:
        if kind == "failing":
            return {"verdict": "error", "message": "archive is encrypted"}
        if kind == "odd":
            return {"verdict": "maybe"}
        if kind == "list":
            return ["clean"]
        if eicar() in body:
            return {"verdict": "infected", "signature": "Test.EICAR"}
        return {"verdict": "clean", "extra": "ignored"}


@pytest.fixture(scope="module")
def av_api() -> Iterator[AvApi]:
    """The API served by uvicorn in a thread (its own loop; no signal handlers)."""
    api = AvApi()
    with serving_in_thread(api.app, timeout_graceful_shutdown=2) as address:
        api.url = f"http://{address}"
        yield api


@pytest.fixture
def api(av_api: AvApi) -> AvApi:
    """The module's API, with the requests of earlier tests forgotten."""
    av_api.received.clear()
    return av_api


def http(url: str, *, max_bytes: int | None = None, timeout_seconds: float = 60) -> HttpScanner:
    return HttpScanner(url, max_bytes=max_bytes, timeout_seconds=timeout_seconds, retry_delays=FAST)


async def test_http_clean(api: AvApi, tmp_path: Path) -> None:
    scanner = http(f"{api.url}/scan")

    verdict = await scanner.scan(write(tmp_path, b"G1 X10\n"), 7)

    assert verdict == ScanVerdict(ScanStatus.CLEAN, "", f"{api.url}/scan")
    [request] = api.received
    assert request.body == b"G1 X10\n"
    assert request.headers["content-type"] == "application/octet-stream"
    assert request.headers["content-length"] == "7"
    assert "transfer-encoding" not in request.headers


async def test_http_infected(api: AvApi, tmp_path: Path) -> None:
    verdict = await http(f"{api.url}/scan").scan(write(tmp_path, eicar()), len(eicar()))

    assert verdict.status is ScanStatus.QUARANTINED
    assert verdict.detail == "Test.EICAR"


async def test_http_streams_big_file(api: AvApi, tmp_path: Path) -> None:
    size = 6 * MiB + 1
    path = big_file(tmp_path, size)

    verdict = await http(f"{api.url}/scan").scan(path, size)

    assert verdict.status is ScanStatus.CLEAN
    [request] = api.received
    assert request.body == path.read_bytes()
    assert request.pieces > 1


@pytest.mark.parametrize(
    ("path", "detail", "requests"),
    [
        ("/broken", "scanner answered HTTP 500", 1),
        ("/garbage", "scanner answered with something that is not JSON", 1),
        ("/list", "scanner answered with JSON that is not an object", 1),
        ("/failing", "scanner error: archive is encrypted", 1),
        ("/odd", "scanner answered an unknown verdict: 'maybe'", 1),
        ("/unavailable", "scanner unreachable: HTTP 503", 3),
    ],
)
async def test_http_misbehaving_api_fails(
    api: AvApi,
    tmp_path: Path,
    path: str,
    detail: str,
    requests: int,
) -> None:
    verdict = await http(api.url + path).scan(write(tmp_path, b"data"), 4)

    assert (verdict.status, verdict.detail) == (ScanStatus.SCAN_FAILED, detail)
    assert len(api.received) == requests


async def test_http_slow_answer_times_out(api: AvApi, tmp_path: Path) -> None:
    scanner = http(f"{api.url}/slow", timeout_seconds=0.2)

    verdict = await scanner.scan(write(tmp_path, b"data"), 4)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail.startswith("scanner unreachable: ")
    assert "timeout" in verdict.detail.lower() or "within 0.2 s" in verdict.detail


async def test_http_down_fails_after_retries(tmp_path: Path) -> None:
    scanner = HttpScanner(f"http://127.0.0.1:{dead_port()}/scan", retry_delays=FAST)

    verdict = await scanner.scan(write(tmp_path, b"data"), 4)

    assert verdict.status is ScanStatus.SCAN_FAILED
    assert verdict.detail.startswith("scanner unreachable: ConnectError")


async def test_http_over_max_bytes(api: AvApi, tmp_path: Path) -> None:
    verdict = await http(f"{api.url}/scan", max_bytes=3).scan(write(tmp_path, b"data"), 4)

    assert verdict.detail == "over the scanner's limit (4 bytes > 3 bytes)"
    assert api.received == []


async def test_http_credentials_are_sent_but_never_shown(api: AvApi, tmp_path: Path) -> None:
    url = api.url.replace("http://", "http://mcms:s3cret@") + "/scan?key=k3y"
    scanner = scanner_from_url(url)

    verdict = await scanner.scan(write(tmp_path, b"data"), 4)

    assert verdict.scanner == f"{api.url}/scan"
    assert api.received[0].headers["authorization"].startswith("Basic ")
    down = HttpScanner(f"http://u:s3cret@127.0.0.1:{dead_port()}/", retry_delays=FAST)
    failed = await down.scan(write(tmp_path, b"data"), 4)
    assert "s3cret" not in failed.detail + failed.scanner


# --- none, URLs ----------------------------------------------------------------


async def test_none_skips(tmp_path: Path) -> None:
    scanner = scanner_from_url("none")

    verdict = await scanner.scan(tmp_path / "not even there", 1)

    assert isinstance(scanner, NoScanner)
    assert verdict == ScanVerdict(ScanStatus.SKIPPED, "", "none")


@pytest.mark.parametrize(
    "url",
    ["none", "NONE", "clamd://127.0.0.1:3310", "clamd://av.local", "clamd://[::1]:3310",
     "http://av.example/scan", "https://u:p@av.example:8443/v1/scan?key=1"],
)  # fmt: skip
def test_validate_url_accepts(url: str) -> None:
    assert validate_url(url) == url


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("", "must be clamd://host:port, http(s)://host/path or none"),
        ("ftp://u:hunter2@host/", "got scheme 'ftp'"),
        ("admin:hunter2@av.example", "no recognisable scheme"),
        ("clamd://", "needs a host"),
        ("clamd://av:notaport", "port is not a number"),
        ("clamd://av:0", "port from 1 to 65535"),
        ("clamd://u:hunter2@av:3310", "takes no credentials"),
        ("clamd://av:3310/scan", "takes no path"),
        ("https://:hunter2@/scan", "needs a host"),
    ],
)
def test_validate_url_refuses(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        validate_url(url)

    assert "hunter2" not in str(raised.value)


def test_scanner_from_url_names() -> None:
    assert scanner_from_url("clamd://av.local").name == "clamd://av.local:3310"
    assert scanner_from_url("clamd://[::1]:3311").name == "clamd://[::1]:3311"
    assert scanner_from_url("https://u:p@AV.example:8443/scan?k=1").name == (
        "https://av.example:8443/scan"
    )
    assert scanner_from_url("https://av.example/scan").max_bytes is None


def test_answers_are_clipped() -> None:
    from mcms.files.scanning._http import verdict_from_answer

    verdict = verdict_from_answer({"verdict": "error", "message": "x\n" * 1000}, "s")

    assert len(verdict.detail) == 500
    assert "\n" not in verdict.detail

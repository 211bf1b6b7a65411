"""The download response: headers, Range/If-Range, Content-Disposition and streaming.

Driven through a one-route Starlette app (``blob_response`` on a temp file),
in process with httpx's ASGI transport, raw ASGI where the messages themselves
matter, and once through a real uvicorn server on a free port.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import Message, Scope

from mcms.files.download import (
    CHUNK_BYTES,
    Blob,
    BlobUnreadable,
    blob_response,
    content_disposition,
    parse_range,
)
from tests.servers import serving

SIZE = 1000
DATA = bytes(range(256)) * 3 + bytes(range(232))
assert len(DATA) == SIZE


# -- harness -------------------------------------------------------------------------


@dataclass
class Downloads:
    """One route, ``GET|HEAD /blob``, serving whatever blob was last put."""

    directory: Path
    blob: Blob | None = None
    max_ranges: int = 16
    verify_digest: bool = False
    app: Starlette = field(init=False)

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route("/blob", self._content, methods=["GET", "HEAD"])])

    def put(self, data: bytes, filename: str = "part.esp", **extra: Any) -> Blob:
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.directory / sha256
        path.write_bytes(data)
        self.blob = Blob(path=path, size=len(data), sha256=sha256, filename=filename, **extra)
        return self.blob

    async def _content(self, request: Request) -> Response:
        assert self.blob is not None
        return blob_response(
            request, self.blob, max_ranges=self.max_ranges, verify_digest=self.verify_digest
        )


@pytest.fixture
def downloads(tmp_path: Path) -> Downloads:
    harness = Downloads(tmp_path)
    harness.put(DATA)
    return harness


@pytest.fixture
async def http(downloads: Downloads) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=downloads.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@dataclass
class AsgiCall:
    """The messages one raw ASGI call sent, for what httpx hides."""

    messages: list[Message] = field(default_factory=list)

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.messages if m["type"].endswith("body"))

    @property
    def complete(self) -> bool:
        last = self.messages[-1]
        return last["type"] == "http.response.pathsend" or last.get("more_body") is False


async def call_asgi(
    downloads: Downloads,
    headers: dict[str, str] | None = None,
    *,
    extensions: dict[str, Any] | None = None,
    on_body: Callable[[AsgiCall], Awaitable[None]] | None = None,
    disconnected: asyncio.Event | None = None,
) -> AsgiCall:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/blob",
        "raw_path": b"/blob",
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "server": ("testserver", 80),
        "extensions": extensions or {},
    }
    call = AsgiCall()
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await (disconnected or asyncio.Event()).wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        call.messages.append(message)
        if message["type"] == "http.response.body" and on_body is not None:
            await on_body(call)

    await downloads.app(scope, receive, send)
    return call


def parse_multipart(response: httpx.Response) -> list[tuple[dict[str, str], bytes]]:
    """The parts of a ``multipart/byteranges`` body, each (headers, bytes)."""
    match = re.fullmatch(r"multipart/byteranges; boundary=(\S+)", response.headers["content-type"])
    assert match is not None
    delimiter = b"--" + match[1].encode()
    body = response.content
    assert body.endswith(b"\r\n" + delimiter + b"--\r\n")
    parts = []
    for raw in body[: -len(delimiter) - 6].split(b"\r\n" + delimiter + b"\r\n"):
        raw = raw.removeprefix(delimiter + b"\r\n")
        head, _, content = raw.partition(b"\r\n\r\n")
        lines = head.decode("ascii").split("\r\n")
        parts.append(({k.lower(): v for k, _, v in (ln.partition(": ") for ln in lines)}, content))
    return parts


def disposition_names(header: str) -> tuple[str, str]:
    """(``filename``, decoded ``filename*``) of a Content-Disposition we wrote."""
    match = re.fullmatch(r'attachment; filename="([^"\\]*)"; filename\*=UTF-8\'\'(\S+)', header)
    assert match is not None, header
    return match[1], unquote(match[2], errors="strict")


# -- whole file ----------------------------------------------------------------------


async def test_get_sends_the_whole_file_with_its_headers(http: httpx.AsyncClient) -> None:
    response = await http.get("/blob")

    assert response.status_code == 200
    assert response.content == DATA
    digest = hashlib.sha256(DATA)
    assert response.headers["etag"] == f'"{digest.hexdigest()}"'
    assert response.headers["repr-digest"] == (
        f"sha-256=:{base64.b64encode(digest.digest()).decode()}:"
    )
    assert response.headers["x-checksum-sha256"] == digest.hexdigest()
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"part.esp\"; filename*=UTF-8''part.esp"
    )
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-length"] == str(SIZE)
    assert "content-range" not in response.headers


async def test_head_sends_the_same_headers_and_no_body(http: httpx.AsyncClient) -> None:
    get = await http.get("/blob")
    head = await http.head("/blob")

    assert head.status_code == 200
    assert head.content == b""
    assert head.headers == get.headers


async def test_the_content_type_is_the_blobs_unless_it_could_break_the_header(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    downloads.put(DATA, content_type="text/plain; charset=utf-8")
    assert (await http.get("/blob")).headers["content-type"] == "text/plain; charset=utf-8"

    downloads.put(DATA, content_type="text/html\r\nSet-Cookie: a=b")
    response = await http.get("/blob")

    assert response.headers["content-type"] == "application/octet-stream"
    assert "set-cookie" not in response.headers


async def test_an_empty_file_is_served_and_no_range_of_it_is_satisfiable(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    downloads.put(b"")

    whole = await http.get("/blob")
    ranged = await http.get("/blob", headers={"Range": "bytes=0-"})
    suffix = await http.get("/blob", headers={"Range": "bytes=-1"})

    assert whole.status_code == 200
    assert whole.content == b""
    assert whole.headers["content-length"] == "0"
    assert whole.headers["etag"] == f'"{hashlib.sha256(b"").hexdigest()}"'
    for response in (ranged, suffix):
        assert response.status_code == 416
        assert response.headers["content-range"] == "bytes */0"


# -- single ranges -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("range_header", "start", "end"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-10", 10, 10),
        ("bytes=-500", 500, 999),
        ("bytes=-5000", 0, 999),
        ("bytes=100-", 100, 999),
        ("bytes=990-5000", 990, 999),
        ("bytes=999-99999999999999999999999999", 999, 999),
        ("BYTES=0-0", 0, 0),
        ("bytes= 5-6 ,", 5, 6),
        ("bytes=0-9,10-19", 0, 19),
        ("bytes=0-9,5-7", 0, 9),
        ("bytes=5000-6000,0-1", 0, 1),
    ],
)
async def test_one_range_is_sent_as_a_single_part(
    http: httpx.AsyncClient, range_header: str, start: int, end: int
) -> None:
    response = await http.get("/blob", headers={"Range": range_header})

    assert response.status_code == 206
    assert response.content == DATA[start : end + 1]
    assert response.headers["content-range"] == f"bytes {start}-{end}/{SIZE}"
    assert response.headers["content-length"] == str(end - start + 1)
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["etag"] == f'"{hashlib.sha256(DATA).hexdigest()}"'
    assert response.headers["repr-digest"].startswith("sha-256=:")


async def test_head_with_a_range_sends_the_partial_headers_only(http: httpx.AsyncClient) -> None:
    response = await http.head("/blob", headers={"Range": "bytes=-10"})

    assert response.status_code == 206
    assert response.content == b""
    assert response.headers["content-range"] == f"bytes 990-999/{SIZE}"
    assert response.headers["content-length"] == "10"


# -- several ranges ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("range_header", "expected"),
    [
        ("bytes=0-9,20-29,-5", [(0, 9), (20, 29), (995, 999)]),
        # Overlapping and adjacent ranges merge, where the first of them was asked for.
        ("bytes=500-509,0-9,5-14,15-19", [(500, 509), (0, 19)]),
        ("bytes=900-,0-0,950-960", [(900, 999), (0, 0)]),
    ],
)
async def test_several_ranges_are_sent_as_multipart_byteranges(
    http: httpx.AsyncClient, range_header: str, expected: list[tuple[int, int]]
) -> None:
    response = await http.get("/blob", headers={"Range": range_header})

    assert response.status_code == 206
    assert "content-range" not in response.headers
    assert response.headers["content-length"] == str(len(response.content))
    parts = parse_multipart(response)
    assert [
        (headers["content-type"], headers["content-range"], content) for headers, content in parts
    ] == [
        ("application/octet-stream", f"bytes {a}-{b}/{SIZE}", DATA[a : b + 1]) for a, b in expected
    ]


async def test_head_with_several_ranges_announces_the_get_length(http: httpx.AsyncClient) -> None:
    ranges = {"Range": "bytes=0-9,20-29"}

    head = await http.head("/blob", headers=ranges)
    get = await http.get("/blob", headers=ranges)

    assert head.status_code == 206
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"].startswith("multipart/byteranges; boundary=")


# -- refused and ignored ranges ------------------------------------------------------


@pytest.mark.parametrize(
    "range_header", ["bytes=1000-", "bytes=5000-6000", "bytes=-0", "bytes=1000-1001,2000-"]
)
async def test_ranges_outside_the_file_are_not_satisfiable(
    http: httpx.AsyncClient, range_header: str
) -> None:
    response = await http.get("/blob", headers={"Range": range_header})

    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{SIZE}"
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["error"]["code"] == "INVALID_ARGUMENT"


@pytest.mark.parametrize(
    "range_header",
    [
        "items=0-1",
        "bytes",
        "bytes=",
        "bytes=,",
        "bytes=-",
        "bytes=abc",
        "bytes=5-1",
        "bytes=1-2-3",
        "bytes=0-1,x",
        "bytes=0-1,5-2",
        "bytes=0x10-20",
        "bytes=+1-2",
        "bytes 0-1",
    ],
)
async def test_an_invalid_range_header_is_ignored(
    http: httpx.AsyncClient, range_header: str
) -> None:
    response = await http.get("/blob", headers={"Range": range_header})

    assert response.status_code == 200
    assert response.content == DATA


async def test_more_ranges_than_the_cap_are_refused(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    sixteen = ",".join(f"{i * 10}-{i * 10 + 1}" for i in range(16))
    seventeen = f"{sixteen},500-501"

    allowed = await http.get("/blob", headers={"Range": f"bytes={sixteen}"})
    refused = await http.get("/blob", headers={"Range": f"bytes={seventeen}"})
    downloads.max_ranges = 1
    capped = await http.get("/blob", headers={"Range": "bytes=0-1,5-6"})

    assert allowed.status_code == 206
    assert len(parse_multipart(allowed)) == 16
    for response in (refused, capped):
        assert response.status_code == 416
        assert response.headers["content-range"] == f"bytes */{SIZE}"


async def test_overlapping_ranges_cannot_amplify_the_body(http: httpx.AsyncClient) -> None:
    response = await http.get("/blob", headers={"Range": "bytes=" + ",".join(["0-"] * 16)})

    assert response.status_code == 206
    assert response.content == DATA


async def test_an_absurdly_long_range_header_is_refused(http: httpx.AsyncClient) -> None:
    response = await http.get("/blob", headers={"Range": "bytes=0-1" + "," * 5000})

    assert response.status_code == 416


# -- If-Range ------------------------------------------------------------------------


async def test_if_range_with_our_etag_honours_the_range(http: httpx.AsyncClient) -> None:
    etag = f'"{hashlib.sha256(DATA).hexdigest()}"'

    response = await http.get("/blob", headers={"Range": "bytes=0-9", "If-Range": etag})

    assert response.status_code == 206
    assert response.content == DATA[:10]


@pytest.mark.parametrize(
    "if_range",
    [
        f'W/"{hashlib.sha256(DATA).hexdigest()}"',
        f'"{hashlib.sha256(b"other").hexdigest()}"',
        hashlib.sha256(DATA).hexdigest(),
        "Tue, 15 Nov 1994 08:12:31 GMT",
        "Fri, 31 Dec 2100 23:59:59 GMT",
    ],
)
async def test_if_range_with_anything_else_sends_the_whole_file(
    http: httpx.AsyncClient, if_range: str
) -> None:
    response = await http.get("/blob", headers={"Range": "bytes=0-9", "If-Range": if_range})

    assert response.status_code == 200
    assert response.content == DATA


async def test_a_failed_if_range_also_skips_the_range_cap(http: httpx.AsyncClient) -> None:
    many = ",".join(f"{i}-{i}" for i in range(0, 100, 2))

    response = await http.get("/blob", headers={"Range": f"bytes={many}", "If-Range": '"x"'})

    assert response.status_code == 200


# -- Content-Disposition -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fallback", "full"),
    [
        ("part.esp", "part.esp", "part.esp"),
        ("../../etc/passwd", "passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini", "boot.ini"),
        ("C:\\Users\\x\\O1234.nc", "O1234.nc", "O1234.nc"),
        ("dir/", "download", "download"),
        ("..", "download", "download"),
        ("", "download", "download"),
        ("  \t ", "download", "download"),
        ("a\x00b\r\nc\x1b\x7f\x85.txt", "abc.txt", "abc.txt"),
        ('say "hi".txt', "say _hi_.txt", "say _hi_.txt"),
        ("a<b>c:d|e?f*g.txt", "a_b_c_d_e_f_g.txt", "a_b_c_d_e_f_g.txt"),
        ("CON.txt", "_CON.txt", "_CON.txt"),
        ("NUL", "_NUL", "_NUL"),
        ("nul.tar.gz", "_nul.tar.gz", "_nul.tar.gz"),
        ("Com1", "_Com1", "_Com1"),
        ("LPT9.nc", "_LPT9.nc", "_LPT9.nc"),
        ("CON .txt", "_CON .txt", "_CON .txt"),
        ("CONSOLE.txt", "CONSOLE.txt", "CONSOLE.txt"),
        ("COM10", "COM10", "COM10"),
        ("report. . .", "report", "report"),
        ("Café.txt", "Cafe.txt", "Café.txt"),
        ("🎉 party.pdf", "_ party.pdf", "🎉 party.pdf"),
        ("도면 A.nc", "__ A.nc", "도면 A.nc"),
        ("evil\u202etxt.exe", "eviltxt.exe", "eviltxt.exe"),
        ("50%.txt", "50_.txt", "50%.txt"),
        # Fullwidth letters fold to a device name only in the ASCII fallback.
        ("\uff23\uff2f\uff2e.txt", "_CON.txt", "\uff23\uff2f\uff2e.txt"),
        ("\u2100.txt", "a_c.txt", "\u2100.txt"),
        ("bad\udc80name.txt", "badname.txt", "badname.txt"),
    ],
)
def test_content_disposition_offers_a_safe_name(name: str, fallback: str, full: str) -> None:
    header = content_disposition(name)

    assert header.isascii()
    assert disposition_names(header) == (fallback, full)


@pytest.mark.parametrize(
    ("name", "extension"),
    [
        ("a" * 1000 + ".esp", ".esp"),
        ("가" * 1000 + ".nc", ".nc"),
        ("🎉" * 300, ""),
        # An "extension" this long is part of the name and is cut with it.
        ("x" * 300 + "." + "y" * 300, ""),
    ],
)
def test_a_long_name_is_cut_to_200_bytes_keeping_its_extension(name: str, extension: str) -> None:
    fallback, full = disposition_names(content_disposition(name))

    assert 190 < len(full.encode("utf-8")) <= 200
    assert 40 < len(fallback) <= 200
    assert full.endswith(extension)
    assert fallback.endswith(extension)
    assert name.startswith(full.removesuffix(extension))


def test_digits_are_ascii_digits_only() -> None:
    # int() would read these as 3 and 4; the grammar's DIGIT is ASCII.
    assert parse_range("bytes=\u0663-\u0664", 1000, max_ranges=16) is None


async def test_the_download_carries_the_cleaned_name(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    downloads.put(DATA, filename="../도면\r\n.nc")

    response = await http.get("/blob")

    assert disposition_names(response.headers["content-disposition"]) == ("__.nc", "도면.nc")


# -- streaming -----------------------------------------------------------------------


async def test_a_bigger_file_streams_in_bounded_chunks(downloads: Downloads) -> None:
    data = os.urandom(10 * 1024 * 1024 + 123)
    downloads.put(data)

    whole = await call_asgi(downloads)
    ranged = await call_asgi(downloads, {"Range": f"bytes={CHUNK_BYTES - 10}-{CHUNK_BYTES + 9}"})

    assert whole.messages[0]["status"] == 200
    assert hashlib.sha256(whole.body).digest() == hashlib.sha256(data).digest()
    chunks = [m["body"] for m in whole.messages[1:] if m["body"]]
    assert len(chunks) == 3
    assert max(map(len, chunks)) <= CHUNK_BYTES
    assert whole.complete
    assert ranged.messages[0]["status"] == 206
    assert ranged.body == data[CHUNK_BYTES - 10 : CHUNK_BYTES + 10]


async def test_multipart_ranges_of_a_bigger_file_span_chunks(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    data = os.urandom(10 * 1024 * 1024)
    downloads.put(data)
    spans = [(0, CHUNK_BYTES), (2 * CHUNK_BYTES - 1, 2 * CHUNK_BYTES + 1), (len(data) - 7, None)]
    header = ",".join(f"{a}-{'' if b is None else b}" for a, b in spans)

    response = await http.get("/blob", headers={"Range": f"bytes={header}"})

    parts = parse_multipart(response)
    assert [content for _, content in parts] == [
        data[a : None if b is None else b + 1] for a, b in spans
    ]


async def test_a_missing_file_is_an_internal_error_before_any_byte(
    downloads: Downloads, http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    blob = downloads.put(DATA)
    blob.path.unlink()

    response = await http.get("/blob")

    assert response.status_code == 500
    assert response.json()["error"]["code"] == "INTERNAL"
    assert str(blob.path) not in response.text
    assert any(blob.sha256 in record.getMessage() for record in caplog.records)


async def test_a_file_shorter_than_recorded_is_refused_before_any_byte(
    downloads: Downloads, http: httpx.AsyncClient
) -> None:
    blob = downloads.put(DATA)
    os.truncate(blob.path, SIZE - 1)

    assert (await http.get("/blob")).status_code == 500
    assert (await http.head("/blob")).status_code == 500


async def test_a_file_cut_short_mid_stream_breaks_the_transfer(
    downloads: Downloads, caplog: pytest.LogCaptureFixture
) -> None:
    blob = downloads.put(os.urandom(3 * CHUNK_BYTES))

    async def truncate(call: AsgiCall) -> None:
        os.truncate(blob.path, CHUNK_BYTES + 5)

    with caplog.at_level(logging.ERROR, "mcms.files"), pytest.raises(BlobUnreadable):
        await call_asgi(downloads, on_body=truncate)

    assert any("cut short" in record.getMessage() for record in caplog.records)


async def test_the_cut_leaves_only_correct_bytes_sent(downloads: Downloads) -> None:
    data = os.urandom(3 * CHUNK_BYTES)
    blob = downloads.put(data)
    sent: list[bytes] = []

    async def truncate(call: AsgiCall) -> None:
        sent[:] = [call.body]
        os.truncate(blob.path, CHUNK_BYTES + 5)

    with pytest.raises(BlobUnreadable):
        await call_asgi(downloads, on_body=truncate)

    assert sent[0] == data[: len(sent[0])]
    assert len(sent[0]) < len(data)


async def test_with_verification_a_corrupt_file_is_never_completed(
    downloads: Downloads,
) -> None:
    data = os.urandom(2 * CHUNK_BYTES + 10)
    blob = downloads.put(data)
    with blob.path.open("r+b") as file:
        file.seek(5)
        file.write(b"X")
    downloads.verify_digest = True
    sent: list[int] = []

    async def count(call: AsgiCall) -> None:
        sent.append(len(call.body))

    with pytest.raises(BlobUnreadable, match="hashes to"):
        await call_asgi(downloads, on_body=count)

    assert sent[-1] < len(data)


async def test_verification_passes_a_sound_file(downloads: Downloads) -> None:
    data = os.urandom(CHUNK_BYTES + 10)
    downloads.put(data)
    downloads.verify_digest = True

    call = await call_asgi(downloads)

    assert call.body == data
    assert call.complete


async def test_a_client_that_leaves_stops_the_reading(downloads: Downloads) -> None:
    downloads.put(os.urandom(3 * CHUNK_BYTES))
    gone = asyncio.Event()

    async def leave(call: AsgiCall) -> None:
        gone.set()

    call = await call_asgi(downloads, on_body=leave, disconnected=gone)

    assert len(call.body) == CHUNK_BYTES
    assert not call.complete


async def test_pathsend_is_used_for_the_whole_file_when_offered(downloads: Downloads) -> None:
    blob = downloads.put(DATA)
    offered: dict[str, dict[str, object]] = {"http.response.pathsend": {}}

    whole = await call_asgi(downloads, extensions=offered)
    ranged = await call_asgi(downloads, {"Range": "bytes=0-9"}, extensions=offered)

    assert [m["type"] for m in whole.messages] == [
        "http.response.start",
        "http.response.pathsend",
    ]
    assert blob.path.is_absolute()
    assert whole.messages[1]["path"] == str(blob.path)
    assert ranged.body == DATA[:10]
    assert ranged.messages[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


# -- a real server -------------------------------------------------------------------


@pytest.fixture
async def served(downloads: Downloads) -> AsyncIterator[str]:
    """``downloads.app`` behind uvicorn (httptools, as ``mcms serve`` runs it)
    on a free loopback port, in this event loop."""
    async with serving(downloads.app, ws="none", access_log=False) as address:
        yield f"http://{address}"


async def test_streaming_over_a_real_socket(downloads: Downloads, served: str) -> None:
    data = os.urandom(12 * 1024 * 1024 + 7)
    downloads.put(data)
    start, end = 1000, 9 * 1024 * 1024

    async with httpx.AsyncClient(base_url=served) as client:
        whole = await _read_streamed(client, {})
        ranged = await _read_streamed(client, {"Range": f"bytes={start}-{end}"})
        multi = await client.get("/blob", headers={"Range": "bytes=0-1,-2"})

    assert whole == (200, hashlib.sha256(data).hexdigest())
    assert ranged == (206, hashlib.sha256(data[start : end + 1]).hexdigest())
    assert [content for _, content in parse_multipart(multi)] == [data[:2], data[-2:]]


async def test_a_cut_over_a_real_socket_is_a_truncated_transfer(
    downloads: Downloads, served: str
) -> None:
    blob = downloads.put(os.urandom(3 * CHUNK_BYTES))
    received: list[bytes] = []

    async def truncate_on_first_bytes(response: httpx.Response) -> None:
        async for chunk in response.aiter_raw():
            if not received:
                os.truncate(blob.path, CHUNK_BYTES)
            received.append(chunk)

    async with httpx.AsyncClient(base_url=served) as client:
        async with client.stream("GET", "/blob") as response:
            assert response.headers["content-length"] == str(3 * CHUNK_BYTES)
            with pytest.raises(httpx.RemoteProtocolError):
                await truncate_on_first_bytes(response)

    assert 0 < sum(map(len, received)) < 3 * CHUNK_BYTES


async def _read_streamed(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[int, str]:
    digest = hashlib.sha256()
    async with client.stream("GET", "/blob", headers=headers) as response:
        async for chunk in response.aiter_raw():
            digest.update(chunk)
    return response.status_code, digest.hexdigest()

"""The add-in's legacy file routes, through the app on SQLite and PostgreSQL:
``POST /api/routings/{id}/files`` (a small file as multipart form data, taken
through the same pipeline as a tus upload) and ``GET /api/routings/{id}/files``
(the current files and the routing's ``meta.json``).

The worker runs as it does under ``mcms serve`` (started, poked when a commit
is queued), except where a test says otherwise. Multipart bodies are built by
hand where the test needs bytes httpx would escape (control characters,
backslashes, quotes in file names).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.files import rest
from mcms.files.models import FileCommitAudit, UploadSession
from mcms.history.models import HistoryEntry
from mcms.settings import Settings
from mcms.worker.models import CommandStatus
from tests.factories import SUBMIT_ROUTING, TestUser
from tests.files.apps import (
    NOTHING,
    Running,
    cas_files,
    commit_commands,
    history_of,
    make_retries_due,
    part_files,
    running,
    store_refusing_blobs,
    stored,
)
from tests.files.clamd import REPORTED_SIGNATURE, eicar

BOUNDARY = "mcms-test-7b1c0f"
LIMIT = 4096
"""``MCMS_LEGACY_UPLOAD_MAX_BYTES`` in these tests."""


def config(tmp_path: Path, **values: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data", log_json=True, legacy_upload_max_bytes=LIMIT, **values
    )


@asynccontextmanager
async def serving(
    db: Database, settings: Settings, *, worker: bool = True
) -> AsyncIterator[Running]:
    async with running(db, settings) as app:
        if worker:
            app.app.state.worker.start()
        yield app


def files_url(routing_id: str) -> str:
    return f"/api/routings/{routing_id}/files"


def raw_form(*parts: tuple[str, str | None, bytes]) -> tuple[dict[str, str], bytes]:
    """A multipart/form-data body of (field name, file name or None, value) parts,
    written byte for byte (no escaping of the names)."""
    body = b""
    for name, filename, value in parts:
        disposition = f'form-data; name="{name}"'
        if filename is not None:
            disposition += f'; filename="{filename}"'
        body += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/octet-stream\r\n"
        body += b"\r\n" + value + b"\r\n"
    body += f"--{BOUNDARY}--\r\n".encode()
    return {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, body


async def post_file(
    app: Running,
    user: TestUser | None,
    routing_id: str,
    filename: str,
    data: bytes,
    **fields: str,
) -> httpx.Response:
    return await app.client.post(
        files_url(routing_id),
        headers=user.headers if user else {},
        files={"file": (filename, data, "application/octet-stream")},
        data=fields,
    )


async def sessions(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(UploadSession)) or 0)


async def history_count(db: Database) -> int:
    async with db.read_session() as session:
        return int(await session.scalar(select(func.count()).select_from(HistoryEntry)) or 0)


def store_is_empty(settings: Settings) -> bool:
    tmp = settings.resolved_files_dir / "tmp"
    return (
        cas_files(settings) == {}
        and part_files(settings) == []
        and (not tmp.exists() or list(tmp.iterdir()) == [])
    )


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- uploading ---------------------------------------------------------------------------


async def test_a_small_file_is_hashed_stored_audited_and_answered_201(
    db: Database, tmp_path: Path
) -> None:
    settings = config(tmp_path)
    async with serving(db, settings) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        data = os.urandom(3000)

        answer = await post_file(app, owner, routing["id"], "O1234.nc", data)

        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert (body["status"], body["failureReason"]) == ("COMMITTED", None)
        file = body["file"]
        assert {key: file[key] for key in file if key not in ("fileId", "uploadedAt")} == {
            "routingId": routing["id"],
            "logicalName": "O1234.nc",
            "revision": 1,
            "size": 3000,
            "sha256": sha(data),
            "scanStatus": "SKIPPED",
            "downloadable": True,
            "downloadUrl": f"/api/files/{file['fileId']}/content",
            "addinJobId": None,
        }
        download = await app.client.get(file["downloadUrl"], headers=owner.headers)
        assert (download.status_code, download.content) == (200, data)
        # the same pipeline as tus: an upload session, the audit, the history
        session = await app.upload_session(owner, body["uploadId"])
        assert (session["status"], session["file"]["id"]) == ("COMMITTED", file["fileId"])
        async with db.read_session() as read:
            audit = (await read.execute(select(FileCommitAudit))).scalars().one()
        assert (audit.sha256, audit.size, audit.uploader_id) == (sha(data), 3000, owner.id)
        assert audit.upload_session_id == body["uploadId"]
        [entry] = history_of(await app.routing(owner, routing["id"]), "FILE_UPLOADED")
        assert entry["actor"] == owner.username
        assert cas_files(settings) == {sha(data): data}
        assert part_files(settings) == []


async def test_an_empty_file_is_stored_too(db: Database, tmp_path: Path) -> None:
    async with serving(db, config(tmp_path)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)

        answer = await post_file(app, owner, routing["id"], "empty.txt", b"")

        assert answer.status_code == 201, answer.text
        assert (answer.json()["file"]["size"], answer.json()["file"]["sha256"]) == (0, sha(b""))


async def test_revisions_count_per_logical_name_and_the_listing_shows_the_latest(
    db: Database, tmp_path: Path
) -> None:
    async with serving(db, config(tmp_path)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        first, program, second = os.urandom(1000), os.urandom(2000), os.urandom(1500)

        one = await post_file(app, owner, routing["id"], "part.esp", first)
        nc = await post_file(app, owner, routing["id"], "O1234.nc", program)
        # logicalName names the file, whatever the client's own file was called
        two = await post_file(
            app, owner, routing["id"], "tmp123.bin", second, logicalName="part.esp"
        )

        assert [a.status_code for a in (one, nc, two)] == [201, 201, 201]
        assert [a.json()["file"]["revision"] for a in (one, nc, two)] == [1, 1, 2]
        assert two.json()["file"]["logicalName"] == "part.esp"

        auditor = await app.factory.user(Role.AUDITOR)
        listing = await app.client.get(files_url(routing["id"]), headers=auditor.headers)
        assert listing.status_code == 200, listing.text
        body = listing.json()
        expected = [
            ("O1234.nc", 1, 2000, sha(program), nc.json()["file"]["fileId"]),
            ("part.esp", 2, 1500, sha(second), two.json()["file"]["fileId"]),
        ]
        rows = [
            (f["logicalName"], f["revision"], f["size"], f["sha256"], f["fileId"])
            for f in body["files"]
        ]
        assert rows == expected
        meta = body["meta"]
        assert (meta["routingId"], meta["code"], meta["status"]) == (
            routing["id"],
            routing["code"],
            "DRAFT",
        )
        assert (meta["version"], meta["camRevision"]) == (routing["version"], 0)
        assert [
            (f["fileId"], f["logicalName"], f["revision"], f["size"], f["sha256"])
            for f in meta["files"]
        ] == [(file_id, name, rev, size, digest) for name, rev, size, digest, file_id in expected]
        assert set(meta["files"][0]) == {
            "fileId",
            "logicalName",
            "revision",
            "size",
            "sha256",
            "scanStatus",
            "downloadable",
            "downloadUrl",
        }
        for listed, data in zip(meta["files"], (program, second), strict=True):
            assert listed["downloadUrl"] == f"/api/files/{listed['fileId']}/content"
            got = await app.client.get(listed["downloadUrl"], headers=auditor.headers)
            assert got.content == data
        # the routing's own REST document carries the same files
        document = await app.client.get(f"/api/routings/{routing['id']}", headers=auditor.headers)
        assert document.status_code == 200, document.text
        assert document.json()["files"] == body["files"]
        # every revision is still there for GraphQL
        shown = await app.routing(owner, routing["id"])
        assert sorted((f["logicalName"], f["revision"]) for f in shown["files"]) == [
            ("O1234.nc", 1),
            ("part.esp", 1),
            ("part.esp", 2),
        ]


async def test_the_listing_is_for_readers(db: Database, tmp_path: Path) -> None:
    async with serving(db, config(tmp_path), worker=False) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        readers = [
            owner,
            await app.factory.user(),
            await app.factory.user(Role.APPROVER),
            await app.factory.user(Role.AUDITOR),
            await app.factory.user(Role.ADMIN),
            await app.factory.user(Role.AGENT),
        ]
        for reader in readers:
            answer = await app.client.get(files_url(routing["id"]), headers=reader.headers)
            assert answer.status_code == 200, (reader.role, answer.text)
            assert answer.json()["files"] == []
        anonymous = await app.client.get(files_url(routing["id"]))
        assert (anonymous.status_code, anonymous.json()["code"]) == (401, "UNAUTHENTICATED")
        missing = await app.client.get(files_url("999999"), headers=owner.headers)
        assert (missing.status_code, missing.json()["code"]) == (404, "NOT_FOUND")
        bad = await app.client.get(files_url("abc"), headers=owner.headers)
        assert bad.status_code in (400, 404)


async def test_only_who_may_edit_the_routing_may_upload(db: Database, tmp_path: Path) -> None:
    settings = config(tmp_path)
    async with serving(db, settings) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        refused: list[tuple[TestUser | None, int, str]] = [
            (await app.factory.user(), 403, "FORBIDDEN"),
            (await app.factory.user(Role.APPROVER), 403, "FORBIDDEN"),
            (await app.factory.user(Role.AUDITOR), 403, "FORBIDDEN"),
            (await app.factory.user(Role.AGENT), 403, "FORBIDDEN"),
            (None, 401, "UNAUTHENTICATED"),
        ]
        for user, status, code in refused:
            answer = await post_file(app, user, routing["id"], "part.esp", b"G0 X0\n")
            assert (answer.status_code, answer.json()["code"]) == (status, code), user
        assert await sessions(db) == 0
        assert await stored(db) == NOTHING
        assert store_is_empty(settings)

        missing = await post_file(app, owner, "999999", "part.esp", b"G0 X0\n")
        assert missing.status_code == 404
        admin = await app.factory.user(Role.ADMIN)
        by_admin = await post_file(app, admin, routing["id"], "part.esp", b"G0 X0\n")
        assert by_admin.status_code == 201, by_admin.text
        # once submitted, the routing cannot be edited, so nothing is uploaded to it
        await app.factory.ok(SUBMIT_ROUTING, {"id": routing["id"]}, as_=owner)
        locked = await post_file(app, owner, routing["id"], "part.esp", b"G0 X1\n")
        assert (locked.status_code, locked.json()["code"]) == (409, "CONFLICT")
        assert await sessions(db) == 1


# -- refused uploads change nothing ---------------------------------------------------------


GOOD = ("file", "part.esp", b"G0 X0\n")
BAD_BODIES: dict[str, tuple[dict[str, str], bytes]] = {
    "no file part": raw_form(("logicalName", None, b"part.esp")),
    "file in another field": raw_form(("document", "part.esp", b"G0\n")),
    "file as a plain field": raw_form(("file", None, b"G0\n")),
    "two files": raw_form(GOOD, ("file", "other.esp", b"G1\n")),
    "bad logicalName": raw_form(GOOD, ("logicalName", None, b"../evil.esp")),
    "reserved logicalName": raw_form(GOOD, ("logicalName", None, b"LPT1")),
    "not multipart": ({"Content-Type": "application/json"}, b'{"file": "part.esp"}'),
    "no boundary": ({"Content-Type": "multipart/form-data"}, b"--x\r\n\r\n"),
    "garbage": ({"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, b"\x00\xff" * 50),
    "no body": ({"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}, b""),
}
BAD_NAMES = [
    "../../etc/passwd",
    "..\\..\\boot.ini",
    "dir/part.esp",
    "..",
    "bell\x07.nc",
    "tab\tname.nc",
    "CON",
    "nul.txt",
    "COM1.nc",
    "lpt9",
    "trailing.",
    "trailing ",
    " leading",
    "what?.nc",
    "a<b>.nc",
    "pipe|.nc",
    "a" * 256,
    "",
]


@dataclass
class Legacy:
    """An app without a running worker, a routing and its owner, and an admin to look."""

    app: Running
    owner: TestUser
    admin: TestUser
    routing: dict[str, Any]

    async def post(self, headers: dict[str, str], body: bytes) -> httpx.Response:
        return await self.app.client.post(
            files_url(self.routing["id"]), headers={**self.owner.headers, **headers}, content=body
        )

    async def nothing_changed(self, db: Database, history: int) -> None:
        assert await sessions(db) == 0
        assert await stored(db) == NOTHING
        assert await history_count(db) == history
        url = files_url(self.routing["id"])
        listing = (await self.app.client.get(url, headers=self.admin.headers)).json()
        assert (listing["files"], listing["meta"]["version"]) == ([], self.routing["version"])
        assert store_is_empty(self.app.settings)


@pytest.fixture
async def legacy(db: Database, tmp_path: Path) -> AsyncIterator[Legacy]:
    async with serving(db, config(tmp_path), worker=False) as app:
        owner = await app.factory.user()
        admin = await app.factory.user(Role.ADMIN)
        yield Legacy(app, owner, admin, await app.factory.routing(owner))


@pytest.mark.parametrize("case", list(BAD_BODIES))
async def test_a_malformed_form_is_400_and_changes_nothing(
    legacy: Legacy, db: Database, case: str
) -> None:
    history = await history_count(db)

    answer = await legacy.post(*BAD_BODIES[case])

    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "INVALID_ARGUMENT"
    assert answer.json()["error"]["code"] == "INVALID_ARGUMENT"
    await legacy.nothing_changed(db, history)


@pytest.mark.parametrize("name", BAD_NAMES, ids=repr)
async def test_a_bad_file_name_is_400_and_changes_nothing(
    legacy: Legacy, db: Database, name: str
) -> None:
    history = await history_count(db)

    answer = await legacy.post(*raw_form(("file", name, b"G0 X0\n")))

    assert answer.status_code == 400, (name, answer.status_code, answer.text)
    assert answer.json()["code"] == "INVALID_ARGUMENT"
    await legacy.nothing_changed(db, history)


async def stream(total: int, pulled: list[int], piece: int = 64 * 1024) -> AsyncIterator[bytes]:
    """``total`` bytes of one multipart file part, counting what the server pulls."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.esp"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    pulled[0] += len(head)
    yield head
    sent = 0
    while sent < total:
        chunk = os.urandom(min(piece, total - sent))
        sent += len(chunk)
        pulled[0] += len(chunk)
        yield chunk
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    pulled[0] += len(tail)
    yield tail


async def test_a_file_over_the_limit_is_413_and_nothing_is_stored(
    legacy: Legacy, db: Database
) -> None:
    history = await history_count(db)
    multipart = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    big = 20 * 1024 * 1024

    # just over: the form is read, the file measured and refused
    over = await legacy.post(*raw_form(("file", "part.esp", os.urandom(LIMIT + 1))))
    # far over, and saying so: refused before the body is read
    pulled = [0]
    declared = await legacy.app.client.post(
        files_url(legacy.routing["id"]),
        headers={**legacy.owner.headers, **multipart, "Content-Length": str(big + 200)},
        content=stream(big, pulled),
    )
    assert pulled[0] < 256 * 1024, pulled
    # far over, without a Content-Length (chunked): cut off once past the limit
    pulled = [0]
    chunked = await legacy.app.client.post(
        files_url(legacy.routing["id"]),
        headers={**legacy.owner.headers, **multipart},
        content=stream(big, pulled),
    )
    assert pulled[0] < LIMIT + 256 * 1024, pulled

    for answer in (over, declared, chunked):
        assert answer.status_code == 413, answer.text
        assert answer.json()["code"] == "PAYLOAD_TOO_LARGE"
    await legacy.nothing_changed(db, history)
    legacy.app.app.state.worker.start()
    at_the_limit = await legacy.post(*raw_form(("file", "part.esp", os.urandom(LIMIT))))
    assert at_the_limit.status_code == 201, at_the_limit.text
    assert at_the_limit.json()["file"]["size"] == LIMIT


# -- what the answer says about the pipeline ---------------------------------------------------


async def test_malware_is_stored_quarantined_and_never_listed_for_download(
    db: Database, tmp_path: Path, clamd_url: str
) -> None:
    async with serving(db, config(tmp_path, av=clamd_url)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)

        answer = await post_file(app, owner, routing["id"], "virus.nc", eicar())

        assert answer.status_code == 201, answer.text
        body = answer.json()
        assert body["status"] == "QUARANTINED"
        file = body["file"]
        assert (file["scanStatus"], file["downloadable"], file["downloadUrl"]) == (
            "QUARANTINED",
            False,
            None,
        )
        listing = (await app.client.get(files_url(routing["id"]), headers=owner.headers)).json()
        [listed] = listing["meta"]["files"]
        assert (listed["scanStatus"], listed["downloadable"], listed["downloadUrl"]) == (
            "QUARANTINED",
            False,
            None,
        )
        content = await app.client.get(
            f"/api/files/{file['fileId']}/content", headers=owner.headers
        )
        assert (content.status_code, content.json()["code"]) == (403, "FORBIDDEN")
        assert REPORTED_SIGNATURE in content.json()["error"]["message"]
        [entry] = history_of(await app.routing(owner, routing["id"]), "FILE_QUARANTINED")
        assert REPORTED_SIGNATURE in entry["message"]


async def test_a_commit_still_running_after_the_wait_is_202(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rest, "LEGACY_COMMIT_WAIT_SECONDS", 0.2)
    async with serving(db, config(tmp_path), worker=False) as app:  # nobody commits yet
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        data = os.urandom(2000)

        answer = await post_file(app, owner, routing["id"], "part.esp", data)

        assert answer.status_code == 202, answer.text
        body = answer.json()
        assert (body["status"], body["failureReason"], "file" in body) == ("VERIFYING", None, False)
        await app.drain()
        session = await app.upload_session(owner, body["uploadId"])
        assert session["status"] == "COMMITTED"
        listing = (await app.client.get(files_url(routing["id"]), headers=owner.headers)).json()
        assert [f["sha256"] for f in listing["files"]] == [sha(data)]


async def test_a_commit_that_fails_for_good_is_an_error_not_a_success(
    db: Database, tmp_path: Path
) -> None:
    """The store refuses the blob (a real OS error: ``cas/sha256`` made
    immutable, see test_commit_pipeline.py); the worker gives up while the
    request waits, and the add-in is told to send the file again."""
    settings = config(tmp_path)
    async with serving(db, settings, worker=False) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        with store_refusing_blobs(settings):
            request = asyncio.create_task(
                post_file(app, owner, routing["id"], "part.esp", os.urandom(2000))
            )
            for _ in range(200):
                await app.drain()
                commands = await commit_commands(db)
                if commands and commands[0].status == CommandStatus.FAILED:
                    break
                await make_retries_due(db)
                await asyncio.sleep(0.02)
            answer = await asyncio.wait_for(request, 10)

        assert answer.status_code == 500, answer.text
        problem = answer.json()
        assert problem["code"] == "INTERNAL"
        assert problem["error"]["message"].startswith("The file could not be stored")
        assert await stored(db) == NOTHING
        assert store_is_empty(settings)

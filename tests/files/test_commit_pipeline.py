"""What a finished upload becomes, end to end through the app's HTTP API on
SQLite and PostgreSQL: scanned by a real clamd or a real HTTP AV service,
committed (or quarantined, or refused), and served or not.

Nothing is mocked. Storage failures are real OS errors: the store's
``cas/sha256`` directory is made to refuse new entries (immutable with
``chattr +i`` when the tests run as root, whom file modes do not stop;
mode 0555 otherwise). The worker's retry backoff is skipped by making the
waiting command due at once (``make_retries_due``); the retries themselves run.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.files.housekeeping import collect_garbage
from mcms.files.store import FileStore
from mcms.settings import Settings
from mcms.worker.models import CommandStatus
from tests.factories import TestUser
from tests.files.apps import (
    NOTHING,
    Running,
    Stored,
    alert_events,
    alerts_received,
    blob_row,
    cas_files,
    commit_commands,
    downloads,
    history_of,
    history_types,
    make_retries_due,
    part_files,
    running,
    served,
    store_refusing_blobs,
    stored,
    upload_id_of,
)
from tests.files.clamd import REPORTED_SIGNATURE, eicar
from tests.files.support import create_upload, patch, upload_whole
from tests.servers import serving_in_thread

CREATE_SESSION = """
mutation Create($input: CreateUploadSessionInput!) {
  createUploadSession(input: $input) { id uploadUrl }
}
"""
ONE_OF_EACH = Stored(blobs=1, files=1, audits=1, uploaded_history=1, committed_events=1)


def config(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", log_json=True, **values)


def dead_clamd() -> str:
    """A clamd URL on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return f"clamd://127.0.0.1:{port}"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def refused_everywhere(app: Running, user: TestUser, file_id: str, data: bytes) -> None:
    """GET and HEAD, whole and ranged, are all 403 FORBIDDEN with none of the bytes."""
    url = f"/api/files/{file_id}/content"
    ranged = {"Range": "bytes=0-9"}
    resumed = {"Range": "bytes=5-", "If-Range": f'"{sha(data)}"'}
    for method in ("GET", "HEAD"):
        for extra in ({}, ranged, resumed):
            answer = await app.client.request(method, url, headers={**user.headers, **extra})
            assert answer.status_code == 403, (method, extra, answer.text)
            assert "content-range" not in answer.headers
            assert data[:16] not in answer.content
            if method == "GET":
                assert answer.json()["code"] == "FORBIDDEN"


async def served_whole_and_ranged(app: Running, user: TestUser, file_id: str, data: bytes) -> None:
    url = f"/api/files/{file_id}/content"
    whole = await app.client.get(url, headers=user.headers)
    assert whole.status_code == 200, whole.text
    assert whole.content == data
    assert whole.headers["etag"] == f'"{sha(data)}"'
    head = await app.client.head(url, headers=user.headers)
    assert (head.status_code, head.headers["content-length"]) == (200, str(len(data)))
    part = await app.client.get(url, headers={**user.headers, "Range": "bytes=0-9"})
    assert (part.status_code, part.content) == (206, data[:10])


# -- quarantine, with the real clamd ---------------------------------------------------


async def test_malware_is_quarantined_kept_announced_and_never_served(
    db: Database, tmp_path: Path, clamd_url: str
) -> None:
    settings = config(tmp_path, av=clamd_url)
    async with running(db, settings) as app:
        owner = await app.factory.user()
        approver = await app.factory.user(Role.APPROVER)
        admin = await app.factory.user(Role.ADMIN)
        bystander = await app.factory.user()
        auditor = await app.factory.user(Role.AUDITOR)
        routing = await app.factory.routing(owner)

        location = await upload_whole(app.client, owner, routing["id"], eicar(), filename="a.nc")
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert upload["status"] == "QUARANTINED"
        file = upload["file"]
        assert (file["scanStatus"], file["scanDetail"]) == ("QUARANTINED", REPORTED_SIGNATURE)
        assert (file["downloadable"], file["downloadUrl"]) == (False, None)
        shown = await app.routing(owner, routing["id"])
        assert history_types(shown)[-2:] == ["FILE_UPLOADED", "FILE_QUARANTINED"]
        [entry] = history_of(shown, "FILE_QUARANTINED")
        assert entry["actor"] == "system"
        assert REPORTED_SIGNATURE in entry["message"]
        assert entry["data"]["signature"] == REPORTED_SIGNATURE
        assert entry["data"]["uploadedBy"] == owner.username
        assert entry["data"]["fileId"] == file["id"]

        # the bytes stay in the store for inspection, under their hash
        assert cas_files(settings) == {sha(eicar()): eicar()}
        assert part_files(settings) == []
        blob = await blob_row(db, sha(eicar()))
        assert blob is not None
        assert (blob.scan_status, blob.scanner) == ("QUARANTINED", clamd_url)

        # garbage collection keeps them too, however old: a file refers to them
        async with db.unit_of_work() as session:
            swept = await collect_garbage(
                session=session, store=FileStore(settings.resolved_files_dir), grace=timedelta(0)
            )
        assert (swept.deleted, swept.kept_referenced) == ([], 1)
        assert cas_files(settings) == {sha(eicar()): eicar()}

        # never served, to anyone, whole or in part
        for user in (owner, admin, auditor):
            await refused_everywhere(app, user, file["id"], eicar())
        # and every attempt is in the download audit, refused
        attempts = await downloads(db)
        assert len(attempts) == 3 * 6
        assert {status for *_, status in attempts} == {403}
        assert {user for user, *_ in attempts} == {owner.id, admin.id, auditor.id}

        # the alert is for the owner (the uploader), the approvers and the admins
        [alert] = await alert_events(db, "FILE_QUARANTINED")
        assert sorted(alert.audience or []) == ["role:ADMIN", "role:APPROVER", f"user:{owner.id}"]
        assert alert.routing_id == int(routing["id"])
        async with served(app.app) as base_url:
            people = (owner, approver, admin, bystander, auditor)
            received = await asyncio.gather(
                *(alerts_received(base_url, user, routing["id"]) for user in people)
            )
        got = {
            user.username: [alert["type"] for alert in alerts]
            for user, alerts in zip(people, received, strict=True)
        }
        assert got == {
            owner.username: ["FILE_QUARANTINED"],
            approver.username: ["FILE_QUARANTINED"],
            admin.username: ["FILE_QUARANTINED"],
            bystander.username: [],
            auditor.username: [],
        }
        message = received[0][0]
        assert message["severity"] == "ERROR"
        assert "a.nc" in message["title"]
        assert REPORTED_SIGNATURE in message["message"]


async def test_the_same_malware_again_is_quarantined_without_a_second_scan(
    db: Database, tmp_path: Path, clamd_url: str
) -> None:
    async with running(db, config(tmp_path, av=clamd_url)) as app:
        first_owner = await app.factory.user()
        admin = await app.factory.user(Role.ADMIN)
        first = await app.factory.routing(first_owner)
        await upload_whole(app.client, first_owner, first["id"], eicar())
        await app.drain()
    # The scanner is gone now: a second scan could only fail. The stored
    # verdict is settled, so the same bytes are quarantined at once.
    async with running(db, config(tmp_path, av=dead_clamd())) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        location = await upload_whole(app.client, owner, routing["id"], eicar(), filename="b.nc")
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert (upload["status"], upload["file"]["scanStatus"]) == ("QUARANTINED", "QUARANTINED")
        assert "FILE_QUARANTINED" in history_types(await app.routing(owner, routing["id"]))
        await refused_everywhere(app, admin, upload["file"]["id"], eicar())
        alerts = await alert_events(db, "FILE_QUARANTINED")
        assert [a.routing_id for a in alerts] == [int(first["id"]), int(routing["id"])]
        assert f"user:{owner.id}" in (alerts[1].audience or [])
        assert await stored(db) == Stored(
            blobs=1, files=2, audits=2, uploaded_history=2, committed_events=2
        )


async def test_a_clean_file_is_committed_clean_and_served(
    db: Database, tmp_path: Path, clamd_url: str
) -> None:
    settings = config(tmp_path, av=clamd_url)
    async with running(db, settings) as app:
        owner = await app.factory.user()
        auditor = await app.factory.user(Role.AUDITOR)
        routing = await app.factory.routing(owner)
        data = os.urandom(200_000)

        location = await upload_whole(app.client, owner, routing["id"], data)
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert upload["status"] == "COMMITTED"
        file = upload["file"]
        assert (file["scanStatus"], file["scanDetail"], file["downloadable"]) == ("CLEAN", "", True)
        assert file["downloadUrl"] == f"/api/files/{file['id']}/content"
        await served_whole_and_ranged(app, auditor, file["id"], data)
        assert await downloads(db) == [
            (auditor.id, "GET", None, 200),
            (auditor.id, "HEAD", None, 200),
            (auditor.id, "GET", "bytes=0-9", 206),
        ]
        assert await alert_events(db, "FILE_QUARANTINED") == []
        assert cas_files(settings) == {sha(data): data}


# -- files that could not be scanned -------------------------------------------------------


@pytest.mark.parametrize("cause", ["scanner down", "over MCMS_AV_MAX_BYTES"])
async def test_an_unscanned_file_is_served_only_when_the_policy_allows(
    db: Database, tmp_path: Path, clamd_url: str, cause: str
) -> None:
    data = os.urandom(1001)
    if cause == "scanner down":
        scanner: dict[str, Any] = {"av": dead_clamd()}
        detail = "scanner unreachable: connection refused"
    else:
        scanner = {"av": clamd_url, "av_max_bytes": 1000}
        detail = "over the scanner's limit (1001 bytes > 1000 bytes)"
    async with running(db, config(tmp_path, **scanner)) as app:  # av_unscanned=block
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        location = await upload_whole(app.client, owner, routing["id"], data)
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert upload["status"] == "COMMITTED"
        file = upload["file"]
        assert (file["scanStatus"], file["scanDetail"]) == ("SCAN_FAILED", detail)
        assert (file["downloadable"], file["downloadUrl"]) == (False, None)
        [entry] = history_of(await app.routing(owner, routing["id"]), "FILE_UPLOADED")
        assert entry["data"]["scanStatus"] == "SCAN_FAILED"
        await refused_everywhere(app, owner, file["id"], data)
        listing = await app.client.get(
            f"/api/routings/{routing['id']}/files", headers=owner.headers
        )
        assert [(f["downloadable"], f["downloadUrl"]) for f in listing.json()["files"]] == [
            (False, None)
        ]

    async with running(db, config(tmp_path, **scanner, av_unscanned="allow")) as app:
        upload = await app.upload_session(owner, upload_id_of(location))
        assert (upload["file"]["scanStatus"], upload["file"]["downloadable"]) == (
            "SCAN_FAILED",
            True,
        )
        await served_whole_and_ranged(app, owner, file["id"], data)


async def test_a_file_that_failed_its_scan_is_scanned_again_when_uploaded_again(
    db: Database, tmp_path: Path, clamd_url: str
) -> None:
    data = os.urandom(5000)
    async with running(db, config(tmp_path, av=dead_clamd())) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        first = upload_id_of(await upload_whole(app.client, owner, routing["id"], data))
        await app.drain()
        assert (await app.upload_session(owner, first))["file"]["scanStatus"] == "SCAN_FAILED"

    async with running(db, config(tmp_path, av=clamd_url)) as app:  # the scanner is back
        second = upload_id_of(await upload_whole(app.client, owner, routing["id"], data))
        await app.drain()
        # one blob, so both revisions now carry the new verdict and are served
        for upload_id in (first, second):
            file = (await app.upload_session(owner, upload_id))["file"]
            assert (file["scanStatus"], file["downloadable"]) == ("CLEAN", True)
            await served_whole_and_ranged(app, owner, file["id"], data)


async def test_with_scanning_switched_off_files_are_skipped_and_served(
    db: Database, tmp_path: Path
) -> None:
    async with running(db, config(tmp_path, av="none", av_unscanned="block")) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        data = eicar()  # not looked at: nothing scans
        upload_id = upload_id_of(await upload_whole(app.client, owner, routing["id"], data))
        await app.drain()

        upload = await app.upload_session(owner, upload_id)
        assert upload["status"] == "COMMITTED"
        assert (upload["file"]["scanStatus"], upload["file"]["downloadable"]) == ("SKIPPED", True)
        blob = await blob_row(db, sha(data))
        assert blob is not None
        assert blob.scanner == "none"
        await served_whole_and_ranged(app, owner, upload["file"]["id"], data)


# -- the HTTP AV service ------------------------------------------------------------------


@dataclass
class AvService:
    """A real AV HTTP service on a free port: ``/scan`` answers by the contract
    in ``mcms.files.scanning`` (EICAR is infected), the others misbehave."""

    url: str = ""
    bodies: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/{kind}", self.answer, methods=["POST"])])

    async def answer(self, request: Request) -> Response:
        body = await request.body()
        kind = request.path_params["kind"]
        with self.lock:
            self.bodies.append((kind, body))
        if kind == "slow":
            await asyncio.sleep(2.0)
        if kind == "unavailable":
            return PlainTextResponse("restarting", status_code=503)
        if kind == "broken":
            return PlainTextResponse("oops", status_code=500)
        if eicar() in body:
            return JSONResponse({"verdict": "infected", "signature": "Test.EICAR"})
        return JSONResponse({"verdict": "clean"})

    def requests(self) -> list[tuple[str, bytes]]:
        with self.lock:
            return list(self.bodies)


@pytest.fixture(scope="module")
def av_service() -> Iterator[AvService]:
    """Served by uvicorn in a thread of its own, for the module."""
    service = AvService()
    with serving_in_thread(service.app(), timeout_graceful_shutdown=1) as address:
        service.url = f"http://{address}"
        yield service


@pytest.fixture
def av(av_service: AvService) -> AvService:
    with av_service.lock:
        av_service.bodies.clear()
    return av_service


HTTP_CASES = [
    # path, bytes, extra settings, status, detail, requests the service saw
    ("/scan", b"G1 X10 Y20\n", {}, "CLEAN", "", 1),
    ("/scan", eicar(), {}, "QUARANTINED", "Test.EICAR", 1),
    ("/unavailable", b"M30\n", {}, "SCAN_FAILED", "scanner unreachable: HTTP 503", 3),
    ("/slow", b"M30\n", {"av_timeout_seconds": 0.3}, "SCAN_FAILED", "scanner unreachable: ", 3),
    ("/broken", b"M30\n", {}, "SCAN_FAILED", "scanner answered HTTP 500", 1),
]


@pytest.mark.parametrize(
    ("path", "data", "extra", "status", "detail", "requests"),
    HTTP_CASES,
    ids=["clean", "infected", "503 retried", "timeout retried", "500"],
)
async def test_the_http_scanner_decides_what_is_served(
    db: Database,
    tmp_path: Path,
    av: AvService,
    path: str,
    data: bytes,
    extra: dict[str, Any],
    status: str,
    detail: str,
    requests: int,
) -> None:
    async with running(db, config(tmp_path, av=av.url + path, **extra)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        upload_id = upload_id_of(await upload_whole(app.client, owner, routing["id"], data))
        await app.drain()

        upload = await app.upload_session(owner, upload_id)
        file = upload["file"]
        assert upload["status"] == ("QUARANTINED" if status == "QUARANTINED" else "COMMITTED")
        assert file["scanStatus"] == status
        assert detail in file["scanDetail"]
        assert av.requests() == [(path.lstrip("/"), data)] * requests
        blob = await blob_row(db, sha(data))
        assert blob is not None
        assert blob.scanner == av.url + path
        if status == "CLEAN":
            await served_whole_and_ranged(app, owner, file["id"], data)
        else:
            await refused_everywhere(app, owner, file["id"], data)
        quarantine_alerts = await alert_events(db, "FILE_QUARANTINED")
        assert len(quarantine_alerts) == (1 if status == "QUARANTINED" else 0)


# -- the store fails --------------------------------------------------------------------


REFUSED = ("PermissionError", "Operation not permitted", "Permission denied")


async def test_a_transient_storage_failure_is_retried_then_committed(
    db: Database, tmp_path: Path
) -> None:
    settings = config(tmp_path)
    async with running(db, settings) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        data = os.urandom(100_000)

        with store_refusing_blobs(settings):
            upload_id = upload_id_of(await upload_whole(app.client, owner, routing["id"], data))
            await app.drain()

            [command] = await commit_commands(db)
            assert (command.status, command.attempts) == (CommandStatus.PENDING, 1)
            assert any(word in (command.last_error or "") for word in REFUSED)
            assert (await app.upload_session(owner, upload_id))["status"] == "SCANNING"
            assert cas_files(settings) == {}
            assert await stored(db) == NOTHING
            [part] = part_files(settings)
            assert part.read_bytes() == data  # kept for the next attempt

        await make_retries_due(db)
        await app.drain()

        upload = await app.upload_session(owner, upload_id)
        assert (upload["status"], upload["file"]["revision"]) == ("COMMITTED", 1)
        [command] = await commit_commands(db)
        assert (command.status, command.attempts) == (CommandStatus.DONE, 2)
        assert cas_files(settings) == {sha(data): data}
        assert part_files(settings) == []
        assert await stored(db) == ONE_OF_EACH
        assert "STORAGE_COMMIT_FAILED" not in history_types(await app.routing(owner, routing["id"]))
        assert await alert_events(db, "STORAGE_COMMIT_FAILED") == []
        await served_whole_and_ranged(app, owner, upload["file"]["id"], data)


async def test_past_the_retry_limit_the_upload_fails_and_nothing_is_half_committed(
    db: Database, tmp_path: Path
) -> None:
    settings = config(tmp_path)
    async with running(db, settings) as app:
        owner = await app.factory.user()
        admin = await app.factory.user(Role.ADMIN)
        routing = await app.factory.routing(owner)
        data = os.urandom(100_000)

        with store_refusing_blobs(settings):
            # an administrator uploads to the owner's routing: both are told
            upload_id = upload_id_of(await upload_whole(app.client, admin, routing["id"], data))
            for _ in range(20):
                await app.drain()
                [command] = await commit_commands(db)
                if command.status == CommandStatus.FAILED:
                    break
                await make_retries_due(db)
            assert command.status == CommandStatus.FAILED
            assert command.attempts == command.max_attempts > 1

        upload = await app.upload_session(admin, upload_id)
        assert (upload["status"], upload["file"]) == ("FAILED", None)
        assert upload["failureReason"].startswith("The file could not be stored: PermissionError")
        assert await stored(db) == NOTHING
        assert cas_files(settings) == {}
        assert part_files(settings) == []  # the received bytes are dropped too
        shown = await app.routing(owner, routing["id"])
        assert shown["files"] == []
        [entry] = history_of(shown, "STORAGE_COMMIT_FAILED")
        assert entry["actor"] == "system"
        assert entry["data"]["uploadSessionId"] == upload_id
        assert entry["data"]["uploadedBy"] == admin.username
        [alert] = await alert_events(db, "STORAGE_COMMIT_FAILED")
        assert sorted(alert.audience or []) == sorted(
            ["role:ADMIN", f"user:{admin.id}", f"user:{owner.id}"]
        )
        assert alert.payload["severity"] == "ERROR"
        assert "upload it again" in alert.payload["message"]
        [worker_alert] = await alert_events(db, "WORKER_COMMAND_FAILED")
        assert worker_alert.audience == ["role:ADMIN"]

        # once the store is writable again, uploading again works
        again = upload_id_of(await upload_whole(app.client, admin, routing["id"], data))
        await app.drain()
        upload = await app.upload_session(admin, again)
        assert (upload["status"], upload["file"]["revision"]) == ("COMMITTED", 1)
        assert await stored(db) == ONE_OF_EACH


async def test_commit_retries_follow_the_configured_attempts(db: Database, tmp_path: Path) -> None:
    async with running(db, config(tmp_path, worker_max_attempts=2)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        await upload_whole(app.client, owner, routing["id"], b"G0 X0\n")
        [command] = await commit_commands(db)
        assert command.max_attempts == 2


# -- a declared whole-file hash that does not match ------------------------------------------


@pytest.mark.parametrize("declared_by", ["Upload-Metadata", "createUploadSession"])
async def test_a_declared_hash_mismatch_fails_and_reaches_nothing(
    db: Database, tmp_path: Path, declared_by: str
) -> None:
    settings = config(tmp_path)
    async with running(db, settings) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        existing = os.urandom(30_000)
        await upload_whole(app.client, owner, routing["id"], existing)
        await app.drain()
        before = await stored(db)
        assert before == ONE_OF_EACH

        # declared: the hash of the bytes already stored; sent: other bytes
        sent = os.urandom(30_000)
        if declared_by == "Upload-Metadata":
            created = await create_upload(
                app.client, owner, routing["id"], len(sent), sha256=sha(existing)
            )
            assert created.status_code == 201, created.text
            location = created.headers["Location"]
        else:
            session = await app.factory.ok(
                CREATE_SESSION,
                {
                    "input": {
                        "routingId": routing["id"],
                        "fileName": "part.esp",
                        "size": len(sent),
                        "sha256": sha(existing).upper(),
                    }
                },
                as_=owner,
            )
            location = session["createUploadSession"]["uploadUrl"]
        for start in range(0, len(sent), 10_000):
            answer = await patch(app.client, owner, location, start, sent[start : start + 10_000])
            assert answer.status_code == 204, answer.text
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert (upload["status"], upload["file"]) == ("FAILED", None)
        assert sha(sent) in upload["failureReason"]
        assert sha(existing) in upload["failureReason"]
        assert len(await commit_commands(db)) == 1  # only the first upload's: never queued
        assert await stored(db) == before
        assert cas_files(settings) == {sha(existing): existing}
        assert part_files(settings) == []
        shown = await app.routing(owner, routing["id"])
        assert [(f["sha256"], f["revision"]) for f in shown["files"]] == [(sha(existing), 1)]
        # the failed upload takes no more bytes
        more = await patch(app.client, owner, location, len(sent), b"x")
        assert (more.status_code, more.json()["code"]) == (409, "CONFLICT")


async def test_a_declared_hash_that_matches_commits(db: Database, tmp_path: Path) -> None:
    async with running(db, config(tmp_path)) as app:
        owner = await app.factory.user()
        routing = await app.factory.routing(owner)
        data = os.urandom(20_000)
        created = await create_upload(
            app.client, owner, routing["id"], len(data), sha256=sha(data).upper()
        )
        location = created.headers["Location"]
        assert (await patch(app.client, owner, location, 0, data)).status_code == 204
        await app.drain()

        upload = await app.upload_session(owner, upload_id_of(location))
        assert upload["status"] == "COMMITTED"
        assert await stored(db) == ONE_OF_EACH

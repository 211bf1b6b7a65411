"""The tus 1.0.0 protocol at /api/uploads, through the real app on SQLite and
PostgreSQL, and what a finished upload becomes: a committed, deduplicated,
audited file."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from mcms.core.auth import Role
from mcms.core.db import Database
from mcms.files.models import FileBlob, FileCommitAudit, RoutingFile
from mcms.settings import Settings
from tests.factories import Factory
from tests.files.support import (
    OFFSET_STREAM,
    TUS,
    checksum,
    create_upload,
    drain_worker,
    engineer_with_routing,
    head,
    metadata,
    patch,
    upload_whole,
)

ROUTING_FILES = """
query Files($id: ID!) {
  routing(id: $id) {
    files { id logicalName revision size sha256 scanStatus downloadable downloadUrl }
    history { edges { node { type message } } }
  }
}
"""
UPLOAD_SESSION = """
query Upload($id: ID!) {
  uploadSession(id: $id) { id status offset size fileName failureReason file { id revision } }
}
"""


def _upload_id(location: str) -> str:
    return location.rsplit("/", 1)[1]


async def test_options_advertise_the_protocol(client: httpx.AsyncClient) -> None:
    answer = await client.options("/api/uploads")
    assert answer.status_code == 204
    assert answer.headers["Tus-Version"] == "1.0.0"
    assert answer.headers["Tus-Extension"] == (
        "creation,creation-with-upload,expiration,checksum,termination"
    )
    assert answer.headers["Tus-Checksum-Algorithm"] == "sha256,sha1"
    assert answer.headers["Tus-Max-Size"] == str(20 * 1024**3)


async def test_upload_in_chunks_commits_a_file(
    client: httpx.AsyncClient, factory: Factory, app: Any, settings: Settings, db: Database
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    data = os.urandom(300_000)
    location = await upload_whole(client, engineer, routing["id"], data, chunk=100_000)

    progress = await head(client, engineer, location)
    assert progress.status_code == 200
    assert progress.headers["Upload-Offset"] == str(len(data))
    assert progress.headers["Cache-Control"] == "no-store"
    await drain_worker(app)

    upload = await factory.ok(UPLOAD_SESSION, {"id": _upload_id(location)}, as_=engineer)
    assert upload["uploadSession"]["status"] == "COMMITTED"
    files = (await factory.ok(ROUTING_FILES, {"id": routing["id"]}, as_=engineer))["routing"]
    sha = hashlib.sha256(data).hexdigest()
    assert files["files"] == [
        {
            "id": upload["uploadSession"]["file"]["id"],
            "logicalName": "part.esp",
            "revision": 1,
            "size": len(data),
            "sha256": sha,
            "scanStatus": "SKIPPED",
            "downloadable": True,
            "downloadUrl": f"/api/files/{upload['uploadSession']['file']['id']}/content",
        }
    ]
    assert "FILE_UPLOADED" in [edge["node"]["type"] for edge in files["history"]["edges"]]
    blob = settings.resolved_files_dir / "cas" / "sha256" / sha[:2] / sha
    assert blob.read_bytes() == data
    assert list((settings.resolved_files_dir / "uploads").iterdir()) == []
    async with db.read_session() as session:
        audit = (await session.execute(select(FileCommitAudit))).scalars().one()
    assert (audit.sha256, audit.size, audit.chunk_count) == (sha, len(data), 3)
    assert audit.upload_session_id == _upload_id(location)
    download = await client.get(files["files"][0]["downloadUrl"], headers=engineer.headers)
    assert download.content == data


async def test_same_bytes_twice_are_stored_once(
    client: httpx.AsyncClient, factory: Factory, app: Any, settings: Settings, db: Database
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    data = os.urandom(50_000)
    await upload_whole(client, engineer, routing["id"], data)
    await upload_whole(client, engineer, routing["id"], data)
    await drain_worker(app)

    files = (await factory.ok(ROUTING_FILES, {"id": routing["id"]}, as_=engineer))["routing"]
    assert [(f["logicalName"], f["revision"]) for f in files["files"]] == [
        ("part.esp", 1),
        ("part.esp", 2),
    ]
    blobs = list((settings.resolved_files_dir / "cas" / "sha256").rglob("*"))
    assert len([path for path in blobs if path.is_file()]) == 1
    async with db.read_session() as session:
        stored_new = (await session.execute(select(FileCommitAudit.stored_new_bytes))).scalars()
        assert sorted(stored_new.all()) == [False, True]
        assert len((await session.execute(select(FileBlob))).all()) == 1
        assert len((await session.execute(select(RoutingFile))).all()) == 2


async def test_creation_with_upload_and_zero_bytes(
    client: httpx.AsyncClient, factory: Factory, app: Any
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    data = b"G0 X0 Y0\nM30\n"
    headers = {
        **TUS,
        **OFFSET_STREAM,
        **engineer.headers,
        "Upload-Length": str(len(data)),
        "Upload-Metadata": metadata(filename="O1234.nc", routingId=routing["id"]),
    }
    created = await client.post("/api/uploads", headers=headers, content=data)
    assert created.status_code == 201
    assert created.headers["Upload-Offset"] == str(len(data))
    assert "Upload-Expires" in created.headers
    empty = await create_upload(client, engineer, routing["id"], 0, filename="empty.txt")
    assert empty.status_code == 201
    await drain_worker(app)
    files = (await factory.ok(ROUTING_FILES, {"id": routing["id"]}, as_=engineer))["routing"]
    assert sorted((f["logicalName"], f["size"]) for f in files["files"]) == [
        ("O1234.nc", len(data)),
        ("empty.txt", 0),
    ]


async def test_offset_mismatch_is_409_and_writes_nothing(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 1000)).headers["Location"]
    assert (await patch(client, engineer, location, 0, b"a" * 100)).status_code == 204

    answer = await patch(client, engineer, location, 50, b"b" * 100)
    assert answer.status_code == 409
    assert answer.json()["code"] == "CONFLICT"
    assert answer.headers["Upload-Offset"] == "100"
    part = settings.resolved_files_dir / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    assert part.read_bytes() == b"a" * 100


async def test_checksum_mismatch_is_460_and_discards_the_chunk(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 1000)).headers["Location"]
    assert (await patch(client, engineer, location, 0, b"a" * 100)).status_code == 204

    answer = await patch(
        client,
        engineer,
        location,
        100,
        b"b" * 100,
        with_checksum=False,
        headers={"Upload-Checksum": checksum(b"c" * 100)},
    )
    assert answer.status_code == 460
    assert answer.json()["code"] == "INVALID_ARGUMENT"
    assert (await head(client, engineer, location)).headers["Upload-Offset"] == "100"
    part = settings.resolved_files_dir / "uploads" / f"{location.rsplit('/', 1)[1]}.part"
    assert part.read_bytes() == b"a" * 100
    # sha1 is accepted too, and the upload goes on from the same offset
    sha1 = await patch(
        client,
        engineer,
        location,
        100,
        b"d" * 100,
        with_checksum=False,
        headers={"Upload-Checksum": checksum(b"d" * 100, "sha1")},
    )
    assert sha1.status_code == 204
    assert sha1.headers["Upload-Offset"] == "200"


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("Upload-Checksum", "md5 1B2M2Y8AsgTpgAmY7PhCfg=="),
        ("Upload-Checksum", "sha256 not-base64!"),
        ("Upload-Checksum", "sha256 AAAA"),
        ("Upload-Offset", "-1"),
        ("Upload-Offset", "ten"),
        ("Upload-Offset", ""),
    ],
)
async def test_bad_patch_headers_are_400(
    client: httpx.AsyncClient, factory: Factory, header: str, value: str
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    answer = await patch(
        client, engineer, location, 0, b"x" * 10, with_checksum=False, headers={header: value}
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "INVALID_ARGUMENT"
    assert (await head(client, engineer, location)).headers["Upload-Offset"] == "0"


async def test_patch_needs_the_offset_stream_type(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    answer = await patch(
        client, engineer, location, 0, b"x" * 10, headers={"Content-Type": "text/plain"}
    )
    assert answer.status_code == 415


async def test_patch_past_the_length_is_413(client: httpx.AsyncClient, factory: Factory) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    answer = await patch(client, engineer, location, 0, b"x" * 11)
    assert answer.status_code == 413
    assert (await head(client, engineer, location)).headers["Upload-Offset"] == "0"


async def test_patch_without_creation_is_404(client: httpx.AsyncClient, factory: Factory) -> None:
    engineer = await factory.user()
    for upload_id in ("0" * 32, "..%2F..%2Fetc%2Fpasswd", "x", "A" * 32):
        answer = await patch(client, engineer, f"/api/uploads/{upload_id}", 0, b"x")
        assert answer.status_code == 404, upload_id


@pytest.mark.parametrize(
    "filename",
    [
        "../../etc/passwd",
        "..\\..\\boot.ini",
        "dir/part.esp",
        "bad\x00name",
        "tab\tname",
        "CON",
        "nul.txt",
        "COM1.nc",
        "trailing.",
        "trailing ",
        "a" * 256,
        "한" * 90,
        "",
        'quote"s',
    ],
)
async def test_bad_file_names_are_refused(
    client: httpx.AsyncClient, factory: Factory, filename: str, settings: Settings
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    answer = await create_upload(client, engineer, routing["id"], 10, filename=filename)
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "INVALID_ARGUMENT"
    uploads = settings.resolved_files_dir / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []


@pytest.mark.parametrize(
    "header",
    [
        "filename cGFydC5lc3A=,routingId !!!",
        "filename not_base64%%",
        "filename //79/g==,routingId MQ==",  # base64 of bytes that are not UTF-8
        "filename cGFydC5lc3A=",  # no routingId
        "filename cGFydC5lc3A=,routingId MQ==,filename cGFydC5lc3A=",
        "bad key cGFydA==",
    ],
)
async def test_bad_metadata_is_400(
    client: httpx.AsyncClient, factory: Factory, header: str
) -> None:
    engineer = await factory.user()
    headers = {**TUS, **engineer.headers, "Upload-Length": "10", "Upload-Metadata": header}
    answer = await client.post("/api/uploads", headers=headers)
    assert answer.status_code == 400, answer.text


@pytest.mark.parametrize(
    ("length", "status"),
    [(str(20 * 1024**3 + 1), 413), ("-5", 400), ("abc", 400), (None, 400)],
)
async def test_bad_upload_length(
    client: httpx.AsyncClient, factory: Factory, length: str | None, status: int
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    headers = {
        **TUS,
        **engineer.headers,
        "Upload-Metadata": metadata(filename="a.esp", routingId=routing["id"]),
    }
    if length is not None:
        headers["Upload-Length"] = length
    answer = await client.post("/api/uploads", headers=headers)
    assert answer.status_code == status, answer.text


async def test_wrong_tus_version_is_412(client: httpx.AsyncClient, factory: Factory) -> None:
    engineer, routing = await engineer_with_routing(factory)
    headers = {
        "Tus-Resumable": "0.2.2",
        **engineer.headers,
        "Upload-Length": "1",
        "Upload-Metadata": metadata(filename="a.esp", routingId=routing["id"]),
    }
    answer = await client.post("/api/uploads", headers=headers)
    assert answer.status_code == 412
    assert answer.headers["Tus-Version"] == "1.0.0"


async def test_declared_hash_mismatch_fails_and_stores_nothing(
    client: httpx.AsyncClient, factory: Factory, app: Any, settings: Settings
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    created = await create_upload(
        client, engineer, routing["id"], 4, sha256=hashlib.sha256(b"else").hexdigest()
    )
    location = created.headers["Location"]
    assert (await patch(client, engineer, location, 0, b"data")).status_code == 204
    await drain_worker(app)
    upload = await factory.ok(UPLOAD_SESSION, {"id": _upload_id(location)}, as_=engineer)
    assert upload["uploadSession"]["status"] == "FAILED"
    assert "declared" in upload["uploadSession"]["failureReason"]
    assert not (settings.resolved_files_dir / "cas" / "sha256").exists() or not list(
        (settings.resolved_files_dir / "cas" / "sha256").rglob("*")
    )
    files = (await factory.ok(ROUTING_FILES, {"id": routing["id"]}, as_=engineer))["routing"]
    assert files["files"] == []


async def test_delete_terminates_the_upload(
    client: httpx.AsyncClient, factory: Factory, settings: Settings
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 100)).headers["Location"]
    await patch(client, engineer, location, 0, b"x" * 10)
    answer = await client.delete(location, headers={**TUS, **engineer.headers})
    assert answer.status_code == 204
    assert (await head(client, engineer, location)).status_code in (404, 410)
    assert (await patch(client, engineer, location, 10, b"y")).status_code == 410
    assert list((settings.resolved_files_dir / "uploads").iterdir()) == []


async def test_only_editors_of_the_routing_may_upload(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    other = await factory.user()
    auditor = await factory.user(Role.AUDITOR)
    approver = await factory.user(Role.APPROVER)
    assert (await create_upload(client, other, routing["id"], 1)).status_code == 403
    assert (await create_upload(client, auditor, routing["id"], 1)).status_code == 403
    assert (await create_upload(client, approver, routing["id"], 1)).status_code == 403
    anonymous = await client.post(
        "/api/uploads",
        headers={
            **TUS,
            "Upload-Length": "1",
            "Upload-Metadata": metadata(filename="a", routingId=routing["id"]),
        },
    )
    assert anonymous.status_code == 401
    approved = await factory.approved_routing(engineer, approver)
    assert (await create_upload(client, engineer, approved["id"], 1)).status_code == 409
    # someone else's upload is not even visible
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    assert (await head(client, other, location)).status_code == 404
    assert (await patch(client, other, location, 0, b"x")).status_code == 404


async def test_an_auditor_sees_an_upload_but_never_writes_to_it(
    client: httpx.AsyncClient, factory: Factory
) -> None:
    # given an engineer's upload with some bytes in
    engineer, routing = await engineer_with_routing(factory)
    auditor = await factory.user(Role.AUDITOR)
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    assert (await patch(client, engineer, location, 0, b"abc")).status_code == 204
    upload_id = location.rsplit("/", 1)[-1]

    # the auditor reads its offset, but may neither send bytes nor cancel it
    assert (await head(client, auditor, location)).headers["Upload-Offset"] == "3"
    refused = [
        await patch(client, auditor, location, 3, b"def"),
        await client.delete(location, headers={**TUS, **auditor.headers}),
    ]
    cancel = await factory.gql(CANCEL_SESSION, {"id": upload_id}, as_=auditor)

    assert [answer.status_code for answer in refused] == [403, 403]
    assert all(answer.json()["error"]["code"] == "FORBIDDEN" for answer in refused)
    assert cancel["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    after = await head(client, engineer, location)
    assert (after.status_code, after.headers["Upload-Offset"]) == (200, "3")


async def test_job_id_is_only_for_an_add_in(client: httpx.AsyncClient, factory: Factory) -> None:
    engineer, routing = await engineer_with_routing(factory)
    answer = await create_upload(client, engineer, routing["id"], 1, jobId="1")
    assert answer.status_code == 400
    assert "jobId" in answer.json()["error"]["message"]


async def test_refusals_carry_the_tus_version(client: httpx.AsyncClient, factory: Factory) -> None:
    engineer, routing = await engineer_with_routing(factory)
    location = (await create_upload(client, engineer, routing["id"], 10)).headers["Location"]
    refusals = [
        await create_upload(client, engineer, routing["id"], 1, filename="../x"),
        await patch(client, engineer, location, 5, b"x"),
        await head(client, engineer, "/api/uploads/" + "0" * 32),
        await client.get(location, headers=engineer.headers),
    ]
    assert [answer.status_code for answer in refusals] == [400, 409, 404, 405]
    assert {answer.headers.get("Tus-Resumable") for answer in refusals} == {"1.0.0"}


CREATE_SESSION = """
mutation Create($input: CreateUploadSessionInput!) {
  createUploadSession(input: $input) { id status uploadUrl size offset chunkSize sha256 }
}
"""
CANCEL_SESSION = "mutation Cancel($id: ID!) { cancelUploadSession(id: $id) { id status } }"


async def test_graphql_session_is_the_tus_resource(
    client: httpx.AsyncClient, factory: Factory, app: Any
) -> None:
    engineer, routing = await engineer_with_routing(factory)
    data = os.urandom(20_000)
    created = await factory.ok(
        CREATE_SESSION,
        {
            "input": {
                "routingId": routing["id"],
                "fileName": "fixture.esp",
                "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "chunkSize": 8192,
            }
        },
        as_=engineer,
    )
    upload = created["createUploadSession"]
    assert upload["status"] == "RECEIVING"
    assert upload["chunkSize"] == 8192
    for start in range(0, len(data), 8192):
        piece = data[start : start + 8192]
        assert (await patch(client, engineer, upload["uploadUrl"], start, piece)).status_code == 204
    await drain_worker(app)
    done = await factory.ok(UPLOAD_SESSION, {"id": upload["id"]}, as_=engineer)
    assert done["uploadSession"]["status"] == "COMMITTED"
    assert done["uploadSession"]["file"]["revision"] == 1

    second = await factory.ok(
        CREATE_SESSION,
        {"input": {"routingId": routing["id"], "fileName": "b.esp", "size": 10}},
        as_=engineer,
    )
    cancelled = await factory.ok(
        CANCEL_SESSION, {"id": second["createUploadSession"]["id"]}, as_=engineer
    )
    assert cancelled["cancelUploadSession"]["status"] == "CANCELLED"
    refused = await factory.gql(
        CREATE_SESSION,
        {"input": {"routingId": routing["id"], "fileName": "../x", "size": -1}},
        as_=engineer,
    )
    assert refused["errors"][0]["extensions"]["code"] == "INVALID_ARGUMENT"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB file system (tmpfs) that the test can fill up."""
    mount = tmp_path / "small"
    mount.mkdir()
    mount_command = shutil.which("mount") or "/bin/mount"
    subprocess.run([mount_command, "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)  # noqa: S603
    yield mount
    subprocess.run([shutil.which("umount") or "/bin/umount", str(mount)], check=True)  # noqa: S603


async def test_disk_full_during_patch_is_507_with_the_offset_intact(
    factory: Factory, db: Database, tmp_path: Path, small_disk: Path
) -> None:
    from mcms.app import create_app

    mount = small_disk
    settings = Settings(data_dir=tmp_path / "data", files_dir=mount, upload_min_free_bytes=0)
    app: Any = create_app(settings, db=db)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        engineer, routing = await engineer_with_routing(Factory(db=db, client=client))
        too_big = await create_upload(client, engineer, routing["id"], 3_000_000)
        assert too_big.status_code == 413  # more than the disk has free
        assert too_big.json()["code"] == "PAYLOAD_TOO_LARGE"
        location = (await create_upload(client, engineer, routing["id"], 1_900_000)).headers[
            "Location"
        ]
        first = await patch(client, engineer, location, 0, b"a" * 500_000)
        assert first.status_code == 204
        (mount / "filler").write_bytes(b"f" * 1_200_000)  # someone else fills the disk
        full = await patch(client, engineer, location, 500_000, b"b" * 1_000_000)
        assert full.status_code == 507
        assert full.headers["Upload-Offset"] == "500000"
        assert (await head(client, engineer, location)).headers["Upload-Offset"] == "500000"
        (mount / "filler").unlink()
        again = await patch(client, engineer, location, 500_000, b"b" * 1_000_000)
        assert again.status_code == 204
    await app.state.ingest.close()  # its lease holds the part file open on the mount
    await app.state.hub.close()

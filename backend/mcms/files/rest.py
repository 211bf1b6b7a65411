"""File routes: downloads, and the legacy routes the add-in reads.

- ``GET|HEAD /api/files/{fileId}/content``: the bytes, with Range support;
  every download is written to the download audit.
- ``GET /api/routings/{id}/files``: the routing's current files and its
  ``meta.json`` (what the add-in reads before it runs).
- ``POST /api/routings/{id}/files``: a small file as multipart form data, through
  the same pipeline as a resumable upload (hash, scan, store, audit).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartParser
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from mcms.core.auth import Permission, Principal, require
from mcms.core.db import utcnow
from mcms.core.errors import (
    DomainError,
    ErrorCode,
    Forbidden,
    InvalidArgument,
    PayloadTooLarge,
)
from mcms.core.http import problem
from mcms.files import service, uploads
from mcms.files.download import Blob, blob_response
from mcms.files.enums import FINAL_UPLOAD_STATUSES, UploadStatus
from mcms.files.ingest import Ingest
from mcms.files.names import clean_file_name
from mcms.files.service import StoredFile
from mcms.files.store import FileStore
from mcms.files.uploads import NewUpload
from mcms.rest.common import database, json_response, path_id, settings
from mcms.routings import service as routings
from mcms.users.authn import authenticate_connection

LEGACY_UPLOAD_SUFFIX = "/files"
LEGACY_COMMIT_WAIT_SECONDS = 30.0
"""How long a multipart upload waits for its scan and commit before answering 202."""
MULTIPART_READ_BYTES = 1024 * 1024
MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""What a multipart body may hold besides the file (boundaries, headers, fields)."""
FAILED_UPLOAD_STATUSES = (UploadStatus.FAILED, UploadStatus.CANCELLED, UploadStatus.EXPIRED)


async def _reader(request: Request) -> Principal:
    """Readers of routings, and add-ins (which fetch a job's input files)."""
    principal = await authenticate_connection(
        database(request), request, settings(request).session_cookie_name
    )
    if principal is not None and principal.can(Permission.USE_ADDIN_SHIM):
        return principal
    return require(principal, Permission.READ)


def download_url(file_id: int) -> str:
    return f"/api/files/{file_id}/content"


def file_document(stored: StoredFile, *, allow_unscanned: bool) -> dict[str, Any]:
    """A file reference as REST and ``meta.json`` show it."""
    downloadable = stored.downloadable(allow_unscanned=allow_unscanned)
    return {
        "fileId": str(stored.id),
        "routingId": str(stored.routing_id),
        "logicalName": stored.logical_name,
        "revision": stored.revision,
        "size": stored.size,
        "sha256": stored.sha256,
        "scanStatus": stored.scan_status.value,
        "downloadable": downloadable,
        "downloadUrl": download_url(stored.id) if downloadable else None,
        "addinJobId": str(stored.addin_job_id) if stored.addin_job_id else None,
        "uploadedAt": stored.created_at,
    }


# -- downloads ----------------------------------------------------------------------


async def content(request: Request) -> Response:
    principal = await _reader(request)
    file_id = path_id(request, "file_id")
    allow = settings(request).av_unscanned == "allow"
    db = database(request)
    async with db.read_session() as session:
        stored = await service.get_file(session=session, file_id=file_id)
    try:
        service.check_downloadable(stored, allow_unscanned=allow)
    except Forbidden:
        # An attempt on a quarantined or unscanned file is worth knowing about.
        await _audit(request, principal, file_id, status=403)
        raise
    store = FileStore(settings(request).resolved_files_dir)
    blob = Blob(
        path=store.blob_path(stored.sha256),
        size=stored.size,
        sha256=stored.sha256,
        filename=stored.logical_name,
    )
    response = blob_response(request, blob, max_ranges=settings(request).download_max_ranges)
    await _audit(request, principal, file_id, status=response.status_code)
    return response


async def _audit(request: Request, principal: Principal, file_id: int, *, status: int) -> None:
    """One row of the download audit: who asked for which file, which part, and
    what they got."""
    async with database(request).unit_of_work() as session:
        await service.record_download(
            session=session,
            file_id=file_id,
            principal=principal,
            method=request.method,
            range_header=request.headers.get("range"),
            status=status,
        )


# -- the add-in's file list -------------------------------------------------------------


async def list_files(request: Request) -> Response:
    await _reader(request)
    routing_id = path_id(request)
    async with database(request).read_session() as session:
        routing = await routings.get_routing(session=session, routing_id=routing_id)
        files = await current_file_documents(request, session, routing_id)
    return json_response({"files": files, "meta": meta_json(routing, files)})


async def current_file_documents(
    request: Request, session: AsyncSession, routing_id: int
) -> list[dict[str, Any]]:
    """Each logical name's newest revision on the routing, as REST shows files."""
    allow = settings(request).av_unscanned == "allow"
    stored = await service.files_for_routings(
        session=session, routing_ids=[routing_id], latest_only=True
    )
    return [file_document(item, allow_unscanned=allow) for item in stored]


def meta_json(routing: Row[Any], files: list[dict[str, Any]]) -> dict[str, Any]:
    """The routing's ``meta.json``: what the add-in checks before it generates."""
    return {
        "routingId": str(routing.id),
        "code": routing.code,
        "title": routing.title,
        "status": routing.status,
        "version": routing.version,
        "camRevision": routing.cam_revision,
        "generatedAt": utcnow(),
        "files": [{key: item[key] for key in _META_FILE_KEYS} for item in files],
    }


_META_FILE_KEYS = (
    "fileId",
    "logicalName",
    "revision",
    "size",
    "sha256",
    "scanStatus",
    "downloadable",
    "downloadUrl",
)


# -- legacy multipart upload --------------------------------------------------------------


async def upload_multipart(request: Request) -> Response:
    principal = await _uploader(request)
    routing_id = path_id(request)
    limit = settings(request).legacy_upload_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD_BYTES:
        raise _too_large(limit)
    upload = await _the_file(request, limit)
    try:
        row = await _receive(request, principal, routing_id, upload)
    finally:
        await upload.close()
    row = await _wait_for_commit(request, row.id)
    return await _legacy_answer(request, row)


async def _uploader(request: Request) -> Principal:
    principal = await authenticate_connection(
        database(request), request, settings(request).session_cookie_name
    )
    return require(principal, Permission.EDIT_ROUTING)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"Multipart uploads take files up to {limit} bytes; use /api/uploads (tus) for larger ones."
    )


async def _the_file(request: Request, limit: int) -> UploadFile:
    """The form's ``file``, named by ``logicalName`` or its own file name; the
    other parts are dropped. Nothing is stored yet."""
    form = await _read_form(request, limit)
    upload = form.get("file")
    try:
        if not isinstance(upload, UploadFile):
            raise InvalidArgument("The form needs one file, in a field named file.")
        if upload.size is not None and upload.size > limit:
            raise _too_large(limit)
        logical = form.get("logicalName")
        upload.filename = clean_file_name(
            logical if isinstance(logical, str) and logical else upload.filename, "filename"
        )
    except DomainError:
        await form.close()
        raise
    return upload


async def _read_form(request: Request, limit: int) -> FormData:
    """Parse the multipart body, reading no more than the limit allows: a body
    without ``Content-Length`` (chunked) is cut off, not spooled to disk whole."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        raise InvalidArgument("Send the file as multipart/form-data in a field named file.")
    async with (
        contextlib.aclosing(request.stream()) as chunks,
        contextlib.aclosing(_bounded(chunks, limit + MULTIPART_OVERHEAD_BYTES, limit)) as stream,
    ):
        parser = MultiPartParser(
            request.headers, stream, max_files=1, max_fields=10, max_part_size=64 * 1024
        )
        try:
            return await parser.parse()
        except DomainError:
            raise
        except Exception as exc:  # python-multipart's errors vary with the damage
            raise InvalidArgument(f"The multipart body could not be read: {exc}") from None


async def _bounded(
    chunks: AsyncIterator[bytes], max_bytes: int, limit: int
) -> AsyncGenerator[bytes]:
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if received > max_bytes:
            raise _too_large(limit)
        yield chunk


async def _receive(
    request: Request, principal: Principal, routing_id: int, upload: UploadFile
) -> Row[Any]:
    ingest: Ingest = request.app.state.ingest
    size = upload.size or 0
    row = await ingest.create(
        principal,
        NewUpload(
            routing_id=routing_id,
            file_name=str(upload.filename),
            size=size,
            chunk_size=max(size, 1),
            sha256=None,
            metadata={"filename": str(upload.filename), "routingId": str(routing_id)},
        ),
    )
    if size:
        await ingest.patch(
            principal,
            row.id,
            offset=0,
            checksum=None,
            content_length=size,
            body=_chunks(upload),
        )
    return row


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(MULTIPART_READ_BYTES):
        yield chunk


async def _wait_for_commit(request: Request, upload_id: str) -> Row[Any]:
    """The worker commits (in this process, poked at once, or in another);
    wait for it a while so an old client gets its file in the answer."""
    deadline = time.monotonic() + LEGACY_COMMIT_WAIT_SECONDS
    delay = 0.02
    while True:
        async with database(request).read_session() as session:
            row = await uploads.find(session=session, upload_id=upload_id)
        if row is None or row.status in FINAL_UPLOAD_STATUSES or time.monotonic() > deadline:
            return row  # type: ignore[return-value]
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


async def _legacy_answer(request: Request, row: Row[Any]) -> Response:
    body: dict[str, Any] = {
        "uploadId": row.id,
        "status": row.status.value,
        "failureReason": row.failure_reason,
    }
    if row.status in FAILED_UPLOAD_STATUSES:
        # Received but not stored (the store failed for good): the client must
        # send it again, so not a 2xx it could take for success.
        message = row.failure_reason or f"The upload ended {row.status.value}."
        return problem(ErrorCode.INTERNAL, message)
    if row.file_id is None:
        # Still scanning after the wait: the body says where it is.
        return json_response(body, status=202)
    allow = settings(request).av_unscanned == "allow"
    async with database(request).read_session() as session:
        stored = await service.get_file(session=session, file_id=row.file_id)
    return json_response({**body, "file": file_document(stored, allow_unscanned=allow)}, 201)


routes = [
    Route("/api/files/{file_id}/content", content, methods=["GET", "HEAD"]),
    Route("/api/routings/{id}/files", list_files, methods=["GET"]),
    Route("/api/routings/{id}/files", upload_multipart, methods=["POST"]),
]

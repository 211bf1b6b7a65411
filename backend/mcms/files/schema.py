"""GraphQL for files: ``file``, ``uploadSession``, ``Routing.files``,
``createUploadSession`` and ``cancelUploadSession``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from sqlalchemy import Row

from mcms.core.auth import Permission
from mcms.core.validation import parse_id
from mcms.files import service, uploads
from mcms.files.enums import ScanStatus, UploadStatus
from mcms.files.ingest import Ingest
from mcms.files.names import clean_file_name, clean_sha256
from mcms.files.rest import download_url
from mcms.files.service import StoredFile
from mcms.files.tus import upload_url
from mcms.files.uploads import NewUpload
from mcms.graphql.context import Info
from mcms.graphql.scalars import BigInt

ScanStatusEnum = strawberry.enum(
    ScanStatus,
    name="ScanStatus",
    description="The virus scan of a file's bytes. SKIPPED means scanning is switched off "
    '(shown as "not scanned"); QUARANTINED and unscanned files cannot be downloaded.',
)
UploadStatusEnum = strawberry.enum(
    UploadStatus,
    name="UploadStatus",
    description="RECEIVING → VERIFYING → SCANNING → COMMITTED, or QUARANTINED, FAILED, "
    "CANCELLED, EXPIRED.",
)


def _allow_unscanned(info: Info) -> bool:
    return info.context.settings.av_unscanned == "allow"


@strawberry.type(description="One revision of one logical file name on a routing.")
class File:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    routing_id: strawberry.ID = strawberry.field(description="The routing it belongs to.")
    logical_name: str = strawberry.field(description="The file's name, e.g. `part.esp`.")
    revision: int = strawberry.field(description="1 for the first upload of this name, then +1.")
    size: BigInt = strawberry.field(description="Bytes.")
    sha256: str = strawberry.field(description="SHA-256 of the bytes, lower-case hex.")
    scan_status: ScanStatusEnum = strawberry.field(  # type: ignore[valid-type]
        description="Virus scan verdict."
    )
    scan_detail: str = strawberry.field(
        description="The signature found (QUARANTINED) or why scanning failed (SCAN_FAILED)."
    )
    downloadable: bool = strawberry.field(description="Whether the bytes may be downloaded.")
    download_url: str | None = strawberry.field(
        description="`GET` it (with `Range` if you like) for the bytes; null when not downloadable."
    )
    addin_job_id: strawberry.ID | None = strawberry.field(
        description="For a generation output: the add-in job that produced it."
    )
    uploaded_at: datetime = strawberry.field(description="When it was committed.")

    @classmethod
    def from_stored(cls, stored: StoredFile, *, allow_unscanned: bool) -> File:
        downloadable = stored.downloadable(allow_unscanned=allow_unscanned)
        return cls(
            id=strawberry.ID(str(stored.id)),
            routing_id=strawberry.ID(str(stored.routing_id)),
            logical_name=stored.logical_name,
            revision=stored.revision,
            size=BigInt(stored.size),
            sha256=stored.sha256,
            scan_status=stored.scan_status,
            scan_detail=stored.scan_detail,
            downloadable=downloadable,
            download_url=download_url(stored.id) if downloadable else None,
            addin_job_id=strawberry.ID(str(stored.addin_job_id)) if stored.addin_job_id else None,
            uploaded_at=stored.created_at,
        )


@strawberry.type(
    description="A resumable upload of one file: the tus resource at `uploadUrl` "
    "(HEAD for the offset, PATCH to send bytes)."
)
class UploadSession:
    id: strawberry.ID = strawberry.field(description="Stable id.")
    routing_id: strawberry.ID = strawberry.field(description="The routing it attaches to.")
    file_name: str = strawberry.field(description="The logical name it will be stored under.")
    size: BigInt = strawberry.field(description="Total bytes.")
    offset: BigInt = strawberry.field(description="Bytes durably received so far.")
    chunk_size: BigInt = strawberry.field(description="Suggested bytes per PATCH.")
    sha256: str | None = strawberry.field(
        description="The whole file's SHA-256 as declared at creation (checked before commit)."
    )
    status: UploadStatusEnum = strawberry.field(description="Where it is.")  # type: ignore[valid-type]
    failure_reason: str | None = strawberry.field(description="Why it FAILED.")
    upload_url: str = strawberry.field(description="The tus upload URL (same origin).")
    expires_at: datetime = strawberry.field(
        description="It expires with its partial bytes if nothing arrives before this."
    )
    created_at: datetime = strawberry.field(description="When it was created.")
    file_id: strawberry.Private[int | None]

    @strawberry.field(description="The file it became (once COMMITTED or QUARANTINED).")
    async def file(self, info: Info) -> File | None:
        if self.file_id is None:
            return None
        async with info.context.db.read_session() as session:
            stored = await service.get_file(session=session, file_id=self.file_id)
        return File.from_stored(stored, allow_unscanned=_allow_unscanned(info))

    @classmethod
    def from_row(cls, row: Row[Any]) -> UploadSession:
        return cls(
            id=strawberry.ID(row.id),
            routing_id=strawberry.ID(str(row.routing_id)),
            file_name=row.file_name,
            size=row.size,
            offset=row.offset,
            chunk_size=row.chunk_size,
            sha256=row.declared_sha256,
            status=UploadStatus(row.status),
            failure_reason=row.failure_reason,
            upload_url=upload_url(row.id),
            expires_at=row.expires_at,
            created_at=row.created_at,
            file_id=row.file_id,
        )


async def file_of_upload(info: Info, upload_id: str) -> File | None:
    """The file an upload became (for an add-in job's outputs), if committed."""
    stored = await info.context.loaders.file_of_upload.load(upload_id)
    return File.from_stored(stored, allow_unscanned=_allow_unscanned(info)) if stored else None


@strawberry.input(description="A resumable upload to create.")
class CreateUploadSessionInput:
    routing_id: strawberry.ID = strawberry.field(description="The routing to attach the file to.")
    file_name: str = strawberry.field(description="Its logical name, e.g. `part.esp`.")
    size: BigInt = strawberry.field(description="Total bytes (at most the server's limit).")
    sha256: str | None = strawberry.field(
        default=None, description="The whole file's SHA-256; checked before anything is stored."
    )
    chunk_size: BigInt | None = strawberry.field(
        default=None, description="Bytes per PATCH you intend to send (default 10 MiB)."
    )


async def routing_files(info: Info, routing_id: int) -> list[File]:
    """``Routing.files``: every revision of every logical name."""
    stored = await info.context.loaders.files_of_routing.load(routing_id)
    allow = _allow_unscanned(info)
    return [File.from_stored(item, allow_unscanned=allow) for item in stored]


@strawberry.type
class FileQuery:
    @strawberry.field(description="One file; `NOT_FOUND` if there is none with that id.")
    async def file(self, info: Info, id: strawberry.ID) -> File:
        info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            stored = await service.get_file(session=session, file_id=parse_id(id))
        return File.from_stored(stored, allow_unscanned=_allow_unscanned(info))

    @strawberry.field(
        description="One of your upload sessions (administrators and auditors see all)."
    )
    async def upload_session(self, info: Info, id: strawberry.ID) -> UploadSession:
        principal = info.context.require(Permission.READ)
        async with info.context.db.read_session() as session:
            row = await uploads.get_visible(session=session, upload_id=str(id), principal=principal)
        return UploadSession.from_row(row)


def _ingest(info: Info) -> Ingest:
    value: Ingest = info.context.request.app.state.ingest
    return value


@strawberry.type
class FileMutation:
    @strawberry.mutation(
        description="Start a resumable upload; send the bytes with tus to its `uploadUrl`. "
        "Only someone who may edit the routing may upload to it."
    )
    async def create_upload_session(
        self, info: Info, input: CreateUploadSessionInput
    ) -> UploadSession:
        principal = info.context.require(Permission.READ)
        settings = info.context.settings
        name = clean_file_name(input.file_name, "fileName")
        upload = NewUpload(
            routing_id=parse_id(input.routing_id, "routingId"),
            file_name=name,
            size=_non_negative(input.size, "size"),
            chunk_size=(
                _non_negative(input.chunk_size, "chunkSize")
                if input.chunk_size is not None
                else settings.upload_chunk_bytes
            ),
            sha256=clean_sha256(input.sha256, "sha256") if input.sha256 else None,
            metadata={"filename": name, "routingId": str(input.routing_id)},
        )
        row = await _ingest(info).create(principal, upload)
        return UploadSession.from_row(row)

    @strawberry.mutation(
        description="Cancel an upload that is still receiving; its bytes are dropped."
    )
    async def cancel_upload_session(self, info: Info, id: strawberry.ID) -> UploadSession:
        principal = info.context.require(Permission.READ)
        row = await _ingest(info).cancel(principal, str(id))
        return UploadSession.from_row(row)


def _non_negative(value: Any, field: str) -> int:
    from mcms.core.errors import InvalidArgument

    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidArgument(f"{field} must be a non-negative number of bytes.", field=field)
    return value

"""Blobs, file references, upload sessions and the audit trails of both.

A *blob* is bytes in the content-addressed store, keyed by SHA-256 and stored
once however many files point to it. A *file reference* is what a routing
shows: a logical name (``part.esp``), its revision number for that name, and
the blob. An *upload session* is one tus upload on its way to becoming a file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from mcms.core.db import Base, UTCDateTime, utcnow
from mcms.files.enums import ScanStatus, UploadStatus


class FileBlob(Base):
    __tablename__ = "file_blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    """Lower-case hex; the blob lives at ``cas/sha256/<first 2 hex>/<sha256>``."""
    size: Mapped[int] = mapped_column(BigInteger)
    scan_status: Mapped[ScanStatus] = mapped_column(Enum(ScanStatus, native_enum=False, length=16))
    scan_detail: Mapped[str] = mapped_column(Text, default="")
    """The signature found, or why the scan failed."""
    scanner: Mapped[str] = mapped_column(String(200), default="")
    scanned_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RoutingFile(Base):
    """A file reference: one revision of one logical name on one routing."""

    __tablename__ = "routing_files"
    __table_args__ = (UniqueConstraint("routing_id", "logical_name", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    routing_id: Mapped[int] = mapped_column(ForeignKey("routings.id"), index=True)
    logical_name: Mapped[str] = mapped_column(String(255))
    revision: Mapped[int] = mapped_column(Integer)
    """1 for the first upload of a logical name, then one more per upload."""
    blob_sha256: Mapped[str] = mapped_column(ForeignKey("file_blobs.sha256"), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    upload_session_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    addin_job_id: Mapped[int | None] = mapped_column(ForeignKey("addin_jobs.id"), nullable=True)
    """Set for a generation output: the job that produced it."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UploadSession(Base):
    __tablename__ = "upload_sessions"
    __table_args__ = (Index("ix_upload_sessions_status_expires", "status", "expires_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """Random hex; the tus URL is ``/api/uploads/<id>``."""
    routing_id: Mapped[int] = mapped_column(ForeignKey("routings.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_size: Mapped[int] = mapped_column(BigInteger)
    declared_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    """Bytes durably received (fsynced); only ever moves forward, under the lock."""
    chunk_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[UploadStatus] = mapped_column(Enum(UploadStatus, native_enum=False, length=16))
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    """The whole file's hash, once every byte is in."""
    failure_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    addin_job_id: Mapped[int | None] = mapped_column(ForeignKey("addin_jobs.id"), nullable=True)
    """An add-in's output upload, authorised by its lease on this job."""
    file_id: Mapped[int | None] = mapped_column(ForeignKey("routing_files.id"), nullable=True)
    tus_metadata: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """The client's ``Upload-Metadata``, echoed back on HEAD."""
    lock_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """Set while a PATCH is writing: one writer at a time, across processes."""
    lock_heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    release_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    """A newer request (HEAD or PATCH) asks the current writer to stop."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    """Inactivity deadline (``Upload-Expires``); pushed forward by every PATCH."""


class FileCommitAudit(Base):
    """The integrity audit: one row per committed upload, never changed."""

    __tablename__ = "file_commit_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    chunk_count: Mapped[int] = mapped_column(Integer)
    uploader_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    upload_session_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("routing_files.id"))
    stored_new_bytes: Mapped[bool] = mapped_column(Boolean)
    """False when the bytes were already in the store (deduplicated)."""
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FileDownload(Base):
    """Who downloaded what, and which part of it."""

    __tablename__ = "file_downloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("routing_files.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    method: Mapped[str] = mapped_column(String(8))
    range: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

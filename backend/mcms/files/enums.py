"""The states a blob's scan and an upload session go through (SPEC §2)."""

from __future__ import annotations

from enum import StrEnum


class ScanStatus(StrEnum):
    PENDING = "PENDING"
    """Not scanned yet; not downloadable."""
    CLEAN = "CLEAN"
    QUARANTINED = "QUARANTINED"
    """The scanner found malware: kept for forensics, never downloadable."""
    SCAN_FAILED = "SCAN_FAILED"
    """The scanner was down or the file is over its limit; ``MCMS_AV_UNSCANNED``
    decides whether such files may be downloaded (default: blocked)."""
    SKIPPED = "SKIPPED"
    """Scanning is switched off (``MCMS_AV=none``); shown to users as "not scanned"."""


class UploadStatus(StrEnum):
    RECEIVING = "RECEIVING"
    VERIFYING = "VERIFYING"
    SCANNING = "SCANNING"
    COMMITTED = "COMMITTED"
    QUARANTINED = "QUARANTINED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"


OPEN_UPLOAD_STATUSES = (UploadStatus.RECEIVING,)
"""Sessions that still accept bytes."""
FINAL_UPLOAD_STATUSES = (
    UploadStatus.COMMITTED,
    UploadStatus.QUARANTINED,
    UploadStatus.FAILED,
    UploadStatus.CANCELLED,
    UploadStatus.EXPIRED,
)

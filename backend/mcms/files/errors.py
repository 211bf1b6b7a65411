"""The tus protocol's own statuses, each keeping one of the SPEC's codes."""

from __future__ import annotations

from mcms.core.errors import Conflict, InvalidArgument, NotFound, PayloadTooLarge


class ChecksumMismatch(InvalidArgument):
    """tus ``checksum`` extension: the chunk was discarded."""

    @property
    def http_status(self) -> int:
        return 460


class UnsupportedMediaType(InvalidArgument):
    @property
    def http_status(self) -> int:
        return 415


class UnsupportedVersion(InvalidArgument):
    @property
    def http_status(self) -> int:
        return 412


class UploadLocked(Conflict):
    """Another request is still writing to this upload and did not let go."""

    @property
    def http_status(self) -> int:
        return 423


class UploadGone(NotFound):
    """Cancelled or expired: the bytes are gone for good."""

    @property
    def http_status(self) -> int:
        return 410


class InsufficientStorage(PayloadTooLarge):
    """The disk filled up while receiving; the acknowledged offset is intact."""

    @property
    def http_status(self) -> int:
        return 507

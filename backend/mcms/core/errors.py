"""Expected errors, each carrying one of the SPEC's codes.

Domain code raises these; the GraphQL layer maps them to ``extensions.code``
and the REST layer to problem+json, one mapping each. Anything else that
escapes is unexpected: it is logged and masked as ``INTERNAL``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self


class ErrorCode(StrEnum):
    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    CONFLICT = "CONFLICT"
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    INTERNAL = "INTERNAL"
    RESYNC = "RESYNC"
    """Not an error but a signal (live updates): the ``since`` cursor is older than
    the event log keeps, so the client must reload instead of replaying."""


HTTP_STATUS: dict[ErrorCode, int] = {
    ErrorCode.INVALID_ARGUMENT: 400,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.CONFLICT: 409,
    ErrorCode.PAYLOAD_TOO_LARGE: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL: 500,
    ErrorCode.RESYNC: 409,
}


class DomainError(Exception):
    """An expected failure whose message is safe to show to the caller."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.headers: dict[str, str] = {}
        """Extra response headers a REST answer carries (e.g. ``Upload-Offset``)."""

    def with_headers(self, headers: dict[str, str]) -> Self:
        self.headers.update(headers)
        return self

    @property
    def http_status(self) -> int:
        """The SPEC's status for the code; a protocol with statuses of its own
        (tus: 415, 423, 460, 507) overrides this, keeping the code."""
        return HTTP_STATUS[self.code]


class InvalidArgument(DomainError):
    code = ErrorCode.INVALID_ARGUMENT


class Unauthenticated(DomainError):
    code = ErrorCode.UNAUTHENTICATED


class Forbidden(DomainError):
    code = ErrorCode.FORBIDDEN


class NotFound(DomainError):
    code = ErrorCode.NOT_FOUND


class Conflict(DomainError):
    code = ErrorCode.CONFLICT


class PayloadTooLarge(DomainError):
    code = ErrorCode.PAYLOAD_TOO_LARGE


class RateLimited(DomainError):
    code = ErrorCode.RATE_LIMITED


class ResyncRequired(DomainError):
    code = ErrorCode.RESYNC

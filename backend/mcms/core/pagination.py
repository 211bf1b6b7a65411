"""Relay-style pages over offset cursors.

A cursor is the opaque base64 of ``o:<offset>``; clients must not build them.
Offset cursors keep every list sortable by any column; the explorer's lists
are small enough (thousands) that the skipped rows cost nothing noticeable.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Generic, TypeVar

from mcms.core.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise InvalidArgument("after is not a cursor this server issued.") from exc
    kind, _, number = text.partition(":")
    # isascii: isdigit() also accepts '²'; the length keeps the offset within SQL's range.
    if kind != "o" or not (number.isascii() and number.isdigit()) or len(number) > 15:
        raise InvalidArgument("after is not a cursor this server issued.")
    return int(number)


@dataclass(frozen=True, slots=True)
class PageRequest:
    offset: int
    limit: int

    @classmethod
    def from_relay(cls, first: int | None, after: str | None) -> PageRequest:
        size = DEFAULT_PAGE_SIZE if first is None else first
        if size < 0 or size > MAX_PAGE_SIZE:
            raise InvalidArgument(f"first must be between 0 and {MAX_PAGE_SIZE}.")
        offset = decode_cursor(after) + 1 if after else 0
        return cls(offset=offset, limit=size)

    @classmethod
    def from_page(cls, page: int, page_size: int) -> PageRequest:
        if page < 1:
            raise InvalidArgument("page starts at 1.")
        if page_size < 1 or page_size > MAX_PAGE_SIZE:
            raise InvalidArgument(f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
        return cls(offset=(page - 1) * page_size, limit=page_size)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of ``items`` starting at ``offset``; ``has_next`` from a one-row look-ahead."""

    items: list[T]
    offset: int
    has_next: bool

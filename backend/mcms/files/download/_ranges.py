"""The ``Range`` header (RFC 9110 §14.1-14.2), for one representation of known size."""

from __future__ import annotations

import re
from dataclasses import dataclass

RANGE_HEADER_MAX_CHARS = 4096
"""Far more than ``max_ranges`` honest ranges need; a longer header is an attack."""

_RANGE_SPEC = re.compile(r"([0-9]*)-([0-9]*)")
_NUMBER_MAX_DIGITS = 18
"""Any position with more digits is past the end of every file we store (20 GiB);
capping the digits also keeps int() away from huge strings."""
_BEYOND_ANY_FILE = 10**_NUMBER_MAX_DIGITS


@dataclass(frozen=True, slots=True)
class ByteRange:
    """Bytes ``start`` to ``end`` inclusive, as ``Content-Range`` writes them."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.start}-{self.end}/{size}"


class RangeNotSatisfiable(Exception):
    """416: no requested range lies within the file, or the request asks for
    more ranges than we serve."""


def parse_range(header: str, size: int, *, max_ranges: int) -> list[ByteRange] | None:
    """The ranges to send, in the order asked for, overlapping and adjacent ones
    merged; ``None`` when the header is not a valid byte-range set (RFC 9110
    §14.2: such a header is ignored and the whole file sent).

    Raises ``RangeNotSatisfiable`` when nothing can be served, or when there are
    more than ``max_ranges`` ranges or the header is absurdly long. Those are
    refused with 416 rather than 400 or ignored: RFC 9110 §15.5.17 names 416 for
    "an excessive request of small or overlapping ranges", and ignoring them
    would answer a cheap header with the whole file, the amplification the cap
    is there to stop."""
    if len(header) > RANGE_HEADER_MAX_CHARS:
        raise RangeNotSatisfiable(f"The Range header is longer than {RANGE_HEADER_MAX_CHARS}.")
    specs = _range_specs(header)
    if specs is None:
        return None
    if len(specs) > max_ranges:
        raise RangeNotSatisfiable(f"At most {max_ranges} ranges may be requested at once.")
    parsed = [_parse_spec(spec) for spec in specs]
    if any(bounds is None for bounds in parsed):
        return None
    wanted = [_resolve(bounds, size) for bounds in parsed if bounds is not None]
    satisfiable = [byte_range for byte_range in wanted if byte_range is not None]
    if not satisfiable:
        raise RangeNotSatisfiable(f"No requested range lies within the file's {size} bytes.")
    return coalesce(satisfiable)


def coalesce(ranges: list[ByteRange]) -> list[ByteRange]:
    """Merges ranges that overlap or touch (RFC 9110 §15.3.7.2 allows it); each
    merged range takes the place of the earliest it absorbed, so the parts stay
    in the order asked for (§14.6). This also bounds what one request can make
    us send to the file's size, however the ranges overlap."""
    merged: list[ByteRange] = []
    for byte_range in ranges:
        position = len(merged)
        while (index := _touching(merged, byte_range)) is not None:
            other = merged.pop(index)
            position = min(position, index)
            start, end = min(other.start, byte_range.start), max(other.end, byte_range.end)
            byte_range = ByteRange(start, end)
        merged.insert(min(position, len(merged)), byte_range)
    return merged


def _touching(ranges: list[ByteRange], candidate: ByteRange) -> int | None:
    for index, byte_range in enumerate(ranges):
        if byte_range.start <= candidate.end + 1 and candidate.start <= byte_range.end + 1:
            return index
    return None


def _range_specs(header: str) -> list[str] | None:
    unit, equals, range_set = header.strip().partition("=")
    # Range units compare case-insensitively (RFC 9110 §14.1).
    if not equals or unit.lower() != "bytes":
        return None
    # A list may hold empty elements, which recipients must skip (RFC 9110 §5.6.1).
    specs = [spec.strip(" \t") for spec in range_set.split(",")]
    specs = [spec for spec in specs if spec]
    return specs or None


def _parse_spec(spec: str) -> tuple[int | None, int | None] | None:
    """``(first, last)`` of ``first-last``, ``first-`` or ``-suffix_length``
    (then ``(None, length)``); ``None`` when malformed."""
    match = _RANGE_SPEC.fullmatch(spec)
    if match is None or not (match[1] or match[2]):
        return None
    first = _number(match[1]) if match[1] else None
    last = _number(match[2]) if match[2] else None
    if first is not None and last is not None and last < first:
        return None
    return first, last


def _resolve(bounds: tuple[int | None, int | None], size: int) -> ByteRange | None:
    """The bytes a well-formed spec selects in a file of ``size`` bytes, or
    ``None`` if it selects none."""
    first, last = bounds
    if first is None:
        # A suffix: the last ``last`` bytes (all of them if the file is shorter).
        suffix_length = last or 0
        if suffix_length == 0 or size == 0:
            return None
        return ByteRange(max(0, size - suffix_length), size - 1)
    if first >= size:
        return None
    return ByteRange(first, size - 1 if last is None else min(last, size - 1))


def _number(digits: str) -> int:
    return int(digits) if len(digits) <= _NUMBER_MAX_DIGITS else _BEYOND_ANY_FILE

"""Input checks shared by every boundary; each failure is ``INVALID_ARGUMENT``."""

from __future__ import annotations

import math
import re

from mcms.core.errors import InvalidArgument

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
"""Lone surrogates (JSON allows ``"\\ud800"``) cannot be encoded as UTF-8 for storage."""


def clean_text(value: str, field: str, *, max_length: int, required: bool = False) -> str:
    """Trimmed ``value``, refusing control characters, over-long and (if required) empty text."""
    if not isinstance(value, str):
        raise InvalidArgument(f"{field} must be a string.", field=field)
    value = value.strip()
    if required and not value:
        raise InvalidArgument(f"{field} is required.", field=field)
    if len(value) > max_length:
        raise InvalidArgument(
            f"{field} is {len(value)} characters long; the limit is {max_length}.", field=field
        )
    if _CONTROL_CHARS.search(value):
        raise InvalidArgument(f"{field} contains control characters.", field=field)
    if _SURROGATES.search(value):
        raise InvalidArgument(f"{field} is not valid Unicode text.", field=field)
    return value


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/ ]*$")


def clean_code(value: str, field: str, *, max_length: int) -> str:
    """An identifier people type (item code, revision, routing code)."""
    value = clean_text(value, field, max_length=max_length, required=True)
    if not _CODE.match(value):
        raise InvalidArgument(
            f"{field} may hold letters, digits, '.', '_', '-', '/' and spaces only.", field=field
        )
    return value


def clean_minutes(value: float, field: str) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidArgument(f"{field} must be a number.", field=field)
    if value < 0 or value > 100_000:
        raise InvalidArgument(f"{field} must be between 0 and 100000 minutes.", field=field)
    return float(value)


MAX_ID = 2**31 - 1
"""Ids are 32-bit integer columns; a larger number can name nothing (and PostgreSQL
would refuse to compare with it)."""


def parse_id(value: str | int, field: str = "id") -> int:
    """Database ids travel as strings in GraphQL; anything but a positive integer is refused."""
    text = str(value).strip()
    # isascii: str.isdigit() also accepts digits such as '²' that int() refuses.
    if not (text.isascii() and text.isdigit()) or len(text) > 10 or not 0 < int(text) <= MAX_ID:
        raise InvalidArgument(f"{field} is not a valid id: {str(value)[:40]!r}.", field=field)
    return int(text)

"""Custom scalars.

``BigInt`` carries sizes past 2^31 (files up to 20 GiB). It is serialized as a
JSON number: every value we send stays below 2^53, which JavaScript represents
exactly. Input accepts a number or a decimal string.
"""

from __future__ import annotations

from typing import NewType

import strawberry

MAX_SAFE_INTEGER = 2**53 - 1


def _parse_big_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError("BigInt cannot be a boolean")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.lstrip("-").isdigit() and len(value) <= 20:
        number = int(value)
    else:
        raise ValueError("BigInt must be an integer or a string of digits")
    if abs(number) > MAX_SAFE_INTEGER:
        raise ValueError("BigInt is limited to ±(2^53 - 1)")
    return number


def _serialize_big_int(value: int) -> int:
    return int(value)


BigInt = NewType("BigInt", int)

SCALAR_MAP = {
    BigInt: strawberry.scalar(
        name="BigInt",
        description="An integer of up to 53 bits (byte sizes of files past 2 GiB), "
        "sent as a JSON number.",
        serialize=_serialize_big_int,
        parse_value=_parse_big_int,
    )
}

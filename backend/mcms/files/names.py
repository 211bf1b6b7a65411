"""What a file may be called, and the tus request headers that carry names,
sizes and checksums. Every failure is ``INVALID_ARGUMENT`` (400) saying why."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from mcms.core.errors import InvalidArgument
from mcms.files.sha256x import Digest, new_sha256

NAME_MAX_CHARS = 255
NAME_MAX_BYTES = 255
"""Most file systems cap a name at 255 bytes; the add-in writes these names to NTFS."""
_FORBIDDEN_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(\..*)?$", re.IGNORECASE)
_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")

METADATA_MAX_BYTES = 8 * 1024
METADATA_MAX_KEYS = 32
_METADATA_KEY = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def clean_file_name(value: object, field: str = "filename") -> str:
    """A logical file name that is safe on Windows and POSIX alike: no directory
    part, no control or reserved characters, not a device name, at most 255
    bytes. Refused, not repaired: the uploader should know what is stored."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidArgument(f"{field} is required.", field=field)
    name = value
    if name in {".", ".."} or _FORBIDDEN_CHARS.search(name):
        raise InvalidArgument(
            f'{field} may not contain a path, control characters or any of <>:"/\\|?*.',
            field=field,
        )
    if name.endswith((".", " ")) or name.startswith(" "):
        raise InvalidArgument(
            f"{field} may not start with a space or end with a dot or a space.", field=field
        )
    if _WINDOWS_RESERVED.match(name):
        raise InvalidArgument(
            f"{field} {name!r} is a reserved device name on Windows.", field=field
        )
    if any(0xD800 <= ord(char) <= 0xDFFF for char in name):
        raise InvalidArgument(f"{field} is not valid Unicode text.", field=field)
    if len(name) > NAME_MAX_CHARS or len(name.encode("utf-8")) > NAME_MAX_BYTES:
        raise InvalidArgument(f"{field} is longer than {NAME_MAX_BYTES} bytes.", field=field)
    return name


def clean_sha256(value: object, field: str = "sha256") -> str:
    text = str(value).strip().lower()
    if not _SHA256_HEX.match(text):
        raise InvalidArgument(f"{field} must be 64 hexadecimal digits.", field=field)
    return text


def parse_metadata(header: str | None) -> dict[str, str]:
    """``Upload-Metadata``: ``key base64,key2 base64,...`` (a key may have no value).
    Values must be base64 of UTF-8 text."""
    if header is None or not header.strip():
        return {}
    if len(header) > METADATA_MAX_BYTES:
        raise InvalidArgument(f"Upload-Metadata is longer than {METADATA_MAX_BYTES} bytes.")
    metadata: dict[str, str] = {}
    pairs = header.split(",")
    if len(pairs) > METADATA_MAX_KEYS:
        raise InvalidArgument(f"Upload-Metadata has more than {METADATA_MAX_KEYS} keys.")
    for pair in pairs:
        key, _, encoded = pair.strip().partition(" ")
        if not _METADATA_KEY.match(key):
            raise InvalidArgument(f"Upload-Metadata has an invalid key {key[:40]!r}.")
        if key in metadata:
            raise InvalidArgument(f"Upload-Metadata names {key!r} twice.")
        metadata[key] = _decode_value(key, encoded.strip())
    return metadata


def _decode_value(key: str, encoded: str) -> str:
    if not encoded:
        return ""
    try:
        raw = base64.b64decode(encoded, validate=True)
        return raw.decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidArgument(
            f"Upload-Metadata value of {key!r} is not base64 of UTF-8 text."
        ) from None


def parse_non_negative(header: str | None, name: str) -> int:
    """A header that must be a non-negative decimal integer (``Upload-Offset``,
    ``Upload-Length``): no sign, no spaces inside, at most 20 digits."""
    if header is None:
        raise InvalidArgument(f"The {name} header is required.")
    text = header.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        raise InvalidArgument(f"{name} must be a non-negative integer, not {header[:40]!r}.")
    return int(text)


CHECKSUM_ALGORITHMS = {"sha256": 32, "sha1": 20}
"""``Tus-Checksum-Algorithm``: the algorithms a chunk's checksum may use, with
their digest sizes."""


@dataclass(frozen=True, slots=True)
class ChunkChecksum:
    algorithm: str
    digest: bytes

    def new_hash(self) -> Digest:
        return new_sha256() if self.algorithm == "sha256" else hashlib.new(self.algorithm)


def parse_checksum(header: str | None) -> ChunkChecksum | None:
    """``Upload-Checksum: <algorithm> <base64 digest>``."""
    if header is None:
        return None
    algorithm, _, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise InvalidArgument(
            f"Upload-Checksum algorithm {algorithm[:20]!r} is not supported "
            f"(use one of {', '.join(CHECKSUM_ALGORITHMS)})."
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidArgument("Upload-Checksum digest is not base64.") from None
    if len(digest) != CHECKSUM_ALGORITHMS[algorithm]:
        raise InvalidArgument(f"Upload-Checksum digest has the wrong length for {algorithm}.")
    return ChunkChecksum(algorithm, digest)

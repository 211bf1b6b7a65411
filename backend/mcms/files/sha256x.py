"""SHA-256 for uploads: hashlib's interface, and both hashes of a batch in one pass.

The receiver hashes every byte twice (the chunk's ``Upload-Checksum`` and the
whole file), a batch of pieces at a time. ``new_sha256()`` gives a hash that
``update_together`` can feed, with the other hash of the batch, in one call
with the GIL released once: the C module ``_sha256ni`` (built by ``pip
install``; x86 SHA extensions) shares the message schedule of two states over
the same bytes. Where the module is missing (no compiler at install time) or
the CPU lacks the instructions, ``new_sha256()`` is plain ``hashlib.sha256()``
and ``update_together`` feeds piece by piece: the same digests, slower.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from typing import Any, Protocol

try:
    from mcms.files import _sha256ni  # type: ignore[attr-defined]
except ImportError:  # not built here: hashlib does it all
    _sha256ni = None

NATIVE: bool = bool(_sha256ni is not None and _sha256ni.supported())
"""Whether ``new_sha256()`` hashes with the SHA extensions."""

_INITIAL_STATE = (
    0x6A09E667,
    0xBB67AE85,
    0x3C6EF372,
    0xA54FF53A,
    0x510E527F,
    0x9B05688C,
    0x1F83D9AB,
    0x5BE0CD19,
)
_CONTEXT = struct.Struct("<8I64sQQ")
"""``struct sha256_ctx`` of ``_sha256ni.c``: state, block buffer, bytes
buffered, bytes hashed."""
_INITIAL_CONTEXT = _CONTEXT.pack(*_INITIAL_STATE, b"", 0, 0)


class Digest(Protocol):
    """What the receiver needs of a hash (``hashlib``'s objects have it)."""

    @property
    def name(self) -> str: ...

    def update(self, data: Any, /) -> None: ...

    def copy(self) -> Digest: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


class Sha256:
    """SHA-256 with the SHA extensions, as ``hashlib.sha256()`` is used here."""

    __slots__ = ("_context",)
    name = "sha256"
    digest_size = 32
    block_size = 64

    def __init__(self) -> None:
        self._context = bytearray(_INITIAL_CONTEXT)

    def update(self, data: Any, /) -> None:
        _sha256ni.update(self._context, None, (data,))

    def copy(self) -> Sha256:
        twin = Sha256.__new__(Sha256)
        twin._context = bytearray(self._context)
        return twin

    def digest(self) -> bytes:
        done = self.copy()
        length = _CONTEXT.unpack(self._context)[-1]
        done.update(b"\x80" + b"\0" * ((55 - length) % 64) + struct.pack(">Q", length * 8))
        return struct.pack(">8I", *_CONTEXT.unpack(done._context)[:8])

    def hexdigest(self) -> str:
        return self.digest().hex()


def new_sha256() -> Digest:
    return Sha256() if NATIVE else hashlib.sha256()


def hash_groups(digests: Sequence[Digest]) -> list[list[Digest]]:
    """``digests`` shared out among threads: the native ones together (one pass
    feeds two), each hashlib one alone (threads hash those side by side)."""
    native: list[Digest] = [digest for digest in digests if isinstance(digest, Sha256)]
    others = [[digest] for digest in digests if not isinstance(digest, Sha256)]
    return ([native] if native else []) + others


def update_together(digests: Sequence[Digest], pieces: Sequence[Any]) -> None:
    """Feed every piece, in order, to every one of ``digests``: two native
    ones in one pass, the others piece by piece."""
    native = [digest for digest in digests if isinstance(digest, Sha256)]
    for first in range(0, len(native), 2):
        pair = native[first : first + 2]
        second = pair[1]._context if len(pair) == 2 else None
        _sha256ni.update(pair[0]._context, second, pieces)
    for digest in digests:
        if not isinstance(digest, Sha256):
            for piece in pieces:
                digest.update(piece)

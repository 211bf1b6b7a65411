"""The uploads' SHA-256 (``files/sha256x.py`` and its C module): the digests
hashlib gives, for every length, split and alignment of the two hashes."""

from __future__ import annotations

import hashlib
import os
import random

import pytest

from mcms.files import sha256x


def test_the_native_hash_is_built_and_used_on_this_machine() -> None:
    """This machine's CPU has the SHA extensions and `make install` builds the
    module: a silent fallback to hashlib here would hide a broken build."""
    assert sha256x.NATIVE
    assert isinstance(sha256x.new_sha256(), sha256x.Sha256)


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 100_003])
def test_digest_of_every_length(size: int) -> None:
    data = os.urandom(size)
    digest = sha256x.Sha256()
    digest.update(data)
    assert digest.digest() == hashlib.sha256(data).digest()
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    assert digest.digest() == digest.digest()  # digest() does not finish the state


def test_pieces_in_any_split_and_both_hashes_at_any_alignment() -> None:
    generator = random.Random(5)
    for _ in range(200):
        lead = os.urandom(generator.randrange(0, 200))  # the file hash's earlier bytes
        pieces = [os.urandom(generator.randrange(0, 300)) for _ in range(generator.randrange(6))]
        file_hash, chunk_hash = sha256x.Sha256(), sha256x.Sha256()
        file_hash.update(lead)
        sha256x.update_together([file_hash, chunk_hash], [memoryview(p) for p in pieces])
        body = b"".join(pieces)
        assert file_hash.digest() == hashlib.sha256(lead + body).digest()
        assert chunk_hash.digest() == hashlib.sha256(body).digest()


def test_a_copy_goes_its_own_way() -> None:
    digest = sha256x.Sha256()
    digest.update(b"a" * 100)
    twin = digest.copy()
    twin.update(b"b")
    assert digest.digest() == hashlib.sha256(b"a" * 100).digest()
    assert twin.digest() == hashlib.sha256(b"a" * 100 + b"b").digest()


def test_hashlib_objects_mix_in() -> None:
    """A sha1 chunk checksum (hashlib) beside the native file hash."""
    pieces = [os.urandom(5000), os.urandom(70_000)]
    file_hash, sha1 = sha256x.Sha256(), hashlib.sha1(usedforsecurity=False)
    sha256x.update_together([file_hash, sha1], pieces)
    assert file_hash.digest() == hashlib.sha256(b"".join(pieces)).digest()
    assert sha1.digest() == hashlib.sha1(b"".join(pieces), usedforsecurity=False).digest()


def test_a_large_batch_of_pieces_hashes_right() -> None:
    block = os.urandom(1 << 20)
    pieces = [block] * 8
    one, two = sha256x.Sha256(), sha256x.Sha256()
    sha256x.update_together([one, two], pieces)
    expected = hashlib.sha256(block * 8).digest()
    assert one.digest() == two.digest() == expected


def test_bad_arguments_raise_instead_of_crashing() -> None:
    from mcms.files import _sha256ni  # type: ignore[attr-defined]

    with pytest.raises(ValueError, match="not a hash context"):
        _sha256ni.update(bytearray(10), None, [b"x"])
    digest = sha256x.Sha256()
    with pytest.raises(ValueError, match="must differ"):
        _sha256ni.update(digest._context, digest._context, [b"x"])
    with pytest.raises(TypeError):
        _sha256ni.update(digest._context, None, [1])
    assert digest.digest() == hashlib.sha256().digest()  # nothing was fed

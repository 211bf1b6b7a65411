"""A ``Content-Disposition`` that is safe whatever the stored name is (RFC 6266).

The logical name is untrusted text: it may carry a path, control or bidi
characters, names Windows refuses, or be very long. The name offered to the
browser is cleaned so that saving it can neither escape the download folder
nor produce a file Windows (where the add-in and most users run) cannot open.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

NAME_MAX_BYTES = 200
"""The offered name's cap in UTF-8; file systems allow 255, browsers add " (1)"."""
FALLBACK_NAME = "download"

_EXTENSION_MAX_BYTES = 32
"""A longer "extension" is just a dot inside a long name: it is not kept whole."""
_DIRECTORY_SEPARATORS = re.compile(r"[/\\]")
_WINDOWS_ILLEGAL = re.compile(r'[<>:"|?*]')
# NFKD can turn letters into ASCII punctuation (U+2100 becomes "a/c"), so the
# fallback is checked again for everything, with "%" too: some browsers
# percent-decode the plain ``filename`` parameter (RFC 6266 appendix D).
_FALLBACK_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*%]')
_WINDOWS_RESERVED = re.compile(
    r"CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$", re.IGNORECASE
)
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
# Format characters (Cf) include the bidi overrides that make "exe.txt" read as
# "txt.exe"; only the joiners are kept, which emoji sequences and Indic scripts need.
_KEPT_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})
_RFC8187_EXTRA_ATTR_CHARS = "!#$&+^`|"
"""RFC 8187 ``attr-char`` beyond the letters, digits and ``-._~`` quote() keeps."""


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the full
    Unicode name in ``filename*`` (RFC 8187), both cleaned by ``safe_filename``."""
    name = safe_filename(filename)
    encoded = quote(name, safe=_RFC8187_EXTRA_ATTR_CHARS)
    return f"attachment; filename=\"{ascii_fallback(name)}\"; filename*=UTF-8''{encoded}"


def safe_filename(filename: str) -> str:
    """The last path segment of ``filename`` without control, bidi or
    Windows-illegal characters, not a device name, at most ``NAME_MAX_BYTES``
    bytes with its extension kept, never empty."""
    name = _DIRECTORY_SEPARATORS.split(filename)[-1]
    name = unicodedata.normalize("NFC", "".join(filter(_is_kept, name)))
    name = _WINDOWS_ILLEGAL.sub("_", name).strip()
    return _finish(name)


def ascii_fallback(name: str) -> str:
    """``name`` in ASCII: accents dropped, compatibility forms folded, anything
    else ``_`` (each character separately, so a Korean syllable is one ``_``)."""
    folded = "".join(_ascii_form(char) for char in name)
    return _finish(_FALLBACK_UNSAFE.sub("_", folded).strip())


def _is_kept(char: str) -> bool:
    category = unicodedata.category(char)
    if category == "Cf":
        return char in _KEPT_FORMAT_CHARACTERS
    return category not in _DROPPED_CATEGORIES


def _ascii_form(char: str) -> str:
    if char.isascii():
        return char
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(part for part in decomposed if not unicodedata.combining(part))
    return base if base and base.isascii() else "_"


def _finish(name: str) -> str:
    # Truncate first with a byte to spare for the device-name prefix, so that
    # cutting can neither re-expose a reserved stem nor exceed the cap.
    name = _truncate(name, NAME_MAX_BYTES - 1).rstrip(". ")
    if not name:
        return FALLBACK_NAME
    stem = name.split(".", 1)[0].rstrip(" ")
    if _WINDOWS_RESERVED.fullmatch(stem):
        return f"_{name}"
    return name


def _truncate(name: str, limit: int) -> str:
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension.encode("utf-8")) + 1 > _EXTENSION_MAX_BYTES:
        stem, extension = name, ""
    else:
        extension = f".{extension}"
    room = limit - len(extension.encode("utf-8"))
    # A cut through a multi-byte character drops that character whole.
    cut = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
    return cut.rstrip(". ") + extension

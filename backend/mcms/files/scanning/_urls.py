"""``MCMS_AV``: which scanner a URL names, checked before anything starts."""

from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from mcms.files.scanning._base import NoScanner, Scanner
from mcms.files.scanning._clamd import ClamdScanner
from mcms.files.scanning._http import HttpScanner

CLAMD_PORT = 3310
"""ClamAV's registered port, used when ``clamd://host`` names none."""
_FORMS = "clamd://host:port, http(s)://host/path or none"
_PLAIN_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]{0,15}$")


def validate_url(url: str) -> str:
    """``url`` if it names a scanner MCMS can use, else ``ValueError``.

    The message never echoes the URL (it may hold a password), only its
    scheme when that is plainly one."""
    if url.strip().lower() == "none":
        return url
    parts = _split(url)
    if parts.scheme == "clamd":
        _check_clamd(parts)
    elif parts.scheme in ("http", "https"):
        if not parts.hostname:
            raise ValueError(f"the scanner URL ({parts.scheme}://) needs a host")
    else:
        raise ValueError(f"the scanner (MCMS_AV) must be {_FORMS}; got {_scheme_shown(url)}")
    return url


def scanner_from_url(
    url: str, *, max_bytes: int | None = None, timeout_seconds: float = 60.0
) -> Scanner:
    """The scanner ``url`` names (see ``validate_url``). ``max_bytes=None``
    means the scanner's own limit: 2 GiB - 1 for clamd, none for HTTP."""
    validate_url(url)
    if url.strip().lower() == "none":
        return NoScanner()
    parts = _split(url)
    if parts.scheme == "clamd":
        return ClamdScanner(
            parts.hostname or "",
            parts.port or CLAMD_PORT,
            max_bytes=max_bytes,
            timeout_seconds=timeout_seconds,
        )
    return HttpScanner(url, max_bytes=max_bytes, timeout_seconds=timeout_seconds)


def _split(url: str) -> SplitResult:
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValueError("the scanner URL's port is not a number from 1 to 65535") from None
    return parts._replace(scheme=parts.scheme.lower())


def _check_clamd(parts: SplitResult) -> None:
    if not parts.hostname:
        raise ValueError("the scanner URL (clamd://) needs a host: clamd://host:port")
    if parts.username is not None or parts.password is not None:
        raise ValueError("clamd takes no credentials: use clamd://host:port")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("clamd://host:port takes no path or query")
    if parts.port == 0:
        raise ValueError("the scanner URL (clamd://) needs a port from 1 to 65535")


def _scheme_shown(url: str) -> str:
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    return f"scheme {scheme!r}" if _PLAIN_SCHEME.match(scheme) else "no recognisable scheme"

"""Virus scanning of uploaded files, configured by ``MCMS_AV``.

``MCMS_AV`` takes one of:

``clamd://host:port``
    A ClamAV daemon, reached over TCP (``INSTREAM``; port 3310 if omitted).
    ClamAV cannot scan 2 GiB or more, so larger files are ``SCAN_FAILED``
    ("over the scanner's limit") without being sent; so are files over
    clamd's own ``StreamMaxLength``, which it reports itself.
``http://...`` or ``https://...``
    A company AV HTTP API, contract below.
``none``
    No scanning: every file is ``SKIPPED`` ("not scanned").

Every scanner tries three times, 0.5 s and 1 s apart, while it cannot be
reached (connection refused or reset, no answer in time); then the file is
``SCAN_FAILED`` with ``detail`` "scanner unreachable: <reason>". The timeout
(``MCMS_AV_TIMEOUT_SECONDS``) bounds each try, from connecting to the verdict;
connecting alone gets at most 10 s. ``MCMS_AV_MAX_BYTES`` caps the file size
sent to any scanner. A scanner problem is never an exception: ``scan`` returns
a verdict, and raises ``OSError`` only when the file itself cannot be read.

HTTP AV API contract
--------------------
Request: one ``POST`` to the configured URL, exactly as configured (path and
query kept), per file:

* body: the file's bytes, nothing else (no multipart, no encoding), streamed;
* ``Content-Type: application/octet-stream``;
* ``Content-Length: <size in bytes>`` (always sent; no chunked encoding);
* ``Authorization: Basic ...`` only when the URL holds credentials
  (``https://user:password@av.example/scan``). Credentials never appear in
  MCMS's logs or stored verdicts, nor does the query string.

MCMS does not follow redirects. It waits for the whole answer up to the
timeout (large files take long: the API should answer once it has scanned).

Answer: HTTP 2xx whose body is a JSON object (the content type is not checked)::

    {"verdict": "clean"}
    {"verdict": "infected", "signature": "Win.Test.EICAR_HDB-1"}
    {"verdict": "error", "message": "archive is encrypted"}

======================================  ========================================
answer                                  MCMS records
======================================  ========================================
2xx, ``"verdict": "clean"``             ``CLEAN``
2xx, ``"verdict": "infected"``          ``QUARANTINED``, detail = ``signature``
2xx, ``"verdict": "error"``             ``SCAN_FAILED``, "scanner error: <message>"
2xx, other verdict, or not JSON         ``SCAN_FAILED`` with the reason
502, 503, 504, refused, reset, timeout  retried (above), then ``SCAN_FAILED``
any other status (4xx, 500, 3xx)        ``SCAN_FAILED``, "scanner answered HTTP <n>"
======================================  ========================================

Other fields in the answer are ignored; ``signature`` and ``message`` are
optional strings, kept up to 500 characters. A ``SCAN_FAILED`` file is kept
from download unless ``MCMS_AV_UNSCANNED=allow``; a ``QUARANTINED`` one always.
"""

from mcms.files.scanning._base import (
    CHUNK_BYTES,
    RETRY_DELAYS,
    NoScanner,
    Scanner,
    ScanVerdict,
)
from mcms.files.scanning._clamd import CLAMD_MAX_BYTES, ClamdScanner
from mcms.files.scanning._http import HttpScanner
from mcms.files.scanning._urls import CLAMD_PORT, scanner_from_url, validate_url

__all__ = [
    "CHUNK_BYTES",
    "CLAMD_MAX_BYTES",
    "CLAMD_PORT",
    "RETRY_DELAYS",
    "ClamdScanner",
    "HttpScanner",
    "NoScanner",
    "ScanVerdict",
    "Scanner",
    "scanner_from_url",
    "validate_url",
]

"""The HTTP response for a file download, built from an already-authorized blob.

The route (auth, lookup, audit) is in ``mcms.files.rest``; this package turns
the blob and the request's ``Range``/``If-Range`` into 200, 206 or 416 with
the SPEC's headers, and streams the file from disk with bounded memory.
"""

from mcms.files.download._disposition import ascii_fallback, content_disposition, safe_filename
from mcms.files.download._ranges import ByteRange, RangeNotSatisfiable, parse_range
from mcms.files.download._response import Blob, blob_response, etag, representation_headers
from mcms.files.download._stream import CHUNK_BYTES, BlobResponse, BlobUnreadable

__all__ = [
    "CHUNK_BYTES",
    "Blob",
    "BlobResponse",
    "BlobUnreadable",
    "ByteRange",
    "RangeNotSatisfiable",
    "ascii_fallback",
    "blob_response",
    "content_disposition",
    "etag",
    "parse_range",
    "representation_headers",
    "safe_filename",
]

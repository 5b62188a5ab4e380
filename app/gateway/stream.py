"""Orthanc's DICOMweb answers passed on as they come: constant memory, never shown whole
when they were cut short.

Orthanc sends multipart answers with `Connection: close` and no length, so an Orthanc
that dies mid-way looks like a normal end. A multipart answer must end with its closing
boundary; when it does not, or the upstream read fails, the generator raises after the
headers are out, and the server drops the connection without the final chunk: the client
sees a failed transfer, not a short file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

from flask import Response
from urllib3 import BaseHTTPResponse
from urllib3.exceptions import HTTPError as Urllib3Error
from werkzeug.datastructures import Headers

CHUNK = 64 * 1024
PASSED_HEADERS = ("Content-Type", "Content-Encoding", "Content-Length")
_BOUNDARY = re.compile(r'boundary="?([^";,]+)"?')

log = logging.getLogger(__name__)


class IncompleteUpstream(Exception):  # noqa: N818
    """The internal Orthanc's answer ended early; raised to abort the client's transfer."""


def _closing_boundary(response: BaseHTTPResponse) -> bytes | None:
    """The delimiter a complete multipart body ends with, when only that can tell."""
    if response.headers.get("Content-Length") or response.headers.get("Content-Encoding"):
        return None  # a length is enforced by urllib3; a gzip body ends with its own check
    content_type = response.headers.get("Content-Type", "")
    found = _BOUNDARY.search(content_type)
    if not content_type.startswith("multipart/") or found is None:
        return None
    return b"--" + found.group(1).encode("ascii", "replace") + b"--"


def chunks(response: BaseHTTPResponse, what: str) -> Iterator[bytes]:
    """`response`'s body as it comes; raises IncompleteUpstream when it was cut short."""
    closing = _closing_boundary(response)
    tail = b""
    try:
        for chunk in response.stream(CHUNK, decode_content=False):
            if closing is not None:
                tail = (tail + chunk)[-(len(closing) + 4) :]
            yield chunk
        if closing is not None and closing not in tail:
            raise IncompleteUpstream(f"{what}: the answer ended before its closing boundary")
    except (Urllib3Error, OSError) as exc:
        log.warning("Gateway: Orthanc's answer broke off (%s): %s", type(exc).__name__, what)
        raise IncompleteUpstream(what) from None
    except IncompleteUpstream:
        log.warning("Gateway: Orthanc's answer was cut short: %s", what)
        raise
    finally:
        release(response)


def release(response: BaseHTTPResponse) -> None:
    """Give the connection back: kept when the answer was read to its end, else closed (a
    client gone mid-way stops Orthanc's sending)."""
    response.close()
    response.release_conn()


def passed_headers(response: BaseHTTPResponse) -> Headers:
    """The headers of Orthanc's answer that the client gets."""
    headers = Headers(
        [(name, response.headers[name]) for name in PASSED_HEADERS if name in response.headers]
    )
    headers.setdefault("Content-Type", "application/octet-stream")
    return headers


def passed_on(response: BaseHTTPResponse, what: str) -> Response:
    """A Flask response streaming `response`'s body as Orthanc encoded it."""
    headers = passed_headers(response)
    return Response(chunks(response, what), status=200, headers=headers, direct_passthrough=True)

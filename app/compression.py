"""Text answers compressed (brotli, else gzip) by the app itself, behind nginx or without it.

The shipped nginx passes every request on to the app and every answer back as it came, so
compressing here serves both kinds of site, and the app knows which answers must stay as
they are. What is compressed: the answer to a GET or HEAD, 200, of a text type (pages, CSS,
JavaScript, JSON, SVG), not already encoded, and not a stream. Streams are downloads (ZIP,
DICOM, PDF, CSV) and Orthanc's answers relayed as they come; images are compressed already.
Static files are small: read whole, they are compressed with their length known.

BREACH (docs/security.md): a compressed page leaks a secret only to someone who makes the
victim's browser fetch it again and again while reflecting their guesses into the same page.
The secrets shown once (a new link, access code, generated password or API key, the
handout) are answers to POSTs, and a POST's answer is never compressed here. The link's own
page is at the secret itself, so whoever can make a browser ask for it knows it already.
Flask-WTF signs its CSRF token with the time: the form that passes changes every second
(the fixed part is worthless unsigned), and SameSite=Lax keeps cookies off cross-site
subrequests.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

COMPRESSED_TYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/problem+json",
    "image/svg+xml",
]
COMPRESSED_METHODS = frozenset({"GET", "HEAD"})

compress = Compress()


def init_app(app: Flask) -> None:
    """Compress the answers that qualify (see the module's docstring)."""
    app.config.update(
        COMPRESS_REGISTER=False,  # answers go through `compress_text` below, not straight in
        COMPRESS_MIMETYPES=COMPRESSED_TYPES,
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_STREAMS=False,
    )
    compress.init_app(app)

    @app.after_request
    def compress_text(response: Response) -> Response:
        if request.method not in COMPRESSED_METHODS or response.status_code != 200:
            return response
        if request.endpoint == "static":
            # Read whole; passed through as a list, the file would never be closed.
            response.make_sequence()
            response.direct_passthrough = False
        if response.is_streamed:
            return response
        compressed = compress.after_request(response)
        if "Content-Encoding" in compressed.headers:
            # Byte ranges would count in the uncompressed file; this answer is another body.
            compressed.headers.pop("Accept-Ranges", None)
        return compressed

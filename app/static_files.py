"""Static files under fingerprinted names, cached by browsers for a year.

`url_for("static", filename="css/app.css")` gives `/static/css/app.<digest>.css`, where the
digest is the start of the file's SHA-256: a changed file gets a new name, so the old one
may be kept for good (`immutable`: not even asked again on reload). The plain name is still
served, revalidated each time (`no-cache`, the ETag); so is a stale digest (a page from
before a deploy asking for the old file), which gets today's file without the long cache.
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

from flask import Flask, Response, current_app
from werkzeug.security import safe_join

DIGEST_LENGTH = 12
FINGERPRINTED = re.compile(rf"(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.\w+)")
IMMUTABLE = "public, max-age=31536000, immutable"


def init_app(app: Flask) -> None:
    """Fingerprint every static URL the app builds, and serve those URLs."""
    app.url_defaults(_fingerprint_static_urls)
    app.view_functions["static"] = send_static


def _fingerprint_static_urls(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        values["filename"] = fingerprinted(values["filename"])


def fingerprinted(filename: str) -> str:
    """`filename` with its content's digest before the extension; unchanged when missing.

    Looked at once per process, as the files of an installed app change only with a new
    release (a restart); in debug mode, where they are being edited, on every call.
    """
    if current_app.debug:
        return _fingerprinted(filename)
    return _fingerprinted_once(str(current_app.static_folder), filename)


@lru_cache(maxsize=512)
def _fingerprinted_once(_static_folder: str, filename: str) -> str:
    return _fingerprinted(filename)


def _fingerprinted(filename: str) -> str:
    digest = file_digest(filename)
    stem, ext = os.path.splitext(filename)
    return f"{stem}.{digest}{ext}" if digest and ext else filename


def file_digest(filename: str) -> str | None:
    """The digest of a file in the static folder, None when there is no such file."""
    path = safe_join(str(current_app.static_folder), filename)
    if path is None or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    # Keyed by modification time and size too, so that an edited file gets a new name.
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:DIGEST_LENGTH]


def send_static(filename: str) -> Response:
    """The static route: a fingerprinted name is the plain file, cached for good."""
    found = FINGERPRINTED.fullmatch(filename)
    plain = found["stem"] + found["ext"] if found else filename
    response = current_app.send_static_file(plain)
    if found and found["digest"] == file_digest(plain):
        response.headers["Cache-Control"] = IMMUTABLE
    return response

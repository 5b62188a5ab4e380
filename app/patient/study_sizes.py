"""How big a study's download is, from Orthanc's study statistics: one call per study, kept
for a while per process so the recipient's home page stays fast."""

from __future__ import annotations

import threading
import time

from babel.units import format_unit
from flask import current_app

from app.orthanc.errors import OrthancError
from app.orthanc.flask_client import get_orthanc

CACHE_SECONDS = 600.0  # a shared study's files do not change while it is shared
MAX_CACHED = 2_000
EXTENSION_KEY = "studyshare.study_sizes"


class SizeCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, int | None]] = {}
        self._lock = threading.Lock()

    def size(self, study_id: str) -> int | None:
        entry = self._entries.get(study_id)
        if entry is not None and time.monotonic() - entry[0] < CACHE_SECONDS:
            return entry[1]
        try:
            size = get_orthanc().study_size(study_id)
        except OrthancError:
            # The size is a courtesy: the page goes on without it, and asks again next time.
            return None
        with self._lock:
            if len(self._entries) >= MAX_CACHED:
                self._entries.clear()
            self._entries[study_id] = (time.monotonic(), size)
        return size


def study_size(study_id: str) -> int | None:
    """The study's size in bytes, None when Orthanc does not say."""
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = current_app.extensions[EXTENSION_KEY] = SizeCache()
    return cache.size(study_id)


def readable_size(size: int, language: str) -> str:
    """12.3 MB, 12,3 Mo, 1,5 GB: a size as the recipient's language writes it."""
    megabytes = size / 1_000_000
    if megabytes >= 1000:
        return format_unit(megabytes / 1000, "digital-gigabyte", **_short(language))
    return format_unit(max(megabytes, 0.1), "digital-megabyte", **_short(language))


def _short(language: str) -> dict[str, str]:
    return {"length": "short", "format": "#,##0.#", "locale": language}

"""What a study holds: its series and instances in display order, with their UIDs.

The gateway checks every series and instance UID a viewer names against this, and the
built-in viewer pages through it. Read from the internal Orthanc in a few calls and kept
for a short while per process: viewers ask about the same study for every image.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app

from app.orthanc.client import OrthancClient
from app.orthanc.flask_client import get_orthanc
from app.orthanc.models import Instance, Series

ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"
CACHE_SECONDS = 60.0
# A UID missing from an entry older than this may be new in Orthanc: read the study again.
RECHECK_SECONDS = 5.0
MAX_CACHED_STUDIES = 2_000
EXTENSION_KEY = "studyshare.study_contents"


@dataclass(frozen=True)
class SeriesContents:
    series: Series
    instances: tuple[Instance, ...]
    sop_class_uid: str

    @property
    def uid(self) -> str:
        return self.series.series_instance_uid

    @property
    def is_pdf_report(self) -> bool:
        return self.sop_class_uid == ENCAPSULATED_PDF

    @property
    def image_count(self) -> int:
        """Images to page through: every frame of every instance."""
        return sum(instance.frames for instance in self.instances)


@dataclass(frozen=True)
class StudyContents:
    orthanc_id: str
    series: tuple[SeriesContents, ...]

    def find_series(self, uid: str) -> SeriesContents | None:
        return next((s for s in self.series if s.uid == uid), None)

    def find_instance(self, series_uid: str, instance_uid: str) -> Instance | None:
        """The instance with this UID, if it belongs to that series of this study."""
        series = self.find_series(series_uid)
        if series is None:
            return None
        return next((i for i in series.instances if i.sop_instance_uid == instance_uid), None)


def series_in_order(client: OrthancClient, study_id: str) -> list[Series]:
    """The study's series in display order: SeriesNumber, unnumbered ones last."""
    return sorted(client.get_study_series(study_id), key=lambda s: s.sort_key)


def read_contents(client: OrthancClient, study_id: str) -> StudyContents:
    """Series (SeriesNumber order) and instances (InstanceNumber order) of one study."""
    by_series: dict[str, list[Instance]] = {}
    for instance in client.get_study_instances(study_id):
        by_series.setdefault(instance.parent_series_id, []).append(instance)
    series = []
    for one in series_in_order(client, study_id):
        instances = tuple(sorted(by_series.get(one.orthanc_id, []), key=lambda i: i.sort_key))
        # Only the SOP class tells a PDF report from an image; one instance answers for all.
        sop_class = client.instance_sop_class(instances[0].orthanc_id) if instances else ""
        series.append(SeriesContents(one, instances, sop_class))
    return StudyContents(study_id, tuple(series))


class ContentsCache:
    """Per-process `StudyContents`, read again after CACHE_SECONDS."""

    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, StudyContents]] = {}
        self._lock = threading.Lock()

    def get(self, client: OrthancClient, study_id: str, *, fresh_within: float | None = None):
        """The study's contents, no older than `ttl` (or `fresh_within`, when given)."""
        limit = self.ttl if fresh_within is None else min(self.ttl, fresh_within)
        entry = self._entries.get(study_id)
        if entry is not None and time.monotonic() - entry[0] < limit:
            return entry[1]
        contents = read_contents(client, study_id)
        with self._lock:
            if len(self._entries) >= MAX_CACHED_STUDIES:
                self._entries.clear()
            self._entries[study_id] = (time.monotonic(), contents)
        return contents


def study_contents(study_id: str, *, fresh: bool = False) -> StudyContents:
    """The app's cached contents of a study; `fresh` re-reads an entry that is not new."""
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is None:
        cache = current_app.extensions[EXTENSION_KEY] = ContentsCache()
    return cache.get(get_orthanc(), study_id, fresh_within=RECHECK_SECONDS if fresh else None)

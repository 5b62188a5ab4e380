"""Links that open a share's studies in external viewers served by the public Orthanc.

Viewer tokens are JWTs: only [A-Za-z0-9_.-], so they go into query strings unencoded,
which matters because Orthanc 1.10 does not percent-decode GET arguments.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

VIEWER_LABELS = {
    "stone": "Stone Web Viewer",
    "ohif": "OHIF Viewer",
    "osimis": "Osimis Web Viewer",
    "webviewer": "Orthanc Web Viewer",
    "volview": "VolView (3D)",
    "meddream": "MedDream",
}


@dataclass(frozen=True)
class StudyRef:
    orthanc_id: str
    uid: str
    first_series_id: str | None = None


def _orthanc_root() -> str:
    return current_app.config["PUBLIC_ORTHANC_ROOT"].rstrip("/")


def viewer_url(viewer: str, study: StudyRef, token: str) -> str | None:
    """The URL opening `study` in `viewer`, or None when that viewer cannot be reached."""
    root, config = _orthanc_root(), current_app.config
    if viewer == "meddream":
        base = config["MEDDREAM_URL"].rstrip("/")
        return f"{base}/?study={study.uid}&token={token}" if base else None
    if not root:
        return None
    if viewer == "stone":
        return f"{root}/stone-webviewer/index.html?study={study.uid}&token={token}"
    if viewer == "ohif":
        ohif = (config["PUBLIC_OHIF_ROOT"] or f"{root}/ohif").rstrip("/")
        return f"{ohif}/viewer?StudyInstanceUIDs={study.uid}&token={token}"
    if viewer == "osimis":
        return f"{root}/osimis-viewer/app/index.html?study={study.orthanc_id}&token={token}"
    if viewer == "webviewer":
        if study.first_series_id is None:
            return None
        return f"{root}/web-viewer/app/viewer.html?series={study.first_series_id}&token={token}"
    if viewer == "volview":
        # As Orthanc Explorer 2 builds it: VolView fetches the study's ZIP archive itself.
        archive = f"{root}/studies/{study.orthanc_id}/archive?token={token}"
        return f"{root}/volview/index.html?names=[archive.zip]&urls=[{archive}]"
    return None


def archive_url(study: StudyRef, token: str) -> str | None:
    """Direct ZIP download of the study from the public Orthanc."""
    root = _orthanc_root()
    return f"{root}/studies/{study.orthanc_id}/archive?token={token}" if root else None


def enabled_viewers() -> list[str]:
    """EXTERNAL_VIEWERS, in order, restricted to the known ones."""
    names = [v.strip() for v in current_app.config["EXTERNAL_VIEWERS"].split(",")]
    return [name for name in names if name in VIEWER_LABELS]

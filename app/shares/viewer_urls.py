"""Links that open a share's studies in external viewers.

The viewers read the images either from a public Orthanc with the authorization plugin
(PUBLIC_ORTHANC_ROOT), or, without one, from StudyShare's own DICOMweb gateway: then only
the viewers that speak DICOMweb and carry a token (OHIF, Stone) can be offered, from
wherever the site serves them (PUBLIC_OHIF_ROOT, PUBLIC_STONE_ROOT).

Viewer tokens are JWTs: only [A-Za-z0-9_.-], so they go into query strings unencoded,
which matters because Orthanc 1.10 does not percent-decode GET arguments.
"""

from __future__ import annotations

from flask import current_app

from app.shares.study_ref import StudyRef

VIEWER_LABELS = {
    "stone": "Stone Web Viewer",
    "ohif": "OHIF Viewer",
    "osimis": "Osimis Web Viewer",
    "webviewer": "Orthanc Web Viewer",
    "volview": "VolView (3D)",
    "meddream": "MedDream",
}


# Viewers that can read from StudyShare's gateway instead of a public Orthanc.
GATEWAY_VIEWERS = frozenset({"stone", "ohif"})
_PROBE = StudyRef("probe", "probe")


def _orthanc_root() -> str:
    return current_app.config["PUBLIC_ORTHANC_ROOT"]


def _served_root(setting: str, orthanc_folder: str) -> str:
    """Where a viewer is served: its own setting, else its folder on the public Orthanc."""
    root = current_app.config[setting] or (
        f"{_orthanc_root()}/{orthanc_folder}" if _orthanc_root() else ""
    )
    return root.rstrip("/")


def viewer_url(
    viewer: str, study: StudyRef, token: str, *, first_series_id: str | None = None
) -> str | None:
    """The URL opening `study` in `viewer`, or None when that viewer cannot be reached (the
    Orthanc Web Viewer opens a series: without `first_series_id`, it cannot)."""
    root, config = _orthanc_root(), current_app.config
    if viewer == "meddream":
        base = config["MEDDREAM_URL"]
        return f"{base}/?study={study.uid}&token={token}" if base else None
    if viewer == "stone":
        stone = _served_root("PUBLIC_STONE_ROOT", "stone-webviewer")
        return f"{stone}/index.html?study={study.uid}&token={token}" if stone else None
    if viewer == "ohif":
        ohif = _served_root("PUBLIC_OHIF_ROOT", "ohif")
        return f"{ohif}/viewer?StudyInstanceUIDs={study.uid}&token={token}" if ohif else None
    if not root:
        return None
    if viewer == "osimis":
        return f"{root}/osimis-viewer/app/index.html?study={study.orthanc_id}&token={token}"
    if viewer == "webviewer":
        if first_series_id is None:
            return None
        return f"{root}/web-viewer/app/viewer.html?series={first_series_id}&token={token}"
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
    """EXTERNAL_VIEWERS, in order (config keeps only the known names)."""
    return list(current_app.config["EXTERNAL_VIEWERS"])


def offered_viewers(allow_download: bool) -> list[str]:
    """The enabled viewers a recipient of a share can really use, in order.

    Through a public Orthanc, a token that may show a study may also fetch its archive (the
    plugin asks about the study, never the route): a share without downloads gets none.
    """
    through_orthanc = bool(_orthanc_root())
    offered = []
    for viewer in enabled_viewers():
        uses_orthanc = through_orthanc or viewer not in GATEWAY_VIEWERS
        if uses_orthanc and not allow_download:
            continue
        if viewer_url(viewer, _PROBE, "probe", first_series_id="probe") is not None:
            offered.append(viewer)
    return offered

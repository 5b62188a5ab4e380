"""The recipient's downloads: the study as a ZIP or as DICOMDIR media, when the share allows."""

from __future__ import annotations

from flask import Response, request, stream_with_context

from app.orthanc.flask_client import get_orthanc
from app.patient import bp
from app.patient.pages import not_found, session_ended, study_at, unlocked_share
from app.shares.downloads import DownloadFormat, download_filename, open_download


@bp.get("/v/download/<int:index>")
def download(index: int):
    """The study as a ZIP of its DICOM files."""
    return _download(index, DownloadFormat.ZIP)


@bp.get("/v/download/<int:index>/dicomdir")
def download_dicomdir(index: int):
    """The study as DICOM media (a ZIP with a DICOMDIR), for a CD or a program that wants one."""
    return _download(index, DownloadFormat.DICOMDIR)


def _download(index: int, fmt: DownloadFormat):
    share = unlocked_share()
    if share is None:
        return session_ended()
    study = study_at(share, index)
    if study is None or not share.allow_download:
        return not_found()
    headers = {"Cache-Control": "no-store"}
    if request.method == "HEAD":
        # Flask answers HEAD on GET routes: no archive is built for it (an empty iterator
        # rather than b"", which would announce a Content-Length of 0).
        headers["Content-Disposition"] = _attachment(download_filename(study, index, fmt))
        return Response(iter(()), mimetype="application/zip", headers=headers)
    # Orthanc failing here, before any byte is sent, is the friendly 503 page (app.errors).
    started = open_download(share, index, fmt, get_orthanc())
    headers["Content-Disposition"] = _attachment(started.filename)
    if started.announced_size is not None:
        headers["Content-Length"] = str(started.announced_size)
    return Response(stream_with_context(started.body), mimetype="application/zip", headers=headers)


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'

"""A shared study downloaded by its recipient: streamed from Orthanc, checked, audited."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

import requests
from urllib3.exceptions import ReadTimeoutError

from app.extensions import db
from app.orthanc.client import OrthancClient
from app.shares.audit import AuditKind, record
from app.shares.audit_models import ActorKind
from app.shares.models import Share, ShareStudy
from app.shares.zip_stream import ZipStreamCheck

log = logging.getLogger(__name__)

CHUNK = 64 * 1024
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DownloadFormat(StrEnum):
    ZIP = "zip"
    DICOMDIR = "dicomdir"  # a ZIP laid out as DICOM media, to burn on a CD


class DownloadIncompleteError(Exception):
    """Raised from the body after the headers went out, so the server drops the connection.

    The server then never sends the end of the chunked body (or sends less than the
    Content-Length), and the browser reports a failed download rather than keeping a
    file that merely looks complete.
    """


@dataclass(frozen=True)
class StudyDownload:
    filename: str
    announced_size: int | None
    body: Iterator[bytes]


def download_filename(study: ShareStudy, index: int, fmt: DownloadFormat) -> str:
    """A file name without patient data: `images-2023-03-14-1.zip`, `...-1-dicomdir.zip`."""
    date = (study.summary or {}).get("date")
    stem = f"images-{date if isinstance(date, str) and ISO_DATE.match(date) else 'study'}"
    suffix = "-dicomdir" if fmt is DownloadFormat.DICOMDIR else ""
    return f"{stem}-{index + 1}{suffix}.zip"


def open_download(
    share: Share, index: int, fmt: DownloadFormat, orthanc: OrthancClient
) -> StudyDownload:
    """Ask Orthanc for the study; OrthancError here, before any byte is sent, is a page."""
    study = share.studies[index]
    if fmt is DownloadFormat.DICOMDIR:
        upstream = orthanc.open_study_media(study.orthanc_study_id)
    else:
        upstream = orthanc.open_study_archive(study.orthanc_study_id)
    return StudyDownload(
        download_filename(study, index, fmt),
        _announced_size(upstream),
        _checked_body(upstream, share.id, {"study": index + 1, "format": fmt.value}),
    )


def _announced_size(upstream: requests.Response) -> int | None:
    # A Content-Length counts encoded bytes; iter_content yields decoded ones.
    announced = upstream.headers.get("Content-Length", "")
    if upstream.headers.get("Content-Encoding") or not announced.isdigit():
        return None
    return int(announced)


def _checked_body(
    upstream: requests.Response, share_id: int, detail: dict[str, object]
) -> Iterator[bytes]:
    # Runs after the view returned, in the request context that stream_with_context keeps.
    check = ZipStreamCheck(_announced_size(upstream))
    reason: str | None = "interrupted"  # a worker timeout or shutdown ends the loop otherwise
    try:
        for chunk in upstream.iter_content(CHUNK):
            check.feed(chunk)
            yield chunk
        reason = check.problem()
    except GeneratorExit:
        reason = "client disconnected"
        raise
    except requests.RequestException as exc:
        reason = _upstream_failure(exc)
    finally:
        upstream.close()
        _audit(share_id, {**detail, "bytes": check.received}, reason)
    if reason is not None:
        raise DownloadIncompleteError(f"download of study {detail['study']} cut short: {reason}")


def _upstream_failure(exc: requests.RequestException) -> str:
    cause = exc.args[0] if exc.args else None
    if isinstance(exc, requests.Timeout) or isinstance(cause, ReadTimeoutError):
        return "Orthanc timed out"
    return f"Orthanc connection failed ({type(exc).__name__})"


def _audit(share_id: int, detail: dict[str, object], reason: str | None) -> None:
    try:
        share = db.session.get(Share, share_id)
        if reason is None:
            record(AuditKind.DOWNLOADED, share, actor=ActorKind.RECIPIENT, detail=detail)
        else:
            detail = {**detail, "reason": reason}
            record(AuditKind.DOWNLOAD_INCOMPLETE, share, actor=ActorKind.RECIPIENT, detail=detail)
        db.session.commit()
    except Exception:
        # The bytes are already on their way: a lost audit row must not also break the file.
        db.session.rollback()
        log.exception("Could not record the download of share id %s", share_id)

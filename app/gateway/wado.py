"""The gateway's WADO-RS routes, decided: which Orthanc answer a request is passed, after
its grant and every UID in it are checked.

Each route is one function of (request, grant, the path's parts) to an `Upstream`; the
Flask views (app/gateway/views.py) and the image front (app/gateway/front.py) both ask them,
so one set of checks guards every image.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from urllib3 import BaseHTTPResponse
from werkzeug.exceptions import BadRequest, Forbidden, NotFound
from werkzeug.wrappers import Request

from app.gateway import rendering, scope
from app.gateway.access import Grant
from app.orthanc.dicomweb import DicomWebPath
from app.orthanc.errors import OrthancBadAnswer, OrthancNotFound
from app.orthanc.flask_client import get_orthanc
from app.orthanc.models import Instance
from app.shares.viewer_tokens import TOKEN_NAME

DICOM_JSON = "application/dicom+json"
FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
RETRIEVE_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*'
BULK_ACCEPT = "multipart/related; type=application/octet-stream"
# Accept headers pass on when they are plain media-type lists (no line breaks, no oddities).
SAFE_ACCEPT = re.compile(r'^[A-Za-z0-9/+.;=" ,*\-]{1,512}$')
FRAME_LIST = re.compile(r"^[0-9]{1,6}(,[0-9]{1,6}){0,99}$")
NO_QUERY = frozenset({TOKEN_NAME})
# Rendered images are JPEG or PNG, compressed already: gzip would only cost CPU twice.
NEVER_GZIPPED = frozenset({"rendered", "thumbnail"})


@dataclass(frozen=True)
class Upstream:
    """What to ask the internal Orthanc, and what the answer is called in the logs."""

    target: DicomWebPath
    accept: str
    what: str
    gzip: bool


def _upstream(request: Request, target: DicomWebPath, accept: str, what: str) -> Upstream:
    gzip = what not in NEVER_GZIPPED and "gzip" in request.headers.get("Accept-Encoding", "")
    return Upstream(target, accept, what, gzip)


def open_upstream(upstream: Upstream) -> BaseHTTPResponse:
    """Orthanc's answer, still streaming; its 404 and 400 stay the client's, not an outage."""
    try:
        return get_orthanc().open_dicomweb(
            upstream.target,
            accept=upstream.accept,
            gzip=upstream.gzip,
            forwarded=current_app.config["PUBLIC_FORWARDED"],
        )
    except OrthancNotFound:
        raise NotFound(scope.NOT_IN_SHARE) from None
    except OrthancBadAnswer as exc:
        if exc.status in (400, 406):
            raise BadRequest("The image archive cannot answer this request as asked.") from None
        raise


def no_query(request: Request) -> None:
    if set(request.args) - NO_QUERY:
        raise BadRequest("This route takes no query parameters.")


def _accept(request: Request, default: str) -> str:
    asked = request.headers.get("Accept", "")
    if not asked or asked.strip() in ("*/*", "*"):
        return default
    return asked if SAFE_ACCEPT.fullmatch(asked) else default


def _frames(instance: Instance | None, frames: str, *, one: bool = False) -> str:
    """`frames/N,M` of the instance, 1-based; out of range is a 404 like a foreign UID."""
    if not FRAME_LIST.fullmatch(frames) or instance is None:
        raise NotFound("No such frame of this image.")
    numbers = [int(n) for n in frames.split(",")]
    if not all(1 <= n <= instance.frames for n in numbers):
        raise NotFound("No such frame of this image.")
    if one and len(numbers) > 1:
        raise BadRequest("Render one frame at a time.")
    return "frames/" + ",".join(map(str, numbers))


def metadata(
    request: Request, grant: Grant, study: str, series: str | None = None, instance=None
) -> Upstream:
    no_query(request)
    scope.locate(grant, study, series, instance)
    target = DicomWebPath(study=study, series=series, instance=instance, ending="metadata")
    return _upstream(request, target, DICOM_JSON, "metadata")


def frames(
    request: Request, grant: Grant, study: str, series: str, instance: str, frames: str
) -> Upstream:
    no_query(request)
    located = scope.locate(grant, study, series, instance)
    ending = _frames(located.instance, frames)
    target = DicomWebPath(study=study, series=series, instance=instance, ending=ending)
    return _upstream(request, target, _accept(request, FRAMES_ACCEPT), "frames")


def rendered(
    request: Request,
    grant: Grant,
    study: str,
    series: str,
    instance: str | None = None,
    frame: str | None = None,
) -> Upstream:
    query = rendering.parse(request.args)
    located = scope.locate(grant, study, series, instance)
    ending = (
        "rendered" if frame is None else _frames(located.instance, frame, one=True) + "/rendered"
    )
    target = DicomWebPath(study=study, series=series, instance=instance, ending=ending, query=query)
    return _upstream(request, target, rendering.accept(request), "rendered")


def thumbnail(
    request: Request,
    grant: Grant,
    study: str,
    series: str | None = None,
    instance: str | None = None,
    frame: str | None = None,
) -> Upstream:
    """DICOMweb 1.7 has no thumbnails: a small rendering of a representative image."""
    query = rendering.parse(request.args, default_viewport=rendering.THUMBNAIL_VIEWPORT)
    located = scope.locate(grant, study, series, instance)
    picked = rendering.representative(located)
    if picked is None:
        raise NotFound("There is no image to show here.")
    series_contents, image = picked
    ending = "rendered" if frame is None else _frames(image, frame, one=True) + "/rendered"
    target = DicomWebPath(
        study=study,
        series=series_contents.uid,
        instance=image.sop_instance_uid,
        ending=ending,
        query=query,
    )
    return _upstream(request, target, rendering.accept(request), "thumbnail")


def bulk_data(
    request: Request, grant: Grant, study: str, series: str, instance: str, tag: str
) -> Upstream:
    no_query(request)
    scope.locate(grant, study, series, instance)
    try:
        target = DicomWebPath(study=study, series=series, instance=instance, ending=f"bulk/{tag}")
    except ValueError:
        raise NotFound("No such attribute.") from None
    return _upstream(request, target, _accept(request, BULK_ACCEPT), "bulk")


def retrieve(
    request: Request,
    grant: Grant,
    study: str,
    series: str | None = None,
    instance: str | None = None,
) -> Upstream:
    """Whole DICOM files: a download, so only when the share allows downloads."""
    no_query(request)
    scope.locate(grant, study, series, instance)
    if not grant.allow_download:
        raise Forbidden("Downloads are off for this share.")
    target = DicomWebPath(study=study, series=series, instance=instance)
    return _upstream(request, target, _accept(request, RETRIEVE_ACCEPT), "retrieve")


Route = Callable[..., Upstream]

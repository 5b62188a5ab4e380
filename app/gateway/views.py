"""The gateway's routes: the subset of DICOMweb that OHIF, Stone and VolView use.

Each view checks the grant and the UIDs, then streams the internal Orthanc's answer.
Only GET (and HEAD/OPTIONS) exist: any write method is a 405.
"""

from __future__ import annotations

import json
import re

from flask import current_app, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, Unauthorized

from app.gateway import bp, qido, rendering, scope
from app.gateway.access import Grant, NoAccess, request_grant
from app.gateway.stream import passed_on, release
from app.orthanc.dicomweb import DicomWebPath
from app.orthanc.errors import OrthancBadAnswer, OrthancError, OrthancNotFound
from app.orthanc.flask_client import get_orthanc
from app.orthanc.models import Instance
from app.shares.viewer_tokens import TOKEN_NAME
from app.studies import qido_query

DICOM_JSON = "application/dicom+json"
FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
RETRIEVE_ACCEPT = 'multipart/related; type="application/dicom"; transfer-syntax=*'
# Accept headers pass on when they are plain media-type lists (no line breaks, no oddities).
SAFE_ACCEPT = re.compile(r'^[A-Za-z0-9/+.;=" ,*\-]{1,512}$')
FRAME_LIST = re.compile(r"^[0-9]{1,6}(,[0-9]{1,6}){0,99}$")
NO_QUERY = frozenset({TOKEN_NAME})
IMAGES = frozenset({"rendered", "thumbnail"})


def _grant() -> Grant:
    try:
        return request_grant()
    except NoAccess as exc:
        raise Unauthorized(exc.message) from None


def _no_query() -> None:
    if set(request.args) - NO_QUERY:
        raise BadRequest("This route takes no query parameters.")


def _accept(default: str) -> str:
    asked = request.headers.get("Accept", "")
    if not asked or asked.strip() in ("*/*", "*"):
        return default
    return asked if SAFE_ACCEPT.fullmatch(asked) else default


def _open(target: DicomWebPath, accept: str, *, gzip: bool):
    """Orthanc's answer, still streaming; its 404 and 400 stay the client's, not an outage."""
    try:
        return get_orthanc().open_dicomweb(
            target, accept=accept, gzip=gzip, forwarded=current_app.config["PUBLIC_FORWARDED"]
        )
    except OrthancNotFound:
        raise NotFound(scope.NOT_IN_SHARE) from None
    except OrthancBadAnswer as exc:
        if exc.status in (400, 406):
            raise BadRequest("The image archive cannot answer this request as asked.") from None
        raise


def _upstream(target: DicomWebPath, accept: str, what: str):
    # Rendered images are JPEG or PNG, compressed already: gzip would only cost CPU twice.
    gzip = what not in IMAGES and "gzip" in request.headers.get("Accept-Encoding", "")
    return passed_on(_open(target, accept, gzip=gzip), what)


def _qido_answer(target: DicomWebPath, grant: Grant):
    # Read whole (QIDO answers are small) to drop anything outside the grant.
    response = _open(target, DICOM_JSON, gzip=False)
    try:
        answers = json.loads(response.read())
    except ValueError:
        raise OrthancError("Orthanc sent a QIDO answer that is not JSON") from None
    finally:
        release(response)
    return _dicom_json(qido.only_granted(answers, grant))


def _dicom_json(answers: list):
    body = jsonify(answers)
    body.mimetype = DICOM_JSON
    return body


def _search(level: str, study_uid: str | None = None, series_uid: str | None = None):
    grant = _grant()
    located = scope.locate(grant, study_uid, series_uid) if study_uid else None
    query = qido_query.parse(
        request.args, level=level, study_in_path=bool(study_uid), series_in_path=bool(series_uid)
    )
    if not qido.restrict(query, grant, study_in_path=bool(study_uid)):
        return _dicom_json([])
    if located is None:
        target = DicomWebPath(level=level, query=query.query())
    else:
        target = DicomWebPath(
            study=located.study.uid, series=series_uid, ending=level, query=query.query()
        )
    return _qido_answer(target, grant)


@bp.get("/studies")
def search_studies():
    return _search("studies")


@bp.get("/series")
def search_series():
    return _search("series")


@bp.get("/instances")
def search_instances():
    return _search("instances")


@bp.get("/studies/<study>/series")
def search_study_series(study: str):
    return _search("series", study)


@bp.get("/studies/<study>/instances")
def search_study_instances(study: str):
    return _search("instances", study)


@bp.get("/studies/<study>/series/<series>/instances")
def search_series_instances(study: str, series: str):
    return _search("instances", study, series)


def _located(study: str, series: str | None = None, instance: str | None = None):
    grant = _grant()
    return grant, scope.locate(grant, study, series, instance)


@bp.get("/studies/<study>/metadata")
@bp.get("/studies/<study>/series/<series>/metadata")
@bp.get("/studies/<study>/series/<series>/instances/<instance>/metadata")
def metadata(study: str, series: str | None = None, instance: str | None = None):
    _no_query()
    _located(study, series, instance)
    target = DicomWebPath(study=study, series=series, instance=instance, ending="metadata")
    return _upstream(target, DICOM_JSON, "metadata")


@bp.get("/studies/<study>/series/<series>/instances/<instance>/frames/<frames>")
def frames(study: str, series: str, instance: str, frames: str):
    _no_query()
    _, located = _located(study, series, instance)
    target = DicomWebPath(
        study=study, series=series, instance=instance, ending=_frames(located.instance, frames)
    )
    return _upstream(target, _accept(FRAMES_ACCEPT), "frames")


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


@bp.get("/studies/<study>/series/<series>/rendered")
@bp.get("/studies/<study>/series/<series>/instances/<instance>/rendered")
@bp.get("/studies/<study>/series/<series>/instances/<instance>/frames/<frame>/rendered")
def rendered(study: str, series: str, instance: str | None = None, frame: str | None = None):
    query = rendering.parse(request.args)
    _, located = _located(study, series, instance)
    ending = (
        "rendered" if frame is None else _frames(located.instance, frame, one=True) + "/rendered"
    )
    target = DicomWebPath(study=study, series=series, instance=instance, ending=ending, query=query)
    return _upstream(target, rendering.accept(request), "rendered")


@bp.get("/studies/<study>/thumbnail")
@bp.get("/studies/<study>/series/<series>/thumbnail")
@bp.get("/studies/<study>/series/<series>/instances/<instance>/thumbnail")
@bp.get("/studies/<study>/series/<series>/instances/<instance>/frames/<frame>/thumbnail")
def thumbnail(study: str, series: str | None = None, instance: str | None = None, frame=None):
    """DICOMweb 1.7 has no thumbnails: a small rendering of a representative image."""
    query = rendering.parse(request.args, default_viewport=rendering.THUMBNAIL_VIEWPORT)
    _, located = _located(study, series, instance)
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
    return _upstream(target, rendering.accept(request), "thumbnail")


@bp.get("/studies/<study>/series/<series>/instances/<instance>/bulk/<path:tag>")
def bulk_data(study: str, series: str, instance: str, tag: str):
    _no_query()
    _located(study, series, instance)
    try:
        target = DicomWebPath(study=study, series=series, instance=instance, ending=f"bulk/{tag}")
    except ValueError:
        raise NotFound("No such attribute.") from None
    return _upstream(target, _accept("multipart/related; type=application/octet-stream"), "bulk")


@bp.get("/studies/<study>")
@bp.get("/studies/<study>/series/<series>")
@bp.get("/studies/<study>/series/<series>/instances/<instance>")
def retrieve(study: str, series: str | None = None, instance: str | None = None):
    """Whole DICOM files: a download, so only when the share allows downloads."""
    _no_query()
    grant, _ = _located(study, series, instance)
    target = DicomWebPath(study=study, series=series, instance=instance)
    if not grant.allow_download:
        raise Forbidden("Downloads are off for this share.")
    return _upstream(target, _accept(RETRIEVE_ACCEPT), "retrieve")

"""The gateway's routes: the subset of DICOMweb that OHIF, Stone and VolView use.

Each view checks the grant and the UIDs, then passes on the internal Orthanc's answer:
QIDO answers filtered to the grant, WADO-RS answers streamed (app/gateway/wado.py).
Only GET (and HEAD/OPTIONS) exist: any write method is a 405.
"""

from __future__ import annotations

import json

from flask import jsonify, request, session
from werkzeug.exceptions import Unauthorized

from app.gateway import bp, qido, scope, wado
from app.gateway.access import Grant, NoAccess, request_grant
from app.gateway.stream import passed_on, release
from app.orthanc.dicomweb import DicomWebPath
from app.orthanc.errors import OrthancError
from app.studies import qido_query


def _grant() -> Grant:
    try:
        return request_grant(request, lambda: session)
    except NoAccess as exc:
        raise Unauthorized(exc.message) from None


def _qido_answer(target: DicomWebPath, grant: Grant):
    # Read whole (QIDO answers are small) to drop anything outside the grant.
    upstream = wado.Upstream(target, wado.DICOM_JSON, "qido", gzip=False)
    response = wado.open_upstream(upstream)
    try:
        answers = json.loads(response.read())
    except ValueError:
        raise OrthancError("Orthanc sent a QIDO answer that is not JSON") from None
    finally:
        release(response)
    return _dicom_json(qido.only_granted(answers, grant))


def _dicom_json(answers: list):
    body = jsonify(answers)
    body.mimetype = wado.DICOM_JSON
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


# The WADO-RS routes by endpoint: the Flask views below and the image front
# (app/gateway/front.py) answer them with the same route functions.
WADO_ROUTES: dict[str, wado.Route] = {}


def _wado(route: wado.Route, *rules: str) -> None:
    def view(**parts: str):
        upstream = route(request, _grant(), **parts)
        return passed_on(wado.open_upstream(upstream), upstream.what)

    view.__name__ = route.__name__
    for rule in rules:
        bp.add_url_rule(rule, view_func=view, methods=["GET"])
    WADO_ROUTES[f"{bp.name}.{route.__name__}"] = route


STUDY = "/studies/<study>"
SERIES = f"{STUDY}/series/<series>"
INSTANCE = f"{SERIES}/instances/<instance>"

_wado(wado.metadata, f"{STUDY}/metadata", f"{SERIES}/metadata", f"{INSTANCE}/metadata")
_wado(wado.frames, f"{INSTANCE}/frames/<frames>")
_wado(
    wado.rendered,
    f"{SERIES}/rendered",
    f"{INSTANCE}/rendered",
    f"{INSTANCE}/frames/<frame>/rendered",
)
_wado(
    wado.thumbnail,
    f"{STUDY}/thumbnail",
    f"{SERIES}/thumbnail",
    f"{INSTANCE}/thumbnail",
    f"{INSTANCE}/frames/<frame>/thumbnail",
)
_wado(wado.bulk_data, f"{INSTANCE}/bulk/<path:tag>")
# Whole DICOM files: wado.retrieve refuses them when the share allows no downloads.
_wado(wado.retrieve, STUDY, SERIES, INSTANCE)

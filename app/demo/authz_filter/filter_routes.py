"""Which study a request reads, mapped like the plugin's DefaultAuthorizationParser.

REST study, series and instance routes are resolved to their study through Orthanc
(`orthanc.RestApiGet`), DICOMweb routes and QIDO by their StudyInstanceUID (AUTHZ-CONTRACT.md
§1, §7); `None` means deny without asking the token service.
"""

import json
import re

import orthanc

ORTHANC_ID = r"(?P<id>[a-f0-9-]+)"
STUDY_UID = r"(?P<uid>[.0-9]+)"
UID = re.compile(r"[.0-9]+")
# The plugin's DefaultAuthorizationParser patterns (matched against the whole URI), each with
# the REST collection whose parent study it names; "dicom" carries a StudyInstanceUID.
ROUTES = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (rf"/studies/{ORTHANC_ID}(|/.*)", "studies"),
        (rf"/series/{ORTHANC_ID}(|/.*)", "series"),
        (rf"/instances/{ORTHANC_ID}(|/.*)", "instances"),
        (
            rf"/(web-viewer/series|web-viewer/is-stable-series|wsi/pyramids|wsi/tiles)"
            rf"/{ORTHANC_ID}(|/.*)",
            "series",
        ),
        (rf"/web-viewer/instances/[a-z0-9]+-{ORTHANC_ID}_[0-9]+", "instances"),
        (rf"/osimis-viewer/series/{ORTHANC_ID}(|/.*)", "series"),
        (rf"/osimis-viewer/studies/{ORTHANC_ID}(|/.*)", "studies"),
        (rf"/osimis-viewer/(images|custom-command)/{ORTHANC_ID}(|/.*)", "instances"),
        (
            rf"/dicom-web/studies/{STUDY_UID}(|/series|/metadata|/instances|/rendered"
            r"|/thumbnail)(|/)",
            "dicom",
        ),
        (
            rf"/dicom-web/studies/{STUDY_UID}/series/[.0-9]+(|/instances|/rendered"
            r"|/thumbnail|/metadata)(|/)",
            "dicom",
        ),
        (
            rf"/dicom-web/studies/{STUDY_UID}/series/[.0-9]+/instances/[.0-9]+"
            r"(|/|/frames/.*|/rendered|/thumbnail|/metadata|/bulk/.*)(|/)",
            "dicom",
        ),
    )
)
QIDO = re.compile(r"/dicom-web/(?P<level>studies|series|instances)(|/)")
QIDO_STUDY_ARGUMENTS = ("0020000D", "StudyInstanceUID")
LISTS_OF_RESOURCES = re.compile(r"/(patients|studies|series|instances)(|/)")


def _get_json(uri):
    return json.loads(orthanc.RestApiGet(uri))


def _lookup(uid, level):
    """Orthanc id of the resource of this level ("Study", "Series"…) with this DICOM UID."""
    for match in json.loads(orthanc.RestApiPost("/tools/lookup", uid)):
        if match.get("Type") == level:
            return match["ID"]
    return None


def _study_of_resource(kind, orthanc_id):
    """(Orthanc id, StudyInstanceUID) of the study holding this REST resource."""
    uri = f"/studies/{orthanc_id}" if kind == "studies" else f"/{kind}/{orthanc_id}/study"
    study = _get_json(uri)
    return study["ID"], study["MainDicomTags"]["StudyInstanceUID"]


def _study_of_uid(uid):
    orthanc_id = _lookup(uid, "Study")
    return (orthanc_id, uid) if orthanc_id else None


def _route_study(uri):
    """(matched, study) for the plugin's resource routes; matched is False for other URIs."""
    for pattern, kind in ROUTES:
        match = pattern.fullmatch(uri)
        if match is None:
            continue
        if kind == "dicom":
            return True, _study_of_uid(match["uid"])
        return True, _study_of_resource(kind, match["id"])
    return False, None


def _first_of(get, *names):
    # Orthanc::HttpToolbox::GetArgument: an empty value counts as absent.
    for name in names:
        if get.get(name):
            return get[name]
    return None


def _faithful_qido_study(get):
    """The study DefaultAuthorizationParser names in a QIDO query, or None (deny)."""
    study_uid = _first_of(get, *QIDO_STUDY_ARGUMENTS)
    if study_uid is None:
        # Patient-level keys name a patient: an unchecked level at CheckedLevel studies.
        return None
    series_uid = _first_of(get, "0020000E", "SeriesInstanceUID")
    sop_uid = _first_of(get, "00080018", "SOPInstanceUID")
    # The series and instance are looked up (anywhere: unknown ones deny), not checked.
    if series_uid and _lookup(series_uid, "Series") is None:
        return None
    if series_uid and sop_uid and _lookup(sop_uid, "Instance") is None:
        return None
    return _study_of_uid(study_uid)


def _strict_qido_study(get):
    values = {get[name] for name in QIDO_STUDY_ARGUMENTS if name in get}
    # Stricter than the plugin: both spellings must agree (DICOMweb honours the last one),
    # and wildcards or UID lists would match more than one study.
    if len(values) != 1:
        return None
    uid = values.pop()
    return _study_of_uid(uid) if UID.fullmatch(uid) else None


def study_of_request(uri, get, mode):
    """The (Orthanc id, StudyInstanceUID) this request reads, or None to deny it outright."""
    matched, study = _route_study(uri)
    if matched:
        return study
    if QIDO.fullmatch(uri):
        if mode == "faithful":
            return _faithful_qido_study(get)
        return _strict_qido_study(get)
    # Patients, lists and system routes: levels the plugin does not check at CheckedLevel
    # studies, so it denies them without asking.
    return None

"""Every UID a viewer names must belong to its grant: studies from the share, series and
instances from those studies as the internal Orthanc lists them. Anything else is a 404,
never a 403, so nobody learns whether a foreign UID exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.exceptions import NotFound

from app.gateway.access import Grant
from app.orthanc.dicomweb import is_dicom_uid
from app.orthanc.models import Instance
from app.shares.study_ref import StudyRef
from app.studies.contents import SeriesContents, StudyContents, study_contents

NOT_IN_SHARE = "No such study, series or image in this share."


def contents(study: StudyRef, *, fresh: bool = False) -> StudyContents:
    """What the shared study holds, as the internal Orthanc lists it."""
    return study_contents(study.orthanc_id, fresh=fresh)


def shared_study(grant: Grant, uid: str) -> StudyRef:
    study = grant.study(uid) if is_dicom_uid(uid) else None
    if study is None:
        raise NotFound(NOT_IN_SHARE)
    return study


@dataclass(frozen=True)
class Located:
    study: StudyRef
    series: SeriesContents | None = None
    instance: Instance | None = None


def locate(
    grant: Grant, study_uid: str, series_uid: str | None = None, instance_uid: str | None = None
) -> Located:
    """The shared study, and the series and instance of it that the UIDs name."""
    study = shared_study(grant, study_uid)
    if series_uid is None:
        return Located(study)
    found = _find(contents(study), series_uid, instance_uid)
    if found is None:  # perhaps stored in Orthanc since the contents were read
        found = _find(contents(study, fresh=True), series_uid, instance_uid)
    if found is None:
        raise NotFound(NOT_IN_SHARE)
    series, instance = found
    return Located(study, series, instance)


def _find(
    study: StudyContents, series_uid: str, instance_uid: str | None
) -> tuple[SeriesContents, Instance | None] | None:
    series = study.find_series(series_uid)
    if series is None:
        return None
    if instance_uid is None:
        return series, None
    instance = study.find_instance(series_uid, instance_uid)
    return None if instance is None else (series, instance)

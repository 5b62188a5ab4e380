"""QIDO-RS through the gateway: answers that hold the grant's studies only, whatever was asked.

The real authorization plugin lets `/dicom-web/studies` through with any query, checks
series/instance queries on their first study key only, and so leaks other patients
(AUTHZ-CONTRACT.md §6). Here the query is read strictly (app/studies/qido_query.py), the
study key is always set to the grant's own studies, and every answer is filtered again by
its StudyInstanceUID.
"""

from __future__ import annotations

from werkzeug.exceptions import NotFound

from app.gateway import scope
from app.gateway.access import Grant
from app.orthanc.dicomweb import is_dicom_uid
from app.studies.qido_query import INSTANCE, SERIES, STUDY, Qido


def restrict(qido: Qido, grant: Grant, *, study_in_path: bool) -> bool:
    """Confine the query to the grant; False when nothing can match.

    Named UIDs must all belong to the grant (else 404); without a study key the grant's
    own studies are asked for.
    """
    if STUDY in qido.filters:
        asked = qido.filters[STUDY].split(",")
        if not all(is_dicom_uid(uid) and uid in grant.uids for uid in asked):
            raise NotFound(scope.NOT_IN_SHARE)
    elif not study_in_path:
        if not grant.studies:
            return False
        qido.filters[STUDY] = ",".join(sorted(grant.uids))
    _check_named(qido, grant)
    return True


def _check_named(qido: Qido, grant: Grant) -> None:
    """Series and instance UIDs in the query must be of the grant's studies too."""
    for tag in (SERIES, INSTANCE):
        if tag not in qido.filters:
            continue
        series = [s for study in grant.studies for s in scope.contents(study).series]
        known = (
            {s.uid for s in series}
            if tag == SERIES
            else {i.sop_instance_uid for s in series for i in s.instances}
        )
        if not all(uid in known for uid in qido.filters[tag].split(",")):
            raise NotFound(scope.NOT_IN_SHARE)


def only_granted(answers: object, grant: Grant) -> list[dict]:
    """Orthanc's answers that belong to the grant's studies; anything else is dropped."""
    if not isinstance(answers, list):
        return []
    uids = grant.uids
    return [item for item in answers if isinstance(item, dict) and _study_uid(item) in uids]


def _study_uid(item: dict) -> str | None:
    element = item.get(STUDY)
    values = element.get("Value") if isinstance(element, dict) else None
    return values[0] if isinstance(values, list) and values else None

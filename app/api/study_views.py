"""/api/v1/studies: the console's study search, for integrations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, current_app

from app.api import bp
from app.api import json_input as read
from app.api.key_auth import requires
from app.api.query_input import bounded, query_args
from app.api_keys.models import Scope
from app.orthanc.flask_client import get_orthanc
from app.studies.criteria import MODALITIES, StudyCriteria
from app.studies.search import StudyRow, search_studies

# As the console's search form allows.
MAX_TEXT, MAX_PAGE = 64, 1000
TEXT_CRITERIA = ("patient_name", "patient_id", "accession_number", "description")
DATE_CRITERIA = ("birth_date", "date_from", "date_to")
PARAMETERS = frozenset({*TEXT_CRITERIA, *DATE_CRITERIA, "modality", "page"})


def _criteria(args: dict[str, str]) -> StudyCriteria:
    for name in TEXT_CRITERIA:
        if len(args.get(name, "")) > MAX_TEXT:
            abort(400, f"`{name}` must have at most {MAX_TEXT} characters.")
    dates = {name: read.iso_date(args.get(name), name) for name in DATE_CRITERIA}
    if dates["birth_date"] and dates["birth_date"] > date.today():
        abort(400, "`birth_date` is in the future.")
    if dates["date_from"] and dates["date_to"] and dates["date_to"] < dates["date_from"]:
        abort(400, "`date_to` is before `date_from`.")
    modality = args.get("modality", "")
    if modality and modality not in MODALITIES:
        abort(400, "`modality` must be one of " + ", ".join(MODALITIES) + ".")
    return StudyCriteria(
        **{name: args.get(name, "") for name in TEXT_CRITERIA}, **dates, modality=modality
    )


def _study_json(row: StudyRow) -> dict[str, Any]:
    study, patient = row.study, row.study.patient
    return {
        "id": study.orthanc_id,
        "study_instance_uid": study.study_instance_uid,
        "accession_number": study.accession_number,
        "date": study.date.isoformat() if study.date else None,
        "description": study.description,
        "modalities": list(row.modalities),
        "series": row.series_count,
        "images": row.instance_count,
        "patient": {
            "id": patient.patient_id,
            "name": patient.name,
            "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
            "sex": patient.sex,
        },
    }


@bp.get("/studies")
@requires(Scope.STUDIES_SEARCH)
def search_studies_route():
    """A page of studies matching the console's criteria, most recent first."""
    args = query_args(PARAMETERS)
    criteria = _criteria(args)
    results = search_studies(
        get_orthanc(),
        criteria,
        page=bounded(args, "page", 1, MAX_PAGE),
        page_size=current_app.config["SEARCH_PAGE_SIZE"],
        sort_window=current_app.config["SEARCH_SORT_WINDOW"],
    )
    return {
        "studies": [_study_json(row) for row in results.rows],
        "page": results.page,
        "has_next": results.has_next,
        "total": results.total,
    }

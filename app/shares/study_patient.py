"""Whose studies these are: the one-patient rule of a share, and the patient columns kept."""

from __future__ import annotations

from app.orthanc.models import Study
from app.shares.options import ShareError
from app.studies.names import folded_name

SAME_PATIENT = "All studies of a share must belong to the same patient."


def patient_key(study: Study) -> str:
    """Which patient a study belongs to: Orthanc's patient id, else the PatientID."""
    return study.patient.orthanc_id or study.patient.patient_id


def patients_of(studies: list[Study]) -> set[str]:
    """The distinct patients of these studies."""
    return {patient_key(s) for s in studies}


def check_same_patient(studies: list[Study]) -> None:
    """Raise ShareError unless every study belongs to one patient."""
    if len(patients_of(studies)) > 1:
        raise ShareError(SAME_PATIENT)


def patient_columns(study: Study) -> dict[str, str | None]:
    """ShareStudy's patient columns from the source study, cut to the columns' sizes."""
    name = study.patient.name[:324] or None
    return {
        "patient_name": name,
        "patient_name_folded": folded_name(name)[:324] if name else None,
        "patient_id": study.patient.patient_id[:64] or None,
        "accession_number": study.accession_number[:64] or None,
    }

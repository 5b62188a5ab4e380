"""Fill the patient columns of share studies made before they existed, from Orthanc."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancNotFound
from app.shares.models import ShareStudy
from app.shares.study_patient import patient_columns


@dataclass(frozen=True)
class BackfillReport:
    filled: int
    gone: int  # studies no longer in Orthanc: their rows stay empty


def backfill_patients(client: OrthancClient) -> BackfillReport:
    """Ask Orthanc for the source study of every row without a patient; commit per study."""
    rows = db.session.scalars(
        select(ShareStudy).where(ShareStudy.patient_name.is_(None), ShareStudy.patient_id.is_(None))
    ).all()
    by_study: dict[str, list[ShareStudy]] = {}
    for row in rows:
        by_study.setdefault(row.source_orthanc_study_id, []).append(row)
    filled = gone = 0
    for study_id, study_rows in by_study.items():
        try:
            columns = patient_columns(client.get_study(study_id))
        except OrthancNotFound:
            gone += len(study_rows)
            continue
        for row in study_rows:
            for name, value in columns.items():
                setattr(row, name, value)
        db.session.commit()
        filled += len(study_rows)
    return BackfillReport(filled, gone)

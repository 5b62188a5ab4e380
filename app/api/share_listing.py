"""The shares a key may list, filtered by patient, accession, state and creation time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.client import OrthancClient
from app.shares.models import Share, ShareState, ShareStudy
from app.studies.criteria import StudyCriteria

# A patient with more studies than this is narrowed by accession number first.
MAX_MATCHED_STUDIES = 500


class TooManyStudies(Exception):  # noqa: N818
    """The patient or accession filter matches more studies than one query may carry."""


@dataclass(frozen=True)
class ShareFilter:
    owner_id: int | None  # None: every owner's (an administrator's key)
    state: ShareState | None = None
    patient_id: str = ""
    accession_number: str = ""
    created_after: datetime | None = None
    created_before: datetime | None = None


def source_studies(client: OrthancClient, patient_id: str, accession: str) -> list[str]:
    """The Orthanc ids of the studies with this patient id and/or accession number.

    Shares keep the Orthanc ids of their studies, not these tags: the archive answers which
    studies they name (a study deleted from it since is no longer found this way).
    """
    query = StudyCriteria(patient_id=patient_id, accession_number=accession).to_dicom_query()
    if not query:
        return []
    answers, more = client.find_study_answers(query, limit=MAX_MATCHED_STUDIES, case_sensitive=True)
    if more:
        raise TooManyStudies
    return [str(answer.get("ID", "")) for answer in answers]


def find_shares(
    wanted: ShareFilter, client: OrthancClient, *, page: int, per_page: int
) -> tuple[list[Share], bool]:
    """A page of matching shares, newest first, and whether another page follows."""
    query = select(Share).order_by(Share.created_at.desc(), Share.id.desc())
    if wanted.owner_id is not None:
        query = query.where(Share.owner_id == wanted.owner_id)
    if wanted.state is not None:
        query = query.where(Share.state_condition(wanted.state, utcnow()))
    if wanted.created_after is not None:
        query = query.where(Share.created_at >= wanted.created_after)
    if wanted.created_before is not None:
        query = query.where(Share.created_at < wanted.created_before)
    if wanted.patient_id or wanted.accession_number:
        study_ids = source_studies(client, wanted.patient_id, wanted.accession_number)
        if not study_ids:
            return [], False
        query = query.where(
            Share.id.in_(
                select(ShareStudy.share_id).where(ShareStudy.source_orthanc_study_id.in_(study_ids))
            )
        )
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(rows[:per_page]), len(rows) > per_page


def share_made_with(creation_key: str) -> Share | None:
    """The share an earlier request with this creation key made, if any."""
    return db.session.scalar(select(Share).where(Share.creation_key == creation_key))

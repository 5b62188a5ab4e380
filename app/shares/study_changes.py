"""Adding studies to a share after it was sent, or taking some out."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from sqlalchemy import select

from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancError, OrthancNotFound
from app.orthanc.models import Study
from app.shares.models import Share, ShareStudy
from app.shares.options import ShareError

# The creation rules, once: found in Orthanc, not another share's anonymized copy, one patient.
from app.shares.service import fetch_same_patient_studies, study_summary
from app.shares.study_patient import patient_columns, patients_of
from app.studies.search import StudyRow, describe

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyPlan:
    """Source (clinician's) Orthanc study ids, before and after the edit."""

    before: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    fetched: tuple[Study, ...] = ()

    @property
    def after(self) -> tuple[str, ...]:
        return tuple(i for i in self.before if i not in self.removed) + self.added

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


def plan(share: Share, add_ids: tuple[str, ...], remove_ids: tuple[str, ...]) -> StudyPlan:
    """Which studies come and go; raise ShareError for a study the share does not hold."""
    before = tuple(study.source_orthanc_study_id for study in share.studies)
    for study_id in remove_ids:
        if study_id not in before:
            raise ShareError(f"Study {study_id} is not in this share.")
    added = tuple(dict.fromkeys(i for i in add_ids if i not in before and i not in remove_ids))
    if added and share.anonymized:
        # make_copies gives each call a new pseudonym: the recipient would see two patients.
        raise ShareError(
            "Studies cannot be added to an anonymized share: create a new share with them."
        )
    return StudyPlan(before, added, tuple(dict.fromkeys(remove_ids)))


def fetch_added(study_plan: StudyPlan, client: OrthancClient) -> StudyPlan:
    """The added studies from Orthanc, checked to be the share's patient's."""
    # One study already shared stands for the share's patient.
    studies = fetch_same_patient_studies(client, [*study_plan.before[:1], *study_plan.added])
    return replace(study_plan, fetched=tuple(studies[1:]))


def apply(share: Share, study_plan: StudyPlan, client: OrthancClient) -> None:
    """Add the fetched studies and drop the removed ones (the caller commits)."""
    for row in describe(client, list(study_plan.fetched)):
        study = row.study
        share.studies.append(
            ShareStudy(
                orthanc_study_id=study.orthanc_id,
                study_instance_uid=study.study_instance_uid,
                source_orthanc_study_id=study.orthanc_id,
                summary=study_summary(row),
                **patient_columns(study),
            )
        )
    for row in [s for s in share.studies if s.source_orthanc_study_id in study_plan.removed]:
        share.studies.remove(row)


def removed_copies(share: Share, study_plan: StudyPlan) -> list[str]:
    """The anonymized copies the removed studies leave behind (read before the change)."""
    if not share.anonymized:
        return []
    return [
        s.orthanc_study_id
        for s in share.studies
        if s.source_orthanc_study_id in study_plan.removed and s.anonymized_copy_deleted_at is None
    ]


def delete_copies(client: OrthancClient, copy_ids: list[str]) -> None:
    """Delete anonymized copies nobody may see any more (best effort: logged)."""
    for copy_id in copy_ids:
        try:
            client.delete_study(copy_id)
        except OrthancNotFound:
            pass
        except OrthancError as exc:
            log.error("Could not delete anonymized copy %s: %s", copy_id, exc)


def addable_studies(share: Share, client: OrthancClient, limit: int = 50) -> list[StudyRow]:
    """The patient's other studies in the archive, which the share could take in."""
    if share.anonymized or not share.studies:
        return []
    try:
        patient = client.get_study(share.studies[0].source_orthanc_study_id).patient
    except OrthancNotFound:
        return []
    page = client.find_studies({"PatientID": patient.patient_id}, limit=limit)
    held = {s.source_orthanc_study_id for s in share.studies}
    copies = set(
        db.session.scalars(
            select(ShareStudy.orthanc_study_id).where(
                ShareStudy.orthanc_study_id.in_([s.orthanc_id for s in page.studies]),
                ShareStudy.orthanc_study_id != ShareStudy.source_orthanc_study_id,
            )
        )
    )
    candidates = [
        study
        for study in page.studies
        if study.orthanc_id not in held
        and study.orthanc_id not in copies
        and patients_of([study]) == {patient.orthanc_id or patient.patient_id}
    ]
    return describe(client, candidates)

"""Upload DICOM files to Orthanc and say what was new."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancBadAnswer


@dataclass(frozen=True)
class UploadReport:
    """What an upload did: new and already stored instances, and the studies touched."""

    new: int
    already_stored: int
    study_ids: frozenset[str]


def upload_demo_studies(client: OrthancClient, instances: Iterable[bytes]) -> UploadReport:
    """Upload DICOM files to Orthanc and report what was new."""
    new = already_stored = 0
    study_ids: set[str] = set()
    for data in instances:
        answer = client.upload_instance(data)
        status, study_id = answer.get("Status"), answer.get("ParentStudy")
        if status not in ("Success", "AlreadyStored") or not isinstance(study_id, str):
            raise OrthancBadAnswer("Orthanc sent an unexpected answer to an upload")
        if status == "Success":
            new += 1
        else:
            already_stored += 1
        study_ids.add(study_id)
    return UploadReport(new=new, already_stored=already_stored, study_ids=frozenset(study_ids))

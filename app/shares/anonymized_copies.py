"""The anonymized copies a new share shows instead of the originals: all made, or none kept."""

from __future__ import annotations

import logging

from app.orthanc.anonymization import new_pseudonym
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancError
from app.orthanc.models import Study
from app.shares.options import ShareError

log = logging.getLogger(__name__)


def make_copies(client: OrthancClient, studies: list[Study]) -> dict[str, tuple[str, str]]:
    """source id → (copy id, copy UID); on any failure no copy is left behind."""
    copies: dict[str, tuple[str, str]] = {}
    # One pseudonym for all copies: the recipient's studies stay one patient.
    pseudonym = new_pseudonym()
    try:
        for study in studies:
            copy_id = client.anonymize_study(study.orthanc_id, pseudonym=pseudonym)
            # Remembered before the next call, so a failure there still deletes this copy.
            copies[study.orthanc_id] = (copy_id, "")
            copies[study.orthanc_id] = (copy_id, client.get_study(copy_id).study_instance_uid)
    except OrthancError as exc:
        log.warning("Anonymization failed: %s", exc)
        delete_copies(client, copies)
        raise ShareError(
            "The image archive could not make the anonymized copy; no share was created. "
            "Please try again."
        ) from None
    return copies


def delete_copies(client: OrthancClient, copies: dict[str, tuple[str, str]]) -> None:
    """Delete copies made by make_copies (best effort: a failure is logged)."""
    for copy_id, _ in copies.values():
        try:
            client.delete_study(copy_id)
        except OrthancError as exc:
            log.error("Could not delete anonymized copy %s: %s", copy_id, exc)

"""Anonymized copies of studies, made by an Orthanc job that is polled, cancelled if too slow."""

from __future__ import annotations

import re
import secrets
import time
from typing import Any

from app.orthanc.connection import OrthancConnection
from app.orthanc.errors import OrthancBadAnswer, OrthancError, OrthancUnavailable
from app.orthanc.ids import JOB_ID, checked_id, is_orthanc_id

# The PatientID (and name) of StudyShare's anonymized copies: it also keeps the copies out
# of the console's study search, which Orthanc 1.10 cannot filter by metadata or label.
_PSEUDONYM = re.compile(r"ANON-[0-9A-F]{12}")


def new_pseudonym() -> str:
    """A fresh pseudonym for one share's anonymized copies."""
    return "ANON-" + secrets.token_hex(6).upper()


def is_pseudonym(patient_id: object) -> bool:
    """Whether a PatientID is one StudyShare gave an anonymized copy."""
    return isinstance(patient_id, str) and _PSEUDONYM.fullmatch(patient_id) is not None


def _job_study_id(job: dict[str, Any]) -> str:
    content = job.get("Content")
    copy_id = content.get("ID") if isinstance(content, dict) else None
    if not is_orthanc_id(copy_id):
        raise OrthancBadAnswer("Orthanc's anonymization job names no valid study")
    return copy_id


class StudyAnonymization(OrthancConnection):
    """Creates anonymized copies of studies, and deletes studies (the copies included)."""

    def anonymize_study(
        self,
        study_id: str,
        pseudonym: str | None = None,
        *,
        poll_seconds: float = 0.25,
    ) -> str:
        """Create an anonymized copy of a study (new UIDs, no patient identity); its id.

        With `pseudonym`, the copy's PatientID and PatientName are set to it, so copies made
        with the same one belong to one (anonymous) patient. Run as an Orthanc job and polled:
        a large study takes longer than one HTTP request may wait, and a request that gave
        up would leave Orthanc to finish a copy nobody knows of. After `anonymize_timeout` seconds
        the job is cancelled (and a copy finished meanwhile deleted).
        """
        body: dict[str, object] = {"KeepPrivateTags": False, "Force": True, "Asynchronous": True}
        if pseudonym is not None:
            body["Replace"] = {"PatientID": pseudonym, "PatientName": pseudonym}
        path = f"/studies/{checked_id(study_id)}/anonymize"
        job_id = self._json("POST", path, dict, json=body).get("ID")
        if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id):
            raise OrthancBadAnswer("Orthanc's anonymization answer has no valid job ID")
        deadline = time.monotonic() + self.anonymize_timeout
        while True:
            job = self._json("GET", f"/jobs/{job_id}", dict)
            if job.get("State") == "Success":
                return _job_study_id(job)
            if job.get("State") == "Failure":
                raise OrthancBadAnswer(
                    f"Orthanc's anonymization job failed ({job.get('ErrorCode')})"
                )
            if time.monotonic() >= deadline:
                self._give_up_anonymization(job_id)
                limit = f"{self.anonymize_timeout:.0f} s"
                raise OrthancUnavailable(f"Orthanc did not finish the anonymization within {limit}")
            time.sleep(poll_seconds)

    def _give_up_anonymization(self, job_id: str) -> None:
        try:
            self._request("POST", f"/jobs/{job_id}/cancel", json={})
            job = self._json("GET", f"/jobs/{job_id}", dict)
            if job.get("State") == "Success":  # it finished before the cancel arrived
                self.delete_study(_job_study_id(job))
        except OrthancError:
            pass  # A job that cannot be cancelled has finished or failed by now.

    def delete_study(self, study_id: str) -> None:
        """Delete a study and its files (`DELETE /studies/{id}`)."""
        self._request("DELETE", f"/studies/{checked_id(study_id)}")

"""A small client for the Orthanc REST API: one session, timeouts, typed errors."""

from __future__ import annotations

import os
import re
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from app.orthanc.dicomweb import DicomWebPath
from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)
from app.orthanc.models import Instance, PatientSummary, Series, Study, StudyPage

# Ids reach URL paths: only Orthanc's own shape may pass, which rules out path injection.
ORTHANC_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{8}){4}$")
JOB_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
DICOM_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")


def _job_study_id(job: dict[str, Any]) -> str:
    content = job.get("Content")
    copy_id = content.get("ID") if isinstance(content, dict) else None
    if not isinstance(copy_id, str) or not ORTHANC_ID.fullmatch(copy_id):
        raise OrthancBadAnswer("Orthanc's anonymization job names no valid study")
    return copy_id


def checked_id(orthanc_id: str) -> str:
    """Return the id if it is a well-formed Orthanc id, else raise OrthancNotFound."""
    if not isinstance(orthanc_id, str) or not ORTHANC_ID.fullmatch(orthanc_id):
        raise OrthancNotFound("Not a valid Orthanc id")
    return orthanc_id


class OrthancClient:
    """Talks to one Orthanc server; every failure becomes an OrthancError."""

    def __init__(
        self,
        base_url: str,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        anonymize_timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.anonymize_timeout = anonymize_timeout
        # Messages name the server without any user:password@ part of the URL.
        parts = urlsplit(self.base_url)
        self.server_label = f"{parts.hostname or '?'}:{parts.port or 'default port'}"
        # (connect, read): a refused or black-holed host fails fast.
        self.timeout = (min(timeout, 5.0), timeout)
        self.session = requests.Session()
        # requests reads proxy and CA settings from the environment on every call, which cost
        # more than a whole gateway request's own work; read them once here instead.
        self.session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self.session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True
        self.session.trust_env = False
        if username is not None or password is not None:
            self.session.auth = (username or "", password or "")

    def close(self) -> None:
        """Release the session's connections."""
        self.session.close()

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        what = f"{method} {path}"
        try:
            response = self.session.request(
                method, self.base_url + path, timeout=self.timeout, **kwargs
            )
        except requests.Timeout as exc:
            raise OrthancUnavailable(f"Orthanc ({self.server_label}) timed out: {what}") from exc
        except requests.ConnectionError as exc:
            raise OrthancUnavailable(
                f"Could not connect to Orthanc ({self.server_label}): {what}"
            ) from exc
        except requests.RequestException as exc:
            raise OrthancUnavailable(
                f"Request to Orthanc ({self.server_label}) failed ({type(exc).__name__}): {what}"
            ) from exc
        status = response.status_code
        if status < 300:
            return response
        response.close()  # a streamed error answer would keep its connection otherwise
        # Orthanc's error bodies may echo query values (patient data): never quote them.
        message = f"Orthanc ({self.server_label}) answered {status} to {what}"
        error: type[OrthancError] = OrthancBadAnswer
        if status == 404:
            error = OrthancNotFound
        elif status in (401, 403):
            error = OrthancUnauthorized
        elif status >= 500:
            error = OrthancUnavailable
        raise error(message, status=status)

    def _json(self, method: str, path: str, expected: type, **kwargs: Any) -> Any:
        response = self._request(method, path, **kwargs)
        try:
            data = response.json()
        except ValueError:
            raise OrthancBadAnswer(f"Orthanc sent non-JSON to {method} {path}") from None
        if not isinstance(data, expected):
            raise OrthancBadAnswer(
                f"Orthanc sent a {type(data).__name__} instead of a {expected.__name__} "
                f"to {method} {path}"
            )
        return data

    def system(self) -> dict[str, Any]:
        """Orthanc's version and settings (`GET /system`)."""
        return self._json("GET", "/system", dict)

    def statistics(self) -> dict[str, Any]:
        """Counts and disk usage of the archive (`GET /statistics`)."""
        return self._json("GET", "/statistics", dict)

    def find_study_answers(
        self,
        query: dict[str, str],
        *,
        limit: int,
        since: int = 0,
        case_sensitive: bool = False,
    ) -> tuple[list[dict[str, Any]], bool]:
        """Orthanc's raw expanded answers for one page, and whether more follow.

        For callers that sort or slice many answers and build models for a few.
        """
        if limit < 1 or since < 0:
            raise ValueError("limit must be >= 1 and since >= 0")
        body = {
            "Level": "Study",
            "Query": query,
            "Expand": True,
            # One more than asked tells whether a next page exists.
            "Limit": limit + 1,
            "Since": since,
            "CaseSensitive": case_sensitive,
        }
        found = self._json("POST", "/tools/find", list, json=body)
        if not all(isinstance(item, dict) for item in found):
            raise OrthancBadAnswer("Orthanc sent a study that is not a JSON object")
        return found[:limit], len(found) > limit

    def count_studies(self, query: dict[str, str], *, up_to: int) -> int:
        """How many studies match, counting no further than `up_to` + 1 (ids only: cheap)."""
        body = {
            "Level": "Study",
            "Query": query,
            "Expand": False,
            "Limit": up_to + 1,
            "CaseSensitive": False,
        }
        return len(self._json("POST", "/tools/find", list, json=body))

    def find_studies(
        self,
        query: dict[str, str],
        *,
        limit: int,
        since: int = 0,
        case_sensitive: bool = False,
    ) -> StudyPage:
        """One page of studies matching a DICOM query (`POST /tools/find`)."""
        # Orthanc 1.10 cannot sort: pages come in its own (unspecified but stable) order, and
        # sorting one page by date would mislead because the other pages are not sorted with it.
        answers, has_next = self.find_study_answers(
            query, limit=limit, since=since, case_sensitive=case_sensitive
        )
        studies = [Study.from_orthanc(item) for item in answers]
        return StudyPage(studies=studies, since=since, limit=limit, has_next=has_next)

    def find_series_of_studies(self, study_uids: list[str]) -> list[Series]:
        """Every series of the given studies, in one `POST /tools/find` at series level."""
        uids = [uid for uid in study_uids if DICOM_UID.fullmatch(uid) and len(uid) <= 64]
        if not uids:
            return []
        # A backslash-separated value is DICOM list matching: one request for the whole page.
        body = {"Level": "Series", "Query": {"StudyInstanceUID": "\\".join(uids)}, "Expand": True}
        found = self._json("POST", "/tools/find", list, json=body)
        return [Series.from_orthanc(item) for item in found]

    def instance_preview(self, instance_id: str) -> bytes:
        """A PNG rendering of an instance's first frame (`GET /instances/{id}/preview`)."""
        path = f"/instances/{checked_id(instance_id)}/preview"
        return self._request("GET", path, headers={"Accept": "image/png"}).content

    def get_study(self, study_id: str) -> Study:
        """One study (`GET /studies/{id}`)."""
        return Study.from_orthanc(self._json("GET", f"/studies/{checked_id(study_id)}", dict))

    def get_study_series(self, study_id: str) -> list[Series]:
        """The series of a study (`GET /studies/{id}/series`)."""
        found = self._json("GET", f"/studies/{checked_id(study_id)}/series", list)
        return [Series.from_orthanc(item) for item in found]

    def get_series_instances(self, series_id: str) -> list[Instance]:
        """The instances of a series (`GET /series/{id}/instances`)."""
        found = self._json("GET", f"/series/{checked_id(series_id)}/instances", list)
        return [Instance.from_orthanc(item) for item in found]

    def get_study_instances(self, study_id: str) -> list[Instance]:
        """Every instance of a study, with its series and frame count (one call)."""
        found = self._json("GET", f"/studies/{checked_id(study_id)}/instances", list)
        return [Instance.from_orthanc(item) for item in found]

    def instance_sop_class(self, instance_id: str) -> str:
        """The instance's SOPClassUID, from the metadata Orthanc keeps (no file read)."""
        path = f"/instances/{checked_id(instance_id)}/metadata/SopClassUid"
        return self._request("GET", path).text.strip()

    def open_dicomweb(
        self, target: DicomWebPath, *, accept: str, gzip: bool, forwarded: str
    ) -> requests.Response:
        """A DICOMweb answer, streamed (`raw`, still encoded): close it when done.

        `forwarded` (`host=…;proto=…`) makes the URLs Orthanc writes into metadata
        (BulkDataURI, RetrieveURL) name the public gateway, not this server.
        """
        headers = {
            "Accept": accept,
            "Accept-Encoding": "gzip" if gzip else "identity",
            "Forwarded": forwarded,
        }
        return self._request("GET", target.path(), headers=headers, stream=True)

    def get_patient(self, patient_id: str) -> PatientSummary:
        """One patient (`GET /patients/{id}`)."""
        data = self._json("GET", f"/patients/{checked_id(patient_id)}", dict)
        return PatientSummary.from_orthanc(data)

    def lookup_study_uid(self, uid: str) -> str | None:
        """The Orthanc id of the study with this StudyInstanceUID, if stored."""
        if not DICOM_UID.fullmatch(uid) or len(uid) > 64:
            return None
        found = self._json("POST", "/tools/lookup", list, data=uid.encode("ascii"))
        for match in found:
            if isinstance(match, dict) and match.get("Type") == "Study":
                study_id = match.get("ID")
                if not isinstance(study_id, str) or not ORTHANC_ID.fullmatch(study_id):
                    raise OrthancBadAnswer("Orthanc sent a lookup match without a valid ID")
                return study_id
        return None

    def upload_instance(self, dicom_bytes: bytes) -> dict[str, Any]:
        """Store a DICOM file (`POST /instances`); `Status` is `Success` or `AlreadyStored`."""
        headers = {"Content-Type": "application/dicom"}
        return self._json("POST", "/instances", dict, data=dicom_bytes, headers=headers)

    def open_study_archive(self, study_id: str) -> requests.Response:
        """The study as a ZIP, streamed: iterate `iter_content` and close the response."""
        return self._request("GET", f"/studies/{checked_id(study_id)}/archive", stream=True)

    def open_study_media(self, study_id: str) -> requests.Response:
        """The study as a ZIP with a DICOMDIR (for CDs), streamed like `open_study_archive`."""
        return self._request("GET", f"/studies/{checked_id(study_id)}/media", stream=True)

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

    def open_encapsulated_document(self, instance_id: str) -> requests.Response:
        """The instance's EncapsulatedDocument (a PDF report), streamed: close it when done."""
        path = f"/instances/{checked_id(instance_id)}/content/0042-0011"
        return self._request("GET", path, stream=True)

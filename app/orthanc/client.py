"""The Orthanc client: thin methods per resource over one connection (connection.py)."""

from __future__ import annotations

from typing import Any

import requests
import urllib3

from app.orthanc.anonymization import StudyAnonymization
from app.orthanc.dicomweb import DicomWebPath, is_dicom_uid
from app.orthanc.errors import OrthancBadAnswer
from app.orthanc.ids import checked_id, is_orthanc_id
from app.orthanc.models import Instance, PatientSummary, Series, Study, StudyPage


class OrthancClient(StudyAnonymization):
    """Talks to one Orthanc server; every failure becomes an OrthancError."""

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
        uids = [uid for uid in study_uids if is_dicom_uid(uid)]
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

    def study_size(self, study_id: str) -> int | None:
        """Bytes of the study's DICOM files, uncompressed (`GET /studies/{id}/statistics`)."""
        found = self._json("GET", f"/studies/{checked_id(study_id)}/statistics", dict)
        size = found.get("UncompressedSize")
        # Orthanc writes sizes as decimal strings (64-bit values do not fit JSON numbers).
        return int(size) if isinstance(size, str | int) and str(size).isdigit() else None

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
    ) -> urllib3.BaseHTTPResponse:
        """A DICOMweb answer, unread and still encoded: `close()` then `release_conn()` it.

        `forwarded` (`host=…;proto=…`) makes the URLs Orthanc writes into metadata
        (BulkDataURI, RetrieveURL) name the public gateway, not this server.
        """
        headers = {
            "Accept": accept,
            "Accept-Encoding": "gzip" if gzip else "identity",
            "Forwarded": forwarded,
        }
        return self._relayed(target.path(), headers)

    def get_patient(self, patient_id: str) -> PatientSummary:
        """One patient (`GET /patients/{id}`)."""
        data = self._json("GET", f"/patients/{checked_id(patient_id)}", dict)
        return PatientSummary.from_orthanc(data)

    def lookup_study_uid(self, uid: str) -> str | None:
        """The Orthanc id of the study with this StudyInstanceUID, if stored."""
        if not is_dicom_uid(uid):
            return None
        found = self._json("POST", "/tools/lookup", list, data=uid.encode("ascii"))
        for match in found:
            if isinstance(match, dict) and match.get("Type") == "Study":
                study_id = match.get("ID")
                if not is_orthanc_id(study_id):
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

    def open_encapsulated_document(self, instance_id: str) -> requests.Response:
        """The instance's EncapsulatedDocument (a PDF report), streamed: close it when done."""
        path = f"/instances/{checked_id(instance_id)}/content/0042-0011"
        return self._request("GET", path, stream=True)

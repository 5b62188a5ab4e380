"""What a clinician searches for, turned into an Orthanc `/tools/find` query."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from app.orthanc.anonymization import is_pseudonym
from app.studies.names import NameSearch

MODALITIES = ("CT", "MR", "CR", "DX", "US", "MG", "NM", "PT", "XA", "RF", "OT")

# Backslash separates values in DICOM queries and control characters have no place in
# them: neither may reach Orthanc from user input.
_UNSAFE = re.compile(r"[\\\x00-\x1f\x7f]")


def dicom_date(value: date) -> str:
    return value.strftime("%Y%m%d")


def _clean(text: str) -> str:
    return _UNSAFE.sub("", text).strip()


def contains_pattern(text: str) -> str:
    """`jane doe` → `*jane*doe*`; input that already has wildcards is used as typed."""
    cleaned = _clean(text)
    if not cleaned:
        return ""
    if "*" in cleaned or "?" in cleaned:
        return cleaned
    # DICOM names separate their parts with ^; people type spaces or commas.
    words = [word for word in re.split(r"[\s,^]+", cleaned) if word]
    return "*" + "*".join(words) + "*"


@dataclass(frozen=True)
class StudyCriteria:
    patient_name: str = ""
    patient_id: str = ""
    birth_date: date | None = None
    accession_number: str = ""
    date_from: date | None = None
    date_to: date | None = None
    modality: str = ""
    description: str = ""

    def name_search(self) -> NameSearch | None:
        """The tolerant name search (see names.py), unless the name is typed with wildcards."""
        cleaned = _clean(self.patient_name)
        if "*" in cleaned or "?" in cleaned:
            return None
        return NameSearch.parse(cleaned)

    def accepts(self, answer: dict) -> bool:
        """Whether an Orthanc answer to to_dicom_query() really matches (the name, folded);
        never StudyShare's own anonymized copies, which are reached from their share."""
        tags = answer.get("PatientMainDicomTags")
        if isinstance(tags, dict) and is_pseudonym(tags.get("PatientID")):
            return False
        name_search = self.name_search()
        if name_search is None:
            return True
        name = tags.get("PatientName") if isinstance(tags, dict) else None
        return name_search.matches(name if isinstance(name, str) else "")

    def is_empty(self) -> bool:
        return self.to_dicom_query() == {}

    def to_dicom_queries(self) -> list[dict[str, str]]:
        """The queries whose answers together hold every match: to_dicom_query(), or one per
        pattern of a name (NameSearch.orthanc_patterns); keep what accepts() takes."""
        query = self.to_dicom_query()
        name_search = self.name_search()
        if name_search is None:
            return [query]
        return [{**query, "PatientName": pattern} for pattern in name_search.orthanc_patterns()]

    def to_dicom_query(self) -> dict[str, str]:
        """The DICOM query for Orthanc; names and descriptions match anywhere, any case.

        A name without wildcards gets a wider pattern: keep only the answers accepts() takes.
        """
        query: dict[str, str] = {}
        name_search = self.name_search()
        if name_search is not None:
            query["PatientName"] = name_search.orthanc_pattern()
        elif name := contains_pattern(self.patient_name):
            query["PatientName"] = name
        if patient_id := _clean(self.patient_id):
            query["PatientID"] = patient_id
        if self.birth_date:
            query["PatientBirthDate"] = dicom_date(self.birth_date)
        if accession := _clean(self.accession_number):
            query["AccessionNumber"] = accession
        if self.date_from or self.date_to:
            start = dicom_date(self.date_from) if self.date_from else ""
            end = dicom_date(self.date_to) if self.date_to else ""
            query["StudyDate"] = start if start == end else f"{start}-{end}"
        if self.modality in MODALITIES:
            # Orthanc 1.10 ignores `Modality` at study level; ModalitiesInStudy works.
            query["ModalitiesInStudy"] = self.modality
        if description := contains_pattern(self.description):
            query["StudyDescription"] = description
        return query

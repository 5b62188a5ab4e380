"""Small immutable models built from Orthanc's JSON answers."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.orthanc.errors import OrthancBadAnswer


def parse_dicom_date(value: object) -> datetime.date | None:
    """A DICOM DA (`YYYYMMDD`) as a date; empty or invalid values give None."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def parse_int(value: object) -> int | None:
    """A DICOM IS value as an int; empty or invalid values give None."""
    if not isinstance(value, str):
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def numbered_order(number: int | None) -> tuple[bool, int]:
    """Sort key of a SeriesNumber or InstanceNumber: in number order, unnumbered ones last."""
    return (number is None, number or 0)


def _resource(data: object, kind: str) -> tuple[str, Mapping[str, Any]]:
    if not isinstance(data, Mapping):
        raise OrthancBadAnswer(f"Orthanc sent a {type(data).__name__} instead of a {kind}")
    orthanc_id = data.get("ID")
    if not isinstance(orthanc_id, str) or not orthanc_id:
        raise OrthancBadAnswer(f"Orthanc sent a {kind} without an ID")
    return orthanc_id, data


def _tags(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    tags = data.get(key)
    return tags if isinstance(tags, Mapping) else {}


def _text(tags: Mapping[str, Any], name: str) -> str:
    value = tags.get(name)
    return value.strip() if isinstance(value, str) else ""


def _ids(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    values = data.get(key)
    if not isinstance(values, list):
        return ()
    return tuple(v for v in values if isinstance(v, str))


@dataclass(frozen=True)
class PatientSummary:
    """The patient tags Orthanc keeps with a patient or study."""

    orthanc_id: str | None
    patient_id: str
    name: str
    birth_date: datetime.date | None
    sex: str

    @classmethod
    def from_tags(cls, tags: Mapping[str, Any], orthanc_id: str | None = None) -> PatientSummary:
        """Build from a `MainDicomTags`/`PatientMainDicomTags` mapping."""
        return cls(
            orthanc_id=orthanc_id,
            patient_id=_text(tags, "PatientID"),
            name=_text(tags, "PatientName"),
            birth_date=parse_dicom_date(tags.get("PatientBirthDate")),
            sex=_text(tags, "PatientSex"),
        )

    @classmethod
    def from_orthanc(cls, data: object) -> PatientSummary:
        """Build from `GET /patients/{id}`."""
        orthanc_id, data = _resource(data, "patient")
        return cls.from_tags(_tags(data, "MainDicomTags"), orthanc_id)

    @property
    def display_name(self) -> str:
        """`FAMILY^GIVEN^MIDDLE^PREFIX^SUFFIX` as `FAMILY, PREFIX GIVEN MIDDLE SUFFIX`."""
        # Only the alphabetic group: ideographic/phonetic ones follow an `=`.
        parts = [p.strip() for p in self.name.split("=", 1)[0].split("^")]
        family, rest = parts[0], parts[1:]
        if len(rest) >= 3:
            rest = [rest[2], rest[0], rest[1], *rest[3:]]
        given = " ".join(p for p in rest if p)
        return f"{family}, {given}" if family and given else family or given


@dataclass(frozen=True)
class Study:
    """A study as Orthanc describes it (expanded find result or `GET /studies/{id}`)."""

    orthanc_id: str
    study_instance_uid: str
    date: datetime.date | None
    time: str
    description: str
    accession_number: str
    referring_physician: str
    institution: str
    patient: PatientSummary
    series_ids: tuple[str, ...]
    modalities: tuple[str, ...]

    @classmethod
    def from_orthanc(cls, data: object) -> Study:
        """Build from a study resource."""
        orthanc_id, data = _resource(data, "study")
        tags = _tags(data, "MainDicomTags")
        parent = data.get("ParentPatient")
        modalities = _text(tags, "ModalitiesInStudy")
        return cls(
            orthanc_id=orthanc_id,
            study_instance_uid=_text(tags, "StudyInstanceUID"),
            date=parse_dicom_date(tags.get("StudyDate")),
            time=_text(tags, "StudyTime"),
            description=_text(tags, "StudyDescription"),
            accession_number=_text(tags, "AccessionNumber"),
            referring_physician=_text(tags, "ReferringPhysicianName"),
            institution=_text(tags, "InstitutionName"),
            patient=PatientSummary.from_tags(
                _tags(data, "PatientMainDicomTags"), parent if isinstance(parent, str) else None
            ),
            series_ids=_ids(data, "Series"),
            modalities=tuple(m for m in modalities.split("\\") if m),
        )


@dataclass(frozen=True)
class Series:
    """A series: its tags and its instances' ids."""

    orthanc_id: str
    series_instance_uid: str
    modality: str
    description: str
    number: int | None
    instance_ids: tuple[str, ...]
    parent_study_id: str = ""

    @property
    def sort_key(self) -> tuple[bool, int]:
        """Series in SeriesNumber order, unnumbered ones last."""
        return numbered_order(self.number)

    @property
    def first_instance_id(self) -> str | None:
        """The first instance in Orthanc's order (not necessarily InstanceNumber 1)."""
        return self.instance_ids[0] if self.instance_ids else None

    @classmethod
    def from_orthanc(cls, data: object) -> Series:
        """Build from a series resource."""
        orthanc_id, data = _resource(data, "series")
        tags = _tags(data, "MainDicomTags")
        return cls(
            orthanc_id=orthanc_id,
            series_instance_uid=_text(tags, "SeriesInstanceUID"),
            modality=_text(tags, "Modality"),
            description=_text(tags, "SeriesDescription"),
            number=parse_int(tags.get("SeriesNumber")),
            instance_ids=_ids(data, "Instances"),
            parent_study_id=_text(data, "ParentStudy"),
        )


@dataclass(frozen=True)
class Instance:
    """One DICOM instance."""

    orthanc_id: str
    sop_instance_uid: str
    number: int | None
    frames: int = 1
    parent_series_id: str = ""

    @property
    def sort_key(self) -> tuple[bool, int]:
        """Instances in InstanceNumber order, unnumbered ones last."""
        return numbered_order(self.number)

    @classmethod
    def from_orthanc(cls, data: object) -> Instance:
        """Build from an instance resource."""
        orthanc_id, data = _resource(data, "instance")
        tags = _tags(data, "MainDicomTags")
        return cls(
            orthanc_id=orthanc_id,
            sop_instance_uid=_text(tags, "SOPInstanceUID"),
            number=parse_int(tags.get("InstanceNumber")),
            frames=max(1, parse_int(tags.get("NumberOfFrames")) or 1),
            parent_series_id=_text(data, "ParentSeries"),
        )


@dataclass(frozen=True)
class StudyPage:
    """One page of a study search; `has_next` says whether another page follows."""

    studies: list[Study]
    since: int
    limit: int
    has_next: bool

    @property
    def next_since(self) -> int | None:
        """The `since` of the next page, or None on the last page."""
        return self.since + self.limit if self.has_next else None

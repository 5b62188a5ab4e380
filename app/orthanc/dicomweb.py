"""Paths into Orthanc's DICOMweb plugin, built only from checked UIDs and known endings."""

from __future__ import annotations

import re
from dataclasses import dataclass

DICOM_UID = re.compile(r"^[0-9]+(\.[0-9]+)*$")
# What may follow a resource: QIDO children, metadata, frames, rendered, bulk data.
_ENDING = re.compile(
    r"^(|series|instances|metadata|rendered|frames/[0-9]+(,[0-9]+)*(/rendered)?"
    r"|bulk/[0-9A-Fa-f]{8}(/[0-9]+/[0-9A-Fa-f]{8})*)$"
)
# Orthanc 1.10 does not percent-decode query strings, so values pass as they are: only
# characters that need no encoding may appear (checked again here, whoever built them).
_QUERY = re.compile(r"^[A-Za-z0-9=&._,*\-]*$")


def is_dicom_uid(value: str) -> bool:
    """A well-formed DICOM UID (digits and dots, at most 64 characters)."""
    return len(value) <= 64 and DICOM_UID.fullmatch(value) is not None


@dataclass(frozen=True)
class DicomWebPath:
    """`/dicom-web/studies/{study}/series/{series}/instances/{instance}/{ending}?{query}`."""

    study: str | None = None
    series: str | None = None
    instance: str | None = None
    ending: str = ""
    query: str = ""
    # A top-level QIDO (`/dicom-web/studies|series|instances`) names its level here.
    level: str | None = None

    def __post_init__(self) -> None:
        uids = [uid for uid in (self.study, self.series, self.instance) if uid is not None]
        if not all(is_dicom_uid(uid) for uid in uids):
            raise ValueError("not a DICOM UID")
        if (self.series and not self.study) or (self.instance and not self.series):
            raise ValueError("a series needs its study, an instance its series")
        if not _ENDING.fullmatch(self.ending) or not _QUERY.fullmatch(self.query):
            raise ValueError("not a DICOMweb route this client sends")
        if self.level is not None and (self.level not in QIDO_LEVELS or uids or self.ending):
            raise ValueError("a top-level query names a level and nothing else")

    def path(self) -> str:
        """The path and query to send to Orthanc."""
        if self.level is not None:
            path = f"/dicom-web/{self.level}"
        else:
            path = "/dicom-web"
            for name, uid in (
                ("studies", self.study),
                ("series", self.series),
                ("instances", self.instance),
            ):
                if uid is not None:
                    path += f"/{name}/{uid}"
            if self.ending:
                path += f"/{self.ending}"
        return f"{path}?{self.query}" if self.query else path


QIDO_LEVELS = ("studies", "series", "instances")

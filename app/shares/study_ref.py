"""A shared study by its two names, as the token service, the gateway and the viewers use it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StudyRef:
    """Orthanc's id and the DICOM StudyInstanceUID of one shared study (a copy's, when the
    share is anonymized): a viewer token names these pairs, a share snapshot holds them."""

    orthanc_id: str
    uid: str

"""The shape of Orthanc's own ids: only these may reach a URL path."""

from __future__ import annotations

import re
from typing import TypeGuard

from app.orthanc.errors import OrthancNotFound

# Ids reach URL paths: only Orthanc's own shape may pass, which rules out path injection.
ORTHANC_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{8}){4}$")
JOB_ID = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def is_orthanc_id(value: object) -> TypeGuard[str]:
    """A well-formed Orthanc id (five groups of eight hex digits)."""
    return isinstance(value, str) and ORTHANC_ID.fullmatch(value) is not None


def checked_id(orthanc_id: str) -> str:
    """Return the id if it is a well-formed Orthanc id, else raise OrthancNotFound."""
    if not is_orthanc_id(orthanc_id):
        raise OrthancNotFound("Not a valid Orthanc id")
    return orthanc_id

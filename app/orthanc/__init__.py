"""Client for the Orthanc REST API and small models over its JSON."""

from app.orthanc.client import OrthancClient
from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)
from app.orthanc.models import Instance, PatientSummary, Series, Study, StudyPage

__all__ = [
    "Instance",
    "OrthancBadAnswer",
    "OrthancClient",
    "OrthancError",
    "OrthancNotFound",
    "OrthancUnauthorized",
    "OrthancUnavailable",
    "PatientSummary",
    "Series",
    "Study",
    "StudyPage",
]

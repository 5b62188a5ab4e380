"""The recipient's study-scoped, read-only DICOMweb gateway (`/dicom-web/`).

Viewers (the built-in one, OHIF, Stone, VolView) reach the internal Orthanc only through
here, with a viewer token or the recipient's session, and only for the share's studies.
"""

from flask import Blueprint

bp = Blueprint("gateway", __name__, url_prefix="/dicom-web")

from app.gateway import cors, views  # noqa: E402,F401  (registers the routes and hooks)

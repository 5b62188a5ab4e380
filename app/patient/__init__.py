"""Pages for patients and other recipients of a share."""

from flask import Blueprint

bp = Blueprint("patient", __name__, template_folder="templates")

from app.patient import (  # noqa: E402,F401  (registers the routes and hooks)
    clinic_views,
    download_views,
    home_views,
    language,
    viewer_views,
    views,
)

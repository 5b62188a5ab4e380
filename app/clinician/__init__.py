"""The clinician console."""

from flask import Blueprint

bp = Blueprint("clinician", __name__, template_folder="templates")

from app.clinician import study_views, views  # noqa: E402,F401  (registers the routes)

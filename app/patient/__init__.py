"""Pages for patients and other recipients of a share."""

from flask import Blueprint

bp = Blueprint("patient", __name__, template_folder="templates")

from app.patient import download_views, home_views, viewer_views, views  # noqa: E402,F401  (registers the routes)

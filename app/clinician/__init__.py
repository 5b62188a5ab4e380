"""The clinician console."""

from flask import Blueprint

bp = Blueprint("clinician", __name__, template_folder="templates")

from app.clinician import (  # noqa: E402,F401  (registers the routes)
    api_key_views,
    audit_filters,
    audit_views,
    auth_views,
    share_delivery_views,
    share_edit_views,
    share_manage_views,
    share_views,
    study_views,
    user_views,
)

"""The integration JSON API (/api/v1/): RIS and EHR systems make and follow shares.

Its own security posture: an API key as `Authorization: Bearer`, no cookies, no CSRF, errors
as problem+json (app/errors.py), a rate limit per key.
"""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from app.api import (  # noqa: E402,F401  (registers the routes)
    key_auth,
    openapi,
    share_actions,
    share_edits,
    share_views,
    study_views,
)

"""The token service called by Orthanc's authorization plugin (JSON only)."""

from flask import Blueprint

bp = Blueprint("authz", __name__, url_prefix="/auth")

from app.authz import openapi, plugin_api, views  # noqa: E402,F401  (registers the routes)

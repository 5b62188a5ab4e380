"""Token service index; the validation route itself is app/authz/validate_endpoint.py."""

from __future__ import annotations

from flask import jsonify

from app.authz import bp


@bp.get("/")
def index():
    """Describe the service, so an operator can check the plugin's base URL."""
    return jsonify(service="studyshare-authz", status="ok")

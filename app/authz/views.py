"""Token service routes."""

from flask import jsonify

from app.authz import bp


@bp.get("/")
def index():
    """Describe the service, so an operator can check the plugin's base URL."""
    return jsonify(service="studyshare-authz", status="ok")

"""Token service routes called by Orthanc's authorization plugin (JSON, HTTP Basic)."""

from __future__ import annotations

import math

from flask import Flask, current_app, jsonify, request

from app.authz import bp
from app.authz.decision import MalformedRequestError, decide, parse_request
from app.authz.plugin_auth import plugin_auth_required
from app.authz.share_state import ShareStateCache, UsageRecorder
from app.db_types import utcnow
from app.extensions import limiter

_STATE_KEY = "studyshare.authz.states"
_USAGE_KEY = "studyshare.authz.usage"


def init_app(app: Flask) -> None:
    app.extensions[_STATE_KEY] = ShareStateCache(app.config["AUTHZ_STATE_CACHE_SECONDS"])
    app.extensions[_USAGE_KEY] = UsageRecorder(app.config["AUTHZ_USAGE_FLUSH_SECONDS"])


@bp.get("/")
def index():
    """Describe the service, so an operator can check the plugin's base URL."""
    return jsonify(service="studyshare-authz", status="ok")


@bp.post("/tokens/validate")
@limiter.exempt
@plugin_auth_required
def validate():
    """Grant or deny one viewer request; always 200 with granted/validity unless malformed."""
    body = request.get_json(silent=True)
    header_name = body.get("token-key") if isinstance(body, dict) else None
    header_token = request.headers.get(header_name) if isinstance(header_name, str) else None
    try:
        req = parse_request(body, header_token)
    except MalformedRequestError as exc:
        return jsonify(granted=False, validity=0, message=str(exc)), 400
    config = current_app.config
    # A state snapshot may be up to the cache's age old: shorten the grant by as much.
    cap = max(0, config["AUTHZ_VALIDITY_SECONDS"] - math.ceil(config["AUTHZ_STATE_CACHE_SECONDS"]))
    now = utcnow()
    decision = decide(
        req,
        states=current_app.extensions[_STATE_KEY],
        now=now,
        cap_seconds=cap,
        server_id=config["SERVER_ID"],
    )
    if decision.granted and decision.share_id is not None:
        current_app.extensions[_USAGE_KEY].count(decision.share_id, now)
    return jsonify(granted=decision.granted, validity=decision.validity)

"""Liveness and readiness probes for operators and orchestrators."""

from __future__ import annotations

import logging

from flask import Blueprint, jsonify
from sqlalchemy import text

from app.extensions import db, limiter
from app.orthanc.errors import OrthancError, OrthancUnauthorized
from app.orthanc.flask_client import get_orthanc

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive; no I/O."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """The database and Orthanc answer; 503 when one of them does not."""
    checks = {"database": check_database(), "orthanc": check_orthanc()}
    ready = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ready else "unavailable", "checks": checks}
    return jsonify(body), 200 if ready else 503


def check_database() -> dict[str, object]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready", whatever the driver raised
        db.session.rollback()
        log.warning("Readiness: database check failed: %s", type(exc).__name__)
        return {"ok": False, "error": "The database does not answer."}
    return {"ok": True}


def check_orthanc() -> dict[str, object]:
    try:
        system = get_orthanc().system()
    except OrthancUnauthorized:
        return {"ok": False, "error": "Orthanc refused the configured credentials."}
    except OrthancError:
        return {"ok": False, "error": "Orthanc does not answer."}
    return {"ok": True, "version": system.get("Version")}

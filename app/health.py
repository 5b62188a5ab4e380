"""Liveness and readiness probes for operators and orchestrators."""

from __future__ import annotations

import logging
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter
from app.orthanc.errors import OrthancError, OrthancUnauthorized
from app.orthanc.flask_client import get_orthanc
from app.rate_limits.codes import campaign_check
from app.rate_limits.storage import storage_check

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)

_REVISIONS_KEY = "studyshare.health.schema_revisions"
UPGRADE_HINT = "run `flask --app wsgi db upgrade`"


@lru_cache(maxsize=8)
def migration_revisions(directory: str) -> tuple[frozenset[str], frozenset[str]]:
    """The head revision(s) and all the revisions of the migration scripts in `directory`."""
    scripts = ScriptDirectory(directory)
    known = frozenset(script.revision for script in scripts.walk_revisions())
    return frozenset(scripts.get_heads()), known


@bp.record_once
def _read_revisions_at_start(state) -> None:
    # Once, when the app is built (and once per process for the files): the scripts do not
    # change while it runs, and readiness probes come every few seconds.
    directory = state.app.extensions["migrate"].directory
    state.app.extensions[_REVISIONS_KEY] = migration_revisions(directory)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process is alive; no I/O."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """The database (at the latest schema) and Orthanc answer; 503 when one of them does not.

    The rate-limit checks only warn: they never make the instance unready.
    """
    database = check_database()
    checks = {
        "database": database,
        "schema": check_schema(database["ok"]),
        "orthanc": check_orthanc(),
        "rate_limits": storage_check(),
        "access_codes": campaign_check(),
    }
    ready = all(check["ok"] for check in checks.values())
    body: dict[str, object] = {"status": "ok" if ready else "unavailable", "checks": checks}
    warnings = [check["warning"] for check in checks.values() if "warning" in check]
    if warnings:
        body["warnings"] = warnings
    return jsonify(body), 200 if ready else 503


def check_database() -> dict[str, object]:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready", whatever the driver raised
        db.session.rollback()
        log.warning("Readiness: database check failed: %s", type(exc).__name__)
        return {"ok": False, "error": "The database does not answer."}
    return {"ok": True}


def check_schema(database_answers: bool) -> dict[str, object]:
    """The database's Alembic revision is the migration scripts' head."""
    if not database_answers:
        return {"ok": False, "error": "Not checked: the database does not answer."}
    heads, known = current_app.extensions[_REVISIONS_KEY]
    try:
        # Flask-Migrate's version table (env.py keeps the default name).
        current = frozenset(
            db.session.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )
    except SQLAlchemyError:
        db.session.rollback()
        return {
            "ok": False,
            "error": f"The database has no schema revision (no alembic_version table): "
            f"{UPGRADE_HINT}.",
        }
    expected = ", ".join(sorted(heads))
    if current == heads:
        return {"ok": True, "revision": expected}
    found = ", ".join(sorted(current)) or "none"
    if current - known:
        error = (
            f"The database schema is at revision {found}, which this release's migrations "
            f"do not know (a newer release migrated it?); expected {expected}."
        )
    else:
        error = f"The database schema is at revision {found}, not {expected}: {UPGRADE_HINT}."
    return {"ok": False, "error": error, "revision": found, "expected": expected}


def check_orthanc() -> dict[str, object]:
    try:
        system = get_orthanc().system()
    except OrthancUnauthorized:
        return {"ok": False, "error": "Orthanc refused the configured credentials."}
    except OrthancError:
        return {"ok": False, "error": "Orthanc does not answer."}
    return {"ok": True, "version": system.get("Version")}

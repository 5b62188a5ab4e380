"""Errors mapped in one place: HTML pages for people, JSON for APIs and health checks."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from app import plain_http
from app.areas import JSON_AREAS, Area, current_area
from app.extensions import db
from app.orthanc.errors import (
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)

log = logging.getLogger(__name__)

# Lazy: page titles follow the page's language (patient pages are translated).
TITLES = {
    400: _l("Bad request"),
    403: _l("Forbidden"),
    404: _l("Page not found"),
    405: _l("Method not allowed"),
    413: _l("Request too large"),
    414: _l("Address too long"),
    429: _l("Too many requests"),
    500: _l("Something went wrong"),
    503: _l("Service unavailable"),
}

PATIENT_MESSAGES = {
    400: _l("Something in this request was not right. Please open your link again."),
    404: _l("This page does not exist. Please open your link again."),
    405: _l("This page cannot be opened this way. Please open your link again."),
    413: _l("What you sent is too large. Please shorten it and try again."),
}


def wants_json() -> bool:
    if current_area() in JSON_AREAS:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


def error_response(
    status: int, message: str, hint: str | None = None, *, members: Mapping[str, Any] | None = None
):
    """Render an error as JSON or as a page, with a message safe to show.

    `members`: what an integration must still be told (RFC 9457 extension members).
    """
    if current_area() is Area.INTEGRATION:
        # RFC 9457 problem details; "about:blank" because the title is the HTTP status's.
        problem = {
            "type": "about:blank",
            "title": HTTP_STATUS_CODES.get(status, "Error"),
            "status": status,
            "detail": " ".join(str(part) for part in (message, hint) if part),
            **(members or {}),
        }
        return jsonify(problem), status, {"Content-Type": "application/problem+json"}
    if wants_json():
        body = {"error": TITLES.get(status, "Error"), "message": message}
        return jsonify(body), status
    page = render_template(
        "errors/error.html",
        status=status,
        title=TITLES.get(status, "Error"),
        message=message,
        hint=hint,
    )
    return page, status


MAX_QUERY_STRING = 2048


def query_too_long(request: Request) -> bool:
    return len(request.query_string) > MAX_QUERY_STRING


def _needs_https():
    """Instead of "this form has expired": its cause, a page on plain http (app/plain_http.py)."""
    if current_area() is Area.PATIENT:
        return error_response(
            400,
            _("This page must be opened over a secure connection (https)."),
            hint=_("If the link does not work, please contact the clinic that gave it to you."),
        )
    return error_response(
        400,
        "The StudyShare console needs HTTPS: over plain http your browser does not keep "
        "the login, so signing in cannot work.",
        hint="Open StudyShare at its https:// address, then try again.",
    )


def init_app(app: Flask) -> None:
    @app.before_request
    def refuse_oversized_query_strings():
        if query_too_long(request):
            return error_response(414, "This address is too long. Shorten the search and retry.")
        return None

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # Also receives unhandled exceptions, wrapped by Flask in InternalServerError.
        status = exc.code or 500
        if status == 404 and request.path.startswith("/s/"):
            # Any broken link gets the same page as an unknown one: nothing to tell apart.
            return render_template("patient/unavailable.html", reason="unknown"), 404
        if status == 500:
            cause = getattr(exc, "original_exception", None)
            if isinstance(cause, SQLAlchemyError):
                # Raised inside another error's handler (e.g. a CSRF page whose template asks
                # for the logged-in user): the outage is still what the person should read.
                return database_error(cause)
            return error_response(500, _("Something went wrong on our side. Please try again."))
        if status == 429 and current_area() is Area.PATIENT:
            # Flask-Limiter's own text ("5 per 1 minute") is English and means little to a patient.
            return error_response(
                429,
                _("Too many attempts from your connection."),
                hint=_("Please wait a few minutes, then try again."),
            )
        if current_area() is Area.PATIENT:
            # Werkzeug's descriptions are English and technical; patients get their language.
            message = PATIENT_MESSAGES.get(status) or TITLES.get(status) or PATIENT_MESSAGES[400]
            return error_response(status, str(message))
        return error_response(status, exc.description or TITLES.get(status, "Error"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        if plain_http.lost_to_plain_http(app):
            return _needs_https()
        if current_area() is Area.PATIENT:
            return error_response(
                400,
                _("This page has expired, or your browser does not accept cookies."),
                hint=_("Please allow cookies for this site, then open your link again."),
            )
        return error_response(
            400,
            "This form has expired or was not sent from StudyShare.",
            hint="Go back, reload the page and try again.",
        )

    @app.errorhandler(OrthancNotFound)
    def orthanc_not_found(exc: OrthancNotFound):
        return error_response(404, _("This study or image was not found in the image archive."))

    @app.errorhandler(OrthancUnauthorized)
    def orthanc_unauthorized(exc: OrthancUnauthorized):
        log.error("Orthanc refused StudyShare's credentials: check ORTHANC_USERNAME/PASSWORD")
        return error_response(
            503,
            _("The image archive refused StudyShare's credentials."),
            hint=_("Ask your administrator to check the Orthanc settings."),
        )

    @app.errorhandler(OrthancUnavailable)
    def orthanc_unavailable(exc: OrthancUnavailable):
        log.warning("Orthanc unavailable: %s", exc)
        return error_response(
            503,
            _("The image archive is not answering right now."),
            hint=_("Please try again in a minute."),
        )

    @app.errorhandler(OrthancError)
    def orthanc_error(exc: OrthancError):
        log.error("Unexpected answer from Orthanc: %s", exc)
        return error_response(
            503,
            _("The image archive gave an unexpected answer."),
            hint=_("Please try again; if it persists, tell your administrator."),
        )

    @app.errorhandler(SQLAlchemyError)
    def database_error(exc: SQLAlchemyError):
        db.session.rollback()
        if isinstance(exc, OperationalError):
            log.error("Database unavailable: %s", type(exc).__name__)
            return error_response(
                503, "The database is not available right now.", hint="Please try again soon."
            )
        log.exception("Database error")
        return error_response(500, "Something went wrong on our side; nothing was changed.")

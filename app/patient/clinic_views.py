"""The clinic's logo (CLINIC_LOGO), served by StudyShare: pages allow images from here only."""

from __future__ import annotations

from flask import abort, current_app, send_file

from app.patient import bp

# An SVG opened on its own is a document: it may run nothing and load nothing.
LOGO_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@bp.get("/clinic/logo")
def clinic_logo():
    """The logo file checked at start, cacheable: it carries nothing about a share."""
    logo = current_app.config["CLINIC_LOGO"]
    if logo is None:
        abort(404)
    try:
        response = send_file(logo.path, mimetype=logo.mimetype, max_age=3600)
    except OSError:  # removed or made unreadable since the start
        current_app.logger.warning("CLINIC_LOGO can no longer be read")
        abort(404)
    response.headers["Content-Security-Policy"] = LOGO_POLICY
    return response

"""Decode, create and profile endpoints of the plugin contract (AUTHZ-CONTRACT.md §2-4)."""

from __future__ import annotations

import logging

from flask import Response, jsonify, request

from app.authz import bp
from app.authz.decision import json_body
from app.authz.plugin_auth import plugin_auth_required
from app.authz.publication import (
    INSTANT_LINK_VIEWERS,
    PUBLICATION_TYPES,
    create_instant_link,
    create_publication,
    service_account,
    type_enabled,
)
from app.db_types import utcnow
from app.extensions import db, limiter
from app.orthanc.errors import OrthancError
from app.shares.audit import AuditKind, record
from app.shares.models import Share
from app.shares.options import ShareError
from app.shares.viewer_tokens import (
    ViewerTokenError,
    decode_viewer_token,
    is_expired_viewer_token,
    strip_bearer,
)
from app.shares.viewer_urls import enabled_viewers, viewer_url

log = logging.getLogger(__name__)


def _decoded(token_type, error_code, resources=(), redirect_url=None):
    return jsonify(
        {
            "token-type": token_type,
            "error-code": error_code,
            "redirect-url": redirect_url,
            "resources": list(resources),
        }
    )


@bp.post("/tokens/decode")
@limiter.exempt
@plugin_auth_required
def decode():
    """What a token gives access to, for OE2's landing page; HTTP 200 for any token.

    A body holding a NUL or a lone surrogate never gets here: app/input_guard.py answers 400.
    """
    body = json_body(request)
    raw = body.get("token-value") if isinstance(body, dict) else None
    token = strip_bearer(raw) if isinstance(raw, str) else None
    if not token:
        return _decoded(None, "invalid")
    try:
        claims = decode_viewer_token(token)
    except ViewerTokenError:
        return _decoded(None, "expired" if is_expired_viewer_token(token) else "invalid")
    share = Share.by_public_id(claims.share_public_id)
    if share is None:
        return _decoded("viewer-instant-link", "unknown")
    if not share.is_live(utcnow()):
        return _decoded("viewer-instant-link", "expired")
    resources = []
    for study in share.studies:
        viewers = enabled_viewers()
        url = viewer_url(viewers[0], study.ref, token) if viewers else None
        resources.append(
            {
                "dicom-uid": study.study_instance_uid,
                "orthanc-id": study.orthanc_study_id,
                "url": url,
                "level": "study",
            }
        )
    redirect = resources[0]["url"] if resources else None
    return _decoded("viewer-instant-link", None, resources, redirect)


@bp.put("/tokens/<token_type>")
@limiter.exempt
@plugin_auth_required
def create_token(token_type: str):
    """OE2's Share button: a publication share or an instant link."""
    body = json_body(request)
    if not isinstance(body, dict) or not isinstance(body.get("resources"), list):
        return _refused(token_type, "A JSON object with 'resources' is needed.")
    if token_type not in PUBLICATION_TYPES and token_type not in INSTANT_LINK_VIEWERS:
        return _refused(token_type, f"Unknown token type {token_type[:64]!r}.")
    if not type_enabled(token_type):
        message = f"Token type {token_type!r} is disabled here: its viewer is not configured."
        return _refused(token_type, message)
    try:
        if token_type in PUBLICATION_TYPES:
            answer = create_publication(token_type, body)
        else:
            answer = create_instant_link(token_type, body)
    except ShareError as exc:
        return _refused(token_type, str(exc))
    except OrthancError:
        return _refused(token_type, "The image archive did not answer.", 503)
    return jsonify({**answer, "request": body})


def _refused(token_type: str, message: str, status: int = 400) -> tuple[Response, int]:
    """A JSON refusal, also logged and audited with its reason.

    The plugin (0.11.4 on Orthanc 1.10.1) answers OE2 with a dropped connection instead of
    this message, so OE2 shows "network error": the log and the audit trail are where an
    operator learns why. The messages name no token and no patient.
    """
    shown_type = token_type[:64]
    log.warning("Refused to create a %r token for the plugin (%d): %s", shown_type, status, message)
    db.session.rollback()
    detail = {"type": shown_type, "status": status, "reason": message}
    record(AuditKind.PUBLICATION_REFUSED, None, user=service_account(), detail=detail)
    db.session.commit()
    error = "Bad request" if status == 400 else "Unavailable"
    return jsonify(error=error, message=message), status


@bp.post("/user/get-profile")
@limiter.exempt
@plugin_auth_required
def get_profile():
    """The anonymous profile: the plugin asks when configured with WebServiceRootUrl."""
    return jsonify(
        {"name": "Anonymous", "permissions": [], "authorized-labels": [], "validity": 60}
    )

"""The audit trail: one row per thing that happened to a share, never holding a secret."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.shares.models import ActorKind, AuditEvent, Share
from app.users.models import User


class AuditKind(StrEnum):
    CREATED = "created"
    EMAILED = "emailed"
    EMAIL_FAILED = "email_failed"
    LINK_REGENERATED = "link_regenerated"
    OPENED = "opened"
    CHALLENGE_FAILED = "challenge_failed"
    CHALLENGE_PASSED = "challenge_passed"
    LOCKED = "locked"
    UNLOCKED = "unlocked"
    VIEWER_TOKEN_ISSUED = "viewer_token_issued"  # noqa: S105  (an event name)
    DOWNLOADED = "downloaded"  # sent whole: detail {study, format, bytes}
    DOWNLOAD_INCOMPLETE = "download_incomplete"  # cut short: detail {..., reason}
    REVOKED = "revoked"
    EXTENDED = "extended"
    EXPIRED_CLEANUP = "expired_cleanup"
    ACCESS_CODE_FAILED = "access_code_failed"
    # Orthanc's authorization plugin (OE2's Share button): detail {type, validity-duration,
    # reason, default} / {type, status, reason}. No token, no link secret.
    DURATION_REPLACED = "duration_replaced"
    PUBLICATION_REFUSED = "publication_refused"


def record(
    kind: AuditKind,
    share: Share | None,
    *,
    actor: ActorKind | None = None,
    user: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (committed with the change it describes).

    The acting user is `user`, else the logged-in user; without either, the system.
    """
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if actor is None:
        actor = ActorKind.USER if user is not None else ActorKind.SYSTEM
    event = AuditEvent(
        kind=kind.value,
        share=share,
        actor_kind=actor.value,
        actor_user_id=user.id if user is not None and actor is ActorKind.USER else None,
        detail=detail or {},
    )
    if has_request_context():
        event.ip = (request.remote_addr or "")[:45] or None
        event.user_agent = (request.user_agent.string or "")[:512] or None
    db.session.add(event)
    return event

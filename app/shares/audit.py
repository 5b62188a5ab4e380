"""The audit trail: one row per thing that happened to a share, never holding a secret."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import insert, inspect

from app.extensions import db
from app.shares.audit_models import ActorKind, AuditEvent
from app.shares.models import Share
from app.shares.request_origin import browser_family, masked_network
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
    EXTENDED = "extended"  # detail {expires_at: {from, to}}
    EXPIRY_CHANGED = "expiry_changed"  # set to a chosen date: detail {expires_at: {from, to}}
    EDITED = "edited"  # detail {field: {from, to}, ...}; a new password is only "changed"
    EXPIRED_CLEANUP = "expired_cleanup"
    ACCESS_CODE_FAILED = "access_code_failed"
    # Orthanc's authorization plugin (OE2's Share button): detail {type, validity-duration,
    # reason, default} / {type, status, reason}. No token, no link secret.
    DURATION_REPLACED = "duration_replaced"
    PUBLICATION_REFUSED = "publication_refused"


class CallingKey(Protocol):
    """An integration's API key as the audit needs it (app.api_keys is a sibling package)."""

    id: int
    owner_id: int


def record(
    kind: AuditKind,
    share: Share | None,
    *,
    actor: ActorKind | None = None,
    user: User | None = None,
    api_key: CallingKey | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write an audit event in the session's transaction (committed with the change it
    describes).

    The actor is `api_key` (acting for its owner), else the API key of the request, else
    `user`, else the logged-in user; without any, the system.
    """
    if api_key is None and actor is None and has_request_context():
        # Set by the API's key check: the share services need not pass the key down.
        api_key = g.get("api_key")
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user
    if actor is None:
        actor = _actor_kind(api_key, user)
    row: dict[str, Any] = {
        "kind": kind.value,
        "share_id": _share_id(share),
        "actor_kind": actor.value,
        "actor_user_id": _acting_user_id(actor, api_key, user),
        "api_key_id": api_key.id if actor is ActorKind.API_KEY and api_key is not None else None,
        "detail": detail or {},
    }
    if has_request_context():
        row["ip"] = (request.remote_addr or "")[:45] or None
        row["user_agent"] = (request.user_agent.string or "")[:512] or None
        row["network"] = masked_network(request.remote_addr)
        row["browser"] = browser_family(request.user_agent.string)
    db.session.execute(_INSERT_EVENT, row)


# A Core INSERT built once, rather than an ORM object (or the ORM's bulk INSERT): building
# and flushing one cost more than the statement, on every recipient page (each visit of a
# link writes one).
_INSERT_EVENT = insert(AuditEvent.__table__)


def _share_id(share: Share | None) -> int | None:
    if share is None:
        return None
    state = inspect(share)
    if state.identity is None:  # created in this transaction: its row is written first
        db.session.flush()
    # From the identity: a share expired by an earlier commit is not loaded again for it.
    return state.identity[0]


def _actor_kind(api_key: CallingKey | None, user: User | None) -> ActorKind:
    if api_key is not None:
        return ActorKind.API_KEY
    return ActorKind.USER if user is not None else ActorKind.SYSTEM


def _acting_user_id(actor: ActorKind, api_key: CallingKey | None, user: User | None) -> int | None:
    if actor is ActorKind.API_KEY and api_key is not None:
        return api_key.owner_id
    return user.id if user is not None and actor is ActorKind.USER else None

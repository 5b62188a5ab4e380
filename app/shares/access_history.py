"""The recipient's own view of their share's audit: who opened it, when, how, roughly from where.

Only what the recipient may see: their own side's network and browser family, and for the
clinic's actions that the clinic acted (never who, never from where). The console's audit
trail (app/shares/queries.py) is the full record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import AuditEvent
from app.shares.models import Share

MAX_ENTRIES = 50

# What the recipient is shown, by event kind: the recipient side's steps...
RECIPIENT_STEPS = {
    AuditKind.OPENED: "opened_link",
    AuditKind.CHALLENGE_PASSED: "signed_in",
    AuditKind.CHALLENGE_FAILED: "wrong_answer",
    AuditKind.LOCKED: "locked",
    AuditKind.VIEWER_TOKEN_ISSUED: "viewer",
    AuditKind.DOWNLOADED: "downloaded",
    AuditKind.DOWNLOAD_INCOMPLETE: "download_incomplete",
}
# ...and the clinic's, whoever there (a clinician, an integration, the system) did them.
CLINIC_STEPS = {
    AuditKind.CREATED: "shared",
    AuditKind.EMAILED: "emailed",
    AuditKind.EXTENDED: "extended",
    AuditKind.EXPIRY_CHANGED: "expiry_changed",
    AuditKind.EDITED: "edited",
    AuditKind.UNLOCKED: "unlocked",
    AuditKind.LINK_REGENERATED: "new_link",
}
SHOWN_KINDS = tuple(kind.value for kind in (*RECIPIENT_STEPS, *CLINIC_STEPS))


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    # One of the values of RECIPIENT_STEPS or CLINIC_STEPS (plus "opened_code").
    step: str
    by_clinic: bool
    network: str | None = None
    browser: str | None = None
    # The viewer's key ("ohif") or the download's format ("zip"), when the step has one.
    what: str | None = None


def access_history(share: Share, limit: int = MAX_ENTRIES) -> list[AccessEntry]:
    """The share's newest `limit` events the recipient may see, newest first."""
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.share_id == share.id, AuditEvent.kind.in_(SHOWN_KINDS))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [_entry(event) for event in events]


def _entry(event: AuditEvent) -> AccessEntry:
    kind = AuditKind(event.kind)
    detail = event.detail or {}
    if kind in CLINIC_STEPS:
        # The clinician's address, network and browser are not the recipient's to see.
        return AccessEntry(event.created_at, CLINIC_STEPS[kind], by_clinic=True)
    step = RECIPIENT_STEPS[kind]
    if kind is AuditKind.OPENED and detail.get("via") == "access code":
        step = "opened_code"
    what = detail.get("viewer") if kind is AuditKind.VIEWER_TOKEN_ISSUED else detail.get("format")
    return AccessEntry(
        event.created_at,
        step,
        by_clinic=False,
        network=event.network,
        browser=event.browser,
        what=what if isinstance(what, str) else None,
    )

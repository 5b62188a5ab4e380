"""Telling a share's owner that it was opened for the first time, or locked."""

from __future__ import annotations

import logging
import smtplib

from flask import current_app, url_for
from flask_mail import BadHeaderError, Message

from app.extensions import db
from app.shares.audit import AuditKind, record
from app.shares.mail import _Connection
from app.shares.models import Share

log = logging.getLogger(__name__)

SUBJECTS = {
    "opened": "StudyShare: share {id} was opened",
    "locked": "StudyShare: share {id} is locked after wrong answers",
}
BODIES = {
    "opened": "The recipient of share {id} has just opened it for the first time.",
    "locked": (
        "Share {id} was locked after too many wrong answers to its challenge. If the "
        "recipient is who you shared it with, you can unlock it from its page."
    ),
}


def notify_owner(share: Share, event: str) -> None:
    """Best effort: a failure is logged and audited, never shown to the recipient."""
    owner = share.owner
    if not share.notify_owner or owner is None or not owner.active:
        return
    page = current_app.config["PUBLIC_BASE_URL"] + url_for(
        "clinician.share_detail", public_id=share.public_id
    )
    message = Message(
        subject=SUBJECTS[event].format(id=share.public_id),
        recipients=[owner.email],
        # No patient data, no secret: the share's public id and its console page.
        body=BODIES[event].format(id=share.public_id) + f"\n\n{page}\n",
    )
    try:
        with _Connection(current_app.extensions["mail"]) as connection:
            connection.send(message)
    except (smtplib.SMTPException, OSError, BadHeaderError) as exc:
        log.warning("Owner notice for share %s failed: %s", share.public_id, type(exc).__name__)
        record(
            AuditKind.EMAIL_FAILED,
            share,
            detail={"to": owner.email, "notice": event, "error": type(exc).__name__},
        )
    else:
        record(AuditKind.EMAILED, share, detail={"to": owner.email, "notice": event})
    db.session.commit()

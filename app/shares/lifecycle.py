"""What happens to a share after creation: revoke, unlock, extend, new link, cleanup."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import or_, select

from app.console_time import clinic_time_text
from app.db_types import utcnow
from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancError, OrthancNotFound
from app.shares import links
from app.shares.audit import AuditKind, record
from app.shares.mail import send_share_email
from app.shares.models import Share, ShareState, ShareStudy
from app.shares.options import EXPIRY_DAYS, ShareError
from app.shares.service import CreatedShare
from app.shares.versions import change, claim_version
from app.users.models import User
from app.web_sessions import end_share_sessions

log = logging.getLogger(__name__)


def revoke(share: Share, client: OrthancClient, user: User | None = None) -> None:
    """End the share now, and its recipients' sessions; its anonymized copies are deleted
    (or left for the purge)."""
    if share.revoked_at is not None:
        raise ShareError("This share is already revoked.")
    share.revoked_at = utcnow()
    end_share_sessions(share.id)
    record(AuditKind.REVOKED, share, user=user)
    db.session.commit()
    delete_anonymized_copies(share, client)


def unlock(share: Share, user: User | None = None) -> None:
    """Let the recipient try the challenge again after a lockout."""
    if share.locked_at is None:
        raise ShareError("This share is not locked.")
    share.locked_at = None
    share.failed_attempts = 0
    record(AuditKind.UNLOCKED, share, user=user)
    db.session.commit()


def latest_expiry(now: datetime) -> datetime:
    """The latest expiry a share may get: the end of the day the longest offered duration
    (EXPIRY_DAYS) reaches, in the clinic's time zone."""
    zone = current_app.config["CLINIC_TIMEZONE"]
    return expiry_on((now + timedelta(days=max(EXPIRY_DAYS))).astimezone(zone).date())


def expiry_on(day: date) -> datetime:
    """Expires "on `day`": at 23:59 that day in the clinic's time zone, as UTC."""
    moment = datetime.combine(day, time(23, 59), tzinfo=current_app.config["CLINIC_TIMEZONE"])
    return moment.astimezone(UTC)


def _check_expiry_changeable(share: Share) -> None:
    if share.revoked_at is not None:
        raise ShareError("A revoked share cannot be extended; create a new one.")
    if share.anonymized and any(s.anonymized_copy_deleted_at for s in share.studies):
        raise ShareError("The anonymized copies of this share were deleted; create a new one.")


def _check_in_range(expires_at: datetime, now: datetime) -> datetime:
    if expires_at <= now:
        raise ShareError("The new expiry must be in the future.")
    latest = latest_expiry(now)
    if expires_at > latest:
        raise ShareError(
            f"A share can last at most {max(EXPIRY_DAYS)} days from today "
            f"(until {clinic_time_text(latest)})."
        )
    return expires_at


def extended_expiry(share: Share, days: int, now: datetime | None = None) -> datetime:
    """The expiry `days` after the current one (after now, if that has passed): extending
    never shortens a share. Raise ShareError when the share cannot get it."""
    now = now or utcnow()
    if days not in EXPIRY_DAYS:
        raise ShareError("Choose one of the offered durations.")
    _check_expiry_changeable(share)
    if share.expires_at is None:
        raise ShareError("This share does not expire: set an expiry date instead.")
    return _check_in_range(max(share.expires_at, now) + timedelta(days=days), now)


def checked_expiry(
    share: Share, expires_at: datetime | None, now: datetime | None = None
) -> datetime | None:
    """An expiry set explicitly (earlier or later), if allowed; None means never."""
    now = now or utcnow()
    _check_expiry_changeable(share)
    if expires_at is None:
        if not current_app.config["ALLOW_NEVER_EXPIRE"]:
            raise ShareError("Shares must expire: choose an expiry date.")
        return None
    return _check_in_range(expires_at, now)


def extend(
    share: Share, days: int, user: User | None = None, *, version: int | None = None
) -> None:
    """Make the share last `days` more days than it does now (see extended_expiry).

    With `version`, refused (StaleShareError) if the share changed since that version was read.
    """
    _commit_expiry(share, extended_expiry(share, days), AuditKind.EXTENDED, user, version)


def set_expiry(
    share: Share,
    expires_at: datetime | None,
    user: User | None = None,
    *,
    version: int | None = None,
) -> None:
    """Set the expiry to a chosen moment, earlier or later (see checked_expiry)."""
    _commit_expiry(
        share, checked_expiry(share, expires_at), AuditKind.EXPIRY_CHANGED, user, version
    )


def _commit_expiry(
    share: Share,
    expires_at: datetime | None,
    kind: AuditKind,
    user: User | None,
    version: int | None,
) -> None:
    previous = share.expires_at
    claim_version(share, version)
    share.expires_at = expires_at
    record(kind, share, user=user, detail={"expires_at": change(previous, expires_at)})
    db.session.commit()


def regenerate_link(
    share: Share, user: User | None = None, reason: str = "requested"
) -> tuple[str, str | None]:
    """A new link secret, and a new access code if the share has one: the old ones stop
    working at once (a lost handout carries both, and the new handout needs the code)."""
    _check_link_renewable(share)
    secret, code = links.rotate(share)
    record(AuditKind.LINK_REGENERATED, share, user=user, detail={"reason": reason})
    db.session.commit()
    return secret, code


def _check_link_renewable(share: Share) -> None:
    if share.state() is ShareState.REVOKED:
        raise ShareError("A revoked share cannot get a new link.")


class EmailNotSentError(ShareError):
    """The e-mail with a new link failed: nothing changed, the old link still works."""


def new_link(
    share: Share, user: User | None = None, *, email_recipient: bool = False
) -> CreatedShare:
    """regenerate_link, shown as a created share; with `email_recipient`, resent first.

    Only the link's hash is stored, so resending means a new one: it is e-mailed
    before it replaces the old one, and stored only once the mail server took it. Raise
    EmailNotSentError when it did not: the share is unchanged (only the failure is audited).
    """
    if not email_recipient:
        secret, code = regenerate_link(share, user=user)
        return CreatedShare(share, secret, code)
    _check_link_renewable(share)
    if not share.recipient_email:
        raise ShareError("This share has no recipient e-mail address.")
    secret, code = links.next_secrets(share)
    error = send_share_email(CreatedShare(share, secret, code))  # audits and commits the sending
    if error:
        raise EmailNotSentError(error + " The link was not changed: the old one still works.")
    links.store(share, secret, code)
    record(AuditKind.LINK_REGENERATED, share, user=user, detail={"reason": "resent"})
    db.session.commit()
    return CreatedShare(share, secret, code)


def delete_anonymized_copies(share: Share, client: OrthancClient) -> int:
    """Delete the share's anonymized copies still in Orthanc; returns how many went."""
    if not share.anonymized:
        return 0
    deleted = 0
    for study in share.studies:
        if study.anonymized_copy_deleted_at is not None:
            continue
        try:
            client.delete_study(study.orthanc_study_id)
        except OrthancNotFound:
            pass  # already gone: what we wanted
        except OrthancError as exc:
            log.error("Could not delete an anonymized copy of %s: %s", share.public_id, exc)
            continue
        study.anonymized_copy_deleted_at = utcnow()
        deleted += 1
    db.session.commit()
    return deleted


def purge_ended(client: OrthancClient) -> tuple[int, int]:
    """Delete anonymized copies of ended shares; returns (shares, copies) cleaned."""
    now = utcnow()
    ended = db.session.scalars(
        select(Share)
        .join(ShareStudy, ShareStudy.share_id == Share.id)
        .where(Share.anonymized.is_(True), ShareStudy.anonymized_copy_deleted_at.is_(None))
        .where(or_(Share.revoked_at.is_not(None), Share.expires_at <= now))
        .distinct()
    ).all()
    copies = 0
    for share in ended:
        deleted = delete_anonymized_copies(share, client)
        if deleted:
            record(AuditKind.EXPIRED_CLEANUP, share, detail={"copies_deleted": deleted})
            db.session.commit()
        copies += deleted
    return len(ended), copies

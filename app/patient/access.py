"""Whether a share can be opened, and answering its challenge, safely."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import Row, case, update

from app.db_types import utcnow
from app.extensions import db
from app.shares import recipient_session as recipient
from app.shares.audit import AuditKind, record
from app.shares.audit_models import ActorKind
from app.shares.birth_dates import birth_date_matches
from app.shares.models import Share, ShareState
from app.shares.owner_notice import notify_owner
from app.users.passwords import verify_password


class Unavailable(StrEnum):
    """Why a share cannot be opened; each has its own page and status code."""

    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"
    USED_UP = "used_up"


STATUS_CODES = {
    Unavailable.UNKNOWN: 404,
    Unavailable.EXPIRED: 410,
    Unavailable.REVOKED: 410,
    Unavailable.LOCKED: 403,
    Unavailable.USED_UP: 410,
}


def unavailable_reason(share: Share | None) -> Unavailable | None:
    """None when the share can be opened."""
    if share is None:
        return Unavailable.UNKNOWN
    state = share.state()  # USED_UP included: new opens need an active share
    if state is not ShareState.ACTIVE:
        return Unavailable(state.value)
    return None


def answer_matches(share: Share, birth_date: date | None, password: str | None) -> bool:
    """Check every part of the challenge, always all parts, in constant time for each."""
    kind = share.challenge_kind
    ok = True
    if kind.asks_birth_date:
        ok &= birth_date_matches(share.birth_date_hash, birth_date)
    if kind.asks_password:
        ok &= bool(share.password_hash) and verify_password(share.password_hash, password or "")
    return ok


class Result(StrEnum):
    OPENED = "opened"
    WRONG = "wrong"  # counted; attempts are left
    LOCKED = "locked"  # by this answer, or by another one just before it
    UNAVAILABLE = "unavailable"  # ended or used up while the answer was checked


@dataclass(frozen=True)
class Outcome:
    """What one answer to a share's challenge did."""

    result: Result
    attempts_left: int = 0
    reason: Unavailable | None = None  # why the share cannot be opened (locked, unavailable)


def attempt_challenge(share: Share, birth_date: date | None, password: str | None) -> Outcome:
    """Check an answer, count it, audit it, open the recipient's session on a right one and
    tell the owner.

    The count, its audit events and the session are one transaction: no open counted without
    its session, one commit. The owner's notice is sent after the commit: no mail about a
    change that was rolled back, no write lock held while the mail server answers.
    """
    if answer_matches(share, birth_date, password):
        return _opened(share)
    return _failed(share)


def _opened(share: Share) -> Outcome:
    opens = _count_open(share)
    if opens is None:
        db.session.commit()
        db.session.refresh(share)
        reason = unavailable_reason(share) or Unavailable.LOCKED
        return Outcome(Result.UNAVAILABLE, reason=reason)
    record(AuditKind.CHALLENGE_PASSED, share, actor=ActorKind.RECIPIENT)
    recipient.start(share)
    _commit_keeping_loaded()
    if opens == 1:
        notify_owner(share, "opened")
    return Outcome(Result.OPENED)


def _failed(share: Share) -> Outcome:
    counted = _count_failure(share)
    if counted is None:  # another request had locked the share already
        db.session.commit()
        return Outcome(Result.LOCKED, reason=Unavailable.LOCKED)
    attempts_left, locked_now = counted
    detail = {"attempts_left": attempts_left}
    record(AuditKind.CHALLENGE_FAILED, share, actor=ActorKind.RECIPIENT, detail=detail)
    if locked_now:
        record(AuditKind.LOCKED, share, actor=ActorKind.RECIPIENT)
    _commit_keeping_loaded()
    if locked_now:
        notify_owner(share, "locked")
        return Outcome(Result.LOCKED, reason=Unavailable.LOCKED)
    return Outcome(Result.WRONG, attempts_left=attempts_left)


def _commit_keeping_loaded() -> None:
    """Commit without expiring what the session holds. What follows an answer (the challenge
    page again, the owner's notice) reads only what the answer did not change: the owner,
    the expiry, the challenge. Expired, the share would be loaded again, one more query."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def _count(share: Share, where: tuple, values: dict[str, Any], returning: tuple) -> Row | None:
    """One conditional UPDATE of the share's counters, RETURNING what the caller needs.

    The share's copies of the columns it sets are expired rather than recomputed in Python
    (SQLAlchemy's default, which costs more than the statement): whatever reads them later
    gets the database's values.
    """
    statement = update(Share).where(Share.id == share.id, *where).values(**values)
    row = db.session.execute(
        statement.returning(*returning), execution_options={"synchronize_session": False}
    ).first()
    db.session.expire(share, list(values))
    return row


def _count_failure(share: Share) -> tuple[int, bool] | None:
    """Count one failed answer atomically: (attempts left, locked by it), or None if the
    share was locked already.

    One conditional UPDATE, so parallel requests on several app instances can never
    count past the maximum or lock twice: the database decides.
    """
    maximum = current_app.config["CHALLENGE_MAX_ATTEMPTS"]
    now = utcnow()
    result = _count(
        share,
        (Share.locked_at.is_(None), Share.failed_attempts < maximum),
        {
            "failed_attempts": Share.failed_attempts + 1,
            "locked_at": case((Share.failed_attempts + 1 >= maximum, now), else_=None),
        },
        (Share.failed_attempts, Share.locked_at),
    )
    if result is None:
        return None
    attempts, locked_at = result
    return max(0, maximum - attempts), locked_at is not None


def _count_open(share: Share) -> int | None:
    """Count a successful opening and return the new count; None if the share stopped being
    live or was used up meanwhile."""
    now = utcnow()
    result = _count(
        share,
        (Share.state_condition(ShareState.ACTIVE, now),),
        {"open_count": Share.open_count + 1, "last_opened_at": now},
        (Share.open_count,),
    )
    return None if result is None else result[0]

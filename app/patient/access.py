"""Finding a share from a link or a code, and answering its challenge, safely."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask import current_app
from sqlalchemy import case, select, update

from app.db_types import utcnow
from app.extensions import db
from app.shares.models import ChallengeKind, Share, ShareState
from app.shares.service import access_code_key
from app.shares.tokens import hash_access_code, hash_link_secret, looks_like_link_secret
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


def share_by_secret(secret: str) -> Share | None:
    if not looks_like_link_secret(secret):
        return None
    return db.session.scalar(select(Share).where(Share.secret_hash == hash_link_secret(secret)))


def share_by_code(code: str) -> Share | None:
    try:
        code_hash = hash_access_code(code, access_code_key())
    except ValueError:
        return None
    return db.session.scalar(select(Share).where(Share.access_code_hash == code_hash))


def unavailable_reason(share: Share | None) -> Unavailable | None:
    """None when the share can be opened."""
    if share is None:
        return Unavailable.UNKNOWN
    state = share.state()
    if state is not ShareState.ACTIVE:
        return Unavailable(state.value)
    if share.max_opens is not None and share.open_count >= share.max_opens:
        return Unavailable.USED_UP
    return None


def answer_matches(share: Share, birth_date: date | None, password: str | None) -> bool:
    """Check every part of the challenge, always all parts, in constant time for each."""
    kind = ChallengeKind(share.challenge_kind)
    ok = True
    if kind.asks_birth_date:
        typed = birth_date.strftime("%Y%m%d") if birth_date else ""
        ok &= hmac.compare_digest(typed.encode(), (share.birth_date or "-").encode())
    if kind.asks_password:
        ok &= bool(share.password_hash) and verify_password(share.password_hash, password or "")
    return ok


@dataclass(frozen=True)
class Failure:
    counted: bool  # False when another request had locked the share already
    attempts_left: int
    locked_now: bool


def record_failure(share: Share) -> Failure:
    """Count one failed answer atomically.

    One conditional UPDATE, so parallel requests on several app instances can never
    count past the maximum or lock twice: the database decides.
    """
    maximum = current_app.config["CHALLENGE_MAX_ATTEMPTS"]
    now = utcnow()
    result = db.session.execute(
        update(Share)
        .where(Share.id == share.id, Share.locked_at.is_(None), Share.failed_attempts < maximum)
        .values(
            failed_attempts=Share.failed_attempts + 1,
            locked_at=case((Share.failed_attempts + 1 >= maximum, now), else_=None),
        )
        .returning(Share.failed_attempts, Share.locked_at)
    ).first()
    db.session.commit()
    if result is None:
        return Failure(counted=False, attempts_left=0, locked_now=False)
    attempts, locked_at = result
    return Failure(True, max(0, maximum - attempts), locked_at is not None)


def record_open(share: Share) -> int | None:
    """Count a successful opening and return the new count; None if the share was locked,
    revoked or used up meanwhile."""
    now = utcnow()
    conditions = [Share.id == share.id, Share.locked_at.is_(None), Share.revoked_at.is_(None)]
    if share.max_opens is not None:
        conditions.append(Share.open_count < share.max_opens)
    result = db.session.execute(
        update(Share)
        .where(*conditions)
        .values(open_count=Share.open_count + 1, last_opened_at=now)
        .returning(Share.open_count)
    ).first()
    db.session.commit()
    return None if result is None else result[0]

"""Server-side sessions: one row per console login or recipient unlock.

The signed cookie carries only a random token; the database keeps its SHA-256 hash. A
session ends everywhere at once when its row goes: at logout or sign-out, when the account's
password changes, the account is deactivated, an admin ends its sessions or the share is
revoked. Anonymous data (CSRF token, language) stays in the cookie alone, so visitors and
bots create no rows.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from flask import current_app
from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.extensions import db

# Writing last_seen_at on every request would turn each page view (and each image the
# gateway serves) into a write; once a minute is precise enough for an idle timeout.
SEEN_PRECISION = timedelta(minutes=1)
USER_AGENT_LENGTH = 120


class SessionKind(StrEnum):
    CONSOLE = "console"
    RECIPIENT = "recipient"


class WebSession(db.Model):
    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    share_id: Mapped[int | None] = mapped_column(
        ForeignKey("shares.id", ondelete="CASCADE"), index=True
    )
    # "Keep me logged in": no idle timeout, only the (longer) absolute one.
    persistent: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_agent: Mapped[str] = mapped_column(String(USER_AGENT_LENGTH), default="")


_IDLE_SETTING = {
    SessionKind.CONSOLE: "SESSION_IDLE_MINUTES",
    SessionKind.RECIPIENT: "PATIENT_IDLE_MINUTES",
}


def idle_timeout(kind: SessionKind) -> timedelta:
    """How long a session of this kind may go unused before it ends."""
    return timedelta(minutes=current_app.config[_IDLE_SETTING[kind]])


def remembered_lifetime() -> timedelta:
    """How long a console login with "keep me logged in" lasts (its cookie as well)."""
    return timedelta(days=current_app.config["SESSION_REMEMBER_DAYS"])


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    kind: SessionKind,
    *,
    lifetime: timedelta,
    not_after: datetime | None = None,
    user_id: int | None = None,
    share_id: int | None = None,
    persistent: bool = False,
    user_agent: str = "",
) -> str:
    """Add a new session lasting `lifetime` at most (never past `not_after`); return the
    token for the cookie. The caller commits: an opened share's session goes with the open it
    follows, in one transaction. Expired rows stay until `purge-expired`: deleting them here,
    at every login and every opened share, made concurrent openings wait on each other's
    locks."""
    now = utcnow()
    expires_at = now + lifetime if not_after is None else min(now + lifetime, not_after)
    token = secrets.token_urlsafe(32)
    # A Core INSERT rather than an ORM object, which costs more to build and flush than the
    # statement, on every unlock: nothing reads the row back in this request.
    row = {
        "token_hash": hash_token(token),
        "kind": kind.value,
        "user_id": user_id,
        "share_id": share_id,
        "persistent": persistent,
        "created_at": now,
        "last_seen_at": now,
        "expires_at": expires_at,
        "user_agent": user_agent[:USER_AGENT_LENGTH],
    }
    db.session.execute(insert(WebSession.__table__), row)
    return token


def _lasting(now: Any, idle_since: Any) -> ColumnElement[bool]:
    # The one rule of when a session ends by itself: past its expiry, or idle too long.
    return and_(
        WebSession.expires_at > now,
        or_(WebSession.persistent.is_(True), WebSession.last_seen_at > idle_since),
    )


def _live(kind: SessionKind) -> ColumnElement[bool]:
    """The condition on the row a token names while it lasts; bound by `_live_params`."""
    return and_(
        WebSession.token_hash == bindparam("token_hash"),
        WebSession.kind == kind.value,
        _lasting(
            bindparam("now", type_=UTCDateTime()), bindparam("idle_since", type_=UTCDateTime())
        ),
    )


def _live_params(token: str, kind: SessionKind, now: datetime) -> dict[str, Any]:
    return {"token_hash": hash_token(token), "now": now, "idle_since": now - idle_timeout(kind)}


@dataclass(frozen=True)
class SubjectQuery:
    """What a session of `kind` names (see `subject_query`), as one statement built once."""

    kind: SessionKind
    statement: Select


def subject_query(kind: SessionKind, subject: Any, onclause: Any) -> SubjectQuery:
    """The query of `subject` (a model or a column joined by `onclause`) of a live session.

    Built once, at import: it runs on every request that carries a session (each image the
    gateway serves), and SQLAlchemy computes a statement's cache key once per statement.
    """
    statement = (
        select(subject, WebSession.id, WebSession.last_seen_at)
        .join(WebSession, onclause)
        .where(_live(kind))
    )
    return SubjectQuery(kind, statement)


def session_subject(query: SubjectQuery, token: str) -> Any:
    """The subject of the session `token` names, while it lasts, in one query; None once it
    has ended. Moves its idle timeout on."""
    now = utcnow()
    row = db.session.execute(query.statement, _live_params(token, query.kind, now)).first()
    if row is None:
        return None
    note_seen(row.id, row.last_seen_at, now)
    return row[0]


def note_seen(session_id: int, last_seen_at: datetime, now: datetime) -> None:
    """Move the idle timeout on, at most once per SEEN_PRECISION."""
    if now - last_seen_at < SEEN_PRECISION:
        return
    db.session.execute(
        update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
    )
    db.session.commit()


def end_session(token: str) -> None:
    """Delete the session this token names, if any; the caller commits."""
    db.session.execute(delete(WebSession).where(WebSession.token_hash == hash_token(token)))


def end_user_sessions(user_id: int, *, keep_token: str | None = None) -> int:
    """Delete the user's sessions (but the one `keep_token` names); the caller commits."""
    statement = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_token:
        statement = statement.where(WebSession.token_hash != hash_token(keep_token))
    return db.session.execute(statement).rowcount


def end_share_sessions(share_id: int) -> int:
    """Delete the recipient sessions of a share; the caller commits."""
    return db.session.execute(delete(WebSession).where(WebSession.share_id == share_id)).rowcount


def open_console_sessions(user_id: int, now: datetime | None = None) -> list[WebSession]:
    """The user's console sessions open now, most recently used first."""
    now = now or utcnow()
    idle = idle_timeout(SessionKind.CONSOLE)
    query = (
        select(WebSession)
        .where(
            WebSession.user_id == user_id,
            WebSession.kind == SessionKind.CONSOLE.value,
            _lasting(now, now - idle),
        )
        .order_by(WebSession.last_seen_at.desc(), WebSession.id.desc())
    )
    return list(db.session.scalars(query))


def purge_expired(now: datetime | None = None) -> int:
    """Delete the sessions past their absolute expiry; the caller commits."""
    now = now or utcnow()
    return db.session.execute(delete(WebSession).where(WebSession.expires_at <= now)).rowcount

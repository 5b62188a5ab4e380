"""The recipient's short session: which share was unlocked, and until when.

The unlock is a server-side session (app/web_sessions.py); the cookie holds only its token.
Sign-out, revoking the share, the idle and the absolute timeout end it on every instance.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import current_app, request, session

from app.extensions import db
from app.shares.models import Share
from app.web_sessions import (
    SessionKind,
    SubjectQuery,
    WebSession,
    end_session,
    session_subject,
    subject_query,
)
from app.web_sessions import open_session as open_web_session

_KEY = "recipient"
_LANGUAGE_KEY = "lang"


def start(share: Share) -> None:
    """A fresh session holding only the unlocked share (and the chosen language); the
    caller commits."""
    language = session.get(_LANGUAGE_KEY)
    _end_stored()  # an earlier unlock in this browser: replaced, not left open
    # A new session id after the challenge: nothing from before it carries over.
    session.clear()
    session[_KEY] = open_web_session(
        SessionKind.RECIPIENT,
        lifetime=timedelta(minutes=current_app.config["PATIENT_SESSION_MINUTES"]),
        not_after=share.expires_at,
        share_id=share.id,
        user_agent=request.user_agent.string,
    )
    if language:
        session[_LANGUAGE_KEY] = language


_UNLOCKED_SHARE = subject_query(SessionKind.RECIPIENT, Share, WebSession.share_id == Share.id)
_UNLOCKED_PUBLIC_ID = subject_query(
    SessionKind.RECIPIENT, Share.public_id, WebSession.share_id == Share.id
)


def _unlocked(query: SubjectQuery, data: Mapping[str, Any]) -> Any:
    """What `query` asks of the share the session `data` unlocked, while the session lasts."""
    token = data.get(_KEY)
    if not isinstance(token, str):
        return None
    return session_subject(query, token)


def unlocked_share_id(data: Mapping[str, Any]) -> str | None:
    """The public id of the share the session `data` (Flask's `session`, or a recipient
    cookie read in front of Flask) unlocked, while the session lasts."""
    return _unlocked(_UNLOCKED_PUBLIC_ID, data)


def current_share() -> Share | None:
    """The unlocked share, if the session is still valid and the share still live."""
    share = _unlocked(_UNLOCKED_SHARE, session)
    if share is None or not share.is_live():
        return None
    return share


def end() -> None:
    """Sign out: the session ends on every instance; the language stays."""
    language = session.get(_LANGUAGE_KEY)
    _end_stored()
    db.session.commit()
    session.clear()
    if language:
        session[_LANGUAGE_KEY] = language


def _end_stored() -> None:
    token = session.get(_KEY)
    if isinstance(token, str):
        end_session(token)


def remember_code_share(share: Share) -> None:
    """After a correct access code, the challenge of that share is asked next."""
    session["code_share"] = share.public_id


def code_share_id() -> str | None:
    value = session.get("code_share")
    return value if isinstance(value, str) else None


def chosen_language() -> str | None:
    value = session.get(_LANGUAGE_KEY)
    return value if isinstance(value, str) else None


def choose_language(language: str) -> None:
    session[_LANGUAGE_KEY] = language

"""The recipient's short session: which share was unlocked, and until when."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, session

from app.db_types import utcnow
from app.shares.models import Share

_KEY = "recipient"
_LANGUAGE_KEY = "lang"


def start(share: Share) -> None:
    """A fresh session holding only the unlocked share (and the chosen language)."""
    language = session.get(_LANGUAGE_KEY)
    # A new session id after the challenge: nothing from before it carries over.
    session.clear()
    until = utcnow() + timedelta(minutes=current_app.config["PATIENT_SESSION_MINUTES"])
    if share.expires_at is not None:
        until = min(until, share.expires_at)
    session[_KEY] = {"share": share.public_id, "until": until.timestamp()}
    if language:
        session[_LANGUAGE_KEY] = language


def unlocked_share_id() -> str | None:
    """The public id of the share this session unlocked, while the session lasts."""
    data = session.get(_KEY)
    if not isinstance(data, dict):
        return None
    until = data.get("until")
    if (
        not isinstance(until, int | float)
        or datetime.fromtimestamp(until, tz=utcnow().tzinfo) <= utcnow()
    ):
        return None
    return str(data.get("share"))


def current_share() -> Share | None:
    """The unlocked share, if the session is still valid and the share still live."""
    public_id = unlocked_share_id()
    if public_id is None:
        return None
    share = Share.by_public_id(public_id)
    if share is None or not share.is_live():
        return None
    return share


def end() -> None:
    language = session.get(_LANGUAGE_KEY)
    session.clear()
    if language:
        session[_LANGUAGE_KEY] = language


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

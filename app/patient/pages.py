"""What every recipient page after the challenge starts with: the unlocked share."""

from __future__ import annotations

from flask import g, render_template

from app.shares import recipient_session as recipient
from app.shares.models import Share, ShareStudy


def unlocked_share() -> Share | None:
    """The share of this recipient session, pages then speak its language; None if ended."""
    share = recipient.current_share()
    if share is not None:
        g.share_language = share.language
    return share


def session_ended():
    """The page for a session that ended (or a share that did)."""
    return render_template("patient/session_ended.html"), 401


def not_found():
    return render_template("patient/not_found.html"), 404


def study_at(share: Share, index: int) -> ShareStudy | None:
    """The share's study at this 0-based position of the recipient's list, if any."""
    return share.studies[index] if 0 <= index < len(share.studies) else None

"""Telling a share's owner that it was opened for the first time, or locked."""

from __future__ import annotations

from typing import Literal

from flask import current_app, url_for

from app.shares import mailer
from app.shares.models import Share


def notify_owner(share: Share, event: Literal["opened", "locked"]) -> None:
    """Best effort: a failure is logged and audited, never shown to the recipient."""
    owner = share.owner
    if not share.notify_owner or owner is None or not owner.active:
        return
    page = current_app.config["PUBLIC_BASE_URL"] + url_for(
        "clinician.share_detail", public_id=share.public_id
    )
    # No patient data, no secret: the share's public id and its console page.
    context = {"public_id": share.public_id, "page": page}
    mailer.send(
        f"owner_{event}", to=owner.email, share=share, context=context, audit={"notice": event}
    )

"""/api/v1/shares/{id}/extend and /resend: the console's Extend and "e-mail it again"."""

from __future__ import annotations

from flask import abort

from app.api import bp
from app.api import json_input as read
from app.api.key_auth import current_key, requires
from app.api.share_json import created_json
from app.api.share_views import visible_share
from app.api_keys.models import Scope
from app.errors import error_response
from app.shares import lifecycle
from app.shares.facts import share_facts
from app.shares.models import ShareState
from app.shares.options import EXPIRY_DAYS
from app.shares.versions import StaleShareError

EXTEND_FIELDS = frozenset({"days", "version"})


@bp.post("/shares/<share_id>/extend")
@requires(Scope.SHARES_CREATE)
def extend_share(share_id: str):
    """Make a share last `days` more days than it does now (never shorter)."""
    body = read.json_object(EXTEND_FIELDS)
    days = read.whole(body, "days")
    if days not in EXPIRY_DAYS:
        abort(400, "`days` must be one of " + ", ".join(str(d) for d in EXPIRY_DAYS) + ".")
    version = read.whole(body, "version")
    share = visible_share(share_id)
    try:
        # ShareError (revoked, too long, never expires) is a 422 (share_views.share_refused).
        lifecycle.extend(share, days, user=current_key().owner, version=version)
    except StaleShareError:
        abort(409, "The share changed since `version` was read: GET it and try again.")
    return share_facts(share)


@bp.post("/shares/<share_id>/resend")
@requires(Scope.SHARES_CREATE)
def resend_share(share_id: str):
    """E-mail the share's link to its recipient again: a new link, as the console's resend.

    The link is not stored (only its hash), so it cannot be sent twice: a new one is sent,
    and replaces the old one only once the mail server took it.
    """
    share = visible_share(share_id)
    if not share.recipient_email:
        abort(422, "This share has no recipient e-mail address.")
    if share.state() is not ShareState.ACTIVE:
        abort(409, f"This share is {share.state().value}: its link cannot be sent again.")
    try:
        created = lifecycle.new_link(share, user=current_key().owner, email_recipient=True)
    except lifecycle.EmailNotSentError as exc:
        return error_response(502, str(exc))
    return created_json(created)

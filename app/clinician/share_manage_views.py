"""Console routes for managing shares: list, detail with audit trail, and actions."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from app.clinician import bp
from app.clinician.forms import EmptyForm
from app.clinician.paging import page_links
from app.clinician.share_confirmations import (
    confirmation_page,
    is_confirmed,
    new_link_confirmation,
    revoke_confirmation,
)
from app.clinician.share_edit_forms import ExtendShareForm, SetExpiryForm
from app.clinician.share_forms import CHALLENGE_LABELS, ShareFilterForm
from app.clinician.share_views import render_created
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares import lifecycle
from app.shares.models import Share, ShareState
from app.shares.options import ShareError
from app.shares.queries import audit_trail, page_of_shares, share_for_user, shares_matching
from app.users.models import User

SHARES_PER_PAGE = 50


def owned_share(public_id: str) -> Share:
    """The share, if the current user may see it; else 404."""
    share = share_for_user(public_id, current_user)
    if share is None:
        abort(404, "There is no such share, or it is not yours.")
    return share


@bp.get("/shares")
def share_list():
    """My shares; admins see everyone's and can filter by owner."""
    form = ShareFilterForm(request.args)
    form.owner.choices = [SelectChoice("", "Everyone")]
    if current_user.is_admin:
        # Two columns, not the accounts: a hospital has hundreds, and only admins choose.
        owners = db.session.execute(select(User.id, User.email).order_by(User.email))
        form.owner.choices += [SelectChoice(str(user_id), email) for user_id, email in owners]
    else:
        form.owner.validate_choice = False  # never shown, never read: see owner_id below
    if not form.validate():
        abort(
            400,
            "This filter is not valid: choose a state and an owner from the lists, "
            "and type at most 200 characters of a patient's name or ID "
            "(or the page link is damaged: start again from the newest page).",
        )
    owner_id = current_user.id
    if current_user.is_admin:
        owner_id = int(form.owner.data) if form.owner.data else None
    state = ShareState(form.state.data) if form.state.data else None
    matching = shares_matching(owner_id=owner_id, state=state, patient=form.q.data or "")
    page = page_of_shares(matching, SHARES_PER_PAGE, **form.cursors())
    return render_template(
        "clinician/share_list.html",
        form=form,
        shares=page.rows,
        links=page_links("clinician.share_list", page),
    )


@bp.get("/shares/<public_id>")
def share_detail(public_id: str):
    """One share: its settings, studies, audit trail and actions."""
    share = owned_share(public_id)
    return render_template(
        "clinician/share_detail.html",
        share=share,
        challenge_label=CHALLENGE_LABELS[share.challenge_kind],
        events=audit_trail(share),
        action_form=EmptyForm(),
        extend_form=ExtendShareForm(formdata=None, version=share.version),
        expiry_form=SetExpiryForm(formdata=None, version=share.version),
    )


def _act(public_id: str, action) -> object:
    share = owned_share(public_id)
    try:
        message = action(share)
    except ShareError as exc:
        flash(str(exc), "error")
    else:
        flash(message, "info")
    return redirect(url_for("clinician.share_detail", public_id=share.public_id))


@bp.post("/shares/<public_id>/revoke")
def share_revoke(public_id: str):
    """Revoke, once confirmed (the first post shows what that means)."""
    share = owned_share(public_id)
    if not is_confirmed() and share.revoked_at is None:
        return confirmation_page(share, revoke_confirmation(share))

    def revoke(share: Share) -> str:
        lifecycle.revoke(share, get_orthanc(), user=current_user)
        return "The share is revoked: its link and viewer tokens no longer work."

    return _act(public_id, revoke)


@bp.post("/shares/<public_id>/unlock")
def share_unlock(public_id: str):
    def unlock(share: Share) -> str:
        lifecycle.unlock(share, user=current_user)
        return "The share is unlocked: the recipient can try again."

    return _act(public_id, unlock)


@bp.post("/shares/<public_id>/new-link")
def share_new_link(public_id: str):
    """A new link secret (the old link stops working), shown once, and e-mailed again."""
    share = owned_share(public_id)
    resend = request.form.get("resend") == "1"
    if not is_confirmed():
        return confirmation_page(share, new_link_confirmation(share, resend=resend))
    try:
        created = lifecycle.new_link(share, user=current_user, email_recipient=resend)
    except ShareError as exc:
        flash(str(exc), "error")
        return redirect(url_for("clinician.share_detail", public_id=share.public_id))
    current_app.logger.info("New link issued for share %s", share.public_id)
    return render_created(created)

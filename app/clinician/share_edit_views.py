"""Console routes that change a share after it was sent: its expiry, and its settings.

An expiry change is asked first (the confirmation page shows the new date, computed here),
then done. Every form carries the share's version: a stale one gets a 409 page.
"""

from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.clinician import bp
from app.clinician.share_confirmations import Confirmation, confirmation_page, is_confirmed
from app.clinician.share_edit_forms import EditShareForm, ExtendShareForm, SetExpiryForm
from app.clinician.share_manage_views import owned_share
from app.console_time import clinic_time_text
from app.orthanc.flask_client import get_orthanc
from app.shares import editing, lifecycle
from app.shares.models import Share
from app.shares.options import ShareError
from app.shares.study_changes import addable_studies
from app.shares.versions import StaleShareError


@bp.errorhandler(StaleShareError)
def share_changed_meanwhile(exc: StaleShareError):
    share = Share.by_public_id(str(exc))
    return render_template("clinician/share_conflict.html", share=share), 409


def _when(moment: datetime | None) -> str:
    return clinic_time_text(moment) if moment else "never (until revoked)"


def _detail(share: Share):
    return redirect(url_for("clinician.share_detail", public_id=share.public_id))


def _expiry_confirmation(
    share: Share, new: datetime | None, endpoint: str, keep: dict[str, str]
) -> Confirmation:
    consequences = [f"It now expires {_when(share.expires_at)}."]
    if share.expires_at is not None and new is not None and new < share.expires_at:
        consequences.append("This shortens the share: the link stops working earlier.")
    return Confirmation(
        title=f"Share {share.public_id} will expire {_when(new)}",
        consequences=tuple(consequences),
        button="Change the expiry",
        endpoint=endpoint,
        keep=keep,
    )


@bp.post("/shares/<public_id>/extend")
def share_extend(public_id: str):
    """Extend by N days from the current expiry: shown first, then done."""
    share = owned_share(public_id)
    form = ExtendShareForm()
    if not form.validate_on_submit():
        abort(400, "Choose one of the offered durations.")
    days, version = int(form.days.data), form.version.data
    try:
        if not is_confirmed():
            keep = {"days": str(days), "version": str(version)}
            new = lifecycle.extended_expiry(share, days)
            confirm = _expiry_confirmation(share, new, "clinician.share_extend", keep)
            return confirmation_page(share, confirm)
        lifecycle.extend(share, days, user=current_user, version=version)
    except ShareError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The share now expires {_when(share.expires_at)}.", "info")
    return _detail(share)


@bp.post("/shares/<public_id>/expiry")
def share_set_expiry(public_id: str):
    """Set the expiry to a chosen day (earlier or later), or never: shown first, then done."""
    share = owned_share(public_id)
    form = SetExpiryForm()
    if not form.validate_on_submit() or (form.on.data is None) != bool(form.never.data):
        abort(400, "Choose a date like 2024-03-31, or never.")
    new = None if form.never.data else lifecycle.expiry_on(form.on.data)
    try:
        if not is_confirmed():
            keep = {"version": str(form.version.data)}
            keep.update({"never": "y"} if new is None else {"on": form.on.data.isoformat()})
            new = lifecycle.checked_expiry(share, new)
            confirm = _expiry_confirmation(share, new, "clinician.share_set_expiry", keep)
            return confirmation_page(share, confirm)
        lifecycle.set_expiry(share, new, user=current_user, version=form.version.data)
    except ShareError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The share now expires {_when(share.expires_at)}.", "info")
    return _detail(share)


def _edit_page(share: Share, form: EditShareForm, error: str | None = None, status: int = 200):
    if share.revoked_at is not None:
        abort(409, "This share is revoked: it cannot be changed any more.")
    page = render_template(
        "clinician/share_edit.html",
        share=share,
        form=form,
        addable=addable_studies(share, get_orthanc()),
        error=error,
    )
    return page, status


@bp.get("/shares/<public_id>/edit")
def share_edit(public_id: str):
    """The share's settings and studies, as a form."""
    share = owned_share(public_id)
    return _edit_page(share, EditShareForm.for_share(share))


@bp.post("/shares/<public_id>/edit")
def share_update(public_id: str):
    """Apply an edit; a new password is shown once."""
    share = owned_share(public_id)
    form = EditShareForm()
    if not form.validate_on_submit():
        return _edit_page(share, form, "Correct the fields marked below.", 400)
    edit = form.to_edit(request.form.getlist("remove_study"), request.form.getlist("add_study"))
    try:
        result = editing.edit_share(
            share, edit, get_orthanc(), user=current_user, version=form.version.data
        )
    except ShareError as exc:
        return _edit_page(share, form, str(exc), 400)
    if result.password:
        return render_template("clinician/share_edited.html", share=share, result=result)
    flash("The share is changed." if result.changes else "Nothing was changed.", "info")
    return _detail(share)

"""Console routes where administrators make, list and revoke integration API keys."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from app.api_keys.keys import ApiKeyError, all_keys, create_key, key_by_id, revoke_key
from app.clinician import bp
from app.clinician.api_key_forms import CreateApiKeyForm
from app.clinician.forms import EmptyForm
from app.clinician.permissions import admin_required
from app.extensions import db
from app.users.models import User


def _page(form: CreateApiKeyForm, created=None, status: int = 200):
    page = render_template(
        "clinician/api_keys.html",
        form=form,
        keys=all_keys(),
        created=created,
        action_form=EmptyForm(),
    )
    return page, status


@bp.get("/admin/api-keys")
@admin_required
def api_key_list():
    """Every integration API key, and the form to make one."""
    return _page(CreateApiKeyForm())


@bp.post("/admin/api-keys")
@admin_required
def api_key_new():
    """Make a key and show it, this once."""
    form = CreateApiKeyForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    owner = db.session.get(User, form.owner.data)
    if owner is None:
        abort(400, "There is no such user.")
    try:
        created = create_key(form.name.data, owner, form.scopes.data)
    except ApiKeyError as exc:
        form.name.errors.append(str(exc))
        return _page(form, status=400)
    current_app.logger.info("User %s made API key %s", current_user.id, created.api_key.id)
    # Rendered, not redirected: the key must not travel through a session or a URL.
    return _page(CreateApiKeyForm(formdata=None), created=created)


@bp.post("/admin/api-keys/<int:key_id>/revoke")
@admin_required
def api_key_revoke(key_id: int):
    """Stop a key at once."""
    api_key = key_by_id(key_id)
    if api_key is None:
        abort(404, "There is no such API key.")
    try:
        revoke_key(api_key)
    except ApiKeyError as exc:
        flash(str(exc), "error")
    else:
        current_app.logger.info("User %s revoked API key %s", current_user.id, api_key.id)
        flash(f"The key {api_key.name} is revoked: calls with it are refused from now on.", "info")
    return redirect(url_for("clinician.api_key_list"))

"""Console routes: login and logout."""

from __future__ import annotations

import secrets
from functools import cache

from flask import (
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from app.auth import log_in, log_out
from app.clinician import bp
from app.clinician.auth_forms import LoginForm
from app.clinician.safe_redirect import safe_next_path
from app.db_types import utcnow
from app.extensions import db
from app.rate_limits.login import login_limits
from app.rate_limits.trusted_browsers import trust_this_browser
from app.users.models import User
from app.users.passwords import hash_password, needs_rehash, verify_password


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login():
    next_path = safe_next_path(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_path or url_for("clinician.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            # A fresh session at login defeats session fixation.
            session.clear()
            log_in(user, remember=bool(form.remember.data))
            trust_this_browser(user.email)
            return redirect(next_path or url_for("clinician.index"))
        flash("That e-mail and password did not match an active account.", "error")
    status = 400 if form.is_submitted() else 200
    return render_template("clinician/login.html", form=form), status


@bp.post("/logout")
def logout():
    # CSRFProtect has already checked the form's token before this runs.
    log_out()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("clinician.login"))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = User.find_by_email(email)
    if user is None:
        # Verifying against some hash keeps response times alike, so the form does not
        # reveal which e-mail addresses have accounts.
        verify_password(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    if needs_rehash(user.password_hash):
        user.rehash_password(password)
    user.last_login_at = utcnow()
    db.session.commit()
    return user

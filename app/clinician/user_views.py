"""Console routes for user administration and for changing one's own password."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth import is_remembered, log_in
from app.clinician import bp
from app.clinician.forms import EmptyForm
from app.clinician.permissions import admin_required
from app.clinician.user_forms import ChangeOwnPasswordForm, CreateUserForm, ResetPasswordForm
from app.extensions import db
from app.rate_limits.login import password_check_limit
from app.users.accounts import DuplicateEmail, create_user
from app.users.models import Role, User
from app.web_sessions import open_console_sessions

TOO_MANY_TRIES = "Too many failed attempts. Please wait a few minutes and try again."


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404, "There is no such user.")
    return user


def _detail_page(user: User, reset_form: ResetPasswordForm | None = None, status: int = 200):
    page = render_template(
        "clinician/users/detail.html",
        user=user,
        open_sessions=open_console_sessions(user.id),
        action_form=EmptyForm(),
        reset_form=reset_form or ResetPasswordForm(),
    )
    return page, status


@bp.get("/admin/users")
@admin_required
def user_list():
    """Every console account, by e-mail address."""
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("clinician/users/list.html", users=users)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a clinician or administrator with an initial password."""
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            role = Role(form.role.data)
            name = form.name.data or ""
            user = create_user(form.email.data, form.password.data, name=name, role=role)
        except DuplicateEmail as exc:  # created by someone else since the form's check
            form.email.errors.append(str(exc))
        else:
            current_app.logger.info("User %s created user %s", current_user.id, user.id)
            flash(f"{user.email} can now log in as {user.role}.", "info")
            return redirect(url_for("clinician.user_detail", user_id=user.id))
    status = 400 if form.is_submitted() else 200
    return render_template("clinician/users/new.html", form=form), status


@bp.get("/admin/users/<int:user_id>")
@admin_required
def user_detail(user_id: int):
    """One account: its facts and the actions on it."""
    return _detail_page(_user_or_404(user_id))


def _set_active(user_id: int, active: bool):
    user = _user_or_404(user_id)
    if not active and user.id == current_user.id:
        # Also guarantees that at least one active administrator remains.
        flash("You cannot deactivate your own account: ask another administrator.", "error")
    elif user.active != active:
        user.set_active(active)
        db.session.commit()
        verb = "reactivated" if active else "deactivated"
        current_app.logger.info("User %s %s user %s", current_user.id, verb, user.id)
        if active:
            flash(f"{user.email} is active again and can log in.", "info")
        else:
            flash(f"{user.email} is deactivated: no more log-ins, open sessions end.", "info")
    return redirect(url_for("clinician.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/deactivate")
@admin_required
def user_deactivate(user_id: int):
    """Stop a user from logging in, and end their open sessions."""
    return _set_active(user_id, active=False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@admin_required
def user_reactivate(user_id: int):
    """Let a deactivated user log in again."""
    return _set_active(user_id, active=True)


@bp.post("/admin/users/<int:user_id>/end-sessions")
@admin_required
def user_end_sessions(user_id: int):
    """Log the user out everywhere (a lost laptop, a shared computer)."""
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash("Log out to end your own session; another administrator can end them all.", "error")
        return redirect(url_for("clinician.user_detail", user_id=user.id))
    ended = len(open_console_sessions(user.id))  # the rows may include timed-out ones
    user.end_sessions()
    db.session.commit()
    current_app.logger.info("User %s ended %s sessions of user %s", current_user.id, ended, user.id)
    flash(f"{user.email} is logged out everywhere ({ended} sessions ended).", "info")
    return redirect(url_for("clinician.user_detail", user_id=user.id))


@bp.post("/admin/users/<int:user_id>/password")
@admin_required
def user_reset_password(user_id: int):
    """Give another user a new password (they forgot theirs)."""
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        # Here the current password is not asked for: one's own goes through the account page.
        flash("Change your own password here; it needs your current one.", "error")
        return redirect(url_for("clinician.account_password"))
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        return _detail_page(user, reset_form=form, status=400)
    user.set_password(form.password.data)
    db.session.commit()
    current_app.logger.info("User %s reset the password of user %s", current_user.id, user.id)
    flash(f"The password of {user.email} is reset; their open sessions are logged out.", "info")
    return redirect(url_for("clinician.user_detail", user_id=user.id))


@bp.route("/account/password", methods=["GET", "POST"])
@password_check_limit(TOO_MANY_TRIES)
def account_password():
    """Any logged-in user changes their own password, giving the current one."""
    form = ChangeOwnPasswordForm()
    if form.validate_on_submit():
        if current_user.check_password(form.current_password.data):
            user = current_user._get_current_object()
            remember = is_remembered()
            user.set_password(form.password.data)
            db.session.commit()
            log_in(user, remember=remember)  # this browser goes on, in a new session; others end
            flash("Your password is changed. Your other sessions are logged out.", "info")
            return redirect(url_for("clinician.account_password"))
        form.current_password.errors.append("This is not your current password.")
    status = 400 if form.is_submitted() else 200
    return render_template("clinician/account_password.html", form=form), status

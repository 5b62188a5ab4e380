"""Recipient routes: link landing, challenge, access code, and the session swap."""

from __future__ import annotations

from flask import g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.patient import bp
from app.patient.access import (
    STATUS_CODES,
    Result,
    Unavailable,
    attempt_challenge,
    unavailable_reason,
)
from app.patient.dates import date_hint, parse_birth_date
from app.patient.forms import AccessCodeForm, ChallengeForm
from app.rate_limits.codes import challenge_limit, code_entry_limits
from app.shares import recipient_session as recipient
from app.shares.audit import AuditKind, record
from app.shares.audit_models import ActorKind
from app.shares.links import share_by_code, share_by_secret
from app.shares.models import Share


@bp.get("/s/")
def start():
    """Where a recipient lands without a complete link: explain how to open a share."""
    return render_template("patient/start.html")


def unavailable(reason: Unavailable):
    return render_template("patient/unavailable.html", reason=reason.value), STATUS_CODES[reason]


def _in_its_language(share: Share | None) -> Share | None:
    """Pages about a known share, even an ended one, speak its recipient's language."""
    if share is not None:
        g.share_language = share.language
    return share


def _audit(kind: AuditKind, share: Share | None, **detail) -> None:
    record(kind, share, actor=ActorKind.RECIPIENT, detail=detail)
    db.session.commit()


def _challenge_page(
    share: Share,
    form: ChallengeForm,
    action: str,
    error: str | None = None,
    attempts_left: int | None = None,
    status: int = 200,
):
    kind = share.challenge_kind
    date_format, date_example = _date_hint()
    page = render_template(
        "patient/landing.html",
        share=share,
        form=form,
        action=action,
        asks_birth_date=kind.asks_birth_date,
        asks_password=kind.asks_password,
        date_format=date_format,
        date_example=date_example,
        error=error,
        attempts_left=attempts_left,
    )
    return page, status


def _date_hint() -> tuple[str, str]:
    locale = get_locale()
    return date_hint(locale.language if locale else "en")


def _incomplete(share: Share, form: ChallengeForm, birth_date) -> bool:
    """Point at an empty or unreadable answer. It could not match, so it costs no attempt."""
    kind = share.challenge_kind
    if kind.asks_birth_date and birth_date is None:
        date_format, example = _date_hint()
        form.birth_date.errors.append(
            _(
                "Please enter your date of birth like this: %(format)s, for example %(example)s.",
                format=date_format,
                example=example,
            )
        )
    if kind.asks_password and not form.password.data:
        form.password.errors.append(_("Please enter the password from your clinic."))
    return bool(form.birth_date.errors or form.password.errors)


def _check_answer(share: Share, form: ChallengeForm, action: str):
    """Open the share on a right answer; count and maybe lock on a wrong one."""
    birth_date = parse_birth_date(form.birth_date.data or "")
    if _incomplete(share, form, birth_date):
        return _challenge_page(share, form, action, status=400)
    outcome = attempt_challenge(share, birth_date, form.password.data)
    if outcome.result is Result.OPENED:
        # The secret leaves the address bar and the history: the session carries on.
        return redirect(url_for("patient.home"), code=303)
    if outcome.result is Result.WRONG:
        error = _("That did not match. Please check and try again.")
        return _challenge_page(share, form, action, error, outcome.attempts_left, status=400)
    return unavailable(outcome.reason or Unavailable.LOCKED)


@bp.get("/s/<secret>")
def landing(secret: str):
    share = _in_its_language(share_by_secret(secret))
    reason = unavailable_reason(share)
    if reason is not None:
        return unavailable(reason)
    # Rendered before the audit commits: the commit would expire the share, and the page would
    # then load it again.
    page = _challenge_page(share, ChallengeForm(), url_for("patient.landing", secret=secret))
    _audit(AuditKind.OPENED, share)
    return page


@bp.post("/s/<secret>")
@challenge_limit
def answer(secret: str):
    share = _in_its_language(share_by_secret(secret))
    reason = unavailable_reason(share)
    if reason is not None:
        return unavailable(reason)
    form = ChallengeForm()
    action = url_for("patient.landing", secret=secret)
    if not form.validate():
        return _challenge_page(share, form, action, status=400)
    return _check_answer(share, form, action)


@bp.route("/code", methods=["GET", "POST"])
@code_entry_limits
def code():
    """Type the short code from a handout instead of opening the link."""
    form = AccessCodeForm()
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        return render_template("patient/code.html", form=form), status
    share = _in_its_language(share_by_code(form.code.data or ""))
    if share is None:
        _audit(AuditKind.ACCESS_CODE_FAILED, None)
        form.code.errors.append(_("That code did not match. Please check and try again."))
        return render_template("patient/code.html", form=form), 400
    reason = unavailable_reason(share)
    if reason is not None:
        return unavailable(reason)
    recipient.remember_code_share(share)
    _audit(AuditKind.OPENED, share, via="access code")
    return redirect(url_for("patient.code_challenge"), code=303)


@bp.route("/code/challenge", methods=["GET", "POST"])
@challenge_limit
def code_challenge():
    public_id = recipient.code_share_id()
    share = _in_its_language(Share.by_public_id(public_id) if public_id else None)
    if share is None:
        return redirect(url_for("patient.code"))
    reason = unavailable_reason(share)
    if reason is not None:
        return unavailable(reason)
    form = ChallengeForm()
    action = url_for("patient.code_challenge")
    if request.method == "GET":
        return _challenge_page(share, form, action)
    if not form.validate():
        return _challenge_page(share, form, action, status=400)
    return _check_answer(share, form, action)

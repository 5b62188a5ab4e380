"""Console routes for creating shares and showing the link once."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.clinician import bp
from app.clinician.share_forms import CreateShareForm
from app.orthanc.errors import OrthancNotFound
from app.orthanc.flask_client import get_orthanc
from app.orthanc.ids import checked_id
from app.orthanc.models import Study
from app.shares.options import MAX_STUDIES, ShareError
from app.shares.qr import qr_svg
from app.shares.service import CreatedShare, create_share
from app.shares.study_patient import SAME_PATIENT, patient_key, patients_of
from app.studies.search import describe


def _study_ids(values: list[str]) -> list[str]:
    """Well-formed, distinct study ids; anything else is a bad request, not a 500."""
    ids = list(dict.fromkeys(v.strip() for v in values if v.strip()))
    if not ids or len(ids) > MAX_STUDIES:
        abort(400, f"Choose between 1 and {MAX_STUDIES} studies to share.")
    try:
        return [checked_id(study_id) for study_id in ids]
    except OrthancNotFound:
        abort(404, "This study was not found in the image archive.")


def _form() -> CreateShareForm:
    return CreateShareForm(allow_never=current_app.config["ALLOW_NEVER_EXPIRE"])


def _render_form(form: CreateShareForm, study_ids: list[str], error: str | None, status: int):
    client = get_orthanc()
    studies = [client.get_study(study_id) for study_id in study_ids]
    if len(patients_of(studies)) > 1:
        # Refused before the form is filled in, and the form never shows a study under
        # another patient's name.
        return _mixed_patients(studies)
    rows = describe(client, studies)
    page = render_template(
        "clinician/share_new.html", form=form, rows=rows, study_ids=study_ids, error=error
    )
    return page, status


def _mixed_patients(studies: list[Study]):
    by_patient: dict[str, list[Study]] = {}
    for study in studies:
        by_patient.setdefault(patient_key(study), []).append(study)
    page = render_template(
        "clinician/share_mixed_patients.html", reason=SAME_PATIENT, groups=by_patient.values()
    )
    return page, 400


@bp.get("/shares/new")
def share_new():
    """The share form for the studies named in the query string."""
    if not any(value.strip() for value in request.args.getlist("study")):
        # "Share selected studies" with none ticked: back to the same search, saying why.
        flash("Select the studies to share first: tick the box in front of each.", "error")
        search = urlencode(parse_qsl(request.args.get("search", "")))
        return redirect(url_for("clinician.index") + (f"?{search}" if search else ""), 303)
    return _render_form(_form(), _study_ids(request.args.getlist("study")), None, 200)


@bp.post("/shares/new")
def share_create():
    """Create the share and show its link, QR code and delivery options once."""
    form = _form()
    study_ids = _study_ids(request.form.getlist("study"))
    if not form.validate():
        return _render_form(form, study_ids, "Please correct the highlighted fields.", 400)
    options = form.to_options(study_ids)
    try:
        created = create_share(current_user, options, get_orthanc(), email_recipient=True)
    except ShareError as exc:
        return _render_form(form, study_ids, str(exc), 400)
    return render_created(created)


def render_created(created: CreatedShare):
    """The only page that ever shows the link (and the password); never cached."""
    page = render_template(
        "clinician/share_created.html",
        created=created,
        share=created.share,
        qr=qr_svg(created.link),
        password=created.password,
        email_error=created.email_error,
    )
    return page, 200, {"Cache-Control": "no-store"}

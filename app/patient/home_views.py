"""The recipient's pages after the challenge: studies, viewers, sign out."""

from __future__ import annotations

from flask import redirect, render_template
from flask_babel import get_locale
from flask_babel import gettext as _

from app.extensions import db
from app.patient import bp
from app.patient.access_history import history_rows
from app.patient.forms import SignOutForm
from app.patient.pages import not_found, session_ended, study_at, unlocked_share
from app.patient.study_sizes import readable_size, study_size
from app.shares import recipient_session as recipient
from app.shares.audit import AuditKind, record
from app.shares.audit_models import ActorKind
from app.shares.models import Share, ShareStudy
from app.shares.plain_words import exam_name, modality_names
from app.shares.viewer_tokens import mint_viewer_token
from app.shares.viewer_urls import VIEWER_LABELS, offered_viewers, viewer_url
from app.studies.contents import study_contents


@bp.get("/v/")
def home():
    share = unlocked_share()
    if share is None:
        return session_ended()
    return render_template(
        "patient/home.html",
        share=share,
        exams=[_exam(share, study) for study in share.studies],
        viewers=offered_viewers(share.allow_download),
        viewer_labels=VIEWER_LABELS,
        sign_out_form=SignOutForm(),
        history=history_rows(share),
    )


def _exam(share: Share, study: ShareStudy) -> dict:
    """A study as the recipient reads it: lay name, kinds of images, download size."""
    locale = get_locale()
    language = locale.language if locale else "en"  # the page's: the recipient may switch
    summary = study.summary or {}
    modalities = summary.get("modalities") or []
    size = study_size(study.orthanc_study_id) if share.allow_download else None
    return {
        "name": exam_name(summary.get("description"), modalities, language),
        "kinds": modality_names(modalities, language),
        "size": readable_size(size, language) if size else None,
    }


def _first_series_id(study: ShareStudy) -> str | None:
    series = study_contents(study.orthanc_study_id).series
    return series[0].series.orthanc_id if series else None


@bp.get("/v/view/<viewer>/<int:index>")
def open_viewer(viewer: str, index: int):
    """Mint a fresh viewer token for this share and go to the external viewer."""
    share = unlocked_share()
    if share is None:
        return session_ended()
    study = study_at(share, index)
    if study is None or viewer not in offered_viewers(share.allow_download):
        return not_found()
    first_series = _first_series_id(study) if viewer == "webviewer" else None
    url = viewer_url(viewer, study.ref, mint_viewer_token(share), first_series_id=first_series)
    if url is None:
        return not_found()
    record(
        AuditKind.VIEWER_TOKEN_ISSUED, share, actor=ActorKind.RECIPIENT, detail={"viewer": viewer}
    )
    db.session.commit()
    return redirect(url, code=303)


@bp.post("/v/sign-out")
def sign_out():
    # CSRFProtect has already checked the form's token before this runs.
    unlocked_share()  # for its language: the goodbye page speaks like the pages before
    recipient.end()
    return render_template("patient/signed_out.html", message=_("You are signed out."))

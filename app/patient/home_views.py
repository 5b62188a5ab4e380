"""The recipient's pages after the challenge: studies, viewers, download, sign out."""

from __future__ import annotations

from flask import Response, g, redirect, render_template, stream_with_context
from flask_babel import gettext as _

from app.authz.viewer_tokens import mint_viewer_token
from app.authz.viewer_urls import VIEWER_LABELS, StudyRef, enabled_viewers, viewer_url
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.patient import bp
from app.patient import session as recipient
from app.patient.forms import SignOutForm
from app.shares.audit import AuditKind, record
from app.shares.models import ActorKind, Share, ShareStudy

ARCHIVE_CHUNK = 64 * 1024


def _share_or_expired() -> Share | None:
    share = recipient.current_share()
    if share is not None:
        g.share_language = share.language
    return share


def _session_ended():
    page = render_template("patient/session_ended.html")
    return page, 401


@bp.get("/v/")
def home():
    share = _share_or_expired()
    if share is None:
        return _session_ended()
    viewers = [v for v in enabled_viewers() if _viewer_reachable(v, share.studies[0])]
    return render_template(
        "patient/home.html",
        share=share,
        viewers=viewers,
        viewer_labels=VIEWER_LABELS,
        sign_out_form=SignOutForm(),
    )


def _ref(study: ShareStudy, first_series_id: str | None = None) -> StudyRef:
    return StudyRef(study.orthanc_study_id, study.study_instance_uid, first_series_id)


def _viewer_reachable(viewer: str, study: ShareStudy) -> bool:
    # The Orthanc Web Viewer opens a series; any series id shows whether it is reachable.
    return viewer_url(viewer, _ref(study, "probe"), "probe") is not None


def _first_series_id(study: ShareStudy) -> str | None:
    series = get_orthanc().get_study_series(study.orthanc_study_id)
    series.sort(key=lambda s: (s.number is None, s.number or 0))
    return series[0].orthanc_id if series else None


def _study(share: Share, index: int) -> ShareStudy | None:
    return share.studies[index] if 0 <= index < len(share.studies) else None


@bp.get("/v/view/<viewer>/<int:index>")
def open_viewer(viewer: str, index: int):
    """Mint a fresh viewer token for this share and go to the external viewer."""
    share = _share_or_expired()
    if share is None:
        return _session_ended()
    study = _study(share, index)
    if study is None or viewer not in enabled_viewers():
        return render_template("patient/not_found.html"), 404
    first_series = _first_series_id(study) if viewer == "webviewer" else None
    url = viewer_url(viewer, _ref(study, first_series), mint_viewer_token(share))
    if url is None:
        return render_template("patient/not_found.html"), 404
    record(
        AuditKind.VIEWER_TOKEN_ISSUED, share, actor=ActorKind.RECIPIENT, detail={"viewer": viewer}
    )
    db.session.commit()
    return redirect(url, code=303)


@bp.get("/v/download/<int:index>")
def download(index: int):
    """The study as a ZIP, streamed from the internal Orthanc, never held in memory."""
    share = _share_or_expired()
    if share is None:
        return _session_ended()
    study = _study(share, index)
    if study is None or not share.allow_download:
        return render_template("patient/not_found.html"), 404
    upstream = get_orthanc().open_study_archive(study.orthanc_study_id)
    record(AuditKind.DOWNLOADED, share, actor=ActorKind.RECIPIENT, detail={"study": index + 1})
    db.session.commit()

    def chunks():
        try:
            yield from upstream.iter_content(ARCHIVE_CHUNK)
        finally:
            upstream.close()

    date = (study.summary or {}).get("date") or "study"
    headers = {
        "Content-Disposition": f'attachment; filename="images-{date}-{index + 1}.zip"',
        "Cache-Control": "no-store",
    }
    if upstream.headers.get("Content-Length"):
        headers["Content-Length"] = upstream.headers["Content-Length"]
    return Response(stream_with_context(chunks()), mimetype="application/zip", headers=headers)


@bp.post("/v/sign-out")
def sign_out():
    # CSRFProtect has already checked the form's token before this runs.
    _share_or_expired()  # for its language: the goodbye page speaks like the pages before
    recipient.end()
    return render_template("patient/signed_out.html", message=_("You are signed out."))

"""Console routes that hand a new share's link over: printable handout, QR PNG and e-mail.

Each is a POST from the share-created page carrying the link secret, which the server
only knows as a hash: without the right secret these routes answer like an unknown share.
"""

from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask_login import current_user

from app.clinician import bp
from app.clinician.share_delivery_forms import HandoutForm, ShareEmailForm, ShareSecretForm
from app.orthanc.flask_client import get_orthanc
from app.shares.handout import handout_html
from app.shares.links import checked_access_code, share_link
from app.shares.mail import send_share_email
from app.shares.models import Share
from app.shares.qr import qr_png
from app.shares.queries import share_for_user
from app.shares.service import CreatedShare
from app.shares.tokens import secret_matches

NO_STORE = {"Cache-Control": "no-store"}


def _share_for_delivery(public_id: str, form: ShareSecretForm) -> Share:
    share = share_for_user(public_id, current_user)
    # A wrong secret gets the same answer as an unknown share: nothing to probe.
    if share is None or not secret_matches(share.secret_hash, form.secret.data or ""):
        abort(404, "There is no such share, or it is not yours.")
    if not share.is_live():
        abort(409, f"This share is {share.state().value}: its link no longer works.")
    return share


def _patient_name(share: Share) -> str | None:
    if not share.studies:
        return None
    study = get_orthanc().get_study(share.studies[0].source_orthanc_study_id)
    return study.patient.display_name or None


@bp.post("/shares/<public_id>/handout")
def share_handout(public_id: str):
    """A one-page printable handout in the recipient's language."""
    form = HandoutForm()
    share = _share_for_delivery(public_id, form)
    page = handout_html(
        share,
        share_link(form.secret.data),
        # Only the share's own code is printed, so paper never lies.
        access_code=checked_access_code(share, form.access_code.data),
        patient_name=_patient_name(share) if form.show_patient_name.data else None,
    )
    return page, 200, NO_STORE


@bp.post("/shares/<public_id>/qr.png")
def share_qr_png(public_id: str):
    """The link's QR code as a PNG download."""
    form = ShareSecretForm()
    share = _share_for_delivery(public_id, form)
    return Response(
        qr_png(share_link(form.secret.data)),
        mimetype="image/png",
        headers={
            **NO_STORE,
            "Content-Disposition": f"attachment; filename=studyshare-{share.public_id}.png",
        },
    )


@bp.post("/shares/<public_id>/email")
def share_email(public_id: str):
    """E-mail the link to the given address; the result page links back to the share."""
    form = ShareEmailForm()
    share = _share_for_delivery(public_id, form)
    if not form.validate():
        error = " ".join(form.recipient.errors) or "This form is not valid. Go back and retry."
        return _email_result(share, error=error), 400
    error = send_share_email(CreatedShare(share, form.secret.data, None), form.recipient.data)
    return _email_result(share, error=error, recipient=form.recipient.data), 502 if error else 200


def _email_result(share: Share, *, error: str | None, recipient: str | None = None) -> str:
    return render_template(
        "clinician/share_email_result.html",
        share=share,
        error=error,
        recipient=recipient,
        back_url=url_for("clinician.share_detail", public_id=share.public_id),
    )

"""The share e-mail: the link (the only secret in it) and a QR code, in the share's language."""

from __future__ import annotations

from email.utils import make_msgid
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import force_locale, gettext

from app.shares import mailer, wording
from app.shares.qr import qr_png

if TYPE_CHECKING:  # the share service sends this e-mail: no import back at run time
    from app.shares.service import CreatedShare


def send_share_email(created: CreatedShare, recipient: str | None = None) -> str | None:
    """Send the link; return None on success, else a message for the clinician (never raises)."""
    share = created.share
    address = recipient or share.recipient_email
    if not address:
        return "There is no e-mail address to send the link to."
    content_id = make_msgid("qr", domain="studyshare.invalid").strip("<>")
    logo = _logo_part()
    with force_locale(share.language):
        steps = [
            gettext("Open the link above, or scan the QR code with your phone's camera."),
            wording.challenge_step(share),
            wording.viewing_step(share),
        ]
        context = {
            "share": share,
            "link": created.link,
            "clinic": current_app.config["CLINIC_NAME"],
            "shared_by": wording.shared_by_sentence(share),
            "expiry": wording.expiry_sentence(share),
            "steps": [step for step in steps if step],
            "qr_cid": content_id,
            "logo_cid": logo.content_id if logo else None,
            "lang": share.language,
        }
    qr = mailer.Attachment("qr-code.png", "image/png", qr_png(created.link, box_size=6), content_id)
    return mailer.send(
        "share",
        to=address,
        share=share,
        context=context,
        language=share.language,
        attachments=[qr, logo] if logo else [qr],
    )


def _logo_part() -> mailer.Attachment | None:
    """CLINIC_LOGO as an inline part; mail clients do not show SVG, so it goes without."""
    logo = current_app.config["CLINIC_LOGO"]
    if logo is None or logo.mimetype == "image/svg+xml":
        return None
    try:
        with open(logo.path, "rb") as image:
            data = image.read()
    except OSError:  # removed since the start: the name and contact still say who sent it
        return None
    content_id = make_msgid("logo", domain="studyshare.invalid").strip("<>")
    extension = logo.mimetype.rpartition("/")[2]
    return mailer.Attachment(f"logo.{extension}", logo.mimetype, data, content_id)

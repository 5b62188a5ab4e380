"""The share e-mail: the link (the only secret in it) and a QR code, in the share's language."""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.utils import make_msgid
from typing import TYPE_CHECKING

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_mail import BadHeaderError, Connection, Message

from app.extensions import db
from app.shares import wording
from app.shares.audit import AuditKind, record
from app.shares.qr import qr_png

if TYPE_CHECKING:  # the share service sends this e-mail: no import back at run time
    from app.shares.service import CreatedShare

log = logging.getLogger(__name__)

# Flask-Mail waits forever by default; a silent mail server must not hang a console request.
DEFAULT_SMTP_TIMEOUT = 15.0


class _Connection(Connection):
    """Flask-Mail's connection with a timeout and verified TLS certificates."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        timeout = current_app.config.get("MAIL_TIMEOUT", DEFAULT_SMTP_TIMEOUT)
        # smtplib does not check certificates unless given a default context.
        context = ssl.create_default_context()
        host: smtplib.SMTP
        if state.use_ssl:
            host = smtplib.SMTP_SSL(state.server, state.port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(state.server, state.port, timeout=timeout)
        try:
            if state.use_tls:
                host.starttls(context=context)
            if state.username and state.password:
                host.login(state.username, state.password)
        except BaseException:
            host.close()  # Flask-Mail only closes connections it finished opening
            raise
        return host


def build_message(created: CreatedShare, recipient: str) -> Message:
    """The e-mail in the share's language: plain text and HTML, QR code inline."""
    share = created.share
    content_id = make_msgid("qr", domain="studyshare.invalid")
    with force_locale(share.language):
        clinic = current_app.config["CLINIC_NAME"]
        subject = gettext("Your medical images from %(clinic)s", clinic=clinic)
        steps = [
            gettext("Open the link above, or scan the QR code with your phone's camera."),
            wording.challenge_step(share),
            wording.viewing_step(share),
        ]
        context = {
            "share": share,
            "subject": subject,
            "link": created.link,
            "clinic": clinic,
            "shared_by": wording.shared_by_sentence(share),
            "expiry": wording.expiry_sentence(share),
            "steps": [step for step in steps if step],
            "qr_cid": content_id.strip("<>"),
            "lang": share.language,
        }
        message = Message(
            subject=subject,
            recipients=[recipient],
            body=render_template("email/share.txt", **context),
            html=render_template("email/share.html", **context),
            extra_headers={"Content-Language": share.language},
        )
        # Inline for the HTML part; clients that block images still list it as an attachment.
        message.attach(
            filename="qr-code.png",
            content_type="image/png",
            data=qr_png(created.link, box_size=6),
            disposition="inline",
            headers={"Content-ID": content_id},
        )
    return message


def send_share_email(created: CreatedShare, recipient: str | None = None) -> str | None:
    """Send the link; return None on success, else a message for the clinician (never raises)."""
    share = created.share
    address = recipient or share.recipient_email
    if not address:
        return "There is no e-mail address to send the link to."
    message = build_message(created, address)
    try:
        with _Connection(current_app.extensions["mail"]) as connection:
            connection.send(message)
    except (smtplib.SMTPException, OSError, BadHeaderError) as exc:
        log.warning("E-mail of share %s failed: %s", share.public_id, type(exc).__name__)
        record(AuditKind.EMAIL_FAILED, share, detail={"to": address, "error": type(exc).__name__})
        db.session.commit()
        return failure_message(exc)
    log.info("E-mail of share %s sent", share.public_id)
    record(AuditKind.EMAILED, share, detail={"to": address})
    db.session.commit()
    return None


def failure_message(exc: Exception) -> str:
    """What went wrong, in words a clinician can act on (never the server's raw answer)."""
    prefix = "The e-mail could not be sent: "
    if isinstance(exc, smtplib.SMTPRecipientsRefused | BadHeaderError):
        return prefix + "the mail server refused the recipient's address. Check it and retry."
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return prefix + "the mail server refused StudyShare's credentials. Tell your administrator."
    if isinstance(exc, ssl.SSLError | ssl.CertificateError):
        return prefix + "the secure connection to the mail server failed. Tell your administrator."
    # SMTPException derives from OSError: anything else from the socket means no answer.
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError) or not (
        isinstance(exc, smtplib.SMTPException)
    ):
        return prefix + "the mail server did not answer. Please try again later."
    return prefix + "the mail server refused it. Please try again later."

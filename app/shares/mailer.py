"""The one mailer: every e-mail is a template, sent through the chosen backend, then audited
and committed here, with failures worded for the clinician here.

An e-mail named `name` is `templates/email/<name>/subject.txt`, `body.txt` and, optionally,
`body.html`, rendered in the e-mail's language with the same context (plus `subject`).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from flask_babel import force_locale
from flask_mail import BadHeaderError, Message
from jinja2 import Template, TemplateNotFound

from app.extensions import db
from app.shares.audit import AuditKind, record
from app.shares.mail_backends import backend
from app.shares.models import Share

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    # Set for an inline part the HTML refers to as `cid:<content_id>`.
    content_id: str | None = None


def send(
    name: str,
    *,
    to: str,
    share: Share,
    context: Mapping[str, Any],
    language: str | None = None,
    attachments: Sequence[Attachment] = (),
    audit: Mapping[str, Any] | None = None,
) -> str | None:
    """Render and send an e-mail about `share`, audit the outcome and commit.

    Returns None when sent, else a message for the clinician (never raises for the mail
    server's faults). `audit` is added to the audit event's detail, next to the address.
    """
    message = build(name, to=to, context=context, language=language, attachments=attachments)
    detail = {"to": to, **(audit or {})}
    try:
        backend().send(message)
    except (smtplib.SMTPException, OSError, BadHeaderError) as exc:
        log.warning("E-mail %s of share %s failed: %s", name, share.public_id, type(exc).__name__)
        record(AuditKind.EMAIL_FAILED, share, detail={**detail, "error": type(exc).__name__})
        db.session.commit()
        return failure_message(exc)
    log.info("E-mail %s of share %s sent", name, share.public_id)
    record(AuditKind.EMAILED, share, detail=detail)
    db.session.commit()
    return None


def build(
    name: str,
    *,
    to: str,
    context: Mapping[str, Any],
    language: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> Message:
    """The message of e-mail `name`, from its templates, in `language` when given."""
    with force_locale(language) if language else nullcontext():
        subject = " ".join(render_template(f"email/{name}/subject.txt", **context).split())
        values = {**context, "subject": subject}
        body = render_template(f"email/{name}/body.txt", **values)
        html_template = _optional_template(f"email/{name}/body.html")
        html = render_template(html_template, **values) if html_template else None
    message = Message(
        subject=subject,
        recipients=[to],
        body=body,
        html=html,
        extra_headers={"Content-Language": language} if language else None,
    )
    for attachment in attachments:
        # Inline for the HTML part; clients that block images still list it as an attachment.
        cid = attachment.content_id
        message.attach(
            filename=attachment.filename,
            content_type=attachment.content_type,
            data=attachment.data,
            disposition="inline" if cid else "attachment",
            headers={"Content-ID": f"<{cid}>"} if cid else None,
        )
    return message


def _optional_template(name: str) -> Template | None:
    # Only a missing file means "no HTML": a broken include inside one must still fail.
    try:
        return current_app.jinja_env.get_template(name)
    except TemplateNotFound:
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

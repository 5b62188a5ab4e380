"""Where e-mails go: one interface, an SMTP backend (Flask-Mail) and a console backend.

MAIL_BACKEND picks one (warehouse's IEmailSender shape); `app.shares.mailer` is the
only caller. A backend delivers a finished message or raises the error of its transport.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
import ssl
from datetime import UTC, datetime
from typing import Protocol

from flask import current_app
from flask_mail import BadHeaderError, Connection, Message

log = logging.getLogger(__name__)


class MailBackend(Protocol):
    def send(self, message: Message) -> None:
        """Deliver the message; raise smtplib.SMTPException, OSError or BadHeaderError."""


class _Connection(Connection):
    """Flask-Mail's connection with a timeout and verified TLS certificates."""

    def configure_host(self) -> smtplib.SMTP:
        state = self.mail
        # Flask-Mail waits forever by default; a silent server must not hang a request.
        timeout = current_app.config["MAIL_TIMEOUT"]
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


class SmtpBackend:
    """The MAIL_SERVER of the settings, through Flask-Mail (which MAIL_SUPPRESS_SEND mutes)."""

    def send(self, message: Message) -> None:
        with _Connection(current_app.extensions["mail"]) as connection:
            connection.send(message)


class ConsoleBackend:
    """Nothing leaves the machine: each message goes whole to a file under instance/mail/,
    and the log says which file, with the subject only.

    The log gets no body: the link is a secret, and the clinician's note or the address may
    be patient data that no redaction pattern recognises. instance/ is git-ignored and
    already holds the development database, which carries the same data.
    """

    def send(self, message: Message) -> None:
        if message.has_bad_headers():  # refused as Flask-Mail refuses it (header injection)
            raise BadHeaderError
        folder = os.path.join(current_app.instance_path, "mail")
        os.makedirs(folder, mode=0o700, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = os.path.join(folder, f"{stamp}-{secrets.token_hex(4)}.eml")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(message.as_bytes())
        log.info("E-mail not sent (MAIL_BACKEND=console): %r written to %s", message.subject, path)


BACKENDS: dict[str, type[MailBackend]] = {
    "smtp": SmtpBackend,
    "console": ConsoleBackend,
}


def backend() -> MailBackend:
    """The backend MAIL_BACKEND names (checked at start; backends hold no state)."""
    return BACKENDS[current_app.config["MAIL_BACKEND"]]()

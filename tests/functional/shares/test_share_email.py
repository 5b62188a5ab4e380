"""The share e-mail, sent through Flask-Mail to a real SMTP server, in en, fr and de."""

import socket
from datetime import datetime

import pytest
from babel.dates import format_date

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.mail import send_share_email
from app.shares.models import ChallengeKind, Share
from app.shares.service import CreatedShare
from tests.fixtures.smtp import free_port
from tests.functional.shares.conftest import CLINIC, audit_events, decode_qr, link_of

RECIPIENT = "patient@example.net"
SHARE_PASSWORD = "Orange-Tulip-4471"

WORDS = {
    "en": {
        "subject": f"Your medical images from {CLINIC}",
        "body": [
            "Hello,",
            "Dr Anna Weber (Clinique du Lac) has shared medical images with you.",
            "To see them, open this link:",
            "This link expires on {date}.",
            "enter the password: the clinic gives it to you separately",
            "Message from your clinic:",
        ],
    },
    "fr": {
        "subject": f"Vos images médicales – {CLINIC}",  # noqa: RUF001  (French typography)
        "body": [
            "Bonjour,",
            "Dr Anna Weber (Clinique du Lac) a partagé des images médicales avec vous.",
            "Pour les voir, ouvrez ce lien",
            "Ce lien expire le {date}.",
            "saisissez le mot de passe",
            "Message de votre clinique",
        ],
    },
    "de": {
        "subject": f"Ihre medizinischen Bilder von {CLINIC}",
        "body": [
            "Guten Tag,",
            "Dr Anna Weber (Clinique du Lac) hat medizinische Bilder mit Ihnen geteilt.",
            "Um sie anzusehen, öffnen Sie diesen Link:",
            "Dieser Link läuft am {date} ab.",
            "geben Sie das Passwort ein",
            "Nachricht Ihrer Klinik:",
        ],
    },
}


@pytest.fixture
def weber(make_user):
    return make_user("weber@example.org", name="Dr Anna Weber")


def send(app, created: CreatedShare, recipient: str | None = RECIPIENT) -> str | None:
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        return send_share_email(CreatedShare(share, created.secret, None), recipient)


def parts(message) -> dict[str, object]:
    """The message's leaf parts by content type."""
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_the_email_is_written_in_the_share_language(
    app, make_share, ct_study_id, weber, smtp_sink, language
):
    created = make_share(
        [ct_study_id],
        owner=weber,
        language=language,
        challenge=ChallengeKind.PASSWORD,
        password=SHARE_PASSWORD,
        note="Please bring this to your next appointment.",
    )
    assert send(app, created) is None

    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == [RECIPIENT]
    message = delivery.message
    assert message["Subject"] == WORDS[language]["subject"]
    assert message["To"] == RECIPIENT
    assert message["Content-Language"] == language
    date = format_date(created.share.expires_at.date(), "long", locale=language)
    text = parts(message)["text/plain"].get_content()
    html = parts(message)["text/html"].get_content().replace("&#39;", "'")
    for words in WORDS[language]["body"]:
        assert words.format(date=date) in text
        assert words.format(date=date) in html
    for body in (text, html):
        assert link_of(app, created) in body
        assert CLINIC in body
        assert "Please bring this to your next appointment." in body
    assert f'<html lang="{language}">' in html


def test_html_and_text_alternatives_with_an_inline_qr_code(
    app, make_share, ct_study_id, smtp_sink, tmp_path
):
    created = make_share([ct_study_id])
    send(app, created)
    message = smtp_sink.messages[0]

    assert message.get_content_type() == "multipart/mixed"
    alternative, image = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == ["text/plain", "text/html"]
    assert image.get_content_type() == "image/png"
    assert image.get_content_disposition() == "inline"
    content_id = image["Content-ID"].strip("<>")
    assert f'src="cid:{content_id}"' in alternative.get_payload()[1].get_content()
    assert decode_qr(image.get_content(), tmp_path) == link_of(app, created)


def test_the_link_is_the_only_secret_in_the_email(app, make_share, ct_study_id, smtp_sink):
    created = make_share(
        [ct_study_id],
        challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD,
        password=SHARE_PASSWORD,
        access_code=True,
    )
    send(app, created)
    message = smtp_sink.messages[0]
    readable = "\n".join(
        [str(message)]
        + [part.get_content() for part in message.walk() if part.get_content_maintype() == "text"]
    )
    assert link_of(app, created) in readable
    forbidden = [
        SHARE_PASSWORD,
        created.access_code,
        created.access_code.replace("-", ""),
        "MÜLLER",
        "Müller",
        "HANS",
        "SS-DEMO-0001",  # patient id
        "1958",  # birth year
        "CT THORAX",
        "DEMO0001",
    ]
    for secret in forbidden:
        assert secret.lower() not in readable.lower(), secret
    assert "the patient&#39;s date of birth" in readable  # the question, never the answer


def test_a_share_that_never_expires_says_so(app, make_share, ct_study_id, smtp_sink):
    created = make_share([ct_study_id], language="fr")
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        share.expires_at = None
        db.session.commit()
    send(app, created)
    text = parts(smtp_sink.messages[0])["text/plain"].get_content()
    assert "Ce lien n’expire pas" in text  # noqa: RUF001  (French typography)


def test_success_is_audited_with_the_address(app, make_share, ct_study_id, smtp_sink):
    created = make_share([ct_study_id], recipient_email="first@example.net")
    assert send(app, created, recipient=None) is None
    assert smtp_sink.deliveries[0].rcpt_tos == ["first@example.net"]
    [event] = audit_events(app, created, AuditKind.EMAILED)
    assert event.detail == {"to": "first@example.net"}


def test_smtp_down_gives_a_clear_message_and_an_audit_row(
    app, make_share, ct_study_id, smtp_sink, monkeypatch
):
    created = make_share([ct_study_id])
    monkeypatch.setattr(app.extensions["mail"], "port", free_port())  # nobody listens there

    message = send(app, created)

    assert message == (
        "The e-mail could not be sent: the mail server did not answer. Please try again later."
    )
    assert smtp_sink.deliveries == []
    [event] = audit_events(app, created, AuditKind.EMAIL_FAILED)
    assert event.detail == {"to": RECIPIENT, "error": "ConnectionRefusedError"}
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        assert share.is_live()
        assert share.secret_hash == created.share.secret_hash
    assert audit_events(app, created, AuditKind.EMAILED) == []


def test_a_silent_mail_server_times_out(app, make_share, ct_study_id, monkeypatch):
    created = make_share([ct_study_id])
    with socket.socket() as silent:  # accepts connections, never greets
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        monkeypatch.setattr(app.extensions["mail"], "port", silent.getsockname()[1])
        app.config["MAIL_TIMEOUT"] = 0.5
        message = send(app, created)
    assert "the mail server did not answer" in message
    [event] = audit_events(app, created, AuditKind.EMAIL_FAILED)
    assert event.detail["error"] == "SMTPServerDisconnected"  # smtplib wraps the timeout


def test_a_refused_address_is_reported_as_such(app, make_share, ct_study_id, smtp_sink):
    created = make_share([ct_study_id])
    smtp_sink.unknown_recipients.add(RECIPIENT)
    assert send(app, created) == (
        "The e-mail could not be sent: the mail server refused the recipient's address. "
        "Check it and retry."
    )
    [event] = audit_events(app, created, AuditKind.EMAIL_FAILED)
    assert event.detail == {"to": RECIPIENT, "error": "SMTPRecipientsRefused"}


def test_without_any_address_nothing_is_sent(app, make_share, ct_study_id, smtp_sink):
    created = make_share([ct_study_id])
    assert send(app, created, recipient=None) == "There is no e-mail address to send the link to."
    assert smtp_sink.deliveries == []


def test_expiry_dates_are_written_per_language():
    # The expected strings of the tests above come from Babel: pin what they look like.
    moment = datetime(2025, 3, 14)
    assert format_date(moment, "long", locale="en") == "March 14, 2025"
    assert format_date(moment, "long", locale="fr") == "14 mars 2025"
    assert format_date(moment, "long", locale="de") == "14. März 2025"

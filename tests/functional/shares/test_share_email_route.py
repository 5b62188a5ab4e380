"""Sending the share e-mail from the console, to the real SMTP sink or to a closed port."""

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.models import Share
from tests.fixtures.smtp import free_port
from tests.functional.shares.conftest import audit_events, link_of, secret_form


def email(client, created, recipient):
    return client.post(
        f"/shares/{created.share.public_id}/email", data=secret_form(created, recipient=recipient)
    )


def test_the_email_goes_to_the_given_address(app, logged_in_client, doctor_share, smtp_sink):
    created = doctor_share(recipient_email="stored@example.net")
    response = email(logged_in_client, created, " Someone@Example.NET ")

    assert response.status_code == 200
    assert "The link was e-mailed to Someone@example.net." in response.text
    assert f'href="/shares/{created.share.public_id}"' in response.text
    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == ["Someone@example.net"]
    assert link_of(app, created) in delivery.message.get_body(("plain",)).get_content()
    [event] = audit_events(app, created, AuditKind.EMAILED)
    assert event.detail == {"to": "Someone@example.net"}
    assert event.actor_user_id is not None


def test_an_invalid_address_is_refused_before_sending(logged_in_client, doctor_share, smtp_sink):
    created = doctor_share()
    response = email(logged_in_client, created, "not an address")
    assert response.status_code == 400
    assert "This e-mail address is not valid." in response.text
    assert smtp_sink.deliveries == []


def test_smtp_down_is_a_502_page_and_the_share_survives(
    app, logged_in_client, doctor_share, smtp_sink, monkeypatch
):
    created = doctor_share()
    monkeypatch.setattr(app.extensions["mail"], "port", free_port())

    response = email(logged_in_client, created, "patient@example.net")

    assert response.status_code == 502
    assert "the mail server did not answer" in response.text
    assert "its link still works" in response.text
    assert f'href="/shares/{created.share.public_id}"' in response.text
    [event] = audit_events(app, created, AuditKind.EMAIL_FAILED)
    assert event.detail == {"to": "patient@example.net", "error": "ConnectionRefusedError"}
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        assert share.is_live()
    assert link_of(app, created) not in response.text

"""'Tell me when it is opened': the owner hears of the first open and of a lockout."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind


@pytest.fixture
def app_env(app_env, smtp_sink):
    return {**app_env, **smtp_sink.settings}


def test_first_open_and_lockout_are_e_mailed_to_the_owner(
    app, client, make_share, make_user, demo_study, smtp_sink
):
    owner = make_user("owner@example.org")
    study = demo_study("DEMO0004").orthanc_id
    created = make_share(
        [study], owner=owner, challenge=ChallengeKind.BIRTH_DATE, notify_owner=True
    )
    client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    app.test_client().post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    assert len(smtp_sink.messages) == 1  # the first open only
    opened = smtp_sink.messages[0]
    assert opened["To"] == "owner@example.org"
    assert "was opened" in opened["Subject"]
    body = opened.get_content()
    assert f"/shares/{created.share.public_id}" in body
    assert created.secret not in body
    assert "DOE" not in body

    for _ in range(5):
        client.post(f"/s/{created.secret}", data={"birth_date": "01/01/1900"})
    assert len(smtp_sink.messages) == 2
    assert "is locked" in smtp_sink.messages[1]["Subject"]
    with app.app_context():
        notices = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "emailed")).all()
        assert sorted(e.detail["notice"] for e in notices) == ["locked", "opened"]


def test_no_notice_unless_asked(client, make_share, demo_study, smtp_sink):
    created = make_share([demo_study("DEMO0008").orthanc_id])
    client.post(f"/s/{created.secret}")
    assert smtp_sink.messages == []


def test_a_failing_mail_server_does_not_bother_the_recipient(
    app, client, make_share, make_user, demo_study
):
    app.config["MAIL_PORT"] = 9
    app.extensions["mail"].port = 9
    owner = make_user("owner@example.org")
    created = make_share([demo_study("DEMO0008").orthanc_id], owner=owner, notify_owner=True)
    response = client.post(f"/s/{created.secret}")
    assert response.status_code == 303
    with app.app_context():
        failed = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "email_failed"))
        assert failed.detail["notice"] == "opened"

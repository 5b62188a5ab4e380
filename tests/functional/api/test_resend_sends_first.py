"""Resending a link with the mail server down: the console, the CLI and the API send first,
and change nothing when the mail does not go (one function: lifecycle.new_link)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.users.models import User
from tests.fixtures.smtp import free_port, mail_settings
from tests.functional.api.conftest import smallest_create

PATIENT = "pat@example.org"
NO_ANSWER = "the mail server did not answer"


@pytest.fixture
def app_env(app_env):
    # Nobody listens on this port: the connection is refused, as with a mail server down.
    return {**app_env, **mail_settings("127.0.0.1", free_port())}


def kinds(app, share_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.kind)
                .where(AuditEvent.share_id == share_id)
                .order_by(AuditEvent.id)
            )
        )


def secret_hash(app, share_id: int) -> str:
    with app.app_context():
        return db.session.get(Share, share_id).secret_hash


@pytest.fixture
def doctors_share(app, logged_in_client, make_share, demo_study):
    with app.app_context():
        doctor = User.find_by_email("doctor@example.org")
    return make_share(
        [demo_study("DEMO0001").orthanc_id], owner=doctor, recipient_email=PATIENT, access_code=True
    )


def test_the_api_answers_502_and_the_old_link_still_works(app, client, api_key, demo_study):
    body = {**smallest_create(demo_study("DEMO0001").orthanc_id), "email": PATIENT}
    made = client.post("/api/v1/shares", json=body, headers=api_key.headers)
    assert made.status_code == 201
    assert NO_ANSWER in made.json["email_error"]  # the share exists all the same
    answer = client.post(f"/api/v1/shares/{made.json['id']}/resend", headers=api_key.headers)
    assert answer.status_code == 502
    assert answer.mimetype == "application/problem+json"
    assert NO_ANSWER in answer.json["detail"]
    base = app.config["PUBLIC_BASE_URL"]
    assert client.get(made.json["link"].removeprefix(base)).status_code == 200
    with app.app_context():
        share_id = Share.by_public_id(made.json["id"]).id
    assert AuditKind.LINK_REGENERATED.value not in kinds(app, share_id)


def test_the_console_says_so_and_keeps_the_link(app, logged_in_client, doctors_share):
    share = doctors_share.share
    before = secret_hash(app, share.id)
    page = logged_in_client.post(
        f"/shares/{share.public_id}/new-link",
        data={"confirmed": "yes", "resend": "1"},
        follow_redirects=True,
    )
    assert page.status_code == 200
    assert NO_ANSWER in page.text
    assert "the old one still works" in page.text
    assert secret_hash(app, share.id) == before
    assert kinds(app, share.id)[-1] == AuditKind.EMAIL_FAILED.value
    assert logged_in_client.get(f"/s/{doctors_share.secret}").status_code == 200


def test_the_cli_fails_and_keeps_the_link_and_code(app, runner, doctors_share):
    share = doctors_share.share
    before = secret_hash(app, share.id)
    result = runner.invoke(args=["shares", "new-link", share.public_id, "--email", "--json"])
    assert result.exit_code == 1
    assert NO_ANSWER in result.output
    assert secret_hash(app, share.id) == before
    code = app.test_client().post("/code", data={"code": doctors_share.access_code})
    assert code.status_code in (302, 303)

"""A recipient's unlock is a server-side session: sign-out, revocation and timeouts end it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from app.shares.models import ChallengeKind
from app.web_sessions import SessionKind
from tests.fixtures.shares import share_in_app
from tests.functional.sessions.conftest import (
    RECIPIENT_COOKIE,
    copied,
    count_sessions,
    log_in,
    move_sessions,
)

ENDED = "Your session has ended"


def unlock(client: FlaskClient, secret: str) -> None:
    response = client.post(f"/s/{secret}", data={"birth_date": "29/02/1972"})
    assert response.status_code == 303
    assert client.get("/v/").status_code == 200


def assert_ended(client: FlaskClient) -> None:
    home = client.get("/v/")
    assert home.status_code == 401
    assert ENDED in home.text
    assert "US ABDOMEN" not in home.text
    download = client.get("/v/download/0")
    assert download.status_code == 401
    assert download.mimetype == "text/html"
    gateway = client.get("/dicom-web/studies")
    assert gateway.status_code == 401
    assert gateway.json["message"] == "Open your link again to view the images."


@pytest.fixture
def make_doe_share(make_share, demo_study, doctor):
    """A birth-date share of Jane Doe's US study, owned by `doctor`."""
    study_id = demo_study("DEMO0004").orthanc_id
    return lambda: make_share([study_id], owner=doctor, challenge=ChallengeKind.BIRTH_DATE)


@pytest.fixture
def doe_share(make_doe_share):
    return make_doe_share()


def test_a_cookie_copied_before_sign_out_is_refused_after_it(each_database_app, demo_study):
    """Pages, downloads and the DICOMweb gateway, on SQLite and PostgreSQL."""
    created = share_in_app(
        each_database_app, [demo_study("DEMO0004").orthanc_id], challenge=ChallengeKind.BIRTH_DATE
    )
    client = each_database_app.test_client()
    unlock(client, created.secret)
    thief = copied(each_database_app, client, RECIPIENT_COOKIE)
    assert thief.get("/dicom-web/studies").status_code == 200
    assert thief.get("/v/download/0").status_code == 200

    assert client.post("/v/sign-out").status_code == 200
    assert_ended(thief)
    assert_ended(client)
    assert count_sessions(each_database_app, SessionKind.RECIPIENT) == 0


def test_revoking_the_share_ends_its_recipients_sessions(app, doe_share, make_doe_share, doctor):
    other = make_doe_share()
    recipient, bystander = app.test_client(), app.test_client()
    unlock(recipient, doe_share.secret)
    unlock(bystander, other.secret)
    clinician = app.test_client()
    log_in(clinician, doctor.email)

    assert (
        clinician.post(
            f"/shares/{doe_share.share.public_id}/revoke", data={"confirmed": "yes"}
        ).status_code
        == 302
    )
    assert count_sessions(app, SessionKind.RECIPIENT, share_id=doe_share.share.id) == 0
    assert_ended(recipient)
    assert count_sessions(app, SessionKind.RECIPIENT, share_id=other.share.id) == 1
    assert bystander.get("/v/").status_code == 200


def test_an_idle_recipient_session_ends(app, client, doe_share):
    unlock(client, doe_share.secret)
    move_sessions(app, last_seen_at=timedelta(minutes=29))
    assert client.get("/dicom-web/studies").status_code == 200  # moves the idle timeout on
    move_sessions(app, last_seen_at=timedelta(minutes=31))
    assert_ended(client)


def test_a_recipient_session_ends_at_its_absolute_expiry(app, client, doe_share):
    unlock(client, doe_share.secret)
    move_sessions(app, expires_at=timedelta(seconds=1))
    assert_ended(client)


def test_the_cookie_carries_only_the_token(client, doe_share):
    unlock(client, doe_share.secret)
    with client.session_transaction("/v/") as session:
        assert set(session) == {"recipient"}
        assert doe_share.share.public_id not in str(dict(session))


def test_unlocking_again_replaces_the_browsers_session(app, client, doe_share):
    unlock(client, doe_share.secret)
    before = copied(app, client, RECIPIENT_COOKIE)
    unlock(client, doe_share.secret)
    assert count_sessions(app, SessionKind.RECIPIENT) == 1
    assert before.get("/v/").status_code == 401

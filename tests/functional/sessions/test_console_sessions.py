"""Console logins are server-side sessions: logout, timeouts and password changes end them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.web_sessions import SessionKind, WebSession
from tests.fixtures.app import PASSWORD
from tests.functional.sessions.conftest import (
    CONSOLE_COOKIE,
    copied,
    count_sessions,
    log_in,
    move_sessions,
    sends_to_login,
    user_in_app,
)

NEW_PASSWORD = "a brand new passphrase 42"


def test_a_cookie_copied_before_logout_is_refused_after_it(each_database_app):
    """On SQLite and PostgreSQL alike: logout ends the session itself, not just the cookie."""
    client = each_database_app.test_client()
    log_in(client, user_in_app(each_database_app).email)
    thief = copied(each_database_app, client, CONSOLE_COOKIE)
    assert not sends_to_login(thief)

    client.post("/logout")
    assert sends_to_login(thief)
    assert sends_to_login(client)
    assert count_sessions(each_database_app, SessionKind.CONSOLE) == 0


def test_only_the_token_hash_is_stored(app, client, doctor):
    log_in(client, doctor.email)
    with client.session_transaction() as session:
        token = session["console_session"]
    with app.app_context():
        stored = db.session.scalar(select(WebSession))
    assert stored.token_hash != token
    assert len(stored.token_hash) == 64
    assert (stored.kind, stored.user_id, stored.persistent) == ("console", doctor.id, False)
    hours = (stored.expires_at - stored.created_at) / timedelta(hours=1)
    assert hours == pytest.approx(8)


def test_an_idle_session_ends(app, client, doctor):
    log_in(client, doctor.email)
    move_sessions(app, last_seen_at=timedelta(minutes=59))
    assert not sends_to_login(client)  # and the request moves the idle timeout on
    move_sessions(app, last_seen_at=timedelta(minutes=61))
    assert sends_to_login(client)


def test_a_session_ends_at_its_absolute_expiry(app, client, doctor):
    log_in(client, doctor.email)
    move_sessions(app, expires_at=timedelta(seconds=1))
    assert sends_to_login(client)


def test_last_seen_is_written_at_most_once_a_minute(app, client, doctor):
    log_in(client, doctor.email)

    def last_seen():
        with app.app_context():
            return db.session.scalar(select(WebSession.last_seen_at))

    move_sessions(app, last_seen_at=timedelta(seconds=30))
    before = last_seen()
    assert not sends_to_login(client)
    assert last_seen() == before
    move_sessions(app, last_seen_at=timedelta(minutes=5))
    assert not sends_to_login(client)
    assert datetime.now(UTC) - last_seen() < timedelta(seconds=30)


def test_changing_ones_password_ends_the_other_sessions_only(app, doctor):
    here, elsewhere = app.test_client(), app.test_client()
    log_in(here, doctor.email)
    log_in(elsewhere, doctor.email)
    thief = copied(app, here, CONSOLE_COOKIE)  # the cookie as it was before the change
    change = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert here.post("/account/password", data=change).status_code == 302

    assert not sends_to_login(here)
    assert sends_to_login(elsewhere)
    assert sends_to_login(thief)  # this browser goes on in a new session, not the old one
    assert count_sessions(app, SessionKind.CONSOLE, user_id=doctor.id) == 1


def test_a_login_does_not_end_the_other_sessions(app, doctor):
    first, second = app.test_client(), app.test_client()
    log_in(first, doctor.email)
    log_in(second, doctor.email)
    assert not sends_to_login(first)
    assert count_sessions(app, SessionKind.CONSOLE, user_id=doctor.id) == 2

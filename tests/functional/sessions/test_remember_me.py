""" "Keep me logged in": a longer server-side session in a cookie that outlives the browser."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.web_sessions import WebSession
from tests.functional.sessions.conftest import (
    CONSOLE_COOKIE,
    copied,
    log_in,
    move_sessions,
    sends_to_login,
)


def console_set_cookie(response) -> str:
    headers = response.headers.getlist("Set-Cookie")
    assert not [
        h for h in headers if h.startswith("remember_token=") and "Expires=Thu, 01" not in h
    ]
    (header,) = [h for h in headers if h.startswith(f"{CONSOLE_COOKIE}=")]
    return header


def cookie_expiry(header: str) -> datetime | None:
    for part in header.split(";"):
        name, _, value = part.strip().partition("=")
        if name.lower() == "expires":
            return datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=UTC)
    return None


def signed_hours_ago(flask_app: Flask, client: FlaskClient, hours: float) -> FlaskClient:
    """A browser whose console cookie was last written `hours` ago (same content)."""
    interface = flask_app.session_interface
    value = client.get_cookie(CONSOLE_COOKIE).value
    with flask_app.app_context():
        data = interface.get_signing_serializer(flask_app).loads(value)

    class SignedThen(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() - hours * 3600)

    old = URLSafeTimedSerializer(
        flask_app.secret_key,
        salt=interface.salt,
        serializer=interface.serializer,
        signer=SignedThen,
        signer_kwargs={
            "key_derivation": interface.key_derivation,
            "digest_method": interface.digest_method,
        },
    )
    browser = flask_app.test_client()
    browser.set_cookie(CONSOLE_COOKIE, old.dumps(data))
    return browser


def test_remember_me_outlives_the_browser_but_not_logout(app, doctor):
    client = app.test_client()
    header = console_set_cookie(log_in(client, doctor.email, remember="y"))
    expiry = cookie_expiry(header)
    assert expiry is not None  # a permanent cookie: it survives closing the browser
    assert expiry - datetime.now(UTC) == pytest.approx(timedelta(days=30), abs=timedelta(minutes=1))
    with app.app_context():
        stored = db.session.scalar(select(WebSession))
        assert stored.persistent
        assert stored.expires_at - stored.created_at == timedelta(days=30)

    reopened = signed_hours_ago(app, client, hours=20)  # the next morning, past 8 hours
    move_sessions(app, last_seen_at=timedelta(hours=20))  # no idle timeout either
    assert not sends_to_login(reopened)

    thief = copied(app, client, CONSOLE_COOKIE)
    client.post("/logout")
    assert sends_to_login(thief)
    assert sends_to_login(reopened)


def test_without_remember_me_the_cookie_ends_with_the_browser(app, doctor):
    client = app.test_client()
    header = console_set_cookie(log_in(client, doctor.email))
    assert cookie_expiry(header) is None
    assert sends_to_login(signed_hours_ago(app, client, hours=9))
    assert not sends_to_login(signed_hours_ago(app, client, hours=1))

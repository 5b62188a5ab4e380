"""Helpers for server-side sessions: copy a cookie to another browser, age the rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from app.extensions import db
from app.users.models import User
from app.web_sessions import SessionKind, WebSession
from tests.fixtures.app import PASSWORD

CONSOLE_COOKIE = "studyshare"
RECIPIENT_COOKIE = "studyshare-recipient"


def copied(flask_app: Flask, source: FlaskClient, name: str) -> FlaskClient:
    """Another browser holding a copy of `source`'s cookie `name` (as a thief would)."""
    thief = flask_app.test_client()
    thief.set_cookie(name, source.get_cookie(name).value)
    return thief


def user_in_app(flask_app: Flask, email: str = "doctor@example.org", **fields) -> User:
    """A user with PASSWORD in an app of its own (not the `app` fixture's), detached."""
    with flask_app.app_context():
        user = User(email=email, name="Dr Example", **fields)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


def log_in(client: FlaskClient, email: str, **extra: str):
    response = client.post("/login", data={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 302, response.text
    return response


def count_sessions(flask_app: Flask, kind: SessionKind, **where: int) -> int:
    with flask_app.app_context():
        query = select(func.count()).select_from(WebSession).where(WebSession.kind == kind.value)
        for column, value in where.items():
            query = query.where(getattr(WebSession, column) == value)
        return db.session.scalar(query)


def move_sessions(flask_app: Flask, **ago: timedelta) -> None:
    """Set every session's `last_seen_at` / `expires_at` to that long before now."""
    now = datetime.now(UTC)
    with flask_app.app_context():
        db.session.execute(update(WebSession).values({k: now - v for k, v in ago.items()}))
        db.session.commit()


def sends_to_login(client: FlaskClient) -> bool:
    response = client.get("/shares")
    if response.status_code == 200:
        return False
    assert response.status_code == 302
    return response.headers["Location"].startswith("/login")


@pytest.fixture
def doctor(make_user):
    return make_user("doctor@example.org")

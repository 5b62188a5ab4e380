"""The database goes away while people hold cookies: the 503 page, or JSON for programs.

The cookies come from the test app (a real login, a real recipient session); a second app
with the same secret key and an unreachable PostgreSQL then answers them.
"""

from __future__ import annotations

import base64
import logging

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from app.shares.models import ChallengeKind, Share
from app.shares.viewer_tokens import mint_viewer_token
from config import TestConfig
from tests.fixtures.app import PASSWORD
from tests.fixtures.postgres import unreachable_database_url

DOWN = "The database is not available right now."
AUTHZ_USER, AUTHZ_PASSWORD = "orthanc-plugin", "plugin-password-for-tests"


@pytest.fixture
def app_env(app_env):
    return {**app_env, "AUTHZ_USERNAME": AUTHZ_USER, "AUTHZ_PASSWORD": AUTHZ_PASSWORD}


@pytest.fixture
def database_down(app_env) -> Flask:
    """The same StudyShare (same SECRET_KEY, so the same cookies) without its database."""
    return create_app(TestConfig({**app_env, "DATABASE_URL": unreachable_database_url()}))


def moved_to(flask_app: Flask, source, *names: str):
    """A client of `flask_app` holding `source`'s cookies of these names."""
    client = flask_app.test_client()
    for name in names:
        client.set_cookie(name, source.get_cookie(name).value)
    return client


def assert_logged_without_traceback(caplog) -> None:
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [r.getMessage() for r in failures] == ["Database unavailable: OperationalError"] * len(
        failures
    )
    assert failures
    assert all(r.exc_info is None for r in failures)


@pytest.mark.parametrize("path", ["/", "/shares", "/admin/users", "/account/password"])
def test_a_console_cookie_gets_the_503_page(logged_in_client, database_down, caplog, path):
    client = moved_to(database_down, logged_in_client, "studyshare")
    response = client.get(path)
    assert response.status_code == 503
    assert "text/html" in response.content_type
    assert DOWN in response.text
    assert "Traceback" not in response.text
    assert_logged_without_traceback(caplog)
    # The login survives the outage: the cookie is neither cleared nor replaced.
    assert "Set-Cookie" not in response.headers
    assert logged_in_client.get("/shares").status_code == 200


def test_a_console_form_post_gets_the_503_page(logged_in_client, database_down):
    client = moved_to(database_down, logged_in_client, "studyshare")
    response = client.post("/logout")
    assert response.status_code == 503
    assert DOWN in response.text


def test_a_login_without_a_cookie_gets_the_503_page(database_down):
    database_down.config["WTF_CSRF_ENABLED"] = False  # as if the form's token were good
    response = database_down.test_client().post(
        "/login", data={"email": "doctor@example.org", "password": "whatever it is"}
    )
    assert response.status_code == 503
    assert DOWN in response.text


@pytest.fixture
def doe_share(make_share, demo_study):
    return make_share([demo_study("DEMO0004").orthanc_id], challenge=ChallengeKind.BIRTH_DATE)


@pytest.fixture
def recipient_client(client, doe_share):
    opened = client.post(f"/s/{doe_share.secret}", data={"birth_date": "29/02/1972"})
    assert opened.status_code == 303
    assert client.get("/v/").status_code == 200
    return client


@pytest.mark.parametrize("path", ["/v/", "/v/studies/0", "/v/download/0"])
def test_a_recipient_cookie_gets_the_503_page(recipient_client, database_down, caplog, path):
    client = moved_to(database_down, recipient_client, "studyshare-recipient")
    response = client.get(path)
    assert response.status_code == 503
    assert "text/html" in response.content_type
    assert DOWN in response.text
    assert_logged_without_traceback(caplog)


def test_a_cookie_of_each_kind_at_once_gets_the_503_page(
    recipient_client, make_user, database_down
):
    user = make_user()
    recipient_client.post("/login", data={"email": user.email, "password": PASSWORD})
    client = moved_to(database_down, recipient_client, "studyshare", "studyshare-recipient")
    for path in ("/shares", "/v/"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert DOWN in response.text


def test_the_gateway_answers_json(recipient_client, database_down):
    client = moved_to(database_down, recipient_client, "studyshare-recipient")
    response = client.get("/dicom-web/studies")
    assert response.status_code == 503
    assert response.json == {"error": "Service unavailable", "message": DOWN}


def test_the_token_service_answers_json(app, doe_share, database_down):
    with app.app_context():
        token = mint_viewer_token(db.session.get(Share, doe_share.share.id))
    credentials = base64.b64encode(f"{AUTHZ_USER}:{AUTHZ_PASSWORD}".encode()).decode()
    response = database_down.test_client().post(
        "/auth/tokens/decode",
        json={"token-value": token},
        headers={"Authorization": f"Basic {credentials}"},
    )
    assert response.status_code == 503
    assert response.json == {"error": "Service unavailable", "message": DOWN}

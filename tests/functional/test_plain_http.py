"""Secure cookies and a browser on plain http: a page that says HTTPS is needed, and a log.

Browsers never send a Secure cookie back over http, so a login could only end on "This form
has expired". A browser drops the cookie; here the form is posted from a second client that
never had it, which is what the server sees.
"""

from __future__ import annotations

import logging

import pytest
from flask import Flask

from app import create_app
from app.extensions import db
from config import TestConfig
from tests.fixtures.app import PASSWORD

CONSOLE_NEEDS_HTTPS = "The StudyShare console needs HTTPS"
PATIENT_NEEDS_HTTPS = "This page must be opened over a secure connection (https)."
EXPIRED = "This form has expired or was not sent from StudyShare."
HTTPS = {"base_url": "https://localhost"}


@pytest.fixture
def secure_app(app_env) -> Flask:
    """A production-like app: Secure cookies, CSRF on."""
    flask_app = create_app(TestConfig({**app_env, "SESSION_COOKIE_SECURE": "1"}))
    with flask_app.app_context():
        db.create_all()
    return flask_app


def http_warnings(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "SESSION_COOKIE_SECURE" in r.getMessage()
    ]


def csrf_token_of(page: str) -> str:
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def login_from_a_plain_http_page(flask_app: Flask, **headers: str):
    """Load the login page over http, then post it without the cookie the browser dropped."""
    page = flask_app.test_client().get("/login")
    assert page.status_code == 200
    form = {
        "email": "doctor@example.org",
        "password": PASSWORD,
        "csrf_token": csrf_token_of(page.text),
    }
    return flask_app.test_client().post("/login", data=form, headers=headers)


def test_a_login_from_a_plain_http_page_says_https_is_needed(secure_app, caplog):
    for origin in ({"Origin": "http://share.example.org"}, {}):
        response = login_from_a_plain_http_page(secure_app, **origin)
        assert response.status_code == 400
        assert CONSOLE_NEEDS_HTTPS in response.text
        assert "https://" in response.text
        assert "expired" not in response.text
    (warning,) = http_warnings(caplog)  # once, not once per request
    assert "PROXY_FIX_HOPS" in warning


def test_the_pages_themselves_still_open_over_http(secure_app, caplog):
    # Behind a TLS load balancer and a plain-http nginx the app sees http and all works.
    for path in ("/login", "/s/", "/code"):
        assert secure_app.test_client().get(path).status_code == 200
    assert http_warnings(caplog) == []


def test_a_browser_on_https_behind_a_plain_http_proxy_gets_the_usual_message(secure_app, caplog):
    response = secure_app.test_client().post(
        "/login", data={"email": "x@example.org"}, headers={"Origin": "https://share.example.org"}
    )
    assert response.status_code == 400
    assert EXPIRED in response.text
    assert http_warnings(caplog) == []


def test_over_https_the_console_works(secure_app, make_user):
    user = make_user()
    client = secure_app.test_client()
    page = client.get("/login", **HTTPS)
    response = client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token_of(page.text)},
        headers={"Referer": "https://localhost/login"},  # Flask-WTF checks it over https
        **HTTPS,
    )
    assert response.status_code == 302
    assert client.get("/shares", **HTTPS).status_code == 200
    expired = secure_app.test_client().post("/login", data={}, **HTTPS)
    assert EXPIRED in expired.text  # a real expired form over https keeps its message


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(app_env):
    env = {**app_env, "SESSION_COOKIE_SECURE": "1", "PROXY_FIX_HOPS": "1"}
    client = create_app(TestConfig(env)).test_client()
    forwarded = client.post("/login", data={}, headers={"X-Forwarded-Proto": "https"})
    assert EXPIRED in forwarded.text
    plain = client.post("/login", data={}, headers={"X-Forwarded-Proto": "http"})
    assert CONSOLE_NEEDS_HTTPS in plain.text


def test_a_recipient_form_says_so_in_the_recipients_language(secure_app, caplog):
    response = secure_app.test_client().post("/s/LINKSECRET456", data={"birth_date": "1/1/1970"})
    assert response.status_code == 400
    assert PATIENT_NEEDS_HTTPS in response.text
    french = secure_app.test_client().post(
        "/code", data={"code": "ABCD"}, headers={"Accept-Language": "fr"}
    )
    assert "Cette page doit être ouverte par une connexion sécurisée (https)." in french.text
    assert "LINKSECRET456" not in caplog.text


def test_without_secure_cookies_an_expired_form_is_just_expired(csrf_app):
    response = csrf_app.test_client().post("/login", data={})
    assert response.status_code == 400
    assert EXPIRED in response.text

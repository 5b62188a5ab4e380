import re

import pytest

from app.users.models import Role
from tests.fixtures.app import PASSWORD


def test_console_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2F"


def test_login_then_landing_page(client, make_user, demo_studies):
    make_user(name="Dr Ada Lovelace")
    response = client.post(
        "/login", data={"email": "Doctor@Example.org ", "password": PASSWORD}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Dr Ada Lovelace" in response.text
    # The landing page is the study search, filled from the real archive.
    assert "<h1>Find studies</h1>" in response.text
    assert "<table" in response.text


@pytest.mark.parametrize(
    ("email", "password"),
    [("doctor@example.org", "wrong password!"), ("nobody@example.org", PASSWORD)],
)
def test_failed_login_gives_one_generic_message(client, make_user, email, password):
    make_user()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 400
    assert "did not match an active account" in response.text
    assert client.get("/").status_code == 302


def test_deactivated_user_cannot_log_in(client, make_user):
    make_user(active=False)
    response = client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "did not match an active account" in response.text


def test_next_is_followed_only_on_this_site(client, make_user):
    make_user()
    ok = client.post(
        "/login?next=/readyz", data={"email": "doctor@example.org", "password": PASSWORD}
    )
    assert ok.headers["Location"] == "/readyz"
    client.post("/logout")
    evil = client.post(
        "/login?next=//evil.example/", data={"email": "doctor@example.org", "password": PASSWORD}
    )
    assert evil.headers["Location"] == "/"


def test_logout_is_post_only(logged_in_client):
    assert logged_in_client.get("/logout").status_code == 405
    response = logged_in_client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert logged_in_client.get("/").status_code == 302


def test_login_regenerates_the_session(client, make_user):
    make_user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"]


def test_csrf_is_enforced_on_login_and_logout(csrf_app, make_user):
    make_user(role=Role.ADMIN)
    client = csrf_app.test_client()
    refused = client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    assert refused.status_code == 400
    assert "This form has expired" in refused.text

    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    logged_in = client.post(
        "/login", data={"email": "doctor@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert logged_in.status_code == 302

    assert client.post("/logout").status_code == 400
    landing = client.get("/").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', landing).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_every_console_endpoint_requires_login(app):
    from app.auth import is_public_endpoint

    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if is_public_endpoint(rule.endpoint):
            continue
        # Any value of the right type: the login check must come before the lookup.
        path = rule.build(dict.fromkeys(rule.arguments, 1), append_unknown=False)[1]
        for method in sorted(rule.methods - {"OPTIONS", "HEAD"}):
            response = client.open(path, method=method)
            assert response.status_code == 302, (method, rule)
            assert response.headers["Location"].startswith("/login"), (method, rule)
            checked += 1
    assert checked >= 25  # every console page and action (26 when written), ids included

"""Who may reach user administration: admins only, logged in, with CSRF, real user ids."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"
NEW_USER = {
    "email": "intruder@example.org",
    "role": "admin",
    "password": NEW_PASSWORD,
    "confirm": NEW_PASSWORD,
}
# {active} and {inactive} are other users' ids, so that every action would change something.
ADMIN_ROUTES = [
    ("GET", "/admin/users", None),
    ("GET", "/admin/users/new", None),
    ("POST", "/admin/users/new", NEW_USER),
    ("GET", "/admin/users/{inactive}", None),
    ("POST", "/admin/users/{active}/deactivate", {}),
    ("POST", "/admin/users/{inactive}/reactivate", {}),
    ("POST", "/admin/users/{active}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
    ("POST", "/admin/users/{active}/end-sessions", {}),
]


def users_table(app) -> list[tuple]:
    with app.app_context():
        rows = db.session.execute(select(User.email, User.active, User.password_hash, User.role))
        return sorted(tuple(row) for row in rows)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


@pytest.mark.parametrize(("method", "path", "data"), ADMIN_ROUTES)
def test_clinicians_get_403_on_every_admin_route(
    app, admin, make_user, login_as, method, path, data
):
    gone = make_user("colleague@example.org", active=False)
    clinician = login_as(app.test_client(), make_user("doctor@example.org"))
    before = users_table(app)
    url = path.format(active=admin.id, inactive=gone.id)
    response = clinician.open(url, method=method, data=data)
    assert response.status_code == 403
    assert "This page is for administrators only." in response.text
    assert users_table(app) == before


def test_clinicians_see_no_users_link(logged_in_client):
    page = logged_in_client.get("/account/password").text
    assert '<a href="/account/password">Password</a>' in page
    assert 'href="/admin/users"' not in page


@pytest.mark.parametrize(("method", "path", "data"), ADMIN_ROUTES)
def test_anonymous_visitors_are_sent_to_login(app, client, admin, make_user, method, path, data):
    gone = make_user("colleague@example.org", active=False)
    before = users_table(app)
    url = path.format(active=admin.id, inactive=gone.id)
    response = client.open(url, method=method, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert users_table(app) == before


@pytest.mark.parametrize(("method", "path", "data"), ADMIN_ROUTES[3:])
def test_unknown_user_ids_are_404(app, admin_client, method, path, data):
    before = users_table(app)
    url = path.format(active=987654, inactive=987654)
    response = admin_client.open(url, method=method, data=data)
    assert response.status_code == 404
    assert "There is no such user." in response.text
    assert users_table(app) == before


def test_csrf_is_enforced_on_user_administration(csrf_app, make_user, stored_user):
    make_user("admin@example.org", role=Role.ADMIN)
    doctor = make_user("doctor@example.org")
    client = csrf_app.test_client()
    login = {"email": "admin@example.org", "password": PASSWORD}
    client.post("/login", data={**login, "csrf_token": csrf_token(client.get("/login").text)})

    for path, data in [
        (f"/admin/users/{doctor.id}/deactivate", {}),
        (f"/admin/users/{doctor.id}/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}),
        ("/admin/users/new", NEW_USER),
    ]:
        refused = client.post(path, data=data)
        assert refused.status_code == 400, path
        assert "This form has expired" in refused.text
    stored = stored_user("doctor@example.org")
    assert stored.active
    assert stored.check_password(PASSWORD)
    assert stored_user("intruder@example.org") is None

    token = csrf_token(client.get(f"/admin/users/{doctor.id}").text)
    accepted = client.post(f"/admin/users/{doctor.id}/deactivate", data={"csrf_token": token})
    assert accepted.status_code == 302
    assert stored_user("doctor@example.org").active is False

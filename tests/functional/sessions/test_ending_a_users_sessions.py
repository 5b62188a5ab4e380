"""Deactivation and the admin's "End sessions" log a user out on every device at once."""

from __future__ import annotations

import re

from app.users.models import Role
from app.web_sessions import SessionKind
from tests.fixtures.app import PASSWORD
from tests.functional.sessions.conftest import (
    CONSOLE_COOKIE,
    copied,
    count_sessions,
    log_in,
    sends_to_login,
)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_deactivation_ends_every_session_of_the_user(app, make_user, doctor):
    make_user("admin@example.org", role=Role.ADMIN)
    admin = app.test_client()
    log_in(admin, "admin@example.org")
    laptop, phone = app.test_client(), app.test_client()
    log_in(laptop, doctor.email)
    log_in(phone, doctor.email, remember="y")
    thief = copied(app, laptop, CONSOLE_COOKIE)

    admin.post(f"/admin/users/{doctor.id}/deactivate")
    assert count_sessions(app, SessionKind.CONSOLE, user_id=doctor.id) == 0
    assert all(sends_to_login(client) for client in (laptop, phone, thief))
    # Reactivated, the old cookies stay dead: only a new login opens the console.
    admin.post(f"/admin/users/{doctor.id}/reactivate")
    assert sends_to_login(thief)


def test_an_admin_ends_a_users_sessions_with_a_csrf_checked_form(csrf_app, make_user, doctor):
    make_user("admin@example.org", role=Role.ADMIN)
    admin = csrf_app.test_client()
    login = {"email": "admin@example.org", "password": PASSWORD}
    admin.post("/login", data={**login, "csrf_token": csrf_token(admin.get("/login").text)})
    laptop, phone = csrf_app.test_client(), csrf_app.test_client()
    for device in (laptop, phone):
        form = {"email": doctor.email, "password": PASSWORD}
        device.post("/login", data={**form, "csrf_token": csrf_token(device.get("/login").text)})

    detail = admin.get(f"/admin/users/{doctor.id}").text
    assert "<dt>Open sessions</dt><dd>2</dd>" in detail
    assert detail.count('<td data-label="Browser">Werkzeug/') == 2  # the test client's
    assert "End sessions" in detail
    end = f"/admin/users/{doctor.id}/end-sessions"
    assert admin.post(end).status_code == 400  # no CSRF token
    assert not sends_to_login(laptop)

    ended = admin.post(end, data={"csrf_token": csrf_token(detail)})
    assert ended.headers["Location"] == f"/admin/users/{doctor.id}"
    page = admin.get(ended.headers["Location"]).text
    assert "doctor@example.org is logged out everywhere (2 sessions ended)." in page
    assert "<dt>Open sessions</dt><dd>0</dd>" in page
    assert sends_to_login(laptop)
    assert sends_to_login(phone)
    assert not sends_to_login(admin)


def test_an_admin_does_not_end_their_own_session_this_way(app, make_user):
    admin_user = make_user("admin@example.org", role=Role.ADMIN)
    admin = app.test_client()
    log_in(admin, admin_user.email)
    assert "End sessions" not in admin.get(f"/admin/users/{admin_user.id}").text
    refused = admin.post(f"/admin/users/{admin_user.id}/end-sessions", follow_redirects=True)
    assert "Log out to end your own session" in refused.text
    assert not sends_to_login(admin)

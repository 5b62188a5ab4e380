"""The console's API keys page: admins make (key shown once), list and revoke keys."""

from __future__ import annotations

import re

from app.api_keys.keys import hash_key
from app.api_keys.models import ApiKey
from app.extensions import db
from app.users.models import Role
from tests.fixtures.app import PASSWORD

KEY = re.compile(r"ssk_[A-Za-z0-9_-]{43}")


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def login(client, email: str):
    page = client.get("/login").text
    token = csrf_token(page) if "csrf_token" in page else ""
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def test_an_admin_makes_lists_and_revokes_a_key_with_csrf(csrf_app, make_user):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    client = login(csrf_app.test_client(), admin.email)
    page = client.get("/admin/api-keys")
    assert page.status_code == 200
    assert "No API keys yet." in page.text
    form = {"name": "Main RIS", "owner": str(admin.id), "scopes": ["shares:create"]}
    assert client.post("/admin/api-keys", data=form).status_code == 400  # no CSRF token
    made = client.post("/admin/api-keys", data={**form, "csrf_token": csrf_token(page.text)})
    assert made.status_code == 200, made.text
    [key] = KEY.findall(made.text)
    with csrf_app.app_context():
        row = db.session.scalar(db.select(ApiKey))
        assert row.key_hash == hash_key(key)
        key_id = row.id
    listed = client.get("/admin/api-keys")
    assert "Main RIS" in listed.text
    assert f"{key[:12]}…" in listed.text
    assert key not in listed.text
    headers = {"Authorization": f"Bearer {key}"}
    assert csrf_app.test_client().get("/api/v1/shares", headers=headers).status_code == 403
    revoke = f"/admin/api-keys/{key_id}/revoke"
    assert client.post(revoke).status_code == 400
    done = client.post(revoke, data={"csrf_token": csrf_token(listed.text)})
    assert done.status_code == 302
    assert "is revoked" in client.get("/admin/api-keys").text
    assert csrf_app.test_client().get("/api/v1/shares", headers=headers).status_code == 401


def test_bad_forms_are_400_and_clinicians_get_403(app, client, make_user):
    admin = make_user("admin@example.org", role=Role.ADMIN)
    doctor = make_user("doctor@example.org")
    login(client, admin.email)
    for form in (
        {"name": "", "owner": str(admin.id), "scopes": ["shares:read"]},
        {"name": "RIS", "owner": str(admin.id)},
        {"name": "RIS", "owner": "999", "scopes": ["shares:read"]},
        {"name": "RIS", "owner": str(admin.id), "scopes": ["shares:delete"]},
    ):
        assert client.post("/admin/api-keys", data=form).status_code == 400, form
    ok = {"name": "RIS", "owner": str(doctor.id), "scopes": ["shares:read"]}
    assert client.post("/admin/api-keys", data=ok).status_code == 200
    twice = client.post("/admin/api-keys", data=ok)
    assert twice.status_code == 400
    assert "exists already" in twice.text
    assert client.post("/admin/api-keys/99999/revoke").status_code == 404
    assert "API keys" in client.get("/admin/users").text  # the navigation links the page

    clinician = login(app.test_client(), doctor.email)
    assert clinician.get("/admin/api-keys").status_code == 403
    assert clinician.post("/admin/api-keys", data=ok).status_code == 403
    assert clinician.post("/admin/api-keys/1/revoke").status_code == 403

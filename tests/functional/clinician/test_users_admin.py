"""User administration by an admin: list, create, deactivate, reactivate, reset a password."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.users.models import User
from tests.fixtures.app import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"
WEAK_PASSWORD = "tiny-Pw1"


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def new_user_form(**changes) -> dict[str, str]:
    data = {
        "email": "new.person@example.org",
        "name": "Grace Hopper",
        "role": "clinician",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    }
    return {**data, **changes}


def test_admin_lists_every_user(admin_client, make_user):
    make_user("doctor@example.org", name="Dr Who")
    make_user("gone@example.org", name="", active=False)
    response = admin_client.get("/admin/users")
    assert response.status_code == 200
    page = response.text
    assert "<caption" in page
    assert '<th scope="col">Last log-in</th>' in page
    for email in ("admin@example.org", "doctor@example.org", "gone@example.org"):
        assert f">{email}</a>" in page
    assert '<td data-label="Name">Dr Who</td>' in page
    assert '<td data-label="Role">admin</td>' in page
    assert '<span class="badge badge-deactivated">deactivated</span>' in page
    assert "Never" in page  # nobody but the admin has logged in
    assert '<a href="/admin/users">Users</a>' in page


def test_admin_creates_a_user_who_can_then_log_in(app, admin_client, stored_user, login_as):
    form = new_user_form(email=" New.Person@Example.ORG ", name=" Grace Hopper ", role="admin")
    response = admin_client.post("/admin/users/new", data=form)
    assert response.status_code == 302
    user = stored_user("new.person@example.org")
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert (user.email, user.name, user.role, user.active) == (
        "new.person@example.org",
        "Grace Hopper",
        "admin",
        True,
    )
    assert user.check_password(NEW_PASSWORD)
    page = admin_client.get(response.headers["Location"]).text
    assert "new.person@example.org can now log in as admin." in page
    assert NEW_PASSWORD not in page
    login_as(app.test_client(), user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "DOCTOR@example.org "}, "A user with this e-mail address already exists."),
        ({"email": "not-an-address"}, "must have an @-sign"),
        ({"password": WEAK_PASSWORD, "confirm": WEAK_PASSWORD}, "at least 12 characters"),
        ({"confirm": NEW_PASSWORD + "!"}, "The two passwords are not the same."),
        ({"role": "superuser"}, "Not a valid choice"),
        ({"password": ""}, "This field is required."),
    ],
)
def test_create_refuses_bad_input(app, admin_client, make_user, stored_user, changes, message):
    make_user("doctor@example.org")
    before = count_users(app)
    response = admin_client.post("/admin/users/new", data=new_user_form(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert "The user was not created" in response.text
    assert WEAK_PASSWORD not in response.text
    assert NEW_PASSWORD not in response.text
    assert count_users(app) == before
    assert stored_user("new.person@example.org") is None
    assert stored_user("doctor@example.org").name == "Dr Example"


def test_admin_deactivates_and_reactivates_a_user(app, admin_client, make_user, stored_user):
    doctor = make_user("doctor@example.org")
    deactivated = admin_client.post(f"/admin/users/{doctor.id}/deactivate")
    assert deactivated.headers["Location"] == f"/admin/users/{doctor.id}"
    assert stored_user("doctor@example.org").active is False
    page = admin_client.get(f"/admin/users/{doctor.id}").text
    assert "doctor@example.org is deactivated" in page
    assert f'action="/admin/users/{doctor.id}/reactivate"' in page
    login = {"email": "doctor@example.org", "password": PASSWORD}
    assert app.test_client().post("/login", data=login).status_code == 400

    reactivated = admin_client.post(f"/admin/users/{doctor.id}/reactivate")
    assert reactivated.headers["Location"] == f"/admin/users/{doctor.id}"
    assert stored_user("doctor@example.org").active is True
    page = admin_client.get(f"/admin/users/{doctor.id}").text
    assert "doctor@example.org is active again" in page
    assert app.test_client().post("/login", data=login).status_code == 302


def test_a_deactivated_users_open_session_ends(app, admin_client, make_user, login_as, stored_user):
    doctor = make_user("doctor@example.org")
    session = login_as(app.test_client(), doctor)
    assert session.get("/account/password").status_code == 200
    admin_client.post(f"/admin/users/{doctor.id}/deactivate")

    page = session.get("/account/password")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login")
    change = {"current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    refused = session.post("/account/password", data=change)
    assert refused.headers["Location"].startswith("/login")
    assert stored_user("doctor@example.org").check_password(PASSWORD)


def test_an_admin_cannot_deactivate_themselves(admin_client, admin, stored_user):
    detail = admin_client.get(f"/admin/users/{admin.id}").text
    assert "/deactivate" not in detail
    response = admin_client.post(f"/admin/users/{admin.id}/deactivate")
    assert response.headers["Location"] == f"/admin/users/{admin.id}"
    page = admin_client.get(response.headers["Location"]).text
    assert "You cannot deactivate your own account" in page
    assert stored_user("admin@example.org").active is True
    assert admin_client.get("/admin/users").status_code == 200


def test_admin_resets_a_password(app, admin_client, make_user, stored_user, login_as):
    doctor = make_user("doctor@example.org")
    open_session = login_as(app.test_client(), doctor)
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = admin_client.post(f"/admin/users/{doctor.id}/password", data=data)
    assert response.headers["Location"] == f"/admin/users/{doctor.id}"
    page = admin_client.get(response.headers["Location"]).text
    assert "The password of doctor@example.org is reset; their open sessions are logged out" in page
    assert open_session.get("/").headers["Location"].startswith("/login")
    assert NEW_PASSWORD not in page
    stored = stored_user("doctor@example.org")
    assert stored.check_password(NEW_PASSWORD)
    assert not stored.check_password(PASSWORD)

    old = app.test_client().post("/login", data={"email": doctor.email, "password": PASSWORD})
    assert old.status_code == 400
    login_as(app.test_client(), doctor, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": WEAK_PASSWORD, "confirm": WEAK_PASSWORD}, "at least 12 characters"),
        ({"password": NEW_PASSWORD, "confirm": "something else entirely"}, "are not the same"),
        ({"password": NEW_PASSWORD, "confirm": ""}, "This field is required."),
    ],
)
def test_reset_refuses_weak_or_mismatched_passwords(
    admin_client, make_user, stored_user, data, message
):
    doctor = make_user("doctor@example.org")
    response = admin_client.post(f"/admin/users/{doctor.id}/password", data=data)
    assert response.status_code == 400
    assert message in response.text
    assert "The password was not reset" in response.text
    assert data["password"] not in response.text
    assert stored_user("doctor@example.org").password_hash == doctor.password_hash


def test_admins_change_their_own_password_on_the_account_page(admin_client, admin, stored_user):
    data = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    response = admin_client.post(f"/admin/users/{admin.id}/password", data=data)
    assert response.headers["Location"] == "/account/password"
    assert "it needs your current one" in admin_client.get("/account/password").text
    assert stored_user("admin@example.org").check_password(PASSWORD)

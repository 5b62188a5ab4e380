"""Any logged-in user changes their own password, giving the current one."""

import re

import pytest

from tests.fixtures.app import PASSWORD

NEW_PASSWORD = "a brand new passphrase 42"
WEAK_PASSWORD = "tiny-Pw1"


def change(**changes) -> dict[str, str]:
    return {
        "current_password": PASSWORD,
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        **changes,
    }


def test_the_page_has_labelled_password_fields(logged_in_client):
    response = logged_in_client.get("/account/password")
    assert response.status_code == 200
    for name, label in [
        ("current_password", "Current password"),
        ("password", "New password"),
        ("confirm", "Repeat the new password"),
    ]:
        assert f'<label for="{name}">{label}</label>' in response.text
        assert re.search(rf'<input[^>]+id="{name}"[^>]+type="password"', response.text)
    assert 'autocomplete="current-password"' in response.text
    assert 'autocomplete="new-password"' in response.text


def test_a_user_changes_their_password_and_stays_logged_in(
    app, logged_in_client, stored_user, login_as
):
    elsewhere = login_as(app.test_client(), stored_user("doctor@example.org"))
    response = logged_in_client.post("/account/password", data=change())
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    page = logged_in_client.get("/account/password")
    assert page.status_code == 200
    assert "Your password is changed. Your other sessions are logged out." in page.text
    assert elsewhere.get("/account/password").headers["Location"].startswith("/login")
    assert NEW_PASSWORD not in page.text
    assert PASSWORD not in page.text

    user = stored_user("doctor@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert not user.check_password(PASSWORD)
    old = app.test_client().post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 400
    login_as(app.test_client(), user, NEW_PASSWORD)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"current_password": "not my password"}, "This is not your current password."),
        ({"current_password": ""}, "This field is required."),
        ({"password": WEAK_PASSWORD, "confirm": WEAK_PASSWORD}, "at least 12 characters"),
        ({"confirm": NEW_PASSWORD + "?"}, "The two passwords are not the same."),
        ({"password": PASSWORD, "confirm": PASSWORD}, "must differ from the current one"),
    ],
)
def test_refused_changes_leave_the_password_alone(logged_in_client, stored_user, changes, message):
    before = stored_user("doctor@example.org").password_hash
    response = logged_in_client.post("/account/password", data=change(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert "Your password was not changed" in response.text
    for secret in (PASSWORD, NEW_PASSWORD, WEAK_PASSWORD, "not my password"):
        assert secret not in response.text
    assert stored_user("doctor@example.org").password_hash == before


def test_anonymous_visitors_are_sent_to_login(client):
    for response in (client.get("/account/password"), client.post("/account/password")):
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=%2Faccount%2Fpassword"


def test_wrong_current_passwords_are_rate_limited(logged_in_client, stored_user):
    # The test profile allows five failures per account in 15 minutes, as for the login.
    wrong = change(current_password="a guess at the password")
    responses = [logged_in_client.post("/account/password", data=wrong) for _ in range(6)]
    statuses = [response.status_code for response in responses]
    assert statuses == [400] * 5 + [429]
    blocked = logged_in_client.post("/account/password", data=change())
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.text
    assert stored_user("doctor@example.org").check_password(PASSWORD)


def test_csrf_is_enforced_on_the_password_change(csrf_app, make_user, stored_user):
    make_user()
    client = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").text)
    login = {"email": "doctor@example.org", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=login).status_code == 302

    refused = client.post("/account/password", data=change())
    assert refused.status_code == 400
    assert "This form has expired" in refused.text
    assert stored_user("doctor@example.org").check_password(PASSWORD)

    page = client.get("/account/password").text
    token = re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
    accepted = client.post("/account/password", data={**change(), "csrf_token": token.group(1)})
    assert accepted.status_code == 302
    assert stored_user("doctor@example.org").check_password(NEW_PASSWORD)

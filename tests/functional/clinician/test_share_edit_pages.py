"""The console's expiry and edit pages: the new date shown first, a stale page gets a 409."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.models import Share
from app.users.models import User
from tests.fixtures.app import PASSWORD
from tests.instances.browser import csrf_token


@pytest.fixture
def share(app, make_share, demo_study, logged_in_client) -> Share:
    with app.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@example.org"))
    return make_share([demo_study("DEMO0003").orthanc_id], owner=doctor).share


def stored(app, share_id: int) -> Share:
    with app.app_context():
        found = db.session.get(Share, share_id)
        db.session.expunge(found)
        return found


def test_extend_shows_the_new_date_then_saves_it_and_the_timeline_says_so(
    app, logged_in_client, share
):
    url = f"/shares/{share.public_id}"
    before = stored(app, share.id).expires_at
    detail = logged_in_client.get(url).text
    assert "Extend…" in detail
    assert "Set expiry…" in detail
    assert "Edit share" in detail
    preview = logged_in_client.post(f"{url}/extend", data={"days": "1", "version": "1"})
    new = before + timedelta(days=1)
    assert f"will expire {new:%Y-%m-%d %H:%M}" in preview.text
    assert stored(app, share.id).expires_at == before  # nothing saved yet
    done = logged_in_client.post(
        f"{url}/extend",
        data={"days": "1", "version": "1", "confirmed": "yes"},
        follow_redirects=True,
    )
    assert stored(app, share.id).expires_at == new
    assert "Extended" in done.text
    assert f"Expiry: {before:%Y-%m-%d %H:%M} UTC → {new:%Y-%m-%d %H:%M} UTC" in done.text
    assert "Share created" in done.text
    assert ">created</td>" not in done.text


def test_a_stale_page_gets_a_conflict_page_with_a_reload_link(app, logged_in_client, share):
    url = f"/shares/{share.public_id}"
    data = {"days": "7", "version": "1", "confirmed": "yes"}
    assert logged_in_client.post(f"{url}/extend", data=data).status_code == 302
    stale = logged_in_client.post(f"{url}/extend", data=data)
    assert stale.status_code == 409
    assert "Someone else changed this share" in stale.text
    assert f'href="{url}"' in stale.text
    edit = logged_in_client.post(
        f"{url}/edit", data={"version": "1", "language": "fr", "challenge": "none"}
    )
    assert edit.status_code == 409
    assert stored(app, share.id).language == "en"


def test_set_expiry_shortens_after_saying_so(app, logged_in_client, share):
    url = f"/shares/{share.public_id}"
    day = (stored(app, share.id).expires_at - timedelta(days=10)).date().isoformat()
    preview = logged_in_client.post(f"{url}/expiry", data={"on": day, "version": "1"})
    assert "This shortens the share" in preview.text
    assert f"will expire {day} 23:59" in preview.text
    logged_in_client.post(f"{url}/expiry", data={"on": day, "version": "1", "confirmed": "yes"})
    assert stored(app, share.id).expires_at.date().isoformat() == day
    past = logged_in_client.post(
        f"{url}/expiry", data={"on": "2001-01-01", "version": "2"}, follow_redirects=True
    )
    assert "must be in the future" in past.text
    assert logged_in_client.post(f"{url}/expiry", data={"on": "soon"}).status_code == 400


def test_edit_page_changes_settings_and_shows_a_new_password_once(app, logged_in_client, share):
    url = f"/shares/{share.public_id}/edit"
    page = logged_in_client.get(url)
    assert page.status_code == 200
    assert "Add " in page.text  # Jane Doe's other study can be added
    form = {"version": "1", "language": "de", "challenge": "password", "note": "Hallo"}
    shown = logged_in_client.post(url, data=form)
    assert shown.status_code == 200
    password = re.search(r'<strong class="code">([^<]+)</strong>', shown.text).group(1)
    after = stored(app, share.id)
    assert (after.language, after.note, after.allow_download) == ("de", "Hallo", False)
    assert password not in logged_in_client.get(f"/shares/{share.public_id}").text
    refused = logged_in_client.post(url, data={**form, "version": "2", "language": "xx"})
    assert refused.status_code == 400


def test_edit_with_csrf_on(csrf_app, make_user, make_share, demo_study):
    doctor = make_user()
    share = make_share([demo_study("DEMO0003").orthanc_id], owner=doctor).share
    client = csrf_app.test_client()
    login = client.get("/login").text
    client.post(
        "/login",
        data={"email": doctor.email, "password": PASSWORD, "csrf_token": csrf_token(login)},
    )
    url = f"/shares/{share.public_id}/edit"
    form = {"version": "1", "language": "fr", "challenge": "none", "allow_download": "y"}
    assert client.post(url, data=form).status_code == 400
    token = csrf_token(client.get(url).text)
    assert client.post(url, data={**form, "csrf_token": token}).status_code == 302
    assert stored(csrf_app, share.id).language == "fr"

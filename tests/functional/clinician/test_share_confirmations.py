"""Revoke and "make a new link" ask first; "Copy link" and "Done"; times in the clinic's zone."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.users.models import User
from tests.fixtures.app import PASSWORD
from tests.instances.browser import csrf_token

LINK = re.compile(r'class="share-link" href="([^"]+)"')
EXPIRES = datetime(2030, 7, 1, 12, 30, tzinfo=UTC)


@pytest.fixture
def app_env(app_env):
    return {**app_env, "CLINIC_TIMEZONE": "Europe/Zurich"}


@pytest.fixture
def owned_share(app, make_share, make_user, demo_study, logged_in_client):
    """A share of the logged-in doctor's, with an access code and a recipient address."""
    with app.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@example.org"))
    created = make_share(
        [demo_study("DEMO0003").orthanc_id],
        owner=doctor,
        access_code=True,
        recipient_email="jane@example.org",
    )
    with app.app_context():
        db.session.get(Share, created.share.id).expires_at = EXPIRES
        db.session.commit()
    return created.share


def audit_kinds(app, share):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.share_id == share.id)
        ).all()


def test_revoke_asks_first_and_cancel_changes_nothing(app, logged_in_client, owned_share):
    url = f"/shares/{owned_share.public_id}"
    asked = logged_in_client.post(f"{url}/revoke")
    assert asked.status_code == 200
    assert f"Revoke share {owned_share.public_id}?" in asked.text
    assert "link and access code stop working at once" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert f'<a class="button" href="{url}">Cancel</a>' in asked.text
    assert "revoked" not in audit_kinds(app, owned_share)

    done = logged_in_client.post(f"{url}/revoke", data={"confirmed": "yes"})
    assert done.status_code == 302
    assert "revoked" in audit_kinds(app, owned_share)
    # Asking again about a revoked share would be pointless: it says so at once.
    again = logged_in_client.post(f"{url}/revoke", follow_redirects=True)
    assert "already revoked" in again.text


def test_a_new_link_asks_first_and_keeps_the_resend_choice(app, logged_in_client, owned_share):
    url = f"/shares/{owned_share.public_id}"
    asked = logged_in_client.post(f"{url}/new-link", data={"resend": "1"})
    assert asked.status_code == 200
    assert "The new link is e-mailed to jane@example.org." in asked.text
    assert '<input type="hidden" name="resend" value="1">' in asked.text
    assert "Resend with a new link</button>" in asked.text
    assert "link_regenerated" not in audit_kinds(app, owned_share)

    made = logged_in_client.post(f"{url}/new-link", data={"confirmed": "yes"})
    assert "A new link is ready" in made.text
    assert "link_regenerated" in audit_kinds(app, owned_share)


def test_confirming_needs_the_csrf_token(csrf_app, make_user, make_share, demo_study):
    owner = make_user("csrf@example.org")
    created = make_share([demo_study("DEMO0008").orthanc_id], owner=owner)
    client = csrf_app.test_client()
    token = csrf_token(client.get("/login").text)
    client.post("/login", data={"email": owner.email, "password": PASSWORD, "csrf_token": token})
    url = f"/shares/{created.share.public_id}/revoke"
    asked = client.post(url, data={"csrf_token": csrf_token(client.get("/").text)})
    assert asked.status_code == 200
    assert client.post(url, data={"confirmed": "yes"}).status_code == 400
    done = client.post(url, data={"confirmed": "yes", "csrf_token": csrf_token(asked.text)})
    assert done.status_code == 302
    with csrf_app.app_context():
        assert db.session.scalar(select(Share.revoked_at)) is not None


def test_the_ready_page_offers_copy_and_done(logged_in_client, owned_share):
    url = f"/shares/{owned_share.public_id}"
    page = logged_in_client.post(f"{url}/new-link", data={"confirmed": "yes"}).text
    link = LINK.search(page).group(1)
    # Without JavaScript the button stays hidden and the read-only field is there to copy from.
    assert f'class="copy-source" value="{link}" readonly>' in page
    assert 'data-copy-from="link-to-copy" data-copy-status="copy-status" hidden>Copy link' in page
    assert re.search(r'<script src="/static/js/copy-link\.[0-9a-f]{12}\.js"></script>', page)
    assert f'<a class="button primary" href="{url}">Done</a>' in page


def test_console_times_are_in_the_clinic_time_zone(logged_in_client, owned_share):
    detail = logged_in_client.get(f"/shares/{owned_share.public_id}").text
    assert (
        '<time datetime="2030-07-01T12:30:00+00:00" title="2030-07-01 12:30 UTC">'
        "2030-07-01 14:30 CEST</time>"
    ) in detail
    assert "localtime.js" not in detail
    ready = logged_in_client.post(
        f"/shares/{owned_share.public_id}/new-link", data={"confirmed": "yes"}
    ).text
    assert ">2030-07-01 14:30 CEST</time>" in ready


def test_the_study_page_links_the_shares_one_may_see(
    logged_in_client, owned_share, make_share, demo_study
):
    study = demo_study("DEMO0003")
    someone_elses = make_share([study.orthanc_id]).share
    page = logged_in_client.get(f"/studies/{study.orthanc_id}").text
    mine = owned_share.public_id
    assert f'<a href="/shares/{mine}">{mine}</a>' in page
    assert ">2030-07-01 14:30 CEST</time>" in page
    theirs = someone_elses.public_id
    assert theirs in page
    assert f'href="/shares/{theirs}"' not in page

"""The console's share pages: create, the once-only link page, list, detail and actions."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.tokens import hash_link_secret
from tests.fixtures.app import PASSWORD

LINK = re.compile(r'class="share-link" href="([^"]+)"')


@pytest.fixture
def doe_ids(demo_study):
    return [demo_study("DEMO0003").orthanc_id, demo_study("DEMO0004").orthanc_id]


def create(client, study_ids, **fields):
    form = {"study": study_ids, "expires": "15", "challenge": "birthdate", "language": "en"}
    form.update(fields)
    return client.post("/shares/new", data=form)


def shares(app):
    with app.app_context():
        return db.session.scalars(select(Share)).all()


def test_the_form_shows_the_studies_and_defaults(logged_in_client, doe_ids):
    page = logged_in_client.get("/shares/new", query_string={"study": doe_ids}).text
    assert "Share 2 studies" in page
    assert "DOE, JANE" in page
    assert "MR BRAIN" in page
    assert '<option selected value="15">15 days</option>' in page
    assert "Never" not in page
    assert re.search(r'<input checked [^>]*value="birthdate"', page)


def test_creating_shows_the_link_once_and_stores_its_hash(app, logged_in_client, doe_ids):
    response = create(logged_in_client, doe_ids, challenge="password", access_code="y")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    link = LINK.search(response.text).group(1)
    assert "<svg" in response.text
    assert re.search(r"Password: <strong class=\"code\">[0-9A-Z-]{14}</strong>", response.text)
    assert re.search(r"Access code: <strong class=\"code\">[0-9A-Z-]{12}</strong>", response.text)
    (share,) = shares(app)
    assert share.secret_hash == hash_link_secret(link.rsplit("/", 1)[1])
    # The detail page never shows the link again.
    detail = logged_in_client.get(f"/shares/{share.public_id}").text
    assert link not in detail
    assert "created" in detail


def test_a_double_submit_makes_one_share(app, logged_in_client, doe_ids):
    first = create(logged_in_client, doe_ids, creation_key="k" * 32)
    second = create(logged_in_client, doe_ids, creation_key="k" * 32)
    assert len(shares(app)) == 1
    assert "A new link is ready" in second.text
    new_link = LINK.search(second.text).group(1)
    assert new_link != LINK.search(first.text).group(1)
    assert shares(app)[0].secret_hash == hash_link_secret(new_link.rsplit("/", 1)[1])


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"expires": "3"}, 400, "Not a valid choice"),
        ({"challenge": "telepathy"}, 400, "Not a valid choice"),
        ({"challenge": "password", "password": "short"}, 400, "at least 8 characters"),
        ({"recipient_email": "nope"}, 400, "e-mail address is not valid"),
        ({"max_opens": "0"}, 400, "Number must be between 1 and 1000"),
        ({"note": "x" * 3000}, 400, "Field cannot be longer than 2000 characters"),
        ({"creation_key": "k" * 65}, 400, "This form was damaged: reload the page"),
    ],
)
def test_bad_input_re_renders_the_form_with_a_message(
    app, logged_in_client, doe_ids, fields, status, message
):
    response = create(logged_in_client, doe_ids, **fields)
    assert response.status_code == status
    assert message in response.text
    assert shares(app) == []


def test_bad_study_lists_are_clear_errors(app, logged_in_client, demo_study):
    nothing_ticked = logged_in_client.get("/shares/new", query_string={"search": "modality=MR"})
    assert (nothing_ticked.status_code, nothing_ticked.location) == (303, "/?modality=MR")
    assert logged_in_client.get("/shares/new?study=bogus").status_code == 404
    mixed = [demo_study("DEMO0001").orthanc_id, demo_study("DEMO0004").orthanc_id]
    response = create(logged_in_client, mixed)
    assert response.status_code == 400
    assert "same patient" in response.text
    assert shares(app) == []


def test_list_filters_and_ownership(app, logged_in_client, admin_client, make_share, doe_ids):
    mine = create(logged_in_client, doe_ids)
    assert mine.status_code == 200
    theirs = make_share(doe_ids[:1])
    listing = logged_in_client.get("/shares").text
    assert "My shares" in listing
    assert theirs.share.public_id not in listing
    assert logged_in_client.get(f"/shares/{theirs.share.public_id}").status_code == 404
    assert logged_in_client.post(f"/shares/{theirs.share.public_id}/revoke").status_code == 404
    revoked = logged_in_client.get("/shares", query_string={"state": "revoked"}).text
    assert "No shares in this state" in revoked
    assert logged_in_client.get("/shares", query_string={"state": "weird"}).status_code == 400

    admin = admin_client
    everything = admin.get("/shares").text
    assert "All shares" in everything
    assert theirs.share.public_id in everything
    assert admin.get(f"/shares/{theirs.share.public_id}").status_code == 200


def test_actions_revoke_unlock_extend_and_new_link(app, logged_in_client, doe_ids):
    create(logged_in_client, doe_ids)
    (share,) = shares(app)
    url = f"/shares/{share.public_id}"
    with app.app_context():
        stored = db.session.get(Share, share.id)
        stored.locked_at = datetime.now(UTC)
        db.session.commit()
    detail = logged_in_client.get(url).text
    assert "Unlock" in detail
    assert "<dd>Patient&#39;s birth date</dd>" in detail  # the challenge in words
    assert logged_in_client.post(f"{url}/unlock").status_code == 302
    version = {"days": "90", "version": "1"}
    assert "will expire" in logged_in_client.post(f"{url}/extend", data=version).text
    extended = logged_in_client.post(
        f"{url}/extend", data={**version, "confirmed": "yes"}, follow_redirects=True
    )
    assert "The share now expires" in extended.text
    assert logged_in_client.post(f"{url}/extend", data={**version, "days": "2"}).status_code == 400
    new_link = logged_in_client.post(f"{url}/new-link", data={"confirmed": "yes"})
    assert "A new link is ready" in new_link.text
    revoked = logged_in_client.post(
        f"{url}/revoke", data={"confirmed": "yes"}, follow_redirects=True
    )
    assert "The share is revoked" in revoked.text
    again = logged_in_client.post(f"{url}/revoke", follow_redirects=True)
    assert "already revoked" in again.text
    with app.app_context():
        kinds = db.session.scalars(
            select(AuditEvent.kind).where(AuditEvent.share_id == share.id).order_by(AuditEvent.id)
        ).all()
        assert kinds == ["created", "unlocked", "extended", "link_regenerated", "revoked"]
        assert db.session.scalar(select(func.count()).select_from(Share)) == 1


def test_share_actions_need_csrf(csrf_app, make_user, make_share, demo_study):
    owner = make_user("csrf@example.org")
    created = make_share([demo_study("DEMO0008").orthanc_id], owner=owner)
    client = csrf_app.test_client()
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "csrf@example.org", "password": PASSWORD, "csrf_token": token}
    )
    response = client.post(f"/shares/{created.share.public_id}/revoke")
    assert response.status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(select(Share.revoked_at)) is None


def test_a_new_link_comes_with_a_new_access_code(app, logged_in_client, doe_ids):
    first = create(logged_in_client, doe_ids, access_code="y")
    old_code = re.search(r'<strong class="code">([0-9A-Z-]{12})</strong>', first.text).group(1)
    (share,) = shares(app)
    page = logged_in_client.post(
        f"/shares/{share.public_id}/new-link", data={"confirmed": "yes"}
    ).text
    new_code = re.search(r'<strong class="code">([0-9A-Z-]{12})</strong>', page).group(1)
    assert new_code != old_code
    patient = app.test_client()
    assert patient.post("/code", data={"code": old_code}).status_code == 400
    assert patient.post("/code", data={"code": new_code}).status_code == 303

"""Issue #15's smaller console fixes: no study ticked, a way back after too many log-ins, and
anonymized copies kept out of the study search (still reached from their share)."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.orthanc.anonymization import is_pseudonym, new_pseudonym
from app.orthanc.flask_client import get_orthanc
from app.shares import lifecycle
from app.shares.models import Share
from app.users.models import User
from tests.fixtures.app import app_with_tables


def test_sharing_with_no_study_ticked_goes_back_to_the_search_and_says_why(logged_in_client):
    response = logged_in_client.get(
        "/shares/new", query_string={"search": "patient_name=doe&modality=MR"}
    )
    assert response.status_code == 303
    assert response.location == "/?patient_name=doe&modality=MR"
    page = logged_in_client.get(response.location).text
    assert "Select the studies to share first" in page
    assert "Bad request" not in page


def test_the_search_page_carries_its_query_to_the_share_button(logged_in_client, demo_studies):
    page = logged_in_client.get("/?patient_name=doe").text
    assert '<input type="hidden" name="search" value="patient_name=doe">' in page


def test_too_many_log_ins_leave_a_way_back(app_env):
    app = app_with_tables({**app_env, "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS": "1 per 15 minutes"})
    client = app.test_client()
    form = {"email": "nobody@example.org", "password": "wrong"}
    assert client.post("/login", data=form).status_code == 400
    blocked = client.post("/login", data=form)
    assert blocked.status_code == 429
    assert '<a class="button" href="/login">Back to the log-in page</a>' in blocked.text
    assert client.get("/login").status_code == 200


def test_pseudonyms_are_recognised_and_nothing_else():
    assert is_pseudonym(new_pseudonym())
    for other in ("ANON-TEST", "anon-0123456789ab", "SS-DEMO-0002", "", None, 7):
        assert not is_pseudonym(other)


@pytest.fixture
def anonymized_share(app, make_share, demo_study, logged_in_client):
    with app.app_context():
        doctor = db.session.scalar(select(User).where(User.email == "doctor@example.org"))
    created = make_share([demo_study("DEMO0005").orthanc_id], owner=doctor, anonymize=True)
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.id == created.share.id))
        copy_id = share.studies[0].orthanc_study_id
    yield created.share, copy_id
    with app.app_context():
        share = db.session.get(Share, created.share.id)
        lifecycle.revoke(share, get_orthanc())  # deletes the copy


def test_anonymized_copies_stay_out_of_the_study_search(
    logged_in_client, anonymized_share, orthanc_client
):
    share, copy_id = anonymized_share
    pseudonym = orthanc_client.get_study(copy_id).patient.patient_id
    assert is_pseudonym(pseudonym)
    for query in ("", "?modality=CT", f"?patient_id={pseudonym}"):
        page = logged_in_client.get(f"/{query}").text
        assert copy_id not in page, query
    assert "No studies match this search" in page
    # The share still leads to its study.
    detail = logged_in_client.get(f"/shares/{share.public_id}").text
    assert "/studies/" in detail
    assert logged_in_client.get(f"/studies/{copy_id}").status_code == 200

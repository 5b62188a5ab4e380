"""Answering the challenge: success swaps the secret for a session; failures lock."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind, Share
from app.shares.options import ShareOptions
from app.shares.service import create_share
from app.users.models import User
from app.web_sessions import WebSession, hash_token
from tests.fixtures.app import app_with_tables
from tests.fixtures.shares import share_in_app
from tests.functional.patient.conftest import csrf_token


def answer(client, secret, **fields):
    return client.post(f"/s/{secret}", data=fields)


@pytest.mark.parametrize(
    "typed", ["29/02/1972", "29.02.1972", "1972-02-29", " 29 2 1972 ", "29021972"]
)
def test_right_birth_date_opens_the_share(client, doe_share, typed, app):
    response = answer(client, doe_share.secret, birth_date=typed)
    assert response.status_code == 303
    assert response.headers["Location"] == "/v/"
    home = client.get("/v/")
    assert home.status_code == 200
    assert "US ABDOMEN" in home.text
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == doe_share.share.public_id))
        assert share.open_count == 1
        assert share.last_opened_at is not None


def test_wrong_answers_count_down_then_lock(client, doe_share, app):
    for left in (4, 3, 2, 1):
        response = answer(client, doe_share.secret, birth_date="01/01/1970")
        assert response.status_code == 400
        assert "That did not match" in response.text
        assert f"{left} attempt" in response.text
    locked = answer(client, doe_share.secret, birth_date="01/01/1970")
    assert locked.status_code == 403
    assert "This link is locked" in locked.text
    # Even the right answer cannot open a locked share.
    assert answer(client, doe_share.secret, birth_date="29/02/1972").status_code == 403
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == doe_share.share.public_id))
        assert share.failed_attempts == 5
        assert share.locked_at is not None
        kinds = list(
            db.session.scalars(select(AuditEvent.kind).where(AuditEvent.share_id == share.id))
        )
        assert kinds.count("challenge_failed") == 5
        assert kinds.count("locked") == 1


@pytest.mark.parametrize("typed", [None, "", "not a date", "31/02/1972", "02/29/1972"])
def test_an_empty_or_unreadable_date_is_pointed_at_and_costs_no_attempt(
    client, doe_share, app, typed
):
    fields = {} if typed is None else {"birth_date": typed}
    response = answer(client, doe_share.secret, **fields)
    assert response.status_code == 400
    assert "Please enter your date of birth like this: DD/MM/YYYY, for example 31/03/1985." in (
        response.text
    )
    assert 'id="birth_date-error"' in response.text
    assert "That did not match" not in response.text
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == doe_share.share.public_id))
        assert share.failed_attempts == 0


def test_an_empty_password_is_pointed_at_and_costs_no_attempt(client, make_share, demo_study):
    share = make_share(
        [demo_study("DEMO0004").orthanc_id],
        challenge=ChallengeKind.PASSWORD,
        password="open sesame",
    )
    response = answer(client, share.secret, password="")
    assert response.status_code == 400
    assert "Please enter the password from your clinic." in response.text
    assert "attempt" not in response.text


def test_huge_fields_are_refused_clearly(client, doe_share):
    response = answer(client, doe_share.secret, birth_date="1" * 5000)
    assert response.status_code == 400
    body = answer(client, doe_share.secret, birth_date="1" * (2 * 1024 * 1024))
    assert body.status_code == 413


def test_password_and_both_challenges(client, make_share, demo_study):
    study = demo_study("DEMO0004").orthanc_id
    password_share = make_share([study], challenge=ChallengeKind.PASSWORD, password="open sesame")
    assert answer(client, password_share.secret, password="wrong one!").status_code == 400
    assert answer(client, password_share.secret, password="open sesame").status_code == 303

    both = make_share(
        [study], challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD, password="open sesame"
    )
    assert answer(client, both.secret, birth_date="29/02/1972").status_code == 400
    assert answer(client, both.secret, password="open sesame").status_code == 400
    ok = answer(client, both.secret, birth_date="29/02/1972", password="open sesame")
    assert ok.status_code == 303


def test_no_challenge_is_one_button(client, make_share, demo_study):
    share = make_share([demo_study("DEMO0008").orthanc_id], challenge=ChallengeKind.NONE)
    page = client.get(f"/s/{share.secret}").text
    assert "View my images" in page
    assert "date of birth" not in page
    assert answer(client, share.secret).status_code == 303


def test_the_session_is_regenerated_after_the_challenge(app, client, doe_share):
    client.get(f"/s/{doe_share.secret}")
    with client.session_transaction("/v/") as session:
        session["planted"] = "by someone else"
    answer(client, doe_share.secret, birth_date="29/02/1972")
    with client.session_transaction("/v/") as session:
        assert "planted" not in session
        token = session["recipient"]  # only the token of the server-side session
        assert doe_share.secret not in str(dict(session))
    with app.app_context():
        stored = db.session.scalar(
            select(WebSession).where(WebSession.token_hash == hash_token(token))
        )
        assert stored.share_id == doe_share.share.id


def test_max_opens_is_enforced(client, make_share, demo_study, app):
    share = make_share([demo_study("DEMO0008").orthanc_id], max_opens=1)
    assert answer(client, share.secret).status_code == 303
    other = app.test_client()
    response = other.post(f"/s/{share.secret}")
    assert response.status_code == 410
    assert "used up" in response.text


def test_csrf_and_cookies_disabled_give_a_clear_page(csrf_app, make_user, demo_study):
    owner = make_user()
    with csrf_app.app_context():
        created = create_share(
            db.session.get(User, owner.id),
            ShareOptions(study_ids=[demo_study("DEMO0004").orthanc_id]),
            get_orthanc(),
        )
    client = csrf_app.test_client()
    page = client.get(f"/s/{created.secret}").text
    token = csrf_token(page)
    # Without the session cookie (cookies disabled, or the session expired) the form fails.
    cookieless = csrf_app.test_client(use_cookies=False)
    refused = cookieless.post(
        f"/s/{created.secret}", data={"csrf_token": token, "birth_date": "29/02/1972"}
    )
    assert refused.status_code == 400
    assert "allow cookies" in refused.text
    accepted = client.post(
        f"/s/{created.secret}", data={"csrf_token": token, "birth_date": "29/02/1972"}
    )
    assert accepted.status_code == 303


def test_answers_are_limited_per_address(app_env, demo_study):
    env = {**app_env, "CHALLENGE_LIMIT_PER_IP": "3 per minute", "CHALLENGE_MAX_ATTEMPTS": "50"}
    flask_app = app_with_tables(env)
    study_ids = [demo_study("DEMO0004").orthanc_id]
    secret = share_in_app(flask_app, study_ids, challenge=ChallengeKind.BIRTH_DATE).secret
    client = flask_app.test_client()
    for _ in range(3):
        assert answer(client, secret, birth_date="01/01/1970").status_code == 400
    limited = answer(client, secret, birth_date="29/02/1972")
    assert limited.status_code == 429
    assert "Too many attempts from your connection." in limited.text
    other_address = client.post(
        f"/s/{secret}",
        data={"birth_date": "29/02/1972"},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    assert other_address.status_code == 303

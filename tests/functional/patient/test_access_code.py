"""Typing the handout's access code instead of opening the link."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind
from tests.fixtures.app import app_with_tables


@pytest.fixture
def coded(make_share, demo_study):
    return make_share(
        [demo_study("DEMO0004").orthanc_id], access_code=True, challenge=ChallengeKind.BIRTH_DATE
    )


def variants(code: str) -> list[str]:
    plain = code.replace("-", "")
    confusable = plain.replace("0", "O").replace("1", "I")
    return [code, code.lower(), " ".join(plain), plain[:4] + " - " + plain[4:], confusable]


def test_the_code_leads_to_the_same_challenge(client, coded):
    for typed in variants(coded.access_code):
        response = client.post("/code", data={"code": typed})
        assert response.status_code == 303, typed
        assert response.headers["Location"] == "/code/challenge"
    page = client.get("/code/challenge").text
    assert "Your date of birth" in page
    answered = client.post("/code/challenge", data={"birth_date": "29/02/1972"})
    assert answered.status_code == 303
    assert client.get("/v/").status_code == 200


def test_a_wrong_code_is_refused_and_audited(app, client, coded):
    response = client.post("/code", data={"code": "ZZZZ-ZZZZ-ZZ"})
    assert response.status_code == 400
    assert "That code did not match" in response.text
    for junk in ("", "x" * 39, "!!!!"):
        assert client.post("/code", data={"code": junk}).status_code == 400
    with app.app_context():
        kinds = list(db.session.scalars(select(AuditEvent.kind)))
        assert kinds.count("access_code_failed") >= 1


def test_the_challenge_page_needs_a_code_first(client, demo_studies):
    assert client.get("/code/challenge").headers["Location"] == "/code"


def test_codes_are_rate_limited_per_ip(app_env, demo_studies):
    env = {**app_env, "CODE_LIMIT_PER_IP": "3 per 15 minutes"}
    flask_app = app_with_tables(env)
    client = flask_app.test_client()
    for _ in range(3):
        assert client.post("/code", data={"code": "ZZZZ-ZZZZ-ZZ"}).status_code == 400
    blocked = client.post("/code", data={"code": "ZZZZ-ZZZZ-ZZ"})
    assert blocked.status_code == 429
    assert "Too many attempts from your connection." in blocked.text
    client.get("/code?lang=fr")
    in_french = client.post("/code", data={"code": "ZZZZ-ZZZZ-ZZ"})
    assert in_french.status_code == 429
    assert "Trop de tentatives depuis votre connexion." in in_french.text

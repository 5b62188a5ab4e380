"""POST /api/v1/shares/{id}/extend and …/resend: good and bad keys, bodies and shares."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, update

from app.db_types import utcnow
from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import ActorKind, AuditEvent
from app.shares.models import Share
from tests.functional.api.conftest import smallest_create

PATIENT = "pat@example.org"


@pytest.fixture
def app_env(app_env, smtp_sink):
    return {**app_env, **smtp_sink.settings}


@pytest.fixture
def made(client, api_key, demo_study) -> dict:
    body = {**smallest_create(demo_study("DEMO0001").orthanc_id), "email": PATIENT}
    response = client.post("/api/v1/shares", json=body, headers=api_key.headers)
    assert response.status_code == 201, response.text
    return response.json


def events(app, public_id: str, kind: AuditKind) -> list[AuditEvent]:
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        return list(
            db.session.scalars(
                select(AuditEvent).where(
                    AuditEvent.share_id == share.id, AuditEvent.kind == kind.value
                )
            )
        )


def set_share(app, public_id: str, **values) -> None:
    with app.app_context():
        db.session.execute(update(Share).where(Share.public_id == public_id).values(**values))
        db.session.commit()


def test_extend_adds_days_to_the_current_expiry(app, client, api_key, made):
    path = f"/api/v1/shares/{made['id']}/extend"
    response = client.post(path, json={"days": 7}, headers=api_key.headers)
    assert response.status_code == 200, response.text
    before = datetime.fromisoformat(made["expires_at"])
    assert datetime.fromisoformat(response.json["expires_at"]) - before == timedelta(days=7)
    [event] = events(app, made["id"], AuditKind.EXTENDED)
    assert (event.actor_kind, event.api_key_id) == (ActorKind.API_KEY, api_key.id)


@pytest.mark.parametrize(
    "body", [{}, {"days": 8}, {"days": "7"}, {"days": True}, {"days": 7, "extra": 1}, [7]]
)
def test_extend_refuses_a_bad_body_with_400(client, api_key, made, body):
    response = client.post(
        f"/api/v1/shares/{made['id']}/extend", json=body, headers=api_key.headers
    )
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_extend_needs_the_scope_and_a_visible_share(client, make_key, made):
    reader, stranger = make_key(["shares:read"]), make_key()
    path = f"/api/v1/shares/{made['id']}/extend"
    assert client.post(path, json={"days": 7}).status_code == 401
    assert client.post(path, json={"days": 7}, headers=reader.headers).status_code == 403
    assert client.post(path, json={"days": 7}, headers=stranger.headers).status_code == 404
    missing = client.post("/api/v1/shares/nope/extend", json={"days": 7}, headers=reader.headers)
    assert missing.status_code == 403  # the scope is checked before the share is looked up


def test_extend_a_revoked_share_is_422_and_a_stale_version_409(app, client, api_key, made):
    path = f"/api/v1/shares/{made['id']}/extend"
    with app.app_context():
        version = db.session.scalar(select(Share.version).where(Share.public_id == made["id"]))
    assert made["version"] == version  # the answer gives what a change must send back
    first = client.post(path, json={"days": 1, "version": version}, headers=api_key.headers)
    assert first.status_code == 200
    assert first.json["version"] == version + 1
    stale = client.post(path, json={"days": 1, "version": version}, headers=api_key.headers)
    assert stale.status_code == 409
    set_share(app, made["id"], revoked_at=utcnow())
    revoked = client.post(path, json={"days": 1}, headers=api_key.headers)
    assert revoked.status_code == 422
    assert "revoked" in revoked.json["detail"]


def test_resend_mails_a_new_link_and_the_old_one_stops(app, client, api_key, made, smtp_sink):
    smtp_sink.deliveries.clear()
    response = client.post(f"/api/v1/shares/{made['id']}/resend", headers=api_key.headers)
    assert response.status_code == 200, response.text
    assert response.json["link"] != made["link"]
    assert response.json["email_error"] is None
    [delivery] = smtp_sink.deliveries
    assert delivery.rcpt_tos == [PATIENT]
    assert response.json["link"] in delivery.message.get_body(("plain",)).get_content()
    base = app.config["PUBLIC_BASE_URL"]
    assert client.get(made["link"].removeprefix(base)).status_code == 404
    assert client.get(response.json["link"].removeprefix(base)).status_code == 200
    emailed = events(app, made["id"], AuditKind.EMAILED)
    assert [e.actor_kind for e in emailed] == [ActorKind.API_KEY.value] * 2


def test_resend_refusals(app, client, make_key, api_key, demo_study, made, smtp_sink):
    no_email = client.post(
        "/api/v1/shares",
        json=smallest_create(demo_study("DEMO0001").orthanc_id),
        headers=api_key.headers,
    ).json
    assert (
        client.post(f"/api/v1/shares/{no_email['id']}/resend", headers=api_key.headers).status_code
        == 422
    )
    reader = make_key(["shares:read"])
    assert (
        client.post(f"/api/v1/shares/{made['id']}/resend", headers=reader.headers).status_code
        == 403
    )
    smtp_sink.unknown_recipients.add(PATIENT)
    refused = client.post(f"/api/v1/shares/{made['id']}/resend", headers=api_key.headers)
    assert refused.status_code == 502
    assert refused.mimetype == "application/problem+json"
    assert "refused the recipient's address" in refused.json["detail"]
    # Nothing half-done: the link was not replaced, the old one still opens.
    assert "the old one still works" in refused.json["detail"]
    assert "share" not in refused.json
    base = app.config["PUBLIC_BASE_URL"]
    assert client.get(made["link"].removeprefix(base)).status_code == 200
    assert events(app, made["id"], AuditKind.LINK_REGENERATED) == []
    assert len(events(app, made["id"], AuditKind.EMAIL_FAILED)) == 1
    set_share(app, made["id"], revoked_at=utcnow())
    revoked = client.post(f"/api/v1/shares/{made['id']}/resend", headers=api_key.headers)
    assert revoked.status_code == 409

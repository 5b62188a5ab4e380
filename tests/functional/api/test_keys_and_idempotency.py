"""The key model, its CLI and Idempotency-Key, on SQLite and on the real PostgreSQL."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.api_keys.keys import ApiKeyError, create_key, hash_key
from app.api_keys.models import ApiKey
from app.extensions import db
from app.shares.models import Share
from app.users.models import User
from tests.fixtures.app import app_with_tables
from tests.functional.api.conftest import key_in_app, smallest_create


def test_only_the_keys_hash_and_a_short_prefix_are_stored(each_database_app):
    key = key_in_app(each_database_app, ["shares:read"])
    with each_database_app.app_context():
        row = db.session.get(ApiKey, key.id)
        assert row.key_hash == hash_key(key.key)
        assert key.key.startswith(row.prefix)
        assert len(row.prefix) == 12
        assert key.key not in repr(row.__dict__)
        assert row.scopes == "shares:read"
        with pytest.raises(ApiKeyError, match="exists already"):
            create_key(row.name, row.owner, ["shares:read"])
        with pytest.raises(ApiKeyError, match="Unknown scope"):
            create_key("other", row.owner, ["shares:delete"])
        with pytest.raises(ApiKeyError, match="at least one scope"):
            create_key("other", row.owner, [])


def test_the_cli_creates_lists_and_revokes(each_database_app):
    with each_database_app.app_context():
        owner = User(email="ris@example.org", name="RIS")
        owner.set_password("a long enough password")
        db.session.add(owner)
        db.session.commit()
    runner = each_database_app.test_cli_runner()
    made = runner.invoke(
        args=["api-keys", "create", "Main RIS", "--owner", "RIS@example.org",
              "--scope", "shares:create", "--scope", "shares:read", "--json"]
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    created = json.loads(made.output)
    assert set(created) == {"id", "key"}
    client = each_database_app.test_client()
    headers = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/v1/shares", headers=headers).status_code == 200

    listed = json.loads(runner.invoke(args=["api-keys", "list", "--json"]).output)
    assert [(k["name"], k["owner"], k["scopes"]) for k in listed] == [
        ("Main RIS", "ris@example.org", ["shares:create", "shares:read"])
    ]
    assert listed[0]["last_used_at"] is not None
    assert created["key"] not in json.dumps(listed)
    assert created["key"] not in runner.invoke(args=["api-keys", "list"]).output

    revoked = runner.invoke(args=["api-keys", "revoke", str(created["id"])])
    assert revoked.exit_code == 0, revoked.output
    assert client.get("/api/v1/shares", headers=headers).status_code == 401
    again = runner.invoke(args=["api-keys", "revoke", str(created["id"])])
    assert again.exit_code == 1
    assert "already revoked" in again.output
    for args in (["revoke", "99999999999"], ["create", "x", "--owner", "nobody@example.org",
                                             "--scope", "shares:read"]):  # fmt: skip
        refused = runner.invoke(args=["api-keys", *args])
        assert refused.exit_code != 0
        assert "Traceback" not in refused.output


def test_an_idempotent_retry_makes_one_share(each_database_app, demo_study):
    key = key_in_app(each_database_app, ["shares:create"])
    client = each_database_app.test_client()
    body = smallest_create(demo_study("DEMO0001").orthanc_id)
    headers = {**key.headers, "Idempotency-Key": "order-4711"}
    first = client.post("/api/v1/shares", json=body, headers=headers)
    # The same body, keys in another order: the same request.
    retry = client.post("/api/v1/shares", json=dict(reversed(body.items())), headers=headers)
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json["id"] == first.json["id"]
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    # Fresh secrets replace the first answer's, which nobody can have used yet.
    assert retry.json["link"] != first.json["link"]
    opened = client.get(retry.json["link"].split("5000", 1)[1])
    assert opened.status_code == 200

    other_body = client.post(
        "/api/v1/shares", json={**body, "expires_in_days": 30}, headers=headers
    )
    assert other_body.status_code == 422
    assert "another body" in other_body.json["detail"]
    fresh = client.post(
        "/api/v1/shares", json=body, headers={**key.headers, "Idempotency-Key": "order-4712"}
    )
    assert fresh.status_code == 201
    assert fresh.json["id"] != first.json["id"]
    with each_database_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Share)) == 2


def test_the_same_idempotency_key_of_two_integrations_makes_two_shares(
    each_database_app, demo_study
):
    body = smallest_create(demo_study("DEMO0001").orthanc_id)
    client = each_database_app.test_client()
    ids = set()
    for key in (key_in_app(each_database_app), key_in_app(each_database_app)):
        headers = {**key.headers, "Idempotency-Key": "order-1"}
        response = client.post("/api/v1/shares", json=body, headers=headers)
        assert response.status_code == 201
        ids.add(response.json["id"])
    assert len(ids) == 2


def test_a_retry_after_the_link_was_sent_is_409(app_env, demo_study, smtp_sink):
    flask_app = app_with_tables({**app_env, **smtp_sink.settings})
    key = key_in_app(flask_app, ["shares:create"])
    client = flask_app.test_client()
    body = {**smallest_create(demo_study("DEMO0001").orthanc_id), "email": "pat@example.org"}
    headers = {**key.headers, "Idempotency-Key": "order-9"}
    first = client.post("/api/v1/shares", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json["email_error"] is None
    assert len(smtp_sink.deliveries) == 1
    retry = client.post("/api/v1/shares", json=body, headers=headers)
    assert retry.status_code == 409
    assert first.json["id"] in retry.json["detail"]
    assert len(smtp_sink.deliveries) == 1


def test_an_oversized_idempotency_key_is_400(client, api_key):
    headers = {**api_key.headers, "Idempotency-Key": "x" * 256}
    response = client.post("/api/v1/shares", json={"studies": ["x"]}, headers=headers)
    assert response.status_code == 400

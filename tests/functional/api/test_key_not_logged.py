"""An API key never reaches a log record: not on success, refusal, error or revocation."""

from __future__ import annotations

import logging

from app.api_keys.keys import key_by_id, revoke_key
from app.logging_setup import redact
from tests.functional.api.conftest import smallest_create


def test_the_redaction_covers_the_authorization_header():
    key = "ssk_" + "Ab-_9" * 8 + "xyz"
    for line in (
        f"Authorization: Bearer {key}",
        f"authorization: bearer {key}",
        f'"POST /api/v1/shares HTTP/1.1" 201 - "Bearer {key}"',
    ):
        assert key not in redact(line)
        assert "[redacted]" in redact(line)


def test_no_record_holds_the_key(app, client, api_key, demo_study, caplog):
    caplog.set_level(logging.DEBUG)
    study_id = demo_study("DEMO0001").orthanc_id
    bad = {"Authorization": f"Bearer {api_key.key[:-1]}Z"}
    client.post("/api/v1/shares", json=smallest_create(study_id), headers=api_key.headers)
    client.post("/api/v1/shares", json={"studies": ["nope"]}, headers=api_key.headers)
    client.get("/api/v1/shares", headers=bad)
    client.get("/api/v1/studies?modality=XX", headers=api_key.headers)
    with app.app_context():
        revoke_key(key_by_id(api_key.id))
    client.get("/api/v1/shares", headers=api_key.headers)
    assert caplog.records, "nothing was logged: the test would prove nothing"
    logged = "\n".join(
        f"{record.getMessage()} {record.exc_text or ''}" for record in caplog.records
    )
    assert api_key.key not in logged
    assert api_key.key[12:] not in logged  # not even past the shown prefix

"""PATCH /api/v1/shares/{id}: the console's edits, conflict-checked, with good and bad input."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import ActorKind, AuditEvent
from app.shares.models import Share
from tests.fixtures.dicom import pixelless_instance
from tests.functional.api.conftest import smallest_create


@pytest.fixture
def doe(demo_study):
    return demo_study("DEMO0003"), demo_study("DEMO0004")


@pytest.fixture
def made(client, api_key, doe) -> dict:
    response = client.post(
        "/api/v1/shares", json=smallest_create(doe[0].orthanc_id), headers=api_key.headers
    )
    assert response.status_code == 201, response.text
    return response.json


def patch(client, key, share: dict, **body):
    body.setdefault("version", share["version"])
    return client.patch(f"/api/v1/shares/{share['id']}", json=body, headers=key.headers)


def last_edit(app, public_id: str) -> AuditEvent:
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent)
            .join(Share, AuditEvent.share_id == Share.id)
            .where(Share.public_id == public_id, AuditEvent.kind == AuditKind.EDITED.value)
            .order_by(AuditEvent.id.desc())
        ).first()


def test_settings_change_audited_with_the_key(app, client, api_key, made):
    answer = patch(
        client, api_key, made, allow_download=False, language="fr", note="Bring your card"
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json["allow_download"], answer.json["language"]) == (False, "fr")
    assert answer.json["note"] == "Bring your card"
    assert answer.json["version"] == made["version"] + 1
    assert answer.json["password"] is None
    assert answer.json["changes"]["language"] == {"from": "en", "to": "fr"}
    event = last_edit(app, made["id"])
    assert (event.actor_kind, event.api_key_id) == (ActorKind.API_KEY.value, api_key.id)
    assert event.detail == answer.json["changes"]
    cleared = patch(client, api_key, answer.json, note=None)
    assert cleared.json["note"] is None
    unchanged = patch(client, api_key, cleared.json)
    assert (unchanged.status_code, unchanged.json["changes"]) == (200, {})
    assert unchanged.json["version"] == cleared.json["version"]


def test_studies_of_the_same_patient_come_and_go(client, api_key, made, doe):
    kept, added = doe
    grown = patch(
        client, api_key, made, add_studies=[{"study_instance_uid": added.study_instance_uid}]
    )
    assert grown.status_code == 200, grown.text
    assert [s["id"] for s in grown.json["studies"]] == [kept.orthanc_id, added.orthanc_id]
    shrunk = patch(
        client,
        api_key,
        grown.json,
        remove_studies=[{"study_instance_uid": kept.study_instance_uid}],
    )
    assert shrunk.status_code == 200, shrunk.text
    assert [s["id"] for s in shrunk.json["studies"]] == [added.orthanc_id]
    assert shrunk.json["changes"]["studies"]["to"] == [added.orthanc_id]


def test_refused_studies_change_nothing(client, api_key, made, demo_study, orthanc_client):
    other_patient = demo_study("DEMO0001").orthanc_id
    gone = orthanc_client.upload_instance(pixelless_instance(PatientID="SS-DEMO-0002"))
    orthanc_client.delete_study(gone["ParentStudy"])
    for body, words in (
        ({"add_studies": [other_patient]}, "patient"),
        ({"add_studies": ["no-such-study"]}, "not found"),
        ({"add_studies": [gone["ParentStudy"]]}, "not found"),
        ({"remove_studies": [other_patient]}, "not in this share"),
        ({"remove_studies": [{"study_instance_uid": "1.2.3"}]}, "is in this share"),
        ({"remove_studies": [made["studies"][0]["id"]]}, "at least one study"),
    ):
        answer = patch(client, api_key, made, **body)
        assert answer.status_code == 422, (body, answer.text)
        assert answer.mimetype == "application/problem+json"
        assert words in answer.json["detail"].lower(), (body, answer.json["detail"])
    now = client.get(f"/api/v1/shares/{made['id']}", headers=api_key.headers).json
    assert now == {name: made[name] for name in now}


def test_a_share_whose_study_left_the_archive_gets_no_new_study(
    client, api_key, make_key, orthanc_client
):
    first = orthanc_client.upload_instance(pixelless_instance(PatientID="UB-EDIT-GONE"))
    second = orthanc_client.upload_instance(pixelless_instance(PatientID="UB-EDIT-GONE"))
    made = client.post(
        "/api/v1/shares", json=smallest_create(first["ParentStudy"]), headers=api_key.headers
    ).json
    orthanc_client.delete_study(first["ParentStudy"])
    try:
        answer = patch(client, api_key, made, add_studies=[second["ParentStudy"]])
    finally:
        orthanc_client.delete_study(second["ParentStudy"])
    assert answer.status_code == 422
    assert "not found in the image archive" in answer.json["detail"]


def test_expiry_set_to_a_chosen_day(app, client, api_key, made):
    day = date.today() + timedelta(days=40)
    answer = patch(client, api_key, made, expires_on=day.isoformat())
    assert answer.status_code == 200, answer.text
    expires = datetime.fromisoformat(answer.json["expires_at"])
    assert expires.astimezone(app.config["CLINIC_TIMEZONE"]).date() == day
    shorter = patch(client, api_key, answer.json, expires_on=(day - timedelta(days=39)).isoformat())
    assert shorter.status_code == 200, shorter.text


@pytest.mark.parametrize(
    ("expires_on", "status", "words"),
    [
        ("2024-13-01", 400, "date like"),
        ("", 400, "date like"),
        (20240101, 400, "date like"),
        ("2001-01-01", 422, "future"),
        ((date.today() + timedelta(days=800)).isoformat(), 422, "at most"),
        ("9999-12-31", 422, ""),
        (None, 422, "must expire"),
    ],
)
def test_bad_expiry_dates(client, api_key, made, expires_on, status, words):
    answer = patch(client, api_key, made, expires_on=expires_on)
    assert answer.status_code == status, answer.text
    assert answer.mimetype == "application/problem+json"
    assert words in answer.json["detail"]


def test_a_new_password_challenge_is_shown_once(app, client, api_key, made):
    answer = patch(client, api_key, made, challenge="password")
    assert answer.status_code == 200, answer.text
    password = answer.json["password"]
    assert password
    assert answer.json["challenge"] == "password"
    assert last_edit(app, made["id"]).detail["password"] == "changed"
    assert password not in str(last_edit(app, made["id"]).detail)
    assert (
        client.get(f"/api/v1/shares/{made['id']}", headers=api_key.headers).json.get("password")
        is None
    )
    chosen = patch(client, api_key, answer.json, challenge="password", password="a chosen secret")
    assert (chosen.status_code, chosen.json["password"]) == (200, "a chosen secret")
    short = patch(client, api_key, chosen.json, challenge="password", password="short")
    assert short.status_code == 422


def test_a_stale_version_is_409_and_a_missing_one_400(client, api_key, made):
    assert patch(client, api_key, made, note="first").status_code == 200
    stale = patch(client, api_key, made, note="second")
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    assert "GET it" in stale.json["detail"]
    missing = client.patch(
        f"/api/v1/shares/{made['id']}", json={"note": "x"}, headers=api_key.headers
    )
    assert missing.status_code == 400
    now = client.get(f"/api/v1/shares/{made['id']}", headers=api_key.headers).json
    assert now["note"] == "first"


@pytest.mark.parametrize(
    "body",
    [
        {"note": 3},
        {"allow_download": "no"},
        {"allow_download": None},
        {"challenge": "retina"},
        {"password": "alone without a challenge"},
        {"birth_date": "1980-02-30", "challenge": "birthdate"},
        {"add_studies": "not-a-list"},
        {"add_studies": [{"accession_number": "A1"}]},
        {"remove_studies": [{"patient_id": "X"}]},
        {"version": "1"},
        {"owner": "someone@example.org"},
    ],
)
def test_bad_bodies_are_400(client, api_key, made, body):
    answer = patch(client, api_key, made, **body)
    assert answer.status_code == 400, answer.text
    assert answer.mimetype == "application/problem+json"


def test_an_unknown_language_and_a_revoked_share_are_422(client, api_key, made):
    assert patch(client, api_key, made, language="xx").status_code == 422
    revoked = client.post(f"/api/v1/shares/{made['id']}/revoke", headers=api_key.headers).json
    answer = patch(client, api_key, revoked, note="too late")
    assert answer.status_code == 422
    assert "revoked" in answer.json["detail"]


def test_keys_and_scopes(client, make_key, made):
    path = f"/api/v1/shares/{made['id']}"
    body = {"version": made["version"], "note": "x"}
    assert client.patch(path, json=body).status_code == 401
    assert (
        client.patch(path, json=body, headers={"Authorization": "Bearer ssk_wrong"}).status_code
        == 401
    )
    creator = make_key(["shares:create", "shares:read", "shares:revoke"])
    assert client.patch(path, json=body, headers=creator.headers).status_code == 403
    stranger = make_key(["shares:update"])
    assert client.patch(path, json=body, headers=stranger.headers).status_code == 404
    assert (
        client.patch("/api/v1/shares/nope", json=body, headers=stranger.headers).status_code == 404
    )


def test_api_keys_create_accepts_the_update_scope(runner, make_user):
    owner = make_user("ris-owner@example.org")
    result = runner.invoke(
        args=["api-keys", "create", "RIS edit", "--owner", owner.email, "--scope",
              "shares:update", "--json"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    listed = runner.invoke(args=["api-keys", "list", "--json"])
    assert "shares:update" in listed.output

"""POST /api/v1/shares against the real Orthanc: by Orthanc id, UID, accession + patient id."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import ActorKind, AuditEvent
from app.shares.models import Share
from tests.fixtures.app import app_with_tables
from tests.functional.api.conftest import key_in_app, smallest_create


def create(client, key, body, **headers):
    return client.post("/api/v1/shares", json=body, headers={**key.headers, **headers})


def test_the_smallest_create(app, client, api_key, demo_study):
    study = demo_study("DEMO0001")
    response = create(client, api_key, smallest_create(study.orthanc_id))
    assert response.status_code == 201, response.text
    share = response.json
    assert share["id"].startswith("sh-")
    assert response.headers["Location"] == f"/api/v1/shares/{share['id']}"
    assert share["link"].startswith(f"{app.config['PUBLIC_BASE_URL']}/s/")
    assert share["access_code"] is None
    assert share["password"] is None
    assert share["state"] == "active"
    assert share["challenge"] == "none"
    assert share["owner"] == api_key.owner_email
    expires = datetime.fromisoformat(share["expires_at"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=15))) < timedelta(minutes=1)
    assert [s["id"] for s in share["studies"]] == [study.orthanc_id]
    assert share["studies"][0]["study_instance_uid"] == study.study_instance_uid
    # The link really opens the share.
    landing = app.test_client().get(share["link"].removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert landing.status_code == 200


def test_creation_is_audited_with_the_keys_name(app, client, api_key, demo_study):
    response = create(client, api_key, smallest_create(demo_study("DEMO0001").orthanc_id))
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == response.json["id"]))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.share_id == share.id))
        assert event.kind == AuditKind.CREATED
        assert event.actor_user.email == api_key.owner_email
        assert event.actor_kind == ActorKind.API_KEY
        assert event.api_key_id == api_key.id
        assert event.actor_name.startswith("API key RIS ")


def test_by_study_instance_uid_and_by_accession_and_patient_id(client, api_key, demo_study):
    ct, mr = demo_study("DEMO0003"), demo_study("DEMO0004")
    body = smallest_create(ct.orthanc_id)
    body["studies"] = [
        {"study_instance_uid": ct.study_instance_uid},
        {"accession_number": "DEMO0004", "patient_id": mr.patient.patient_id},
    ]
    response = create(client, api_key, body)
    assert response.status_code == 201, response.text
    assert [s["id"] for s in response.json["studies"]] == [ct.orthanc_id, mr.orthanc_id]


def test_every_console_option(client, api_key, demo_study):
    body = {
        "studies": [demo_study("DEMO0002").orthanc_id],
        "expires_in_days": 7,
        "challenge": "birthdate+password",
        "birth_date": "1980-05-17",
        "access_code": True,
        "allow_download": False,
        "anonymize": False,
        "language": "fr",
        "note": "Vos images",
        "max_opens": 3,
        "notify_owner": True,
    }
    response = create(client, api_key, body)
    assert response.status_code == 201, response.text
    share = response.json
    assert len(share["password"]) >= 8  # generated, as in the console
    assert len(share["access_code"]) == 12
    assert share["has_access_code"] is True
    for name in ("challenge", "allow_download", "language", "note", "max_opens", "notify_owner"):
        assert share[name] == body[name], name


UNKNOWN_STUDIES = [
    (["0badc0de-00000000-00000000-00000000-00000000"], "was not found"),
    (["not an id"], "was not found"),
    ([{"study_instance_uid": "1.2.3.4.5.6.7"}], "No study with StudyInstanceUID"),
    ([{"accession_number": "DEMO0001", "patient_id": "SS-DEMO-0002"}], "No study with"),
]


def test_an_unknown_study_is_422(client, api_key):
    for studies, detail in UNKNOWN_STUDIES:
        response = create(client, api_key, {"studies": studies, "challenge": "none"})
        assert response.status_code == 422, response.text
        assert response.mimetype == "application/problem+json"
        assert detail in response.json["detail"]


def test_studies_of_two_patients_are_422(app, client, api_key, demo_study):
    studies = [demo_study("DEMO0001").orthanc_id, demo_study("DEMO0003").orthanc_id]
    response = create(client, api_key, {"studies": studies, "challenge": "none"})
    assert response.status_code == 422
    assert response.json["detail"] == "All studies of a share must belong to the same patient."
    with app.app_context():
        assert db.session.scalar(select(Share)) is None


MALFORMED = [
    ({"studies": "x"}, 400, "`studies` must be a non-empty list."),
    ({"studies": []}, 400, "`studies` must be a non-empty list."),
    ({"studies": [{"accession_number": "A"}]}, 400, "Each study is"),
    ({"studies": [{"study_instance_uid": "1.2*"}]}, 400, "no wildcards"),
    ({"studies": ["x"], "expires_in_days": "15"}, 400, "whole number"),
    ({"studies": ["x"], "access_code": "yes"}, 400, "true or false"),
    ({"studies": ["x"], "birth_date": "17.05.1980"}, 400, "a date like"),
    ({"studies": ["x"], "challenge": "pin"}, 400, "`challenge` must be one of"),
    ({"studies": ["x"], "expires": 15}, 400, "Unknown field 'expires'."),
    ([1, 2], 400, "Send a JSON object"),
    ({"studies": ["x"] * 21}, 422, "at most 20 studies"),
]


def test_malformed_bodies_are_400_and_refused_options_422(client, api_key):
    for body, status, detail in MALFORMED:
        response = create(client, api_key, body)
        assert response.status_code == status, (body, response.text)
        assert detail in response.json["detail"]


def test_the_services_rules_apply(client, api_key, demo_study):
    study_id = demo_study("DEMO0001").orthanc_id
    for body, detail in (
        ({"expires_in_days": 2}, "The expiry must be one of"),
        ({"expires_in_days": None}, "Shares must expire"),
        ({"challenge": "password", "password": "short"}, "at least 8 characters"),
        ({"email": "not an address"}, "e-mail address is not valid"),
        ({"language": "xx"}, "Choose English, French or German"),
    ):
        response = create(client, api_key, {"studies": [study_id], **body})
        assert response.status_code == 422, body
        assert detail in response.json["detail"]


def test_a_body_that_is_not_json_is_400(client, api_key):
    response = client.post("/api/v1/shares", data="studies=x", headers=api_key.headers)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"


def test_orthanc_down_is_a_503_problem(app_env, demo_study):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    flask_app = app_with_tables({**app_env, "ORTHANC_URL": f"http://127.0.0.1:{port}"})
    key = key_in_app(flask_app)
    client = flask_app.test_client()
    for response in (
        create(client, key, smallest_create(demo_study("DEMO0001").orthanc_id)),
        client.get("/api/v1/studies?patient_name=doe", headers=key.headers),
        client.get("/api/v1/shares?patient_id=SS-DEMO-0001", headers=key.headers),
    ):
        assert response.status_code == 503, response.text
        assert response.mimetype == "application/problem+json"
        assert "The image archive is not answering right now." in response.json["detail"]
    with flask_app.app_context():
        assert db.session.scalar(select(Share)) is None

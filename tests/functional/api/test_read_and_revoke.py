"""GET /api/v1/shares[/<id>], POST …/revoke and GET /api/v1/studies."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.shares.audit import AuditKind
from app.shares.audit_models import ActorKind, AuditEvent
from app.shares.models import Share
from app.users.models import Role
from tests.functional.api.conftest import smallest_create


def make(client, key, study_id: str) -> dict:
    response = client.post("/api/v1/shares", json=smallest_create(study_id), headers=key.headers)
    assert response.status_code == 201, response.text
    return response.json


def test_get_shows_the_share_without_its_secrets(client, api_key, demo_study):
    created = make(client, api_key, demo_study("DEMO0001").orthanc_id)
    response = client.get(f"/api/v1/shares/{created['id']}", headers=api_key.headers)
    assert response.status_code == 200
    shown = response.json
    assert {"link", "access_code", "password"}.isdisjoint(shown)
    assert shown == {k: v for k, v in created.items() if k in shown}
    assert created["link"].rsplit("/", 1)[1] not in response.text


def test_a_key_sees_its_owners_shares_an_admins_key_sees_all(client, make_key, demo_study):
    mine, other = make_key(), make_key()
    admin = make_key(role=Role.ADMIN)
    created = make(client, other, demo_study("DEMO0001").orthanc_id)
    path = f"/api/v1/shares/{created['id']}"
    assert client.get(path, headers=mine.headers).status_code == 404
    assert client.post(f"{path}/revoke", headers=mine.headers).status_code == 404
    assert client.get("/api/v1/shares", headers=mine.headers).json["shares"] == []
    assert client.get(path, headers=admin.headers).status_code == 200
    listed = client.get("/api/v1/shares", headers=admin.headers).json["shares"]
    assert [s["id"] for s in listed] == [created["id"]]


def test_unknown_and_oversized_ids_are_404(client, api_key):
    for share_id in ("sh-000000000000", "x" * 300):
        response = client.get(f"/api/v1/shares/{share_id}", headers=api_key.headers)
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"


def test_list_filters_by_patient_accession_state_and_time(client, api_key, demo_study):
    ct = make(client, api_key, demo_study("DEMO0001").orthanc_id)
    mr = make(client, api_key, demo_study("DEMO0003").orthanc_id)
    client.post(f"/api/v1/shares/{mr['id']}/revoke", headers=api_key.headers)

    def ids(query: str) -> list[str]:
        response = client.get(f"/api/v1/shares?{query}", headers=api_key.headers)
        assert response.status_code == 200, response.text
        return [share["id"] for share in response.json["shares"]]

    assert ids("") == [mr["id"], ct["id"]]
    assert ids("patient_id=SS-DEMO-0001") == [ct["id"]]
    assert ids("accession_number=DEMO0003") == [mr["id"]]
    assert ids("patient_id=SS-DEMO-0001&accession_number=DEMO0003") == []
    assert ids("state=revoked") == [mr["id"]]
    assert ids("state=active") == [ct["id"]]
    assert ids(f"created_after={ct['created_at'].replace('+', '%2B')}") == [mr["id"], ct["id"]]
    assert ids("created_before=2000-01-01T00:00:00Z") == []
    assert ids("created_after=2000-01-01") == [mr["id"], ct["id"]]


def test_list_pages_with_a_cap(client, api_key, demo_study):
    study_id = demo_study("DEMO0001").orthanc_id
    made = [make(client, api_key, study_id)["id"] for _ in range(3)]
    first = client.get("/api/v1/shares?per_page=2", headers=api_key.headers).json
    second = client.get("/api/v1/shares?per_page=2&page=2", headers=api_key.headers).json
    assert (first["has_next"], second["has_next"]) == (True, False)
    assert [s["id"] for s in first["shares"] + second["shares"]] == made[::-1]
    for query in ("per_page=101", "page=0", "page=x", "state=gone", "sort=id", "page=1&page=2"):
        response = client.get(f"/api/v1/shares?{query}", headers=api_key.headers)
        assert response.status_code == 400, query
        assert response.mimetype == "application/problem+json"


def test_revoke_ends_the_share_and_is_audited_with_the_key(app, client, api_key, demo_study):
    created = make(client, api_key, demo_study("DEMO0001").orthanc_id)
    path = f"/api/v1/shares/{created['id']}/revoke"
    response = client.post(path, headers=api_key.headers)
    assert response.status_code == 200
    assert response.json["state"] == "revoked"
    landing = client.get(created["link"].removeprefix(app.config["PUBLIC_BASE_URL"]))
    assert landing.status_code in (404, 410)
    again = client.post(path, headers=api_key.headers)
    assert again.status_code == 409
    assert again.json["detail"] == "This share is already revoked."
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created["id"]))
        event = db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.share_id == share.id, AuditEvent.kind == AuditKind.REVOKED.value
            )
        )
        assert (event.actor_kind, event.api_key_id) == (ActorKind.API_KEY, api_key.id)


def test_study_search_uses_the_consoles_criteria(client, api_key, demo_study):
    ct = demo_study("DEMO0001")
    response = client.get(
        "/api/v1/studies?patient_id=SS-DEMO-0001&modality=CT", headers=api_key.headers
    )
    assert response.status_code == 200, response.text
    found = response.json
    assert [s["id"] for s in found["studies"]] == [ct.orthanc_id]
    assert found["studies"][0]["patient"]["id"] == "SS-DEMO-0001"
    assert found["studies"][0]["accession_number"] == "DEMO0001"
    by_name = client.get(
        f"/api/v1/studies?patient_name={ct.patient.name.split('^')[0].lower()}",
        headers=api_key.headers,
    ).json
    assert ct.orthanc_id in [s["id"] for s in by_name["studies"]]
    for query in ("modality=XX", "birth_date=3000-01-01", "date_from=2024-02-01&date_to=2024-01-01",
                  "page=0", "patient_name=" + "x" * 65, "colour=red"):  # fmt: skip
        response = client.get(f"/api/v1/studies?{query}", headers=api_key.headers)
        assert response.status_code == 400, query

"""Decode, create and get-profile endpoints (AUTHZ-CONTRACT.md §2-4)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.shares.viewer_tokens import mint_viewer_token
from tests.functional.authz.conftest import study_body, study_resource


@pytest.fixture
def app_env(app_env):
    return {**app_env, "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc"}


def test_get_profile_is_anonymous(client, plugin_headers):
    response = client.post("/auth/user/get-profile", json={}, headers=plugin_headers)
    assert response.json == {
        "name": "Anonymous",
        "permissions": [],
        "authorized-labels": [],
        "validity": 60,
    }


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/auth/user/get-profile"),
        ("post", "/auth/tokens/decode"),
        ("put", "/auth/tokens/viewer-instant-link"),
    ],
)
def test_every_plugin_endpoint_needs_basic_auth(client, method, path):
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401
    assert response.is_json


def test_decode_describes_a_viewer_token(
    client, plugin_headers, make_share, demo_study, viewer_token
):
    study = demo_study("DEMO0001")
    token = viewer_token(make_share([study.orthanc_id]).share.public_id)
    response = client.post(
        "/auth/tokens/decode",
        json={"token-key": "Authorization", "token-value": f"Bearer {token}"},
        headers=plugin_headers,
    )
    assert response.status_code == 200
    data = response.json
    assert data["token-type"] == "viewer-instant-link"
    assert data["error-code"] is None
    expected_url = (
        "https://pacs.example.org/orthanc/stone-webviewer/index.html"
        f"?study={study.study_instance_uid}&token={token}"
    )
    assert data["resources"] == [
        {
            "dicom-uid": study.study_instance_uid,
            "orthanc-id": study.orthanc_id,
            "url": expected_url,
            "level": "study",
        }
    ]
    assert data["redirect-url"] == expected_url


@pytest.mark.parametrize("body", [{}, {"token-value": "garbage"}, {"token-value": 5}, [], None])
def test_decode_of_nonsense_is_invalid_not_an_error(client, plugin_headers, body):
    response = client.post("/auth/tokens/decode", json=body, headers=plugin_headers)
    assert response.status_code == 200
    assert response.json["error-code"] == "invalid"


def test_decode_of_a_revoked_share_is_expired(
    app, client, plugin_headers, make_share, demo_study, viewer_token
):
    created = make_share([demo_study("DEMO0001").orthanc_id])
    token = viewer_token(created.share.public_id)
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        share.revoked_at = datetime.now(UTC)
        db.session.commit()
    response = client.post(
        "/auth/tokens/decode", json={"token-value": token}, headers=plugin_headers
    )
    assert response.json["error-code"] == "expired"


def test_decode_of_an_old_token_is_expired_and_of_a_gone_share_unknown(
    app, client, plugin_headers, make_share, demo_study
):
    created = make_share([demo_study("DEMO0001").orthanc_id])
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        long_ago = datetime.now(UTC) - timedelta(seconds=app.config["VIEWER_TOKEN_TTL"] + 60)
        old_token = mint_viewer_token(share, now=long_ago)
        gone = Share(public_id="sh-never-stored", expires_at=None, studies=[])
        orphan_token = mint_viewer_token(gone)
    for token, code in ((old_token, "expired"), (orphan_token, "unknown")):
        response = client.post(
            "/auth/tokens/decode", json={"token-value": token}, headers=plugin_headers
        )
        assert response.status_code == 200
        assert response.json["error-code"] == code


def test_publication_creates_an_audited_share_with_a_landing_link(
    app, client, plugin_headers, demo_study
):
    study = demo_study("DEMO0007")
    expiry = (datetime.now(UTC) + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    body = {
        "id": "oe2-1",
        "resources": [study_resource(study)],
        "type": "stone-viewer-publication",
        "expiration-date": expiry.isoformat(),
        "validity-duration": None,
        "server-id": None,
    }
    response = client.put(
        "/auth/tokens/stone-viewer-publication", json=body, headers=plugin_headers
    )
    assert response.status_code == 200, response.text
    assert response.json["url"] == f"{app.config['PUBLIC_BASE_URL']}/s/{response.json['token']}"
    with app.app_context():
        share = db.session.scalar(select(Share))
        assert share.owner.email == app.config["AUTHZ_SERVICE_ACCOUNT"]
        assert share.owner.active is False
        assert share.expires_at == expiry.replace(tzinfo=UTC)
        assert share.studies[0].orthanc_study_id == study.orthanc_id
        assert db.session.scalar(select(AuditEvent.kind)) == "created"


def test_instant_link_gives_a_token_that_validates(client, plugin_headers, demo_study, validate):
    study = demo_study("DEMO0008")
    body = {"resources": [{**study_resource(study), "orthanc-id": None}], "validity-duration": 600}
    response = client.put("/auth/tokens/viewer-instant-link", json=body, headers=plugin_headers)
    assert response.status_code == 200, response.text
    token = response.json["token"]
    assert response.json["url"].startswith("https://pacs.example.org/orthanc/stone-webviewer/")
    granted = validate(study_body(token, study))
    assert granted.json["granted"] is True


def test_download_instant_link_points_at_the_archive(client, plugin_headers, demo_study):
    study = demo_study("DEMO0008")
    body = {"resources": [study_resource(study)], "validity-duration": 60}
    response = client.put("/auth/tokens/download-instant-link", json=body, headers=plugin_headers)
    assert response.json["url"] == (
        f"https://pacs.example.org/orthanc/studies/{study.orthanc_id}/archive"
        f"?token={response.json['token']}"
    )


@pytest.mark.parametrize(
    ("token_type", "body", "status"),
    [
        ("unknown-type", {"resources": []}, 400),
        ("stone-viewer-publication", {"resources": "nope"}, 400),
        ("stone-viewer-publication", [], 400),
        ("stone-viewer-publication", {"resources": []}, 400),
        ("stone-viewer-publication", {"resources": [{"level": "series", "orthanc-id": "x"}]}, 400),
        ("stone-viewer-publication", {"resources": [{"level": "study"}]}, 400),
        (
            "stone-viewer-publication",
            {"resources": [{"level": "study", "dicom-uid": "1.2.3.4.5.6.7"}]},
            400,
        ),
        ("stone-viewer-publication", {"resources": ["x"]}, 400),
        ("viewer-instant-link", {"resources": [None]}, 400),
        # Viewers not in EXTERNAL_VIEWERS (stone, ohif), or with no address configured.
        ("osimis-viewer-publication", {"resources": []}, 400),
        ("meddream-instant-link", {"resources": []}, 400),
    ],
)
def test_bad_creation_requests_are_400_json(
    client, plugin_headers, demo_studies, token_type, body, status
):
    response = client.put(f"/auth/tokens/{token_type}", json=body, headers=plugin_headers)
    assert response.status_code == status
    assert response.json["message"]


def test_a_past_expiration_date_is_refused(client, plugin_headers, demo_study, app):
    body = {
        "resources": [study_resource(demo_study("DEMO0001"))],
        "expiration-date": "2001-01-01T00:00:00",
    }
    response = client.put("/auth/tokens/ohif-viewer-publication", json=body, headers=plugin_headers)
    assert response.status_code == 400
    assert "past" in response.json["message"]
    with app.app_context():
        assert db.session.scalar(select(Share)) is None


def test_a_disabled_type_says_why(client, plugin_headers, demo_studies):
    response = client.put(
        "/auth/tokens/osimis-viewer-publication", json={"resources": []}, headers=plugin_headers
    )
    assert response.status_code == 400
    assert "is disabled here: its viewer is not configured" in response.json["message"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("post", "/auth/tokens/validate", 400),
        ("post", "/auth/tokens/decode", 200),
        ("put", "/auth/tokens/viewer-instant-link", 400),
    ],
)
def test_json_nested_too_deep_is_refused_in_json(client, plugin_headers, method, path, status):
    deep = "[" * 5000 + "]" * 5000
    headers = {**plugin_headers, "Content-Type": "application/json"}
    response = getattr(client, method)(path, data=deep, headers=headers)
    assert response.status_code == status
    assert response.is_json
    if path.endswith("decode"):
        assert response.json["error-code"] == "invalid"

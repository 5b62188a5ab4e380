"""Who may use the gateway: a live share's token or recipient session, for its studies."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.db_types import utcnow
from app.extensions import db
from app.shares.models import Share
from tests.fixtures.app import app_with_tables


def studies_path(ct):
    return f"/studies/{ct.study_uid}/series/{ct.series_uid}/rendered"


def set_share(app, public_id, **values):
    with app.app_context():
        db.session.execute(update(Share).where(Share.public_id == public_id).values(**values))
        db.session.commit()


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic b3J0aGFuYzpvcnRoYW5j"},
        {"token": "eyJhbGciOiJub25lIn0.e30."},
    ],
)
def test_no_valid_credential_is_401(gateway, shared_ct, headers):
    response = gateway(studies_path(shared_ct), headers=headers)
    assert response.status_code == 401
    assert response.is_json
    assert "not-a-token" not in response.text


def test_token_in_the_query_or_token_header(gateway, shared_ct):
    assert gateway(f"{studies_path(shared_ct)}?token={gateway.token}", headers={}).status_code == (
        200
    )
    assert gateway(studies_path(shared_ct), headers={"token": gateway.token}).status_code == 200


def test_several_different_tokens_are_refused(
    gateway, shared_ct, make_share, demo_study, token_for
):
    other = make_share([demo_study("DEMO0003").orthanc_id])
    response = gateway(
        f"{studies_path(shared_ct)}?token={token_for(other.share.public_id)}",
        headers={"Authorization": f"Bearer {gateway.token}"},
    )
    assert response.status_code == 401


def test_another_shares_token_does_not_reach_this_study(
    gateway, shared_ct, make_share, demo_study, token_for
):
    other = make_share([demo_study("DEMO0003").orthanc_id])
    headers = {"Authorization": f"Bearer {token_for(other.share.public_id)}"}
    assert gateway(studies_path(shared_ct), headers=headers).status_code == 404
    listed = gateway("/studies", headers=headers).json
    assert shared_ct.study_uid not in {item["0020000D"]["Value"][0] for item in listed}


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": utcnow()},
        {"locked_at": utcnow()},
        {"expires_at": utcnow() - timedelta(seconds=1)},
    ],
    ids=["revoked", "locked", "expired"],
)
def test_a_share_that_ended_stops_at_the_next_request(app, gateway, shared_ct, change):
    assert gateway(studies_path(shared_ct)).status_code == 200
    set_share(app, shared_ct.public_id, **change)
    response = gateway(studies_path(shared_ct))
    assert response.status_code == 401
    assert gateway("/studies").status_code == 401


def test_download_off_refuses_retrieve_but_shows_images(app, gateway, shared_ct):
    set_share(app, shared_ct.public_id, allow_download=False)
    assert gateway(studies_path(shared_ct)).status_code == 200
    for path in (
        f"/studies/{shared_ct.study_uid}",
        f"/studies/{shared_ct.study_uid}/series/{shared_ct.series_uid}",
        f"/studies/{shared_ct.study_uid}/series/{shared_ct.series_uid}/instances/"
        f"{shared_ct.instance_uid}",
    ):
        response = gateway(path)
        assert response.status_code == 403
        assert "Downloads are off" in response.json["message"]


def test_the_recipient_session_opens_the_gateway_until_sign_out(client, make_share, demo_study):
    created = make_share([demo_study("DEMO0004").orthanc_id])
    uid = demo_study("DEMO0004").study_instance_uid
    assert client.get("/dicom-web/studies").status_code == 401
    landing = client.post(f"/s/{created.secret}", data={})
    assert landing.status_code == 303
    listed = client.get("/dicom-web/studies")
    assert listed.status_code == 200
    assert [item["0020000D"]["Value"][0] for item in listed.json] == [uid]
    assert client.get(f"/dicom-web/studies/{uid}/thumbnail").status_code == 200
    client.post("/v/sign-out")
    assert client.get(f"/dicom-web/studies/{uid}/thumbnail").status_code == 401


def test_orthanc_down_is_a_503_json(app_env, gateway, shared_ct):
    # Same database and keys, but an Orthanc that refuses connections.
    down = app_with_tables({**app_env, "ORTHANC_URL": "http://127.0.0.1:9"})
    headers = {"Authorization": f"Bearer {gateway.token}"}
    for path in ("/studies", studies_path(shared_ct)):
        response = down.test_client().get(f"/dicom-web{path}", headers=headers)
        assert response.status_code == 503
        assert response.is_json
        assert response.json["message"]


class TestCors:
    ORIGIN = "https://viewer.example.org"

    @pytest.fixture
    def app_env(self, app_env):
        return {**app_env, "GATEWAY_CORS_ORIGINS": f"{self.ORIGIN},http://127.0.0.1:3000"}

    def test_listed_origin_gets_cors_headers(self, gateway):
        response = gateway("/studies", headers={"Origin": self.ORIGIN, **self.auth(gateway)})
        assert response.headers["Access-Control-Allow-Origin"] == self.ORIGIN
        assert "Origin" in response.headers["Vary"]
        assert "Access-Control-Allow-Credentials" not in response.headers

    def test_preflight_allows_the_authorization_header(self, client):
        response = client.options(
            "/dicom-web/studies",
            headers={
                "Origin": self.ORIGIN,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
        )
        assert response.status_code == 200
        assert "Authorization" in response.headers["Access-Control-Allow-Headers"]

    def test_other_origins_get_none(self, gateway):
        response = gateway(
            "/studies", headers={"Origin": "https://evil.example", **self.auth(gateway)}
        )
        assert response.status_code == 200
        assert "Access-Control-Allow-Origin" not in response.headers

    @staticmethod
    def auth(gateway):
        return {"Authorization": f"Bearer {gateway.token}"}


def test_no_cors_by_default(gateway):
    response = gateway("/studies", headers={"Origin": "https://viewer.example.org"})
    assert "Access-Control-Allow-Origin" not in response.headers
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"

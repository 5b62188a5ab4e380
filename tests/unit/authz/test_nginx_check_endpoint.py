"""`GET /auth/nginx/check` through the app's WSGI stack, with real viewer tokens.

No Orthanc runs: ORTHANC_URL points at a closed port, so every answer here is proof that
the check decides without calling Orthanc.
"""

import base64
import logging
from datetime import timedelta

import pytest
from flask import Flask

from app import create_app
from app.authz import nginx_check, validate_endpoint
from app.db_types import utcnow
from app.extensions import db
from app.shares.models import Share, ShareStudy
from app.shares.viewer_tokens import mint_viewer_token
from app.users.models import User
from config import TestConfig

USER, PASSWORD = "nginx-guard", "guard-password-for-tests"
STUDY_ID, STUDY_UID = "11111111-22222222-33333333-44444444-55555555", "1.2.3.4"
OTHER_ID, OTHER_UID = "aaaaaaaa-bbbbbbbb-cccccccc-dddddddd-eeeeeeee", "1.2.3.9"
SERIES_ID = "99999999-88888888-77777777-66666666-55555555"
GUARD = {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}


@pytest.fixture
def app(tmp_path):
    env = {
        "STUDYSHARE_ENV": "test",
        "SECRET_KEY": "test-secret-key-not-for-production",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'studyshare.db'}",
        "ORTHANC_URL": "http://127.0.0.1:9",
        "AUTHZ_USERNAME": USER,
        "AUTHZ_PASSWORD": PASSWORD,
        "AUTHZ_STATE_CACHE_SECONDS": "0.1",
    }
    flask_app = create_app(TestConfig(env))
    with flask_app.app_context():
        db.create_all()
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


def make_share(app: Flask, name: str, study: tuple[str, str], **fields) -> str:
    """A share of one study, made in the database directly; its viewer token."""
    with app.app_context():
        owner = User(email=f"{name}@example.org", name="Dr Owner", password_hash="x")
        share = Share(public_id=name, secret_hash=name * 4, owner=owner, **fields)
        share.studies.append(
            ShareStudy(orthanc_study_id=study[0], study_instance_uid=study[1],
                       source_orthanc_study_id=study[0])
        )  # fmt: skip
        db.session.add(share)
        db.session.commit()
        return mint_viewer_token(share)


@pytest.fixture
def token(app) -> str:
    return make_share(app, "shared", (STUDY_ID, STUDY_UID))


@pytest.fixture
def check(app):
    client = app.test_client()

    def ask(uri, method="GET", *, guard=GUARD, verb="GET", **headers):
        sent = {**guard, "X-Original-URI": uri, "X-Original-Method": method, **headers}
        return client.open(nginx_check.PATH, method=verb, headers=sent)

    return ask


def bearer(token: str) -> dict[str, str]:
    return {"X-Original-Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    "uri",
    [
        f"/studies/{STUDY_ID}/archive",
        f"/dicom-web/studies/{STUDY_UID}/series",
        f"/dicom-web/studies?StudyInstanceUID={STUDY_UID}",
        f"/series/{SERIES_ID}",  # no study named: a valid token of a live share is enough
    ],
)
def test_a_request_of_the_shared_study_is_let_through(check, token, uri):
    response = check(uri, **bearer(token))
    assert response.status_code == 204
    assert response.data == b""
    assert nginx_check.REFUSED_HEADER[0] not in response.headers


@pytest.mark.parametrize("carrier", ["bearer", "token-header", "get-argument"])
def test_each_carrier_of_the_viewers_is_read(check, token, carrier):
    """AUTHZ-CONTRACT.md §5: `Authorization: Bearer`, a `token:` header, `?token=`."""
    uri = f"/studies/{STUDY_ID}/archive"
    if carrier == "bearer":
        response = check(uri, **bearer(token))
    elif carrier == "token-header":
        response = check(uri, token=token)
    else:
        response = check(f"{uri}?token={token}")
    assert response.status_code == 204


def test_head_is_a_read(check, token):
    assert check(f"/studies/{STUDY_ID}", "HEAD", **bearer(token)).status_code == 204
    assert check(f"/studies/{STUDY_ID}", verb="HEAD", **bearer(token)).status_code == 204


@pytest.mark.parametrize(
    ("uri", "method", "headers", "status"),
    [
        (f"/studies/{STUDY_ID}", "GET", {}, 401),
        (f"/studies/{STUDY_ID}", "GET", {"token": "garbage"}, 401),
        (f"/studies/{OTHER_ID}", "GET", "bearer", 403),
        (f"/dicom-web/studies?StudyInstanceUID={OTHER_UID}", "GET", "bearer", 403),
        ("/dicom-web/studies", "GET", "bearer", 403),
        (f"/studies/{STUDY_ID}", "DELETE", "bearer", 403),
        (f"/studies/{STUDY_ID}/anonymize", "POST", "bearer", 403),
        ("/patients", "GET", "bearer", 403),
        (f"/studies/{STUDY_ID}", "GET", "bearer+other", 403),
    ],
)
def test_refusals(check, app, token, uri, method, headers, status):
    if headers == "bearer":
        headers = bearer(token)
    elif headers == "bearer+other":
        headers = {**bearer(token), "token": make_share(app, "other", (OTHER_ID, OTHER_UID))}
    response = check(uri, method, **headers)
    assert response.status_code == status
    assert response.headers[nginx_check.REFUSED_HEADER[0]] == "refused"
    # nginx would hand a challenge on to the viewer's browser.
    assert "WWW-Authenticate" not in response.headers


@pytest.mark.parametrize("how", ["revoked_at", "locked_at", "expires_at"])
def test_an_ended_share_opens_nothing_not_even_a_series(check, app, token, how):
    with app.app_context():
        share = db.session.scalar(db.select(Share).where(Share.public_id == "shared"))
        setattr(share, how, utcnow() - timedelta(seconds=1))
        db.session.commit()
    assert check(f"/studies/{STUDY_ID}", **bearer(token)).status_code == 403
    assert check(f"/series/{SERIES_ID}", **bearer(token)).status_code == 403


@pytest.mark.parametrize(
    "guard",
    [{}, {"Authorization": "Basic " + base64.b64encode(b"nginx-guard:wrong").decode()}],
    ids=["none", "wrong"],
)
def test_only_the_guard_may_ask(check, token, guard, caplog):
    response = check(f"/studies/{STUDY_ID}", guard=guard, **bearer(token))
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    assert "guard's credentials" in caplog.text


def test_a_guard_that_does_not_say_what_was_asked_is_told_so(app, caplog):
    response = app.test_client().get(nginx_check.PATH, headers=GUARD)
    assert response.status_code == 400
    assert "X-Original-URI" in caplog.text


def test_the_check_itself_is_read_only(check, token):
    response = check(f"/studies/{STUDY_ID}", verb="POST", **bearer(token))
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


def test_refusals_are_logged_without_the_token_or_the_query(check, token, caplog):
    caplog.set_level(logging.INFO, logger="app.authz.nginx_check")
    check(f"/dicom-web/studies?PatientID=SECRET-PATIENT&token={token}", **bearer(token))
    check(f"/studies/{OTHER_ID}?token={token}")
    check(f"/studies/{STUDY_ID}", token=token + "x")
    assert "nginx check: 403 for GET /dicom-web/studies: a query names a patient" in caplog.text
    assert token not in caplog.text
    assert "SECRET-PATIENT" not in caplog.text


def test_a_database_outage_is_a_503_not_a_500(check, app, token, caplog):
    with app.app_context():
        db.drop_all()
    response = check(f"/studies/{STUDY_ID}", **bearer(token))
    assert response.status_code == 503
    assert "without a database" in caplog.text


def test_the_check_shares_the_validation_endpoints_caches_and_leaves_other_paths(app):
    check = app.wsgi_app
    assert isinstance(check, nginx_check.NginxCheck)
    assert check.endpoint is app.extensions[validate_endpoint.EXTENSION_KEY]
    assert app.test_client().get("/healthz").status_code == 200

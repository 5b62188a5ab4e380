"""The token service proved end to end: real HTTP requests to a public Orthanc whose
authorization filter asks a live StudyShare (AUTHZ-CONTRACT.md, the issue's test table)."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import jwt
import pytest
import requests
from flask import Flask
from sqlalchemy import select

from app.authz.viewer_tokens import mint_viewer_token
from app.db_types import utcnow
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.lifecycle import revoke
from app.shares.models import Share
from app.shares.service import CreatedShare
from tests.e2e.authz_fixtures import (
    AUTHZ_PASSWORD,
    AUTHZ_STATE_CACHE_SECONDS,
    AUTHZ_USERNAME,
    AUTHZ_VALIDITY_SECONDS,
    VALIDATE_PATH,
    token_service_env,
)

SHARED, OTHER, OTHER_PATIENT = "DEMO0003", "DEMO0004", "DEMO0008"
MULTIPART = "multipart/related; type=application/octet-stream"


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


@pytest.fixture(scope="module")
def demo(orthanc_client, demo_studies) -> dict[str, str]:
    """Ids and UIDs of the shared study and of two others, the same in both Orthancs."""

    def study(accession: str):
        return orthanc_client.find_studies({"AccessionNumber": accession}, limit=1).studies[0]

    shared, other, other_patient = study(SHARED), study(OTHER), study(OTHER_PATIENT)
    series = orthanc_client.get_study_series(shared.orthanc_id)[0]
    instance = orthanc_client.get_series_instances(series.orthanc_id)[0]
    return {
        "study_id": shared.orthanc_id,
        "study_uid": shared.study_instance_uid,
        "patient_id": shared.patient.orthanc_id,
        "series_id": series.orthanc_id,
        "series_uid": series.series_instance_uid,
        "instance_id": instance.orthanc_id,
        "instance_uid": instance.sop_instance_uid,
        "other_study_id": other.orthanc_id,
        "other_study_uid": other.study_instance_uid,
        "other_patient_study_id": other_patient.orthanc_id,
    }


@pytest.fixture(scope="module")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def public(public_orthanc, token_service, http) -> Callable[..., requests.Response]:
    """Send one request to the public Orthanc, with this test's app answering its filter."""

    def send(method: str, path: str, **kwargs) -> requests.Response:
        return http.request(method, public_orthanc.url + path, timeout=15, **kwargs)

    return send


def mint(app: Flask, share: Share, **kwargs) -> str:
    with app.app_context():
        return mint_viewer_token(share, **kwargs)


@pytest.fixture
def shared(make_share, demo) -> CreatedShare:
    return make_share([demo["study_id"]])


@pytest.fixture
def token(app, shared) -> str:
    return mint(app, shared.share)


def carry(token: str | None, carrier: str = "token-header") -> dict[str, dict[str, str]]:
    """requests' keyword arguments carrying the token the way a viewer does (§5)."""
    if token is None:
        return {}
    if carrier == "bearer":
        return {"headers": {"Authorization": f"Bearer {token}"}}
    if carrier == "get-argument":
        return {"params": {"token": token}}
    return {"headers": {"token": token}}


REST_ROUTES = {
    "study": "/studies/{study_id}",
    "study-series": "/studies/{study_id}/series",
    "series": "/series/{series_id}",
    "instance": "/instances/{instance_id}",
    "preview": "/instances/{instance_id}/preview",
    "archive": "/studies/{study_id}/archive",
}


@pytest.mark.parametrize("carrier", ["token-header", "bearer", "get-argument"])
@pytest.mark.parametrize("route", REST_ROUTES)
def test_rest_route_of_the_shared_study_is_granted(public, demo, token, route, carrier):
    response = public("GET", REST_ROUTES[route].format(**demo), **carry(token, carrier))
    assert response.status_code == 200


VIEWER_ROUTES = {
    # OHIF and Stone send the token as a bearer token, the Orthanc Web Viewer as `token:`.
    "dicomweb-study": ("/dicom-web/studies/{study_uid}", "bearer"),
    "dicomweb-series-list": ("/dicom-web/studies/{study_uid}/series", "bearer"),
    "dicomweb-series": ("/dicom-web/studies/{study_uid}/series/{series_uid}", "bearer"),
    "dicomweb-series-metadata": (
        "/dicom-web/studies/{study_uid}/series/{series_uid}/metadata",
        "bearer",
    ),
    "dicomweb-metadata": ("/dicom-web/studies/{study_uid}/metadata", "bearer"),
    "dicomweb-frame": (
        "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{instance_uid}/frames/1",
        "bearer",
    ),
    "qido-StudyInstanceUID": ("/dicom-web/studies?StudyInstanceUID={study_uid}", "bearer"),
    "qido-0020000D": ("/dicom-web/studies?0020000D={study_uid}", "bearer"),
    "qido-series-level": ("/dicom-web/series?StudyInstanceUID={study_uid}", "get-argument"),
    "web-viewer-series": ("/web-viewer/series/{series_id}", "token-header"),
    "web-viewer-instance": ("/web-viewer/instances/jpeg95-{instance_id}_0", "token-header"),
}


@pytest.mark.parametrize("route", VIEWER_ROUTES)
def test_viewer_route_of_the_shared_study_is_granted(public, demo, token, route):
    path, carrier = VIEWER_ROUTES[route]
    kwargs = carry(token, carrier)
    if route == "dicomweb-frame":
        kwargs.setdefault("headers", {})["Accept"] = MULTIPART
    response = public("GET", path.format(**demo), **kwargs)
    assert response.status_code == 200
    if route.startswith("qido"):
        assert {item["0020000D"]["Value"][0] for item in response.json()} == {demo["study_uid"]}


DENIED = {
    "another-study": ("GET", "/studies/{other_study_id}", None),
    "another-study-dicomweb": ("GET", "/dicom-web/studies/{other_study_uid}/metadata", None),
    "patient": ("GET", "/patients/{patient_id}", None),
    "patients": ("GET", "/patients", None),
    "system": ("GET", "/system", None),
    "tools-find": ("POST", "/tools/find", {"Level": "Study", "Query": {}}),
    "qido-without-uid": ("GET", "/dicom-web/studies", None),
    "qido-uid-list": (
        "GET",
        "/dicom-web/studies?StudyInstanceUID={study_uid},{other_study_uid}",
        None,
    ),
    # DICOMweb 1.7 honours the last of the two spellings, the plugin checks 0020000D.
    "qido-two-spellings": (
        "GET",
        "/dicom-web/studies?0020000D={study_uid}&StudyInstanceUID={other_study_uid}",
        None,
    ),
    "post-anonymize": ("POST", "/studies/{study_id}/anonymize", {"Force": True}),
    "put-metadata": ("PUT", "/studies/{study_id}/metadata/1024", "changed"),
    "orthanc-explorer": ("GET", "/app/explorer.html", None),
}


@pytest.mark.parametrize("row", DENIED)
def test_the_token_opens_nothing_else(public, demo, token, row):
    method, path, body = DENIED[row]
    response = public(method, path.format(**demo), json=body, **carry(token))
    assert response.status_code == 403


def test_the_web_viewers_own_files_need_no_token(public):
    """UncheckedFolders: the viewer's page and scripts, which hold no patient data."""
    page = public("GET", "/web-viewer/app/viewer.html")
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert public("POST", "/web-viewer/app/viewer.html").status_code == 403


def test_delete_is_denied_and_the_study_stays(public, demo, token):
    path = f"/studies/{demo['study_id']}"
    assert public("DELETE", path, **carry(token)).status_code == 403
    # The public Orthanc has no other door: a granted read proves the study is still there.
    assert public("GET", path, **carry(token)).json()["ID"] == demo["study_id"]


@pytest.fixture
def forged(app, shared, make_share, demo) -> Callable[[str], str | None]:
    """Tokens that must not open the shared study, by kind."""

    def make(kind: str) -> str | None:
        claims = jwt.decode(mint(app, shared.share), options={"verify_signature": False})
        if kind == "unknown-key":
            return jwt.encode(claims, "k" * 64, algorithm="HS256", headers={"kid": "other"})
        if kind == "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        if kind == "expired-token":
            return mint(app, shared.share, now=utcnow() - timedelta(days=1))
        if kind == "other-share":
            return mint(app, make_share([demo["other_patient_study_id"]]).share)
        return {"no-token": None, "link-secret": shared.secret, "garbage": "garbage"}[kind]

    return make


@pytest.mark.parametrize(
    "kind",
    [
        "no-token",
        "garbage",
        "link-secret",
        "unknown-key",
        "alg-none",
        "expired-token",
        "other-share",
    ],
)
def test_a_bad_token_opens_nothing(public, demo, forged, kind):
    response = public("GET", f"/studies/{demo['study_id']}", **carry(forged(kind)))
    assert response.status_code == 403


def end_share(app: Flask, public_id: str, how: str) -> None:
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == public_id))
        if how == "revoked":
            revoke(share, get_orthanc())
            return
        column = {"expired": "expires_at", "locked": "locked_at"}[how]
        setattr(share, column, utcnow() - timedelta(seconds=1))
        db.session.commit()


@pytest.mark.parametrize("how", ["revoked", "expired", "locked"])
def test_an_ended_share_is_closed_within_the_validity(public, app, demo, shared, token, how):
    path = f"/studies/{demo['study_id']}"
    assert public("GET", path, **carry(token)).status_code == 200
    end_share(app, shared.share.public_id, how)
    # The filter may reuse its grant for `validity` s, StudyShare its snapshot for the cache's.
    deadline = time.monotonic() + AUTHZ_VALIDITY_SECONDS + AUTHZ_STATE_CACHE_SECONDS + 0.5
    while (status := public("GET", path, **carry(token)).status_code) == 200:
        assert time.monotonic() < deadline, "the ended share still opens the study"
        time.sleep(0.1)
    assert status == 403


def test_the_filter_asks_once_per_study_and_token(public, demo, token, token_service):
    before = token_service.validations
    for path in ("/studies/{study_id}", "/series/{series_id}", "/instances/{instance_id}"):
        assert public("GET", path.format(**demo), **carry(token)).status_code == 200
    assert token_service.validations - before == 1


GRANT = {"granted": True, "validity": 0}
ANSWERS = {
    "well-formed": (200, GRANT, 200),
    "granted-as-string": (200, {"granted": "yes", "validity": 0}, 403),
    "validity-as-float": (200, {"granted": True, "validity": 1.5}, 403),
    "validity-missing": (200, {"granted": True}, 403),
    "status-201": (201, GRANT, 403),
    "status-500": (500, GRANT, 403),
    "not-json": (200, "granted", 403),
    # Followed, this would reach the stub's grant below (and carry the credentials there).
    "redirect": (302, GRANT, 403),
}


def stub_service(status: int, answer: object, calls: list[tuple[str, dict]]):
    """A token service that always gives `answer` and records what the filter sent."""

    def wsgi(environ, start_response):
        if environ["PATH_INFO"] != VALIDATE_PATH:
            start_response("200 OK", [("Content-Type", "application/json")])
            return [json.dumps(GRANT).encode()]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        calls.append(
            (environ["HTTP_AUTHORIZATION"], json.loads(environ["wsgi.input"].read(length)))
        )
        start_response(f"{status} STUB", [("Content-Type", "application/json"), ("Location", "/")])
        return [answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()]

    return wsgi


@pytest.mark.parametrize("case", ANSWERS)
def test_the_filter_grants_only_a_well_formed_yes(
    public_orthanc, token_service_slot, http, demo, monkeypatch, case
):
    status, answer, expected = ANSWERS[case]
    monkeypatch.setattr(token_service_slot, "app", stub_service(status, answer, []))
    path = f"{public_orthanc.url}/studies/{demo['study_id']}"
    assert http.get(path, headers={"token": f"stub-{case}"}, timeout=15).status_code == expected


def test_the_filter_sends_the_plugin_body(
    public_orthanc, token_service_slot, http, demo, monkeypatch
):
    calls: list[tuple[str, dict]] = []
    monkeypatch.setattr(token_service_slot, "app", stub_service(200, GRANT, calls))
    path = f"{public_orthanc.url}/dicom-web/studies/{demo['study_uid']}/series"
    assert http.get(path, headers={"Authorization": "Bearer stub-T"}, timeout=15).ok
    assert http.get(path, timeout=15).ok
    study = {"orthanc-id": demo["study_id"], "dicom-uid": demo["study_uid"], "server-id": None}
    credentials = base64.b64encode(f"{AUTHZ_USERNAME}:{AUTHZ_PASSWORD}".encode()).decode()
    assert calls == [
        (
            f"Basic {credentials}",
            {
                "method": "get",
                "level": "study",
                **study,
                "token-key": "authorization",
                "token-value": "Bearer stub-T",
            },
        ),
        # Anonymous calls are asked too, without token-key/value, as the plugin does.
        (f"Basic {credentials}", {"method": "get", "level": "study", **study}),
    ]

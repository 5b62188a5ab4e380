"""The token service proved end to end: real HTTP requests to a public Orthanc whose
authorization filter asks a live StudyShare (AUTHZ-CONTRACT.md, the issue's test table).

The filter runs in its faithful mode: what is denied here is denied by the real plugin
0.11.4 too. What the real plugin lets through anyway is in test_authz_bare_plugin_leaks.py.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from datetime import timedelta

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.lifecycle import revoke
from app.shares.models import Share
from tests.e2e.authz_fixtures import (
    AUTHZ_PASSWORD,
    AUTHZ_STATE_CACHE_SECONDS,
    AUTHZ_USERNAME,
    AUTHZ_VALIDITY_SECONDS,
    token_service_env,
)
from tests.e2e.authz_helpers import GRANT, MULTIPART, carry, mint, stub_service


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


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
def test_rest_route_of_the_shared_study_is_granted(public, authz_demo, authz_token, route, carrier):
    path = REST_ROUTES[route].format(**authz_demo)
    assert public("GET", path, **carry(authz_token, carrier)).status_code == 200


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
    # Study-level QIDO is not checked at all by the real plugin (see the leak tests); the
    # viewer's own query still answers with the shared study only.
    "qido-StudyInstanceUID": ("/dicom-web/studies?StudyInstanceUID={study_uid}", "bearer"),
    "qido-0020000D": ("/dicom-web/studies?0020000D={study_uid}", "bearer"),
    "qido-series-level": ("/dicom-web/series?StudyInstanceUID={study_uid}", "get-argument"),
    "qido-instance-level": ("/dicom-web/instances?0020000D={study_uid}", "bearer"),
    "web-viewer-series": ("/web-viewer/series/{series_id}", "token-header"),
    "web-viewer-instance": ("/web-viewer/instances/jpeg95-{instance_id}_0", "token-header"),
}


@pytest.mark.parametrize("route", VIEWER_ROUTES)
def test_viewer_route_of_the_shared_study_is_granted(public, authz_demo, authz_token, route):
    path, carrier = VIEWER_ROUTES[route]
    kwargs = carry(authz_token, carrier)
    if route == "dicomweb-frame":
        kwargs.setdefault("headers", {})["Accept"] = MULTIPART
    response = public("GET", path.format(**authz_demo), **kwargs)
    assert response.status_code == 200
    if route.startswith("qido"):
        studies = {item["0020000D"]["Value"][0] for item in response.json()}
        assert studies == {authz_demo["study_uid"]}


# What the real plugin 0.11.4 denies too (each row was checked against AUTHZ-CONTRACT.md §6).
DENIED = {
    "another-study": ("GET", "/studies/{other_study_id}", None),
    "another-study-dicomweb": ("GET", "/dicom-web/studies/{other_study_uid}/metadata", None),
    "another-study-series-qido": ("GET", "/dicom-web/series?0020000D={other_study_uid}", None),
    "series-qido-without-study": ("GET", "/dicom-web/series", None),
    # Patient keys name a patient, a level the plugin does not check at CheckedLevel studies.
    "instance-qido-by-patient": ("GET", "/dicom-web/instances?PatientID={dicom_patient_id}", None),
    "patient": ("GET", "/patients/{patient_id}", None),
    "patients": ("GET", "/patients", None),
    "tools-find": ("POST", "/tools/find", {"Level": "Study", "Query": {}}),
    "tools-lookup": ("POST", "/tools/lookup", "{study_uid}"),
    "post-anonymize": ("POST", "/studies/{study_id}/anonymize", {"Force": True}),
    "put-metadata": ("PUT", "/studies/{study_id}/metadata/1024", "changed"),
    "orthanc-explorer": ("GET", "/app/explorer.html", None),
}


@pytest.mark.parametrize("row", DENIED)
def test_the_token_opens_nothing_else(public, authz_demo, authz_token, row):
    method, path, body = DENIED[row]
    if isinstance(body, str):
        body = body.format(**authz_demo)
    response = public(method, path.format(**authz_demo), json=body, **carry(authz_token))
    assert response.status_code == 403


def test_the_web_viewers_own_files_need_no_token(public):
    """UncheckedFolders: the viewer's page and scripts, which hold no patient data."""
    page = public("GET", "/web-viewer/app/viewer.html")
    assert page.status_code == 200
    assert "text/html" in page.headers["Content-Type"]
    assert public("POST", "/web-viewer/app/viewer.html").status_code == 403


def test_delete_is_denied_and_the_study_stays(public, authz_demo, authz_token):
    path = f"/studies/{authz_demo['study_id']}"
    assert public("DELETE", path, **carry(authz_token)).status_code == 403
    # The public Orthanc has no other door: a granted read proves the study is still there.
    assert public("GET", path, **carry(authz_token)).json()["ID"] == authz_demo["study_id"]


@pytest.fixture
def forged(app, authz_share, make_share, authz_demo) -> Callable[[str], str | None]:
    """Tokens that must not open the shared study, by kind."""

    def make(kind: str) -> str | None:
        claims = jwt.decode(mint(app, authz_share.share), options={"verify_signature": False})
        if kind == "unknown-key":
            return jwt.encode(claims, "k" * 64, algorithm="HS256", headers={"kid": "other"})
        if kind == "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        if kind == "expired-token":
            return mint(app, authz_share.share, now=utcnow() - timedelta(days=1))
        if kind == "other-share":
            return mint(app, make_share([authz_demo["other_patient_study_id"]]).share)
        return {"no-token": None, "link-secret": authz_share.secret, "garbage": "garbage"}[kind]

    return make


BAD_TOKENS = [
    "no-token",
    "garbage",
    "link-secret",
    "unknown-key",
    "alg-none",
    "expired-token",
    "other-share",
]


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_a_bad_token_opens_nothing(public, authz_demo, forged, kind):
    response = public("GET", f"/studies/{authz_demo['study_id']}", **carry(forged(kind)))
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
def test_an_ended_share_is_closed_within_the_validity(
    public, app, authz_demo, authz_share, authz_token, how
):
    path = f"/studies/{authz_demo['study_id']}"
    assert public("GET", path, **carry(authz_token)).status_code == 200
    end_share(app, authz_share.share.public_id, how)
    # The filter may reuse its grant for `validity` s, StudyShare its snapshot for the cache's.
    deadline = time.monotonic() + AUTHZ_VALIDITY_SECONDS + AUTHZ_STATE_CACHE_SECONDS + 0.5
    while (status := public("GET", path, **carry(authz_token)).status_code) == 200:
        assert time.monotonic() < deadline, "the ended share still opens the study"
        time.sleep(0.1)
    assert status == 403


def test_the_filter_asks_once_per_study_and_token(public, authz_demo, authz_token, token_service):
    before = token_service.validations
    for path in ("/studies/{study_id}", "/series/{series_id}", "/instances/{instance_id}"):
        assert public("GET", path.format(**authz_demo), **carry(authz_token)).status_code == 200
    assert token_service.validations - before == 1


# The contract's answer format (§1); StudyShare always answers 200 with both keys.
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


@pytest.mark.parametrize("case", ANSWERS)
def test_the_filter_grants_only_a_well_formed_yes(
    public_orthanc, token_service_slot, authz_http, authz_demo, monkeypatch, case
):
    status, answer, expected = ANSWERS[case]
    monkeypatch.setattr(token_service_slot, "app", stub_service(status, answer, []))
    path = f"{public_orthanc.url}/studies/{authz_demo['study_id']}"
    response = authz_http.get(path, headers={"token": f"stub-{case}"}, timeout=15)
    assert response.status_code == expected


def test_the_filter_sends_the_plugin_body(
    public_orthanc, token_service_slot, authz_http, authz_demo, monkeypatch
):
    calls: list[dict] = []
    monkeypatch.setattr(token_service_slot, "app", stub_service(200, GRANT, calls))
    path = f"{public_orthanc.url}/dicom-web/studies/{authz_demo['study_uid']}/series"
    assert authz_http.get(path, headers={"Authorization": "Bearer stub-T"}, timeout=15).ok
    assert authz_http.get(path, headers={"token": "stub-H"}, timeout=15).ok
    assert authz_http.get(path, timeout=15).ok
    study = {
        "method": "get",
        "level": "study",
        "orthanc-id": authz_demo["study_id"],
        "dicom-uid": authz_demo["study_uid"],
        "server-id": None,
    }
    credentials = base64.b64encode(f"{AUTHZ_USERNAME}:{AUTHZ_PASSWORD}".encode()).decode()
    assert calls == [
        {
            # Stone's standard configuration names the header `Authorization`; the plugin
            # does not forward it as a header, which carries its own Basic credentials.
            "authorization": f"Basic {credentials}",
            "token-header": None,
            "body": {**study, "token-key": "Authorization", "token-value": "Bearer stub-T"},
        },
        {
            "authorization": f"Basic {credentials}",
            "token-header": "stub-H",
            "body": {**study, "token-key": "token", "token-value": "stub-H"},
        },
        # Anonymous calls are asked too, without token-key/value, as the plugin does.
        {"authorization": f"Basic {credentials}", "token-header": None, "body": study},
    ]

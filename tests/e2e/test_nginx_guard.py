"""The shipped nginx guard (deploy/nginx/) proved end to end: Debian's nginx running exactly
the templates, in front of a public Orthanc whose filter behaves like the real plugin 0.11.4
(leaks included), asking a live StudyShare (`GET /auth/nginx/check`)."""

from __future__ import annotations

import base64
import http.client
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from requests.adapters import HTTPAdapter

from app.demo.nginx import (
    PLAIN_HTTP_TEMPLATES,
    TLS_TEMPLATES,
    NginxServer,
    documented_variables,
    free_port,
    self_signed_certificate,
    used_variables,
)
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.lifecycle import revoke
from app.shares.models import Share
from app.shares.study_ref import StudyRef
from app.shares.viewer_urls import viewer_url
from tests.e2e.authz_fixtures import (
    AUTHZ_PASSWORD,
    AUTHZ_STATE_CACHE_SECONDS,
    AUTHZ_USERNAME,
    token_service_env,
)
from tests.e2e.authz_helpers import MULTIPART, carry, mint

GUARD_HEADER = "X-StudyShare-Guard"
ORTHANC_SIDE = "127.0.0.2"  # the public Orthanc's network, as far as nginx can tell
LOCATIONS = [t for t in TLS_TEMPLATES if t.name.endswith(".locations.template")]


@dataclass(frozen=True)
class Guard:
    orthanc_url: str  # the guarded public Orthanc, plain HTTP
    studyshare_url: str  # StudyShare behind nginx, plain HTTP
    https_url: str  # both sites over TLS, told apart by server name
    certificate: Path


def template_values(workdir: Path, orthanc_url: str, studyshare_url: str) -> dict[str, str]:
    certificate, key = self_signed_certificate(workdir)
    credentials = f"{AUTHZ_USERNAME}:{AUTHZ_PASSWORD}".encode()
    tls = {
        f"{site}_TLS_CERTIFICATE{suffix}": str(path)
        for site in ("ORTHANC", "STUDYSHARE")
        for suffix, path in (("", certificate), ("_KEY", key))
    }
    return {
        "PUBLIC_ORTHANC_UPSTREAM": orthanc_url.removeprefix("http://"),
        "STUDYSHARE_UPSTREAM": studyshare_url.removeprefix("http://"),
        "TOKEN_SERVICE_UPSTREAM": studyshare_url.removeprefix("http://"),
        "AUTHZ_BASIC": base64.b64encode(credentials).decode(),
        "ORTHANC_SIDE_NETWORK": f"{ORTHANC_SIDE}/32",
        "ORTHANC_SERVER_NAME": "localhost",
        "STUDYSHARE_SERVER_NAME": "studyshare.localhost",
        "HTTPS_LISTEN": f"127.0.0.1:{free_port()}",
        "ORTHANC_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        "STUDYSHARE_HTTP_LISTEN": f"127.0.0.1:{free_port()}",
        **tls,
    }


@pytest.fixture(scope="session")
def guard(tmp_path_factory, public_orthanc, token_service_slot) -> Iterator[Guard]:
    """nginx with every shipped template (HTTPS and plain HTTP) rendered and running, in
    front of the public Orthanc whose filter is faithful to plugin 0.11.4 (§6 leaks open)."""
    assert public_orthanc.config()["StudyShareAuthz"]["Mode"] == "faithful"
    workdir = tmp_path_factory.mktemp("nginx")
    values = template_values(workdir, public_orthanc.url, token_service_slot.url)
    names = ("HTTPS_LISTEN", "ORTHANC_HTTP_LISTEN", "STUDYSHARE_HTTP_LISTEN")
    listens = [values[name] for name in names]
    nginx = NginxServer(workdir, TLS_TEMPLATES + PLAIN_HTTP_TEMPLATES, values)
    with nginx.start([int(listen.rpartition(":")[2]) for listen in listens]):
        yield Guard(
            orthanc_url=f"http://{values['ORTHANC_HTTP_LISTEN']}",
            studyshare_url=f"http://{values['STUDYSHARE_HTTP_LISTEN']}",
            https_url=f"https://localhost:{listens[0].rpartition(':')[2]}",
            certificate=Path(values["ORTHANC_TLS_CERTIFICATE"]),
        )


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


@pytest.fixture(scope="module")
def demo(authz_demo, orthanc_client) -> dict[str, str]:
    """authz_demo, and an instance of the patient's other study (DEMO0004)."""
    other_series = orthanc_client.get_study_series(authz_demo["other_study_id"])[0]
    other_instance = orthanc_client.get_series_instances(other_series.orthanc_id)[0]
    return {**authz_demo, "other_instance_id": other_instance.orthanc_id}


@pytest.fixture
def other_token(app, make_share, demo) -> str:
    """A valid token of another share, for the patient's other study."""
    return mint(app, make_share([demo["other_study_id"]]).share)


@pytest.fixture
def through_guard(guard, token_service, authz_http):
    def send(method: str, path: str, **kwargs) -> requests.Response:
        return authz_http.request(method, guard.orthanc_url + path, timeout=15, **kwargs)

    return send


def refused_by_guard(response: requests.Response, status: int = 403) -> bool:
    return response.status_code == status and response.headers.get(GUARD_HEADER) == "refused"


# --- the templates ---------------------------------------------------------------------


@pytest.mark.parametrize("template", TLS_TEMPLATES + PLAIN_HTTP_TEMPLATES, ids=lambda t: t.name)
def test_every_template_documents_exactly_the_variables_it_uses(template):
    text = template.read_text(encoding="utf-8")
    assert used_variables(text)
    assert documented_variables(text) == used_variables(text)
    # The Docker image's envsubst also replaces `$NAME` without braces: none may be there.
    assert not re.search(r"\$[A-Z]", text)


@pytest.mark.parametrize(
    "templates",
    [TLS_TEMPLATES, PLAIN_HTTP_TEMPLATES + LOCATIONS],
    ids=["https", "plain-http"],
)
def test_nginx_accepts_each_shipped_set_of_templates(tmp_path, templates):
    values = template_values(tmp_path, "http://127.0.0.1:8042", "http://127.0.0.1:5000")
    checked = NginxServer(tmp_path, templates, values).test()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


# --- §6: every leak is closed ----------------------------------------------------------

LEAKS = {
    "qido-without-token": ("GET", "/dicom-web/studies", None),
    "qido-without-query": ("GET", "/dicom-web/studies", "A"),
    "qido-patient-id": ("GET", "/dicom-web/studies?PatientID={dicom_patient_id}", "A"),
    "qido-study-and-patient-name": (
        "GET",
        "/dicom-web/studies?StudyInstanceUID={study_uid}&PatientName=*",
        "A",
    ),
    "qido-other-study": ("GET", "/dicom-web/studies?StudyInstanceUID={other_study_uid}", "A"),
    "qido-uid-list": (
        "GET",
        "/dicom-web/studies?StudyInstanceUID={study_uid},{other_study_uid}",
        "A",
    ),
    "qido-two-keys": (
        "GET",
        "/dicom-web/instances?0020000D={study_uid}&StudyInstanceUID={other_study_uid}"
        "&includefield=00100010,00100030",
        "A",
    ),
    "qido-key-repeated": (
        "GET",
        "/dicom-web/series?StudyInstanceUID={study_uid}&StudyInstanceUID={other_study_uid}",
        "A",
    ),
    "qido-in-study-second-key": (
        "GET",
        "/dicom-web/studies/{study_uid}/series?0020000D={other_study_uid}",
        "A",
    ),
    "system": ("GET", "/system", None),
    "patients": ("GET", "/patients", "A"),
    "patient": ("GET", "/patients/{patient_id}", "A"),
    "patient-of-the-study": ("GET", "/studies/{study_id}/patient", "A"),
    "tools-find": ("POST", "/tools/find", "A"),
    "tools-find-as-get": ("GET", "/tools/find", "A"),
    "tools-lookup": ("POST", "/tools/lookup", None),
    "changes": ("GET", "/changes", "A"),
    "orthanc-side-token-service": ("POST", "/auth/tokens/decode", "A"),
    "studies-list": ("GET", "/studies", "A"),
    "instances-list": ("GET", "/instances?expand", "A"),
    "other-archive": ("GET", "/studies/{other_study_id}/archive", "A"),
    "other-media": ("GET", "/studies/{other_study_id}/media", "A"),
    "other-dicomweb": ("GET", "/dicom-web/studies/{other_study_uid}/metadata", "A"),
    "upload": ("POST", "/instances", "A"),
    "delete": ("DELETE", "/studies/{study_id}", "A"),
    "put": ("PUT", "/studies/{study_id}/metadata/1024", "A"),
    "anonymize": ("POST", "/studies/{study_id}/anonymize", "A"),
    "orthanc-explorer": ("GET", "/app/explorer.html", None),
    "escaped-path": ("GET", "/web-viewer/app/%2e%2e/%2e%2e/patients", None),
    "doubled-slash": ("GET", "//patients", None),
}


@pytest.mark.parametrize("row", LEAKS)
def test_the_guard_refuses_every_leak(through_guard, demo, authz_token, row):
    method, path, who = LEAKS[row]
    response = through_guard(
        method, path.format(**demo), **carry(authz_token if who else None, "bearer")
    )
    assert refused_by_guard(response), (response.status_code, response.headers)


# Without the guard, the faithful stand-in of plugin 0.11.4 serves these (AUTHZ-CONTRACT §6).
CONTROLS = ["qido-without-token", "qido-patient-id", "qido-two-keys", "system"]


@pytest.mark.parametrize("row", CONTROLS)
def test_those_leaks_are_open_without_the_guard(public, demo, authz_token, row):
    method, path, who = LEAKS[row]
    response = public(method, path.format(**demo), **carry(authz_token if who else None, "bearer"))
    assert response.status_code == 200
    if row.startswith("qido"):
        assert demo["other_study_uid"] in response.text


@pytest.mark.parametrize("carriers", ["bearer+header", "bearer+argument", "argument-twice"])
def test_several_tokens_in_one_request_are_refused(
    through_guard, public, demo, authz_token, other_token, carriers
):
    path = f"/studies/{demo['other_study_id']}"
    if carriers == "bearer+header":
        kwargs = {"headers": {"Authorization": f"Bearer {authz_token}", "token": other_token}}
    elif carriers == "bearer+argument":
        kwargs = {
            "headers": {"Authorization": f"Bearer {authz_token}"},
            "params": {"token": other_token},
        }
    else:
        kwargs = {"params": [("token", authz_token), ("token", other_token)]}
    assert refused_by_guard(through_guard("GET", path, **kwargs))
    if carriers == "bearer+header":
        # The plugin grants the request when any one of its tokens opens the study.
        assert public("GET", path, **kwargs).status_code == 200


def test_the_same_token_twice_is_one_token(through_guard, demo, authz_token):
    response = through_guard(
        "GET",
        f"/studies/{demo['study_id']}/archive",
        headers={"Authorization": f"Bearer {authz_token}"},
        params={"token": authz_token},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/zip"


def test_an_instance_of_another_study_is_refused_by_the_plugin_behind_the_guard(
    through_guard, demo, authz_token
):
    """Instance routes name no study: the guard checks the token, the plugin the study."""
    response = through_guard(
        "GET", f"/instances/{demo['other_instance_id']}/file", **carry(authz_token)
    )
    assert response.status_code == 403
    assert GUARD_HEADER not in response.headers


@pytest.mark.parametrize(
    ("kind", "status"),
    [("none", 401), ("garbage", 401), ("link-secret", 401), ("other-share", 403)],
)
def test_a_missing_or_foreign_token_is_refused(
    through_guard, demo, authz_share, other_token, kind, status
):
    value = {"none": None, "garbage": "garbage", "link-secret": authz_share.secret}.get(
        kind, other_token
    )
    response = through_guard("GET", f"/studies/{demo['study_id']}", **carry(value))
    assert refused_by_guard(response, status)
    assert "WWW-Authenticate" not in response.headers


def test_the_guard_overwrites_what_the_client_says_of_the_original_request(
    through_guard, demo, authz_token
):
    forged = {
        "X-Original-URI": f"/dicom-web/studies?StudyInstanceUID={demo['study_uid']}",
        "X-Original-Method": "GET",
        "X-Original-Authorization": f"Bearer {authz_token}",
    }
    response = through_guard(
        "GET", f"/dicom-web/studies?PatientID={demo['dicom_patient_id']}", headers=forged
    )
    assert refused_by_guard(response)


def test_a_client_cannot_hand_the_check_a_token_of_its_own(through_guard, demo, authz_token):
    """Without an Authorization header of its own, the client's X-Original-Authorization is
    dropped too: nginx sends only the headers it sets under those names."""
    headers = {"X-Original-Authorization": f"Bearer {authz_token}"}
    response = through_guard("GET", f"/studies/{demo['study_id']}", headers=headers)
    assert refused_by_guard(response, 401)


def test_two_token_headers_are_several_tokens(guard, token_service, demo, authz_token, other_token):
    host, _, port = guard.orthanc_url.removeprefix("http://").partition(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=15)
    try:
        connection.putrequest("GET", f"/studies/{demo['study_id']}")
        connection.putheader("token", authz_token)
        connection.putheader("token", other_token)
        connection.endheaders()
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    assert response.status == 403
    assert response.getheader(GUARD_HEADER) == "refused"


def test_a_preflight_is_answered_by_nginx(through_guard, demo):
    response = through_guard("OPTIONS", f"/dicom-web/studies/{demo['study_uid']}/series")
    assert response.status_code == 204
    assert GUARD_HEADER not in response.headers


def test_an_ended_share_is_refused_within_the_state_cache(
    through_guard, app, demo, authz_share, authz_token
):
    path = f"/dicom-web/studies/{demo['study_uid']}/series"
    assert through_guard("GET", path, **carry(authz_token, "bearer")).status_code == 200
    with app.app_context():
        share = db.session.scalar(
            db.select(Share).where(Share.public_id == authz_share.share.public_id)
        )
        revoke(share, get_orthanc())
    deadline = time.monotonic() + AUTHZ_STATE_CACHE_SECONDS + 1.0
    while not refused_by_guard(
        response := through_guard("GET", path, **carry(authz_token, "bearer"))
    ):
        assert time.monotonic() < deadline, response.status_code
        time.sleep(0.05)


# --- §5: what the viewers ask for gets through ------------------------------------------

VIEWER_REQUESTS = {
    # Stone Web Viewer: `Authorization: Bearer`; its download link carries `?token=`.
    "stone-qido-study": (
        "/dicom-web/studies?0020000D={study_uid}&includefield=00081030,00080060",
        "bearer",
    ),
    "stone-series": ("/dicom-web/studies/{study_uid}/series?includefield=0008103E", "bearer"),
    "stone-series-metadata": (
        "/dicom-web/studies/{study_uid}/series/{series_uid}/metadata",
        "bearer",
    ),
    "stone-frame": (
        "/dicom-web/studies/{study_uid}/series/{series_uid}/instances/{instance_uid}/frames/1",
        "bearer",
    ),
    "stone-download": ("/studies/{study_id}/archive", "get-argument"),
    # OHIF v3: `Authorization: Bearer`.
    "ohif-qido-study": ("/dicom-web/studies?StudyInstanceUID={study_uid}", "bearer"),
    "ohif-series": ("/dicom-web/studies/{study_uid}/series", "bearer"),
    "ohif-instances": (
        "/dicom-web/studies/{study_uid}/series/{series_uid}/instances",
        "bearer",
    ),
    "ohif-study-metadata": ("/dicom-web/studies/{study_uid}/metadata", "bearer"),
    "qido-series-level": ("/dicom-web/series?StudyInstanceUID={study_uid}", "bearer"),
    "qido-instance-level": (
        "/dicom-web/instances?0020000D={study_uid}&includefield=00100010,00100030",
        "bearer",
    ),
    # Orthanc Web Viewer and Osimis: a `token:` header.
    "web-viewer-series": ("/web-viewer/series/{series_id}", "token-header"),
    "web-viewer-stable": ("/web-viewer/is-stable-series/{series_id}", "token-header"),
    "web-viewer-instance": ("/web-viewer/instances/jpeg95-{instance_id}_0", "token-header"),
    "rest-study": ("/studies/{study_id}", "token-header"),
    "rest-series": ("/series/{series_id}", "token-header"),
    "rest-instance-preview": ("/instances/{instance_id}/preview", "token-header"),
}


@pytest.mark.parametrize("row", VIEWER_REQUESTS)
def test_what_a_viewer_of_the_shared_study_asks_for_gets_through(
    through_guard, demo, authz_token, row
):
    path, carrier = VIEWER_REQUESTS[row]
    kwargs = carry(authz_token, carrier)
    if row == "stone-frame":
        kwargs["headers"]["Accept"] = MULTIPART
    response = through_guard("GET", path.format(**demo), **kwargs)
    assert response.status_code == 200, response.headers
    assert GUARD_HEADER not in response.headers
    if "qido" in row:
        assert {item["0020000D"]["Value"][0] for item in response.json()} == {demo["study_uid"]}


def test_the_web_viewers_own_files_need_no_token(through_guard):
    response = through_guard("GET", "/web-viewer/app/viewer.html")
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]


@pytest.mark.parametrize(
    "path",
    ["/stone-webviewer/index.html", "/ohif/viewer", "/osimis-viewer/app/index.html"],
)
def test_the_other_viewers_folders_reach_orthanc_unchecked(through_guard, path):
    """Not installed in this Orthanc: its own 404 proves the guard let the request by."""
    response = through_guard("GET", path)
    assert response.status_code == 404
    assert GUARD_HEADER not in response.headers


def test_the_guard_serves_the_study_over_tls(guard, token_service, demo, authz_token, authz_http):
    url = guard.https_url + f"/studies/{demo['study_id']}"
    response = authz_http.get(url, verify=str(guard.certificate), timeout=15, **carry(authz_token))
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    refused = authz_http.get(
        guard.https_url + "/dicom-web/studies", verify=str(guard.certificate), timeout=15
    )
    assert refused_by_guard(refused)


# --- StudyShare behind nginx ------------------------------------------------------------


class FromAddress(HTTPAdapter):
    """Connects from a given loopback address, as the public Orthanc's network would."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


@pytest.fixture
def orthanc_side() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.mount("http://", FromAddress(ORTHANC_SIDE))
        yield session


def chunked_validation(session, url, demo, authz_token) -> requests.Response:
    body = json.dumps(
        {
            "method": "get",
            "level": "study",
            "orthanc-id": demo["study_id"],
            "dicom-uid": demo["study_uid"],
            "token-key": "token",
            "token-value": authz_token,
            "server-id": None,
        }
    ).encode()
    # A generator body: requests sends it chunked, without Content-Length, as plugin 0.11.4.
    chunks = (body[i : i + 16] for i in range(0, len(body), 16))
    return session.post(
        url + "/auth/tokens/validate",
        data=chunks,
        headers={"Content-Type": "application/json"},
        auth=(AUTHZ_USERNAME, AUTHZ_PASSWORD),
        timeout=15,
    )


def test_the_chunked_validation_call_reaches_studyshare_from_the_orthanc_side(
    guard, token_service, orthanc_side, demo, authz_token
):
    response = chunked_validation(orthanc_side, guard.studyshare_url, demo, authz_token)
    assert response.status_code == 200
    assert response.json()["granted"] is True


def test_the_token_service_is_closed_to_everyone_else(
    guard, token_service, authz_http, demo, authz_token
):
    response = chunked_validation(authz_http, guard.studyshare_url, demo, authz_token)
    assert response.status_code == 403


def test_the_check_is_not_reachable_through_studyshares_site(guard, token_service, orthanc_side):
    response = orthanc_side.get(
        guard.studyshare_url + "/auth/nginx/check",
        auth=(AUTHZ_USERNAME, AUTHZ_PASSWORD),
        headers={"X-Original-URI": "/system", "X-Original-Method": "GET"},
        timeout=15,
    )
    assert response.status_code == 403


def test_studyshares_pages_are_proxied(guard, token_service, authz_http):
    response = authz_http.get(guard.studyshare_url + "/healthz", timeout=15)
    assert response.status_code == 200


# --- a real viewer through the guard -----------------------------------------------------


@pytest.mark.e2e
def test_the_web_viewer_shows_the_shared_images_through_the_guard(
    app, browser, guard, token_service, authz_token, demo
):
    """The Orthanc Web Viewer link StudyShare hands out, opened in Chromium via the guard."""
    app.config.update(PUBLIC_ORTHANC_ROOT=guard.orthanc_url)
    study = StudyRef(demo["study_id"], demo["study_uid"])
    with app.app_context():
        link = viewer_url("webviewer", study, authz_token, first_series_id=demo["series_id"])
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    statuses: dict[str, int] = {}
    page.on(
        "response",
        lambda response: (
            response.url.startswith(guard.orthanc_url)
            and statuses.setdefault(response.url.partition("?")[0], response.status)
        ),
    )
    try:
        page.goto(link)
        page.wait_for_function("document.querySelector('canvas') !== null")
        page.wait_for_timeout(1000)  # let the first frames arrive
    finally:
        context.close()
    assert any("/web-viewer/instances/" in url for url in statuses), statuses
    assert set(statuses.values()) == {200}, statuses


def test_head_of_the_shared_study_is_let_through(through_guard, demo, authz_token):
    """The guard lets HEAD by like GET; Orthanc 1.10 itself answers it 404, empty."""
    response = through_guard("HEAD", f"/studies/{demo['study_id']}", **carry(authz_token))
    assert GUARD_HEADER not in response.headers
    assert refused_by_guard(through_guard("HEAD", "/patients"))

"""Public Orthancs guarded by the authorization filter, asking a live StudyShare.

Each Orthanc lives for the whole session and its filter reads the service's URLs once, at
load, so they point at a session-wide HTTP server; each test plugs its own app (fresh
database, its own shares) into that server with the `token_service` fixture.

`public_orthanc` runs the filter in its default "faithful" mode (the real plugin 0.11.4,
leaks included); `strict_public_orthanc` in "strict" mode; `profiled_public_orthanc` is
faithful and configured like `WebServiceRootUrl`, so it asks for a user profile too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator

import pytest
import requests
from flask import Flask
from werkzeug.serving import make_server

from app.demo.orthanc_server import OrthancServer
from app.demo.public_orthanc import PROFILE_PATH, VALIDATE_PATH
from app.demo.public_orthanc import public_orthanc as public_orthanc_server
from app.shares.service import CreatedShare
from tests.e2e.authz_helpers import Recorder, mint

AUTHZ_USERNAME, AUTHZ_PASSWORD = "public-orthanc", "public-orthanc-password-for-tests"
# Short, so that a revocation reaches the public Orthanc within about a second.
AUTHZ_VALIDITY_SECONDS, AUTHZ_STATE_CACHE_SECONDS = 2, 0.2
# The shared study, another of the same patient, and one of another patient (demo catalog).
SHARED, OTHER, OTHER_PATIENT = "DEMO0003", "DEMO0004", "DEMO0008"


def token_service_env(app_env: dict[str, str]) -> dict[str, str]:
    """`app_env` for an app that answers the public Orthanc's filter."""
    return {
        **app_env,
        "AUTHZ_USERNAME": AUTHZ_USERNAME,
        "AUTHZ_PASSWORD": AUTHZ_PASSWORD,
        "AUTHZ_VALIDITY_SECONDS": str(AUTHZ_VALIDITY_SECONDS),
        "AUTHZ_STATE_CACHE_SECONDS": str(AUTHZ_STATE_CACHE_SECONDS),
    }


class TokenServiceSlot:
    """WSGI app that forwards to the current test's StudyShare app and counts its calls."""

    def __init__(self) -> None:
        self.app: Callable | None = None
        self.url = ""
        self.validations = 0
        self.profiles = 0

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        app = self.app
        if app is None:
            start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain")])
            return [b"No StudyShare app is plugged in."]
        path = environ.get("PATH_INFO")
        if path == VALIDATE_PATH:
            self.validations += 1
        elif path == PROFILE_PATH:
            self.profiles += 1
        return app(environ, start_response)


@pytest.fixture(scope="session")
def token_service_slot() -> Iterator[TokenServiceSlot]:
    """The session's fixed address of the token service."""
    slot = TokenServiceSlot()
    server = make_server("127.0.0.1", 0, slot, threaded=True)
    slot.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield slot
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def token_service(app: Flask, token_service_slot: TokenServiceSlot) -> Iterator[TokenServiceSlot]:
    """This test's app, answering the public Orthanc's validation calls."""
    if app.config["AUTHZ_USERNAME"] != AUTHZ_USERNAME:
        pytest.fail("Override app_env with token_service_env(app_env) to use token_service.")
    token_service_slot.app = app
    try:
        yield token_service_slot
    finally:
        token_service_slot.app = None


@pytest.fixture
def service_calls(app: Flask, token_service: TokenServiceSlot) -> Recorder:
    """Every call the filter makes to this test's app, with the app's answers."""
    recorder = Recorder(app)
    token_service.app = recorder
    return recorder


def _public_server(
    factory: pytest.TempPathFactory, slot: TokenServiceSlot, label: str, **options
) -> OrthancServer:
    return public_orthanc_server(
        factory.mktemp(label),
        token_service_url=slot.url,
        username=AUTHZ_USERNAME,
        password=AUTHZ_PASSWORD,
        name=f"StudyShare public ({label})",
        **options,
    )


@pytest.fixture(scope="session")
def public_orthanc(
    tmp_path_factory: pytest.TempPathFactory, token_service_slot: TokenServiceSlot
) -> Iterator[OrthancServer]:
    """An Orthanc without credentials whose filter behaves like the real plugin 0.11.4."""
    with _public_server(tmp_path_factory, token_service_slot, "faithful", mode="faithful") as s:
        yield s


@pytest.fixture(scope="session")
def strict_public_orthanc(
    tmp_path_factory: pytest.TempPathFactory, token_service_slot: TokenServiceSlot
) -> Iterator[OrthancServer]:
    """The same with the filter's strict mode, which denies the real plugin's leaks."""
    with _public_server(tmp_path_factory, token_service_slot, "strict", mode="strict") as s:
        yield s


@pytest.fixture(scope="session")
def profiled_public_orthanc(
    tmp_path_factory: pytest.TempPathFactory, token_service_slot: TokenServiceSlot
) -> Iterator[OrthancServer]:
    """Faithful, configured like WebServiceRootUrl: it asks `user/get-profile` too."""
    with _public_server(
        tmp_path_factory, token_service_slot, "profiled", mode="faithful", web_service_root=True
    ) as server:
        yield server


@pytest.fixture(scope="session")
def authz_demo(orthanc_client, demo_studies) -> dict[str, str]:
    """Ids and UIDs of the shared study and of two others, the same in every Orthanc."""

    def study(accession: str):
        return orthanc_client.find_studies({"AccessionNumber": accession}, limit=1).studies[0]

    shared, other, other_patient = study(SHARED), study(OTHER), study(OTHER_PATIENT)
    series = orthanc_client.get_study_series(shared.orthanc_id)[0]
    instance = orthanc_client.get_series_instances(series.orthanc_id)[0]
    return {
        "study_id": shared.orthanc_id,
        "study_uid": shared.study_instance_uid,
        "patient_id": shared.patient.orthanc_id,
        "dicom_patient_id": shared.patient.patient_id,
        "series_id": series.orthanc_id,
        "series_uid": series.series_instance_uid,
        "instance_id": instance.orthanc_id,
        "instance_uid": instance.sop_instance_uid,
        "other_study_id": other.orthanc_id,
        "other_study_uid": other.study_instance_uid,
        "other_patient_study_id": other_patient.orthanc_id,
        "other_patient_study_uid": other_patient.study_instance_uid,
        "other_patient_name": other_patient.patient.name,
    }


@pytest.fixture(scope="session")
def authz_http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session


@pytest.fixture
def authz_share(make_share, authz_demo) -> CreatedShare:
    """A share of the shared study (DEMO0003) only."""
    return make_share([authz_demo["study_id"]])


@pytest.fixture
def authz_token(app, authz_share) -> str:
    """A viewer token of `authz_share`."""
    return mint(app, authz_share.share)


def _sender(server: OrthancServer, http: requests.Session) -> Callable[..., requests.Response]:
    def send(method: str, path: str, **kwargs) -> requests.Response:
        return http.request(method, server.url + path, timeout=15, **kwargs)

    return send


@pytest.fixture
def public(public_orthanc, token_service, authz_http) -> Callable[..., requests.Response]:
    """Send one request to the faithful public Orthanc, this test's app answering its filter."""
    return _sender(public_orthanc, authz_http)


@pytest.fixture
def strict_public(
    strict_public_orthanc, token_service, authz_http
) -> Callable[..., requests.Response]:
    """The same through the strict filter."""
    return _sender(strict_public_orthanc, authz_http)


@pytest.fixture
def profiled_public(
    profiled_public_orthanc, token_service, authz_http
) -> Callable[..., requests.Response]:
    """The same through the faithful filter that asks for user profiles."""
    return _sender(profiled_public_orthanc, authz_http)

"""A public Orthanc guarded by the authorization filter, asking a live StudyShare.

Orthanc lives for the whole session and its filter reads the validation URL once, at load,
so that URL points at a session-wide HTTP server; each test plugs its own app (fresh
database, its own shares) into that server with the `token_service` fixture.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.orthanc.public import VALIDATE_PATH
from tests.orthanc.public import public_orthanc as public_orthanc_server
from tests.orthanc.server import OrthancServer

AUTHZ_USERNAME, AUTHZ_PASSWORD = "public-orthanc", "public-orthanc-password-for-tests"
# Short, so that a revocation reaches the public Orthanc within about a second.
AUTHZ_VALIDITY_SECONDS, AUTHZ_STATE_CACHE_SECONDS = 2, 0.2


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
    """WSGI app that forwards to the current test's StudyShare app and counts validations."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self.url = ""
        self.validations = 0

    def __call__(self, environ: dict, start_response) -> Iterable[bytes]:
        app = self.app
        if app is None:
            start_response("503 SERVICE UNAVAILABLE", [("Content-Type", "text/plain")])
            return [b"No StudyShare app is plugged in."]
        if environ.get("PATH_INFO") == VALIDATE_PATH:
            self.validations += 1
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


@pytest.fixture(scope="session")
def public_orthanc(
    tmp_path_factory: pytest.TempPathFactory, token_service_slot: TokenServiceSlot
) -> Iterator[OrthancServer]:
    """An Orthanc without credentials whose every request goes through the authz filter."""
    server = public_orthanc_server(
        tmp_path_factory.mktemp("public-orthanc"),
        token_service_url=token_service_slot.url,
        username=AUTHZ_USERNAME,
        password=AUTHZ_PASSWORD,
    )
    with server:
        yield server

import socket

import pytest

from app import create_app
from app.orthanc.errors import OrthancUnavailable
from config import TestConfig
from tests.fixtures.app import PASSWORD


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Page not found" in response.text


def test_unknown_api_route_is_json(client):
    response = client.post("/auth/no-such-thing", json={})
    assert response.status_code == 404
    assert response.json["error"] == "Page not found"


def test_wrong_method_on_the_api_is_json(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert "message" in response.json


def test_security_headers_on_every_page(client):
    response = client.get("/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_console_pages_are_not_stored_but_static_files_may_be(logged_in_client, demo_studies):
    assert logged_in_client.get("/").headers["Cache-Control"] == "no-store"
    assert logged_in_client.get("/?patient_name=DOE*").headers["Cache-Control"] == "no-store"
    static = logged_in_client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")
    static.close()


def test_patient_pages_are_not_cached_indexed_or_referred(client):
    response = client.get("/s/")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "open the full link" in response.text


def test_authz_index_is_json(client):
    response = client.get("/auth/")
    assert response.json == {"service": "studyshare-authz", "status": "ok"}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def login(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302


def test_console_landing_survives_orthanc_outage(app_env, make_user):
    app = create_app(TestConfig({**app_env, "ORTHANC_URL": f"http://127.0.0.1:{closed_port()}"}))
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    login(client, make_user)
    response = client.get("/")
    assert response.status_code == 503
    assert "The image archive is not answering right now." in response.text
    assert "try again in a minute" in response.text
    assert "<h1>Find studies</h1>" in response.text


@pytest.fixture
def faulty_app(app):
    """The test app with two extra console routes that fail the way real views can."""

    @app.get("/fault/orthanc")
    def orthanc_down():
        raise OrthancUnavailable("connection refused")

    @app.get("/fault/bug")
    def bug():
        raise RuntimeError("a bug with a secret: hunter2")

    return app


def test_orthanc_outage_in_a_view_is_a_503_page_with_a_hint(faulty_app, make_user):
    client = faulty_app.test_client()
    login(client, make_user)
    response = client.get("/fault/orthanc")
    assert response.status_code == 503
    assert "The image archive is not answering right now." in response.text
    assert "try again" in response.text


def test_an_unexpected_error_is_a_500_page_without_details(faulty_app, make_user):
    faulty_app.config["PROPAGATE_EXCEPTIONS"] = False
    client = faulty_app.test_client()
    login(client, make_user)
    response = client.get("/fault/bug")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


def test_fault_routes_need_a_login_like_every_console_route(faulty_app):
    response = faulty_app.test_client().get("/fault/orthanc")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")

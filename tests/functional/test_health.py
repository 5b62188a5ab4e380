import socket

import flask_migrate
import pytest

from app import create_app
from config import TestConfig


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_without_io(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_reports_each_check(app, client):
    with app.app_context():
        flask_migrate.stamp()  # tables made by create_all(): mark them as the latest schema
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["checks"]["database"] == {"ok": True}
    assert response.json["checks"]["orthanc"]["ok"] is True
    assert response.json["checks"]["orthanc"]["version"].startswith("1.")


@pytest.fixture
def app_from_env(app_env):
    def build(**changes):
        flask_app = create_app(TestConfig({**app_env, **changes}))
        return flask_app.test_client()

    return build


def test_readyz_is_503_when_orthanc_is_down(app_from_env):
    client = app_from_env(ORTHANC_URL=f"http://127.0.0.1:{closed_port()}")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["database"]["ok"] is True
    assert response.json["checks"]["orthanc"] == {"ok": False, "error": "Orthanc does not answer."}


def test_readyz_is_503_with_wrong_orthanc_credentials(app_from_env):
    client = app_from_env(ORTHANC_PASSWORD="wrong-password")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "credentials" in response.json["checks"]["orthanc"]["error"]
    assert "wrong-password" not in response.text


def test_readyz_is_503_when_the_database_is_down(app_from_env):
    url = f"postgresql://postgres@127.0.0.1:{closed_port()}/studyshare"
    client = app_from_env(DATABASE_URL=url)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["database"] == {
        "ok": False,
        "error": "The database does not answer.",
    }
    assert response.json["checks"]["orthanc"]["ok"] is True

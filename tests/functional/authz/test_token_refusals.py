"""PUT /auth/tokens/<type> refused: the plugin drops the connection and OE2 says "network
error" (AUTHZ-CONTRACT.md §4), so each refusal keeps its JSON answer and is logged and audited."""

import json
import logging
import socket

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares.models import Share
from tests.fixtures.app import app_with_tables
from tests.functional.authz.conftest import AUTHZ_PASSWORD, events, oe2_body


@pytest.fixture
def app_env(app_env):
    return {**app_env, "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc"}


@pytest.mark.parametrize(
    ("token_type", "changes", "reason"),
    [
        ("stone-viewer-publication", {"expiration-date": "2001-01-01T00:00:00"}, "in the past"),
        ("stone-viewer-publication", {"expiration-date": "next week"}, "not an ISO-8601"),
        ("stone-viewer-publication", {"resources": []}, "at least one study"),
        ("stone-viewer-publication", {"resources": "nope"}, "'resources' is needed"),
        ("osimis-viewer-publication", {}, "is disabled here"),
        ("no-such-type", {}, "Unknown token type 'no-such-type'"),
    ],
)
def test_a_refusal_stays_400_json_and_is_logged_and_audited(
    app, put_token, demo_study, caplog, token_type, changes, reason
):
    study = demo_study("DEMO0001")
    with caplog.at_level(logging.WARNING, logger="app.authz.plugin_api"):
        response = put_token(token_type, oe2_body(study, type=token_type, **changes))
    assert response.status_code == 400
    assert response.is_json
    assert reason in response.json["message"]
    [(share_id, actor, user, detail)] = events(app, "publication_refused")
    assert share_id is None
    assert (actor, user.email) == ("user", app.config["AUTHZ_SERVICE_ACCOUNT"])
    assert detail == {"type": token_type, "status": 400, "reason": response.json["message"]}
    [logged] = [r for r in caplog.records if r.name == "app.authz.plugin_api"]
    assert logged.levelno == logging.WARNING
    text = logged.getMessage()
    assert token_type in text
    assert response.json["message"] in text
    for private in (study.patient.name, study.patient.patient_id, AUTHZ_PASSWORD):
        assert private not in text
        assert private not in json.dumps(detail)
    with app.app_context():
        assert db.session.scalar(select(Share)) is None


def test_a_refused_type_name_is_cut_short_in_the_log_and_the_audit(app, put_token, caplog):
    long_type = "x" * 300
    with caplog.at_level(logging.WARNING, logger="app.authz.plugin_api"):
        response = put_token(long_type, {"resources": []})
    assert response.status_code == 400
    [(_, _, _, detail)] = events(app, "publication_refused")
    assert detail["type"] == "x" * 64
    assert "x" * 65 not in caplog.text


@pytest.fixture
def dead_orthanc_env(app_env):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Nothing listens there any more: every call to the archive is refused.
    return {**app_env, "ORTHANC_URL": f"http://127.0.0.1:{port}"}


@pytest.fixture
def dead_orthanc_app(dead_orthanc_env):
    flask_app = app_with_tables(dead_orthanc_env)
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_an_archive_outage_is_503_json_audited_too(dead_orthanc_app, plugin_headers):
    body = {"resources": [{"level": "study", "dicom-uid": "1.2.3.4.5.6.7"}]}
    response = dead_orthanc_app.test_client().put(
        "/auth/tokens/stone-viewer-publication", json=body, headers=plugin_headers
    )
    assert response.status_code == 503
    assert response.is_json
    [(_, _, _, detail)] = events(dead_orthanc_app, "publication_refused")
    assert detail == {
        "type": "stone-viewer-publication",
        "status": 503,
        "reason": "The image archive did not answer.",
    }

"""Malformed calls get a JSON 400 that does not echo the token, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import create_app
from app.shares.models import Share, ShareStudy
from app.shares.viewer_tokens import mint_viewer_token
from config import TestConfig
from tests.fixtures.fuzz import VALIDATION_KEYS

SECRET_LOOKING = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.c2lnbmF0dXJl"


@pytest.mark.parametrize(
    "body",
    [
        [],
        "a string",
        42,
        None,
        {},
        {"method": "get"},
        {"level": "study"},
        {"method": 1, "level": "study"},
        {"method": "get", "level": ["study"]},
        {"method": "get", "level": "study", "token-value": 12},
        {"method": "get", "level": "study", "token-value": SECRET_LOOKING, "orthanc-id": {}},
        {"method": "get", "level": "study", "dicom-uid": 1.5, "token-value": SECRET_LOOKING},
        {"method": "get", "level": "study", "token-key": ["token"]},
    ],
)
def test_malformed_bodies_are_400_json(validate, body):
    response = validate(body)
    assert response.status_code == 400
    assert response.json["granted"] is False
    assert response.json["validity"] == 0
    assert response.json["message"]
    assert SECRET_LOOKING not in response.text


def test_unknown_keys_labels_identifier_and_empty_strings_are_tolerated(validate):
    body = {
        "method": "get",
        "level": "study",
        "orthanc-id": "",
        "dicom-uid": "",
        "token-key": "",
        "token-value": "",
        "identifier": None,
        "labels": ["a", "b"],
        "uri": "/studies",
        "something-new": {"nested": True},
    }
    response = validate(body)
    assert response.status_code == 200
    assert response.json == {"granted": False, "validity": 9}


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"not json", "application/json"),
        (b"{", "application/json"),
        (b"method=get", "application/x-www-form-urlencoded"),
        ("\udcff".encode("utf-8", "surrogatepass"), "application/json"),
    ],
)
def test_non_json_is_400(client, plugin_headers, data, content_type):
    response = client.post(
        "/auth/tokens/validate", data=data, headers={**plugin_headers, "Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.json["granted"] is False


def test_huge_body_is_refused_with_json(client, plugin_headers):
    body = json.dumps({"method": "get", "level": "study", "pad": "x" * (2 * 1024 * 1024)})
    response = client.post(
        "/auth/tokens/validate",
        data=body,
        headers={**plugin_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json["error"] == "Request too large"


def test_only_post_is_allowed(client, plugin_headers):
    response = client.get("/auth/tokens/validate", headers=plugin_headers)
    assert response.status_code == 405
    assert response.is_json


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
plugin_keys = st.sampled_from(VALIDATION_KEYS)
bodies = json_values | st.dictionaries(plugin_keys | st.text(max_size=8), json_values, max_size=8)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies)
def test_no_body_makes_it_answer_anything_but_200_400_json(validate, body):
    response = validate(body)
    assert response.status_code in (200, 400)
    assert response.is_json
    assert isinstance(response.json["granted"], bool)
    assert isinstance(response.json["validity"], int)
    if response.status_code == 200:
        assert response.json["granted"] is False


def test_database_down_is_503_json_without_the_token(app_env, plugin_headers, caplog):
    """Fail closed and say why; a port nothing listens on is a real refused connection."""
    down = {**app_env, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/none"}
    app = create_app(TestConfig(down))
    with app.app_context():
        study = ShareStudy(study_instance_uid="1.2.3", orthanc_study_id="abc")
        share = Share(public_id="unreachable", expires_at=None, studies=[study])
        token = mint_viewer_token(share)
    body = {"method": "get", "level": "study", "orthanc-id": "abc", "token-value": token}
    response = app.test_client().post("/auth/tokens/validate", json=body, headers=plugin_headers)
    assert response.status_code == 503
    assert response.json == {
        "granted": False,
        "validity": 0,
        "message": "The database is not available right now.",
    }
    assert token not in caplog.text


def test_an_unexpected_error_fails_closed_in_json(validate, monkeypatch, caplog):
    """A bug must not become Orthanc's 500 page or a grant (a fault no real input causes)."""

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("app.authz.validate_endpoint.decide", broken)
    body = {"method": "get", "level": "study", "orthanc-id": "x", "token-value": SECRET_LOOKING}
    response = validate(body)
    assert response.status_code == 500
    assert response.json == {"granted": False, "validity": 0, "message": "Something went wrong."}
    assert SECRET_LOOKING not in caplog.text

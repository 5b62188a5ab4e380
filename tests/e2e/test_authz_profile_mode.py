"""The plugin configured with `WebServiceRootUrl` (AUTHZ-CONTRACT.md §4), through the
faithful filter: a user profile is asked for on every request, before any validation."""

from __future__ import annotations

import pytest

from app.demo.public_orthanc import DECODE_PATH, PROFILE_PATH, VALIDATE_PATH
from tests.e2e.authz_fixtures import token_service_env
from tests.e2e.authz_helpers import carry

ANONYMOUS_PROFILE = {
    "name": "Anonymous",
    "permissions": [],
    "authorized-labels": [],
    "validity": 60,
}


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


def test_profile_mode_asks_for_a_profile_on_every_request(
    profiled_public, service_calls, authz_demo, authz_token
):
    for path in ("/studies/{study_id}", "/series/{series_id}"):
        assert profiled_public("GET", path.format(**authz_demo), **carry(authz_token)).ok
    paths = [call.path for call in service_calls.calls]
    # The second validation may come from the filter's cache; the profile never does.
    assert paths.count(PROFILE_PATH) == 2
    assert paths[:2] == [PROFILE_PATH, VALIDATE_PATH]
    profile = service_calls.to(PROFILE_PATH)[0]
    assert profile.request["token-key"] == "token"
    assert profile.request["token-value"] == authz_token
    assert profile.status.startswith("200")
    assert profile.reply == ANONYMOUS_PROFILE


def test_profile_mode_anonymous_profile_call_carries_empty_strings(
    profiled_public, service_calls, authz_demo
):
    assert profiled_public("GET", f"/studies/{authz_demo['study_id']}").status_code == 403
    profile, validation = service_calls.calls
    # Unlike validate, where an anonymous call has no token-key/value at all.
    assert profile.path == PROFILE_PATH
    assert profile.request["token-key"] == ""
    assert profile.request["token-value"] == ""
    assert profile.reply == ANONYMOUS_PROFILE
    assert validation.path == VALIDATE_PATH
    assert "token-key" not in validation.request
    assert validation.reply["granted"] is False


def test_leak_through_bare_plugin_profile_defaults_open_tools_lookup(
    profiled_public, service_calls, authz_demo
):
    """Anyone may map a StudyInstanceUID to Orthanc's id (Stone's downloads need it)."""
    response = profiled_public("POST", "/tools/lookup", data=authz_demo["study_uid"])
    assert response.status_code == 200
    assert [(found["Type"], found["ID"]) for found in response.json()] == [
        ("Study", authz_demo["study_id"])
    ]
    assert [call.path for call in service_calls.calls] == [PROFILE_PATH]


def test_leak_through_bare_plugin_profile_defaults_open_generate_uid(
    profiled_public, service_calls
):
    response = profiled_public("GET", "/tools/generate-uid", params={"level": "study"})
    assert response.status_code == 200
    assert response.text.strip().replace(".", "").isdigit()
    assert [call.path for call in service_calls.calls] == [PROFILE_PATH]


@pytest.mark.parametrize("kind", ["viewer-token", "garbage"])
def test_leak_through_bare_plugin_profile_defaults_open_token_decoding(
    profiled_public, service_calls, authz_token, kind
):
    """Anyone may ask the plugin's own decode route whether a token is live."""
    value = {"viewer-token": authz_token, "garbage": "garbage"}[kind]
    body = {"TokenKey": "token", "TokenValue": value}
    response = profiled_public("POST", "/auth/tokens/decode", json=body)
    assert response.status_code == 200
    profile, decode = service_calls.calls
    assert profile.path == PROFILE_PATH
    assert decode.path == DECODE_PATH
    assert decode.request == {"token-key": "token", "token-value": value}
    # The plugin passes on StudyShare's answer, renamed (and without the resources).
    reply = decode.reply
    if kind == "viewer-token":
        assert reply["error-code"] is None
        assert response.json()["TokenType"] == reply["token-type"] == "viewer-instant-link"
    else:
        assert response.json() == {"ErrorCode": "invalid"}


def test_profile_mode_the_share_button_is_refused_to_anonymous(
    profiled_public, service_calls, authz_demo
):
    """Creating a publication needs the `share` permission, which no one has here."""
    body = {"Resources": [{"OrthancId": authz_demo["study_id"], "Level": "Study"}]}
    response = profiled_public("PUT", "/auth/tokens/stone-viewer-publication", json=body)
    assert response.status_code == 403
    assert [call.path for call in service_calls.calls] == [PROFILE_PATH]

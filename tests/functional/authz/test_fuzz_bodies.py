"""Hypothesis over the token service's JSON bodies, with NUL, surrogates and huge numbers.

Every endpoint the plugin calls (validate, decode, create, profile) answers JSON and never a
500, on both databases. tests/functional/authz/test_validate_malformed.py fuzzes the shapes
of the validation body; here the values are hostile too.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.authz.publication import INSTANT_LINK_VIEWERS, PUBLICATION_TYPES
from tests.fixtures.fuzz import (
    CREATION_KEYS,
    VALIDATION_KEYS,
    hostile_text,
    json_values,
    url_quoted,
)

PLUGIN_KEYS = VALIDATION_KEYS + CREATION_KEYS
RESOURCE_KEYS = ["dicom-uid", "orthanc-id", "url", "level"]

resources = st.lists(
    st.dictionaries(st.sampled_from(RESOURCE_KEYS) | hostile_text, json_values, max_size=4)
    | json_values,
    max_size=3,
)
objects = st.dictionaries(st.sampled_from(PLUGIN_KEYS) | hostile_text, json_values, max_size=8)
bodies = (
    objects
    | st.builds(lambda body, found: {**body, "resources": found}, objects, resources)
    | json_values
)
token_types = st.sampled_from([*PUBLICATION_TYPES, *INSTANT_LINK_VIEWERS]) | hostile_text
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def plugin(each_database_app, plugin_headers):
    client = each_database_app.test_client()

    def call(method: str, path: str, body):
        response = client.open(path, method=method, json=body, headers=plugin_headers)
        assert response.status_code != 500, (path, body, response.text)
        assert response.status_code in (200, 400, 404, 503), (path, body, response.status_code)
        assert response.is_json
        return response

    return call


@FUZZ
@given(body=bodies, token=hostile_text, study=hostile_text)
def test_validate(plugin, body, token, study):
    if isinstance(body, dict):
        # A GET of a study with a token: the walk goes as far as the token's signature.
        body = {
            **body,
            "method": "get",
            "level": "study",
            "orthanc-id": study,
            "token-value": token,
        }
    response = plugin("POST", "/auth/tokens/validate", body)
    assert response.json["granted"] is False


@FUZZ
@given(body=bodies, token=hostile_text)
def test_decode(plugin, body, token):
    plugin("POST", "/auth/tokens/decode", body)
    plugin("POST", "/auth/tokens/decode", {"token-value": token})


@FUZZ
@given(body=bodies, token_type=token_types)
def test_create(plugin, body, token_type):
    plugin("PUT", f"/auth/tokens/{url_quoted(token_type)}", body)


@FUZZ
@given(body=bodies)
def test_profile(plugin, body):
    plugin("POST", "/auth/user/get-profile", body)

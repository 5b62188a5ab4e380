"""NUL bytes and lone surrogates in the plugin's JSON: a JSON 400, never a 500.

json.loads accepts `"\\ud800"`; UTF-8 cannot encode it, so the token's signature check (and
PostgreSQL) used to fail with a UnicodeEncodeError deep inside.
"""

import pytest

from app.input_guard import REFUSED
from tests.functional.authz.conftest import oe2_body, study_body, study_resource

HOSTILE = ["\ud800", "a\x00b", "Bearer \udfff", "eyJ\udc80.x.y"]


@pytest.fixture
def live_token(make_share, demo_study, viewer_token):
    created = make_share([demo_study("DEMO0004").orthanc_id])
    return viewer_token(created.share.public_id)


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("key", ["token-value", "orthanc-id", "dicom-uid", "server-id", "level"])
def test_validate_refuses_them_in_any_field(validate, demo_study, live_token, key, text):
    body = study_body(live_token, demo_study("DEMO0004"), **{key: text})
    response = validate(body)
    assert response.status_code == 400
    assert response.json == {
        "granted": False,
        "validity": 0,
        "message": "The body holds a NUL or a lone surrogate.",
    }


def test_validate_refuses_them_in_the_named_header(validate, demo_study, live_token):
    body = study_body(None, demo_study("DEMO0004"), **{"token-key": "X-Token"})
    response = validate(body, headers={"X-Token": "a\x00"})
    assert response.status_code == 400
    assert response.json["granted"] is False


def test_validate_refuses_them_in_keys_and_nested_values(validate, demo_study, live_token):
    body = study_body(live_token, demo_study("DEMO0004"), labels=[{"\ud800": "x"}])
    assert validate(body).status_code == 400


def test_validate_still_grants_the_real_request(validate, demo_study, live_token):
    response = validate(study_body(live_token, demo_study("DEMO0004")))
    assert response.status_code == 200
    assert response.json["granted"] is True


def assert_refused(response) -> None:
    assert response.status_code == 400
    assert response.json == {"error": "Bad request", "message": REFUSED}


@pytest.mark.parametrize("text", HOSTILE)
def test_decode_refuses_them(client, plugin_headers, text):
    response = client.post(
        "/auth/tokens/decode", json={"token-value": text}, headers=plugin_headers
    )
    assert_refused(response)


@pytest.mark.parametrize("text", HOSTILE)
def test_create_refuses_them(put_token, demo_study, text):
    resource = {**study_resource(demo_study("DEMO0004")), "orthanc-id": text}
    assert_refused(
        put_token(
            "stone-viewer-publication", oe2_body(demo_study("DEMO0004")) | {"resources": [resource]}
        )
    )
    assert_refused(put_token("stone-viewer-publication", {"id": text, "resources": []}))


def test_create_refuses_them_in_the_token_type(client, plugin_headers):
    response = client.put("/auth/tokens/a%00b", json={"resources": []}, headers=plugin_headers)
    assert response.status_code == 404
    assert response.is_json


def test_the_profile_refuses_them(client, plugin_headers):
    response = client.post(
        "/auth/user/get-profile", json={"token-value": "\ud800"}, headers=plugin_headers
    )
    assert_refused(response)


@pytest.mark.parametrize(
    "uri", ["/studies/\x00", "/dicom-web/studies?StudyInstanceUID=1.2%00&token=x", "/\udcff"]
)
def test_the_nginx_check_refuses_them_without_a_500(client, plugin_headers, uri):
    response = client.get(
        "/auth/nginx/check",
        headers={
            **plugin_headers,
            "X-Original-URI": uri.encode("utf-8", "surrogateescape").decode("latin-1"),
            "X-Original-Method": "GET",
        },
    )
    assert response.status_code in (401, 403)

"""The validation call as it arrives at StudyShare's WSGI server (werkzeug), per filter mode.

Plugin 0.11.4 sends its body chunked, without Content-Length (AUTHZ-CONTRACT.md §1), and so
does the faithful filter; the strict one sends a length, as plugin 0.4.x does. StudyShare
must answer both. Debian's python3 cannot import `orthanc` outside Orthanc, so the filter is
run where it lives: in a real public Orthanc.
"""

from __future__ import annotations

import pytest

from app.demo.public_orthanc import VALIDATE_PATH
from tests.e2e.authz_fixtures import token_service_env


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


@pytest.mark.parametrize(
    ("orthanc", "chunked"),
    [("public_orthanc", True), ("strict_public_orthanc", False)],
    ids=["faithful", "strict"],
)
def test_studyshare_answers_the_validation_body_as_the_filter_sends_it(
    request, service_calls, authz_http, authz_demo, authz_token, orthanc, chunked
):
    server = request.getfixturevalue(orthanc)
    path = f"{server.url}/studies/{authz_demo['study_id']}"
    assert authz_http.get(path, headers={"token": authz_token}, timeout=15).status_code == 200
    [call] = service_calls.to(VALIDATE_PATH)
    if chunked:
        assert call.transfer_encoding == "chunked"
        assert call.content_length is None
    else:
        assert call.transfer_encoding is None
        assert call.content_length == str(len(call.body))
    assert call.request["orthanc-id"] == authz_demo["study_id"]
    assert call.request["token-value"] == authz_token
    assert call.status == "200 OK"
    assert call.reply["granted"] is True

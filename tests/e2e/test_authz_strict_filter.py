"""The filter's strict mode: the real plugin's leaks denied, StudyShare asked instead.

This is what a public Orthanc looks like behind a guard that closes every leak of
test_authz_bare_plugin_leaks.py; it is not what the real plugin does on its own.
"""

from __future__ import annotations

import pytest

from app.demo.orthanc_server import OrthancServer
from app.demo.public_orthanc import AUTHZ_FILTER, VALIDATE_PATH
from tests.e2e.authz_fixtures import token_service_env
from tests.e2e.authz_helpers import carry, carry_all


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


# Each row is let through by the real plugin (and the faithful filter).
STRICT_DENIALS = {
    "system": "/system",
    "study-qido-without-uid": "/dicom-web/studies",
    "study-qido-another-study": "/dicom-web/studies?StudyInstanceUID={other_patient_study_uid}",
    "study-qido-uid-list": "/dicom-web/studies?StudyInstanceUID={study_uid},{other_study_uid}",
    "study-qido-two-spellings": (
        "/dicom-web/studies?0020000D={study_uid}&StudyInstanceUID={other_patient_study_uid}"
    ),
    "study-qido-patient-id": "/dicom-web/studies?PatientID={dicom_patient_id}",
    "instance-qido-two-spellings": (
        "/dicom-web/instances?0020000D={study_uid}&StudyInstanceUID={other_patient_study_uid}"
        "&includefield=00100010,00100030"
    ),
}


@pytest.mark.parametrize("row", STRICT_DENIALS)
def test_strict_filter_denies_what_the_plugin_lets_through(
    strict_public, authz_demo, authz_token, row
):
    path = STRICT_DENIALS[row].format(**authz_demo)
    assert strict_public("GET", path, **carry(authz_token, "bearer")).status_code == 403


def test_strict_filter_asks_about_the_first_token_only(
    strict_public, service_calls, authz_demo, authz_token
):
    carried = carry_all(("refused-first", "bearer"), (authz_token, "get-argument"))
    response = strict_public("GET", f"/studies/{authz_demo['study_id']}", **carried)
    assert response.status_code == 403
    [call] = service_calls.to(VALIDATE_PATH)
    assert call.request["token-value"] == "Bearer refused-first"
    assert call.reply["granted"] is False


@pytest.mark.parametrize(
    "path",
    [
        "/studies/{study_id}",
        "/dicom-web/studies?StudyInstanceUID={study_uid}",
        "/dicom-web/instances?0020000D={study_uid}",
    ],
)
def test_strict_filter_asks_studyshare_about_the_shared_study(
    strict_public, service_calls, authz_demo, authz_token, path
):
    response = strict_public("GET", path.format(**authz_demo), **carry(authz_token, "bearer"))
    assert response.status_code == 200
    [call] = service_calls.to(VALIDATE_PATH)
    assert call.request["orthanc-id"] == authz_demo["study_id"]
    assert call.reply["granted"] is True


def test_an_unknown_filter_mode_denies_everything(tmp_path, authz_http):
    """A typo in `Mode` must not leave Orthanc open: the filter then denies every request."""
    section = {"Mode": "lenient", "ValidationUrl": "http://127.0.0.1:9/", "Username": "u"}
    server = OrthancServer(
        tmp_path,
        authentication=False,
        python_script=AUTHZ_FILTER,
        plugins=["webviewer"],
        extra_config={"StudyShareAuthz": {**section, "Password": "p"}},
    )
    with server:
        for path in ("/system", "/web-viewer/app/viewer.html", "/studies"):
            assert authz_http.get(server.url + path, timeout=15).status_code == 403
        assert "bad StudyShareAuthz configuration" in server.log_path.read_text()

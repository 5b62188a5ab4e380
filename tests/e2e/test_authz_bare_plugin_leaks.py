"""What the real plugin 0.11.4 lets through a bare public Orthanc (AUTHZ-CONTRACT.md §6).

Through the faithful filter each request below gets patient data it should not, while
StudyShare's own answers stay right: it is not asked at all, or it refuses and grants exactly
what it should. These leaks happen in the plugin and in Orthanc, after or instead of asking
StudyShare: they are why a public Orthanc needs a guard in front of it, or StudyShare's own
gateway serving the images. The strict filter denies them (test_authz_strict_filter.py).
"""

from __future__ import annotations

import pytest

from app.demo.public_orthanc import VALIDATE_PATH
from tests.e2e.authz_fixtures import token_service_env
from tests.e2e.authz_helpers import carry, carry_all

PATIENT_NAME, BIRTH_DATE = "00100010", "00100030"


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


def studies_in(answer: list[dict]) -> set[str]:
    return {item["0020000D"]["Value"][0] for item in answer}


def patients_in(answer: list[dict]) -> set[str]:
    return {item[PATIENT_NAME]["Value"][0]["Alphabetic"] for item in answer}


@pytest.mark.parametrize("who", ["no-token", "refused-token", "viewer-token"])
def test_leak_through_bare_plugin_study_qido_lists_every_study(
    public, service_calls, authz_demo, authz_token, demo_studies, who
):
    token = {"no-token": None, "refused-token": "garbage", "viewer-token": authz_token}[who]
    response = public("GET", "/dicom-web/studies", **carry(token, "bearer"))
    assert response.status_code == 200
    answer = response.json()
    # Every study of every patient, with names and birth dates: OHIF's own study list.
    assert len(answer) == len(demo_studies.study_ids)
    assert authz_demo["other_patient_name"] in patients_in(answer)
    assert all(item[BIRTH_DATE]["Value"] for item in answer)
    assert service_calls.calls == [], "StudyShare was never asked"


STUDY_QUERIES = {
    "another-study": ("StudyInstanceUID={other_patient_study_uid}", {"other_patient_study_uid"}),
    "uid-list": (
        "StudyInstanceUID={study_uid},{other_patient_study_uid}",
        {"study_uid", "other_patient_study_uid"},
    ),
    # DICOMweb 1.7 honours the last of the two spellings.
    "two-spellings": (
        "0020000D={study_uid}&StudyInstanceUID={other_patient_study_uid}",
        {"other_patient_study_uid"},
    ),
}


@pytest.mark.parametrize("query", STUDY_QUERIES)
def test_leak_through_bare_plugin_study_qido_answers_beyond_the_share(
    public, service_calls, authz_demo, authz_token, query
):
    arguments, expected = STUDY_QUERIES[query]
    path = "/dicom-web/studies?" + arguments.format(**authz_demo)
    response = public("GET", path, **carry(authz_token, "bearer"))
    assert response.status_code == 200
    assert studies_in(response.json()) == {authz_demo[key] for key in expected}
    assert service_calls.calls == [], "StudyShare was never asked"


def test_leak_through_bare_plugin_patient_id_lists_the_patients_unshared_studies(
    public, service_calls, authz_demo, authz_token
):
    """OHIF's "other studies of this patient" panel: the unshared DEMO0004 comes along."""
    path = f"/dicom-web/studies?PatientID={authz_demo['dicom_patient_id']}"
    response = public("GET", path, **carry(authz_token, "bearer"))
    assert response.status_code == 200
    answer = response.json()
    assert {authz_demo["study_uid"], authz_demo["other_study_uid"]} <= studies_in(answer)
    assert {item["00100020"]["Value"][0] for item in answer} == {authz_demo["dicom_patient_id"]}
    assert service_calls.calls == [], "StudyShare was never asked"


@pytest.mark.parametrize("level", ["series", "instances"])
def test_leak_through_bare_plugin_qido_checks_only_the_first_study_key(
    public, service_calls, authz_demo, authz_token, level
):
    path = (
        f"/dicom-web/{level}?0020000D={{study_uid}}&StudyInstanceUID={{other_patient_study_uid}}"
        "&includefield=00100010,00100030"
    ).format(**authz_demo)
    response = public("GET", path, **carry(authz_token, "bearer"))
    assert response.status_code == 200
    answer = response.json()
    # Granted as the shared study, answered with another patient's, name and birth date.
    assert answer
    assert studies_in(answer) == {authz_demo["other_patient_study_uid"]}
    assert patients_in(answer) == {authz_demo["other_patient_name"]}
    assert all(item[BIRTH_DATE]["Value"] for item in answer)
    [call] = service_calls.to(VALIDATE_PATH)
    assert call.request["dicom-uid"] == authz_demo["study_uid"]
    assert call.reply["granted"] is True, "StudyShare rightly granted the shared study"


def test_leak_through_bare_plugin_system_is_open_to_anyone(public, service_calls):
    """The stone-webviewer standard configuration opens `/system` (Orthanc's version, name)."""
    response = public("GET", "/system")
    assert response.status_code == 200
    assert "Version" in response.json()
    assert service_calls.calls == [], "StudyShare was never asked"


# (carrier of a refused token, carrier of the good one), in the plugin's order: headers by
# name (`Authorization` < `token`), then GET arguments.
SEVERAL_TOKENS = {
    "bearer-then-token-header": ("bearer", "token-header"),
    "bearer-then-get-argument": ("bearer", "get-argument"),
    "token-header-then-get-argument": ("token-header", "get-argument"),
}


@pytest.mark.parametrize("case", SEVERAL_TOKENS)
def test_leak_through_bare_plugin_any_one_of_several_tokens_opens(
    public, service_calls, authz_demo, authz_token, case
):
    refused_carrier, good_carrier = SEVERAL_TOKENS[case]
    # Its own refused token per case: the filter caches refusals too.
    refused = f"refused-{case}"
    carried = carry_all((refused, refused_carrier), (authz_token, good_carrier))
    response = public("GET", f"/studies/{authz_demo['study_id']}", **carried)
    assert response.status_code == 200
    # A guard that checks another of the tokens than the one granted decides for nothing.
    answers = [
        (call.request["token-value"], call.reply["granted"])
        for call in service_calls.to(VALIDATE_PATH)
    ]
    sent = f"Bearer {refused}" if refused_carrier == "bearer" else refused
    assert answers == [(sent, False), (authz_token, True)]

"""QIDO through the gateway: only the share's studies answer, whatever the query."""

import pytest

from tests.functional.gateway.conftest import study_uids


def test_study_list_without_query_holds_only_the_shared_study(gateway, shared_ct):
    response = gateway("/studies")
    assert response.status_code == 200
    assert response.mimetype == "application/dicom+json"
    assert study_uids(response.json) == {shared_ct.study_uid}


@pytest.mark.parametrize(
    "query",
    [
        "PatientID=SS-DEMO-0001",  # OHIF's "other studies of this patient"
        "00100020=SS-DEMO-0001",
        "PatientName=M*",
        "limit=101&offset=0&fuzzymatching=false&includefield=00081030,00080060",
        "ModalitiesInStudy=CR",  # the unshared X-ray's modality: nothing may answer
    ],
)
def test_patient_queries_answer_with_shared_studies_only(gateway, shared_ct, query):
    response = gateway(f"/studies?{query}")
    assert response.status_code == 200
    assert study_uids(response.json) <= {shared_ct.study_uid}
    if "CR" not in query:
        assert study_uids(response.json) == {shared_ct.study_uid}


def test_naming_the_shared_study_finds_it(gateway, shared_ct):
    response = gateway(f"/studies?StudyInstanceUID={shared_ct.study_uid}")
    assert study_uids(response.json) == {shared_ct.study_uid}
    series = gateway(f"/series?0020000D={shared_ct.study_uid}")
    assert series.status_code == 200
    assert {s["0020000E"]["Value"][0] for s in series.json} == {shared_ct.series_uid}


@pytest.mark.parametrize(
    "path",
    [
        "/studies?StudyInstanceUID={other}",
        "/series?0020000D={other}",
        "/instances?StudyInstanceUID={other}",
        "/studies?StudyInstanceUID={shared},{other}",
        "/studies/{other}/series",
        "/studies/{other}/instances",
        "/studies/{shared}/series/{other_series}/instances",
        "/instances?0020000D={shared}&SeriesInstanceUID={other_series}",
        "/instances?0020000D={shared}&SOPInstanceUID={other_instance}",
    ],
)
def test_foreign_uids_are_not_found(gateway, shared_ct, path):
    url = path.format(
        shared=shared_ct.study_uid,
        other=shared_ct.other_study_uid,
        other_series=shared_ct.other_series_uid,
        other_instance=shared_ct.other_instance_uid,
    )
    response = gateway(url)
    assert response.status_code == 404
    assert response.json["message"]


@pytest.mark.parametrize(
    "query",
    [
        # The real plugin checks the first study key only and DICOMweb answers the second.
        "0020000D={shared}&StudyInstanceUID={other}&includefield=00100010,00100030",
        "StudyInstanceUID={other}&0020000D={shared}",
        "0020000d={shared}&studyinstanceuid={shared}",
        "StudyInstanceUID={shared}&StudyInstanceUID={other}",
    ],
)
def test_a_study_named_twice_is_refused(gateway, shared_ct, query):
    url = "/instances?" + query.format(shared=shared_ct.study_uid, other=shared_ct.other_study_uid)
    response = gateway(url)
    assert response.status_code == 400
    assert "more than once" in response.json["message"]


def test_a_study_key_beside_the_path_study_is_refused(gateway, shared_ct):
    response = gateway(f"/studies/{shared_ct.study_uid}/series?0020000D={shared_ct.study_uid}")
    assert response.status_code == 400


@pytest.mark.parametrize(
    "query",
    [
        "Foo=bar",
        "PatientComments=x",
        "limit=0",
        "limit=999999",
        "limit=-1",
        "offset=abc",
        "limit=1&limit=2",
        "fuzzymatching=maybe",
        "includefield=NoSuchKeyword",
        "PatientName=DOE%5EJANE",  # '^' cannot reach Orthanc 1.10 unencoded
        "PatientID=%00",
        "PatientID=a%0Ab",
        "StudyInstanceUID=1.2.3' OR '1'='1",
    ],
)
def test_malformed_queries_get_a_clear_400(gateway, query):
    response = gateway(f"/studies?{query}")
    assert response.status_code == 400, response.text
    assert response.is_json
    assert response.json["message"]


def test_percent_encoded_wildcards_are_decoded_once(gateway, shared_ct):
    # Orthanc 1.10 itself would search for the literal "%2A".
    response = gateway("/studies?PatientID=SS-DEMO-000%2A")
    assert response.status_code == 200
    assert study_uids(response.json) == {shared_ct.study_uid}


def test_series_and_instances_of_the_shared_study(gateway, shared_ct):
    series = gateway(f"/studies/{shared_ct.study_uid}/series")
    assert [s["0020000E"]["Value"][0] for s in series.json] == [shared_ct.series_uid]
    instances = gateway(f"/studies/{shared_ct.study_uid}/series/{shared_ct.series_uid}/instances")
    assert instances.status_code == 200
    assert len(instances.json) == 20
    assert study_uids(instances.json) == {shared_ct.study_uid}
    everything = gateway("/instances?includefield=00100010")
    assert len(everything.json) == 20

"""The client's requests to a loopback Orthanc: paging, lookup, upload, delete, download."""

import json

import pytest

from tests.unit.orthanc.samples import STUDY_ID, expanded_study, other_id


def test_find_asks_for_one_more_to_know_about_a_next_page(orthanc, client):
    answer = [expanded_study(other_id(n)) for n in range(3)]
    orthanc.expect_oneshot_request("/tools/find", method="POST").respond_with_json(answer)
    page = client.find_studies({"PatientName": "müller*"}, limit=2, since=4)
    ((request, _),) = orthanc.log
    assert request.content_type == "application/json"
    assert json.loads(request.get_data()) == {
        "Level": "Study",
        "Query": {"PatientName": "müller*"},
        "Expand": True,
        "Limit": 3,
        "Since": 4,
        "CaseSensitive": False,
    }
    assert [s.orthanc_id for s in page.studies] == [other_id(0), other_id(1)]
    assert (page.since, page.limit, page.has_next, page.next_since) == (4, 2, True, 6)


@pytest.mark.parametrize("found", [0, 1, 2])
def test_a_short_answer_is_the_last_page(orthanc, client, found):
    answer = [expanded_study(other_id(n)) for n in range(found)]
    orthanc.expect_oneshot_request("/tools/find", method="POST").respond_with_json(answer)
    page = client.find_studies({}, limit=2, case_sensitive=True)
    ((request, _),) = orthanc.log
    assert json.loads(request.get_data())["CaseSensitive"] is True
    assert (len(page.studies), page.has_next, page.next_since) == (found, False, None)


@pytest.mark.parametrize(("limit", "since"), [(0, 0), (-1, 0), (10, -1)])
def test_find_refuses_a_nonsense_window(client, limit, since):
    with pytest.raises(ValueError, match="limit"):
        client.find_studies({}, limit=limit, since=since)


def test_lookup_returns_the_study_match_only(orthanc, client):
    series = {"ID": other_id(9), "Path": "/series/x", "Type": "Series"}
    study = {"ID": STUDY_ID, "Path": f"/studies/{STUDY_ID}", "Type": "Study"}
    orthanc.expect_ordered_request("/tools/lookup", method="POST").respond_with_json(
        [series, study]
    )
    orthanc.expect_ordered_request("/tools/lookup", method="POST").respond_with_json([series])
    assert client.lookup_study_uid("1.2.3.4") == STUDY_ID
    assert client.lookup_study_uid("1.2.3.5") is None
    assert [request.get_data() for request, _ in orthanc.log] == [b"1.2.3.4", b"1.2.3.5"]


@pytest.mark.parametrize("uid", ["", "1.2.x", "1..2", "1.2\n", "9" * 65])
def test_lookup_of_a_non_uid_asks_nothing(orthanc, client, uid):
    assert client.lookup_study_uid(uid) is None
    assert orthanc.log == []


def test_upload_posts_dicom_and_returns_orthancs_answer(orthanc, client):
    orthanc.expect_oneshot_request("/instances", method="POST").respond_with_json(
        {"Status": "AlreadyStored", "ID": other_id(1)}
    )
    assert client.upload_instance(b"DICM")["Status"] == "AlreadyStored"
    ((request, _),) = orthanc.log
    assert (request.headers["Content-Type"], request.get_data()) == ("application/dicom", b"DICM")


def test_delete_and_statistics(orthanc, client):
    orthanc.expect_oneshot_request(f"/studies/{STUDY_ID}", method="DELETE").respond_with_json({})
    orthanc.expect_oneshot_request("/statistics", method="GET").respond_with_json(
        {"CountStudies": 8}
    )
    assert client.delete_study(STUDY_ID) is None
    assert client.statistics() == {"CountStudies": 8}


def test_the_archive_is_streamed_as_orthanc_sends_it(orthanc, client):
    archive = b"PK\x03\x04" + bytes(range(256)) * 256
    orthanc.expect_oneshot_request(f"/studies/{STUDY_ID}/archive", method="GET").respond_with_data(
        archive, content_type="application/zip"
    )
    upstream = client.open_study_archive(STUDY_ID)
    try:
        assert b"".join(upstream.iter_content(16_384)) == archive
    finally:
        upstream.close()

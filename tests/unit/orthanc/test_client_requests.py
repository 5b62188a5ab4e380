"""The client's requests against a mocked Orthanc: paging, lookup, upload, delete."""

import json

import pytest

from tests.unit.orthanc.samples import BASE, STUDY_ID, expanded_study, other_id


def test_find_asks_for_one_more_to_know_about_a_next_page(mocked, client):
    answer = [expanded_study(other_id(n)) for n in range(3)]
    mocked.post(f"{BASE}/tools/find", json=answer)
    page = client.find_studies({"PatientName": "müller*"}, limit=2, since=4)
    sent = json.loads(mocked.calls[0].request.body)
    assert sent == {
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
def test_a_short_answer_is_the_last_page(mocked, client, found):
    mocked.post(f"{BASE}/tools/find", json=[expanded_study(other_id(n)) for n in range(found)])
    page = client.find_studies({}, limit=2, case_sensitive=True)
    assert json.loads(mocked.calls[0].request.body)["CaseSensitive"] is True
    assert (len(page.studies), page.has_next, page.next_since) == (found, False, None)


@pytest.mark.parametrize(("limit", "since"), [(0, 0), (-1, 0), (10, -1)])
def test_find_refuses_a_nonsense_window(client, limit, since):
    with pytest.raises(ValueError, match="limit"):
        client.find_studies({}, limit=limit, since=since)


def test_lookup_returns_the_study_match_only(mocked, client):
    series = {"ID": other_id(9), "Path": "/series/x", "Type": "Series"}
    study = {"ID": STUDY_ID, "Path": f"/studies/{STUDY_ID}", "Type": "Study"}
    mocked.post(f"{BASE}/tools/lookup", json=[series, study])
    mocked.post(f"{BASE}/tools/lookup", json=[series])
    assert client.lookup_study_uid("1.2.3.4") == STUDY_ID
    assert mocked.calls[0].request.body == b"1.2.3.4"
    assert client.lookup_study_uid("1.2.3.5") is None


@pytest.mark.parametrize("uid", ["", "1.2.x", "1..2", "1.2\n", "9" * 65])
def test_lookup_of_a_non_uid_asks_nothing(mocked, client, uid):
    assert client.lookup_study_uid(uid) is None
    assert len(mocked.calls) == 0


def test_upload_posts_dicom_and_returns_orthancs_answer(mocked, client):
    mocked.post(f"{BASE}/instances", json={"Status": "AlreadyStored", "ID": other_id(1)})
    assert client.upload_instance(b"DICM")["Status"] == "AlreadyStored"
    request = mocked.calls[0].request
    assert (request.headers["Content-Type"], request.body) == ("application/dicom", b"DICM")


def test_delete_and_statistics(mocked, client):
    mocked.delete(f"{BASE}/studies/{STUDY_ID}", json={})
    mocked.get(f"{BASE}/statistics", json={"CountStudies": 8})
    assert client.delete_study(STUDY_ID) is None
    assert client.statistics() == {"CountStudies": 8}

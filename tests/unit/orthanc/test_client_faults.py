"""The client against a mocked Orthanc: parsing and every kind of failure."""

import json
import socket

import pytest
import requests

from app.orthanc.client import OrthancClient
from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)
from tests.unit.orthanc.samples import BASE, PASSWORD, SECRETS, STUDY_ID, expanded_study


def assert_no_secrets(exc: OrthancError) -> None:
    for text in (str(exc), repr(exc), exc.message):
        assert not any(secret in text for secret in SECRETS)


def test_system_uses_basic_auth_and_a_connect_and_read_timeout(mocked, client):
    mocked.get(f"{BASE}/system", json={"Version": "1.10.1"})
    assert client.system() == {"Version": "1.10.1"}
    request = mocked.calls[0].request
    assert request.headers["Authorization"] == f"Basic {SECRETS[1]}"
    assert request.req_kwargs["timeout"] == (2.0, 2.0)


def test_get_study_parses_the_answer(mocked, client):
    mocked.get(f"{BASE}/studies/{STUDY_ID}", json=expanded_study())
    study = client.get_study(STUDY_ID)
    assert (study.orthanc_id, study.description) == (STUDY_ID, "CT THORAX")
    assert study.patient.display_name == "MÜLLER, HANS"
    assert study.patient.birth_date.isoformat() == "1972-02-29"


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, OrthancNotFound),
        (401, OrthancUnauthorized),
        (403, OrthancUnauthorized),
        (500, OrthancUnavailable),
        (503, OrthancUnavailable),
        (400, OrthancBadAnswer),
        (409, OrthancBadAnswer),
    ],
)
def test_error_statuses_become_typed_errors(mocked, client, status, error):
    body = {"Details": "PatientName=MÜLLER^HANS", "HttpStatus": status}
    mocked.get(f"{BASE}/studies/{STUDY_ID}", json=body, status=status)
    with pytest.raises(error) as caught:
        client.get_study(STUDY_ID)
    assert caught.value.status == status
    # Orthanc's error details may echo patient data: the message must not.
    assert "MÜLLER" not in str(caught.value)
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(
    "failure",
    [
        requests.exceptions.ConnectTimeout("connect timed out"),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.exceptions.ConnectionError("connection reset"),
        requests.exceptions.ChunkedEncodingError("broken body"),
    ],
)
def test_network_failures_are_unavailable(mocked, client, failure):
    mocked.get(f"{BASE}/system", body=failure)
    with pytest.raises(OrthancUnavailable) as caught:
        client.system()
    assert "orthanc.test:8042" in str(caught.value)
    assert_no_secrets(caught.value)


def test_a_refused_connection_is_unavailable():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = OrthancClient(f"http://127.0.0.1:{port}", "studyshare", PASSWORD, timeout=2.0)
    with pytest.raises(OrthancUnavailable, match="Could not connect") as caught:
        client.system()
    assert_no_secrets(caught.value)
    client.close()


def test_credentials_in_the_url_stay_out_of_messages(mocked):
    url = f"http://studyshare:{PASSWORD}@orthanc.test:8042"
    client = OrthancClient(url)
    mocked.get(f"{url}/system", body=requests.exceptions.ConnectTimeout())
    with pytest.raises(OrthancUnavailable) as caught:
        client.system()
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>Proxy error</html>", "text/html"),
        ("", "application/json"),
        (json.dumps([1, 2]), "application/json"),
    ],
)
def test_non_json_or_wrongly_shaped_answers_are_bad_answers(mocked, client, body, content_type):
    mocked.get(f"{BASE}/system", body=body, content_type=content_type)
    with pytest.raises(OrthancBadAnswer):
        client.system()


def test_a_find_result_without_id_is_a_bad_answer(mocked, client):
    mocked.post(f"{BASE}/tools/find", json=[{"Type": "Study"}])
    with pytest.raises(OrthancBadAnswer, match="without an ID"):
        client.find_studies({}, limit=10)


@pytest.mark.parametrize(
    "bad_id",
    [
        "",
        "../system",
        "..%2Fsystem",
        f"{STUDY_ID}/../../tools/reset",
        f"{STUDY_ID}\n",
        STUDY_ID.upper(),
        STUDY_ID.replace("-", ""),
        "1.2.840.10008.1",
    ],
)
def test_malformed_ids_are_not_found_without_any_request(mocked, client, bad_id):
    calls = [
        client.get_study,
        client.get_study_series,
        client.get_series_instances,
        client.get_patient,
        client.delete_study,
    ]
    for call in calls:
        with pytest.raises(OrthancNotFound):
            call(bad_id)
    assert len(mocked.calls) == 0

"""What the gateway does with Orthanc answers a real Orthanc cannot easily be made to give:
cut short, stalled, refused. A tiny HTTP server stands in for it once the study's contents
were read from the real one."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator

import pytest

from app.gateway.stream import IncompleteUpstream
from tests.fixtures.scripted_orthanc import FakeOrthanc, orthanc_replaced

MULTIPART_HEAD = (
    b"HTTP/1.1 200 OK\r\n"
    b'Content-Type: multipart/related; type="application/octet-stream"; boundary=B0UND\r\n'
    b"Connection: close\r\n\r\n"
    b"--B0UND\r\nContent-Type: application/octet-stream\r\n\r\n"
)
PIXELS = b"\x01\x02" * 40_000  # more than one chunk


@pytest.fixture
def frames_path(gateway, shared_ct) -> str:
    path = (
        f"/studies/{shared_ct.study_uid}/series/{shared_ct.series_uid}"
        f"/instances/{shared_ct.instance_uid}/frames/1"
    )
    assert gateway(path).status_code == 200  # the study's contents, read from the real Orthanc
    return path


@pytest.fixture
def orthanc_answering(app) -> Iterator[Callable[..., FakeOrthanc]]:
    with orthanc_replaced(app) as start:
        yield start


def test_a_whole_multipart_answer_is_passed_on_with_the_settings_credentials(
    app, gateway, frames_path, orthanc_answering
):
    body = PIXELS + b"\r\n--B0UND--\r\n"
    fake = orthanc_answering(MULTIPART_HEAD + body, path="/orthanc/")
    response = gateway(frames_path)
    assert response.status_code == 200
    assert response.get_data().endswith(body)
    (request,) = fake.requests
    assert request.startswith(b"GET /orthanc/dicom-web/studies/")
    credentials = f"{app.config['ORTHANC_USERNAME']}:{app.config['ORTHANC_PASSWORD']}"
    assert f"Authorization: Basic {base64.b64encode(credentials.encode()).decode()}".encode() in (
        request
    )
    assert b"Accept-Encoding: identity" in request


def test_a_multipart_answer_without_its_closing_boundary_fails_the_transfer(
    gateway, frames_path, orthanc_answering, caplog
):
    orthanc_answering(MULTIPART_HEAD + PIXELS)  # then hangs up, as a dying Orthanc would
    response = gateway(frames_path)
    assert response.status_code == 200  # the headers are gone; the body must not look whole
    with pytest.raises(IncompleteUpstream):
        response.get_data()
    assert "cut short" in caplog.text


def test_a_stall_mid_answer_times_out_and_fails_the_transfer(
    gateway, frames_path, orthanc_answering, caplog
):
    orthanc_answering(MULTIPART_HEAD + PIXELS, stall=True)
    response = gateway(frames_path)
    with pytest.raises(IncompleteUpstream):
        response.get_data()
    assert "broke off (ReadTimeoutError)" in caplog.text


def test_a_client_gone_mid_answer_closes_the_upstream_connection(
    client, gateway, frames_path, orthanc_answering
):
    fake = orthanc_answering(MULTIPART_HEAD + PIXELS, stall=True)
    response = client.get(
        f"/dicom-web{frames_path}",
        headers={"Authorization": f"Bearer {gateway.token}"},
        buffered=False,
    )
    assert next(response.response)  # the first chunk, then the client goes away
    response.close()
    assert fake.peer_closed.wait(2)


@pytest.mark.parametrize(
    ("head", "status"),
    [
        (b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 404),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", 400),
        (b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n", 503),
        (b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n", 503),
    ],
)
def test_orthanc_refusals_before_streaming(gateway, frames_path, orthanc_answering, head, status):
    orthanc_answering(head)
    response = gateway(frames_path)
    assert response.status_code == status
    assert response.is_json


def test_orthanc_silent_before_its_headers_is_a_503(
    app, gateway, frames_path, orthanc_answering, caplog
):
    orthanc_answering(b"", stall=True)
    response = gateway(frames_path)
    assert response.status_code == 503
    assert response.is_json
    assert app.config["ORTHANC_PASSWORD"] not in caplog.text

"""The client against a loopback Orthanc: parsing and every kind of failure."""

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancError,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)
from tests.unit.orthanc.samples import (
    PASSWORD,
    SECRETS,
    STUDY_ID,
    USERNAME,
    expanded_study,
    orthanc_json,
)

# The client's two ways to Orthanc: JSON calls go through urllib3 on the session's pool, the
# others (deletes, streamed downloads) through requests. Both must fail with the same errors.
VIA_URLLIB3 = pytest.param(
    "GET", f"/studies/{STUDY_ID}", lambda client: client.get_study(STUDY_ID), id="json-urllib3"
)
VIA_REQUESTS = pytest.param(
    "DELETE",
    f"/studies/{STUDY_ID}",
    lambda client: client.delete_study(STUDY_ID),
    id="delete-requests",
)
VIA_REQUESTS_STREAMED = pytest.param(
    "GET",
    f"/studies/{STUDY_ID}/archive",
    lambda client: client.open_study_archive(STUDY_ID).close(),
    id="archive-requests-streamed",
)
CALLS = ("method", "path", "call")

# Raw answers for the scripted server, which hangs up after sending them.
NO_ANSWER = b""
BODY_CUT_SHORT = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    b'40\r\n{"ID": "'
)


def assert_no_secrets(exc: OrthancError) -> None:
    for text in (str(exc), repr(exc), exc.message):
        assert not any(secret in text for secret in SECRETS)


def request_line(method: str, path: str) -> bytes:
    return f"{method} {path} HTTP/1.1\r\n".encode()


@pytest.fixture
def refused_url() -> str:
    """The URL of a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def black_holed_url() -> Iterator[str]:
    """The URL of a port that never completes a connection, as a black-holed host: its
    listener's accept queue (backlog 0) is kept full, so Linux drops new connection requests."""
    with socket.create_server(("127.0.0.1", 0), backlog=0) as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)):
            yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS, VIA_REQUESTS_STREAMED])
def test_every_request_sends_basic_auth(orthanc, client, method, path, call):
    orthanc.expect_oneshot_request(path, method=method).respond_with_json(expanded_study())
    call(client)
    ((request, _),) = orthanc.log
    assert request.headers["Authorization"] == f"Basic {SECRETS[1]}"


def test_system_returns_orthancs_answer(orthanc, client):
    orthanc.expect_oneshot_request("/system", method="GET").respond_with_json({"Version": "1.10.1"})
    assert client.system() == {"Version": "1.10.1"}


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS, VIA_REQUESTS_STREAMED])
def test_a_silent_orthanc_times_out_after_the_read_timeout(
    scripted_orthanc, client_of, method, path, call
):
    silent = scripted_orthanc(NO_ANSWER, stall=True)
    client = client_of(silent.url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(OrthancUnavailable, match="timed out") as caught:
        call(client)
    # The 0.5 s asked for, not the 10 s default.
    assert 0.4 <= time.monotonic() - started < 2.0
    assert silent.requests[0].startswith(request_line(method, path))
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS])
def test_a_black_holed_host_times_out_after_the_connect_timeout(
    black_holed_url, client_of, method, path, call
):
    client = client_of(black_holed_url, timeout=0.5)
    started = time.monotonic()
    with pytest.raises(OrthancUnavailable, match="timed out") as caught:
        call(client)
    assert 0.4 <= time.monotonic() - started < 2.0
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS])
def test_a_refused_connection_fails_fast(refused_url, client_of, method, path, call):
    client = client_of(refused_url, timeout=2.0)
    started = time.monotonic()
    with pytest.raises(OrthancUnavailable, match="Could not connect") as caught:
        call(client)
    assert time.monotonic() - started < 1.0  # without waiting for the 2 s timeout
    assert_no_secrets(caught.value)


def test_get_study_parses_the_answer(orthanc, client):
    orthanc.expect_oneshot_request(f"/studies/{STUDY_ID}", method="GET").respond_with_data(
        orthanc_json(expanded_study()), content_type="application/json"
    )
    study = client.get_study(STUDY_ID)
    assert (study.orthanc_id, study.description) == (STUDY_ID, "CT THORAX")
    assert study.patient.display_name == "MÜLLER, HANS"
    assert study.patient.birth_date.isoformat() == "1972-02-29"


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS, VIA_REQUESTS_STREAMED])
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
def test_error_statuses_become_typed_errors(orthanc, client, status, error, method, path, call):
    body = orthanc_json({"Details": "PatientName=MÜLLER^HANS", "HttpStatus": status})
    orthanc.expect_oneshot_request(path, method=method).respond_with_data(
        body, status=status, content_type="application/json"
    )
    with pytest.raises(error) as caught:
        call(client)
    assert caught.value.status == status
    # Orthanc's error details may echo patient data: the message must not.
    assert "MÜLLER" not in str(caught.value)
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS])
@pytest.mark.parametrize("answer", [NO_ANSWER, BODY_CUT_SHORT], ids=["no-answer", "cut-short"])
def test_network_failures_are_unavailable(scripted_orthanc, client_of, answer, method, path, call):
    hanging_up = scripted_orthanc(answer)
    client = client_of(hanging_up.url)
    with pytest.raises(OrthancUnavailable) as caught:
        call(client)
    assert hanging_up.url.removeprefix("http://") in str(caught.value)
    assert hanging_up.requests[0].startswith(request_line(method, path))
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(CALLS, [VIA_URLLIB3, VIA_REQUESTS])
def test_credentials_in_the_url_are_sent_but_stay_out_of_messages(
    scripted_orthanc, client_of, method, path, call
):
    hanging_up = scripted_orthanc(NO_ANSWER)
    host_and_port = hanging_up.url.removeprefix("http://")
    client = client_of(f"http://{USERNAME}:{PASSWORD}@{host_and_port}", None, None)
    with pytest.raises(OrthancUnavailable) as caught:
        call(client)
    assert f"Authorization: Basic {SECRETS[1]}".encode() in hanging_up.requests[0]
    assert_no_secrets(caught.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("<html>Proxy error</html>", "text/html"),
        ("", "application/json"),
        (json.dumps([1, 2]), "application/json"),
    ],
)
def test_non_json_or_wrongly_shaped_answers_are_bad_answers(orthanc, client, body, content_type):
    orthanc.expect_oneshot_request("/system", method="GET").respond_with_data(
        body, content_type=content_type
    )
    with pytest.raises(OrthancBadAnswer):
        client.system()


def test_a_find_result_without_id_is_a_bad_answer(orthanc, client):
    orthanc.expect_oneshot_request("/tools/find", method="POST").respond_with_json(
        [{"Type": "Study"}]
    )
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
def test_malformed_ids_are_not_found_without_any_request(orthanc, client, bad_id):
    calls = [
        client.get_study,
        client.get_study_series,
        client.get_series_instances,
        client.get_patient,
        client.delete_study,
        client.open_study_archive,
    ]
    for call in calls:
        with pytest.raises(OrthancNotFound):
            call(bad_id)
    assert orthanc.log == []


class ClosingKeptAliveOrthanc:
    """Answers the first request on a kept-alive connection, then hangs up on the next one
    without answering (as Orthanc does when its KeepAlive timeout ends just as a request
    arrives); answers every request on later connections."""

    ANSWER = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
        b"Connection: keep-alive\r\n\r\n{}"
    )

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.requests: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read_request(self, connection: socket.socket) -> bytes:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(4096)
            if not chunk:
                return data
            data += chunk
        self.requests.append(data)
        return data

    def _serve(self) -> None:
        with self.listener:
            first, _ = self.listener.accept()
            with first:
                self._read_request(first)
                first.sendall(self.ANSWER)
                self._read_request(first)  # then closed unanswered
            while True:
                try:
                    connection, _ = self.listener.accept()
                except OSError:
                    return
                with connection:
                    while self._read_request(connection):
                        connection.sendall(self.ANSWER)

    def stop(self) -> None:
        self.listener.close()


@pytest.fixture
def closing_orthanc() -> Iterator[ClosingKeptAliveOrthanc]:
    server = ClosingKeptAliveOrthanc()
    yield server
    server.stop()


def test_a_read_on_a_connection_orthanc_just_closed_is_asked_again(closing_orthanc, client_of):
    client = client_of(closing_orthanc.url)
    assert client.system() == {}
    assert client.system() == {}  # the kept connection was closed: asked on a new one
    assert [r.split(b"\r\n")[0] for r in closing_orthanc.requests] == [b"GET /system HTTP/1.1"] * 3


def test_a_write_on_a_connection_orthanc_just_closed_is_not_sent_twice(closing_orthanc, client_of):
    client = client_of(closing_orthanc.url)
    assert client.system() == {}
    with pytest.raises(OrthancUnavailable):
        client.upload_instance(b"DICM")
    assert len(closing_orthanc.requests) == 2

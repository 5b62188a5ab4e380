from collections.abc import Callable, Iterator

import pytest
from pytest_httpserver import HTTPServer

from app.orthanc.client import OrthancClient
from tests.fixtures.scripted_orthanc import FakeOrthanc
from tests.unit.orthanc.samples import PASSWORD, USERNAME


@pytest.fixture
def orthanc(httpserver_ipv4: HTTPServer) -> Iterator[HTTPServer]:
    """A loopback HTTP server in Orthanc's place for this test only: register answers with
    `expect_oneshot_request` or `expect_ordered_request`; each must be asked for, and
    nothing else."""
    yield httpserver_ipv4
    httpserver_ipv4.check()  # a request no answer was registered for, or a handler's failure
    unasked = httpserver_ipv4.oneshot_handlers + httpserver_ipv4.ordered_handlers
    assert not unasked, f"registered but never asked for: {unasked}"


@pytest.fixture
def client_of() -> Iterator[Callable[..., OrthancClient]]:
    """`client_of(url, username=…, password=…, timeout=2.0)`: a client, closed at the end."""
    clients: list[OrthancClient] = []

    def connect(
        url: str,
        username: str | None = USERNAME,
        password: str | None = PASSWORD,
        timeout: float = 2.0,
    ) -> OrthancClient:
        clients.append(OrthancClient(url, username, password, timeout=timeout))
        return clients[-1]

    yield connect
    for client in clients:
        client.close()


@pytest.fixture
def client(orthanc: HTTPServer, client_of: Callable[..., OrthancClient]) -> OrthancClient:
    return client_of(orthanc.url_for("/"))


@pytest.fixture
def scripted_orthanc() -> Iterator[Callable[..., FakeOrthanc]]:
    """`scripted_orthanc(answer, stall=False)`: a raw socket server that sends these bytes to
    every request, for the faults an HTTP server will not make (a body cut short, silence)."""
    fakes: list[FakeOrthanc] = []

    def start(answer: bytes, *, stall: bool = False) -> FakeOrthanc:
        fakes.append(FakeOrthanc(answer, stall=stall))
        return fakes[-1]

    yield start
    for fake in fakes:
        fake.stop()

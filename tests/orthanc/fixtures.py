"""Session fixtures: one real Orthanc, a client for it, and the demo studies inside it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import pytest

from app.demo.dicom import UploadReport, demo_instances, upload_demo_studies
from app.demo.orthanc_server import OrthancServer
from app.orthanc.client import OrthancClient


@pytest.fixture(scope="session")
def orthanc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OrthancServer]:
    """A real Orthanc in internal mode (credentials required), with DICOMweb."""
    # A RuntimeError here errors every dependent test: a missing Orthanc must never pass.
    server = OrthancServer(
        tmp_path_factory.mktemp("orthanc"),
        username="studyshare",
        password=secrets.token_urlsafe(16),
        plugins=["dicomweb"],
    )
    with server:
        yield server


@pytest.fixture(scope="session")
def orthanc_client(orthanc_server: OrthancServer) -> Iterator[OrthancClient]:
    """A client for the session's Orthanc with the right credentials."""
    client = OrthancClient(
        orthanc_server.url, username=orthanc_server.username, password=orthanc_server.password
    )
    yield client
    client.close()


@pytest.fixture(scope="session")
def demo_studies(orthanc_client: OrthancClient) -> UploadReport:
    """The demo studies, uploaded once per session."""
    return upload_demo_studies(orthanc_client, demo_instances())

import pytest
import responses

from app.orthanc.client import OrthancClient
from tests.unit.orthanc.samples import BASE, PASSWORD


@pytest.fixture
def mocked():
    """Mocked HTTP for this test only; every registered answer must be used."""
    with responses.RequestsMock() as rsps:
        yield rsps


@pytest.fixture
def client():
    orthanc = OrthancClient(BASE, "studyshare", PASSWORD, timeout=2.0)
    yield orthanc
    orthanc.close()

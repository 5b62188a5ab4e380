"""The real OHIF viewer, on an origin of its own, reads a share through StudyShare's DICOMweb
gateway with a viewer token: it shows the shared study, and nothing else of the patient's."""

from urllib.parse import parse_qs

import pytest

from app.shares.viewer_tokens import mint_viewer_token
from tests.e2e.conftest import arrive
from tests.e2e.ohif import OhifServer, canvas_stats, ohif_context, record_dicomweb, wait_for_image

pytestmark = pytest.mark.e2e

# One patient's two studies: OHIF asks for the patient's other studies by PatientID.
SHARED, OTHER = "DEMO0001", "DEMO0002"
PATIENT_ID = "00100020"


@pytest.fixture
def ohif():
    with OhifServer() as server:
        yield server


@pytest.fixture
def app_env(app_env, ohif):
    return {**app_env, "GATEWAY_CORS_ORIGINS": ohif.url}


@pytest.fixture
def viewer(app, live_server, ohif, browser):
    # The live server's port is known only now: metadata URLs must name it.
    app.config["PUBLIC_BASE_URL"] = live_server
    app.config["PUBLIC_FORWARDED"] = f"host={live_server.removeprefix('http://')};proto=http"
    ohif.dicomweb_root = f"{live_server}/dicom-web"
    context = ohif_context(browser)
    page = context.new_page()
    page.dicomweb = record_dicomweb(page, ohif.dicomweb_root)
    yield page
    context.close()


@pytest.fixture
def shared(app, make_share, demo_study):
    """The shared study, the patient's other one, and a viewer token for the share."""
    study, other = demo_study(SHARED), demo_study(OTHER)
    assert study.patient.patient_id == other.patient.patient_id
    created = make_share([study.orthanc_id])
    with app.app_context():
        token = mint_viewer_token(created.share)
    return study, other, token


def is_priors_query(response) -> bool:
    return "/dicom-web/studies?" in response.url and f"{PATIENT_ID}=" in response.url


def study_uids(response) -> list[str]:
    return [answer["0020000D"]["Value"][0] for answer in response.json()]


def settle(page, quiet_ms: int = 1000, rounds: int = 30) -> None:
    """Wait until the page's DICOMweb requests have all been answered, and no new one comes."""
    for _ in range(rounds):
        seen = len(page.dicomweb)
        page.wait_for_timeout(quiet_ms)
        if len(page.dicomweb) == seen and all(e.status is not None for e in page.dicomweb):
            return
    pytest.fail(f"OHIF's requests did not settle: {list(map(str, page.dicomweb))}")


def shown_date(study) -> str:
    return study.date.strftime("%d-%b-%Y")  # OHIF's own format, e.g. 14-Mar-2023


def test_ohif_shows_the_shared_study_through_the_gateway(viewer, ohif, shared, screenshot_dir):
    study, other, token = shared
    with viewer.expect_response(is_priors_query) as priors:
        viewer.goto(ohif.viewer_url(study.study_instance_uid, token))
    stats = wait_for_image(viewer)
    settle(viewer)
    viewer.screenshot(path=screenshot_dir / "ohif-gateway-viewer.png")

    assert stats["lit"] > 0.01, stats
    assert "token=" not in viewer.url  # OHIF keeps the token in memory, not the address bar
    exchanges = viewer.dicomweb
    assert {exchange.method for exchange in exchanges} == {"GET"}
    assert all(200 <= exchange.status < 300 for exchange in exchanges), list(map(str, exchanges))
    assert {exchange.authorization for exchange in exchanges} == {f"Bearer {token}"}
    assert any(exchange.path.endswith("/metadata") for exchange in exchanges)
    assert any("/frames/" in exchange.path for exchange in exchanges)
    for exchange in exchanges:
        assert study.study_instance_uid in exchange.path + exchange.query or (
            PATIENT_ID in parse_qs(exchange.query)
        ), str(exchange)

    assert study_uids(priors.value) == [study.study_instance_uid]
    panel = viewer.locator('[data-cy="studyBrowser-panel"]')
    assert shown_date(study) in panel.inner_text()
    assert shown_date(other) not in panel.inner_text()


def test_ohif_study_list_holds_the_shared_study_only(viewer, ohif, shared, screenshot_dir):
    study, other, token = shared
    viewer.goto(ohif.viewer_url(study.study_instance_uid, token))
    wait_for_image(viewer)
    settle(viewer)

    # Back to OHIF's study list inside the page: the token stays with OHIF.
    with viewer.expect_response(lambda r: r.url.split("?")[0].endswith("/dicom-web/studies")) as ls:
        viewer.locator('[data-cy="return-to-work-list"]').click()
    arrive(viewer, f"{ohif.url}/")
    viewer.locator("tbody tr", has_text=shown_date(study)).wait_for()
    viewer.screenshot(path=screenshot_dir / "ohif-gateway-study-list.png")

    assert ls.value.status == 200
    assert "StudyInstanceUID" not in ls.value.url  # the list asks for everything...
    assert study_uids(ls.value) == [study.study_instance_uid]  # ...and gets the share only
    studies = viewer.locator("tbody").last  # the first holds the filter fields
    assert studies.locator("tr").count() == 1
    assert shown_date(other) not in studies.inner_text()
    assert canvas_stats(viewer) is None  # the viewer is gone: this is the list

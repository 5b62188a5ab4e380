"""A recipient opens the Orthanc Web Viewer from their home page, in a real browser: the
viewer's every image request goes through the public Orthanc, whose filter asks StudyShare."""

import re

import pytest

from tests.e2e.authz_fixtures import token_service_env
from tests.e2e.conftest import arrive

pytestmark = pytest.mark.e2e

IMAGE_REQUEST = re.compile(r"/web-viewer/instances/")


@pytest.fixture
def app_env(app_env):
    return token_service_env(app_env)


@pytest.fixture
def viewer_page(app, browser, public_orthanc, token_service):
    app.config.update(PUBLIC_ORTHANC_ROOT=public_orthanc.url, EXTERNAL_VIEWERS=("webviewer",))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.image_statuses = []
    page.on(
        "response",
        lambda response: (
            IMAGE_REQUEST.search(response.url) and page.image_statuses.append(response.status)
        ),
    )
    yield page
    context.close()


def open_viewer(page, token_service, secret):
    page.goto(f"{token_service.url}/s/{secret}")
    page.get_by_role("button", name="View my images").click()
    page.get_by_role("link", name="Open in Orthanc Web Viewer").click()
    arrive(page, re.compile(r"/web-viewer/app/viewer\.html\?series=[0-9a-f-]+&token="))


def test_the_web_viewer_shows_the_shared_images(
    viewer_page, token_service, make_share, demo_study, screenshot_dir
):
    created = make_share([demo_study("DEMO0003").orthanc_id])
    validations_before = token_service.validations
    open_viewer(viewer_page, token_service, created.secret)

    viewer_page.wait_for_function("document.querySelector('canvas') !== null")
    viewer_page.wait_for_timeout(500)  # let the first frames arrive
    viewer_page.screenshot(path=screenshot_dir / "patient-web-viewer.png")
    assert viewer_page.image_statuses, "the viewer asked for no image"
    assert set(viewer_page.image_statuses) == {200}
    assert token_service.validations > validations_before

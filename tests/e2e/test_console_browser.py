"""A clinician logs in, searches and opens a study in a real browser, on desktop and phone."""

import re

import pytest

from tests.e2e.conftest import arrive
from tests.fixtures.app import PASSWORD

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 360, "height": 740}}

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_login_search_and_open_a_study(
    browser, live_server, make_user, demo_studies, screenshot_dir, viewport
):
    make_user(name="Dr Browser")
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server}/")
    assert page.url.startswith(f"{live_server}/login")
    page.get_by_label("E-mail").fill("doctor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    arrive(page, f"{live_server}/")
    assert page.get_by_role("heading", name="Find studies").is_visible()

    page.get_by_label("Patient name").fill("müller")
    page.get_by_role("button", name="Search").click()
    arrive(page, re.compile(r"/\?patient_name="))
    rows = page.locator("table.table tbody tr")
    assert rows.count() == 2
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / f"console-search-{viewport}.png", full_page=True)

    page.get_by_role("link", name="MÜLLER, HANS").first.click()
    arrive(page, re.compile(r"/studies/[^/]+$"))
    thumbnail = page.locator(".series-card img").first
    thumbnail.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=thumbnail.element_handle()
    )
    assert page.locator("h1").inner_text() in {"XR CHEST PA", "CT THORAX WITH CONTRAST"}
    assert no_horizontal_scroll(page)
    page.screenshot(path=screenshot_dir / f"console-study-{viewport}.png", full_page=True)

    page.get_by_role("button", name="Log out").click()
    arrive(page, re.compile(r"/login$"))
    assert errors == []
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

"""A clinician creates a share in the browser: form, link and QR once, handout in a new tab."""

import re
import subprocess

import pytest

from tests.e2e.conftest import arrive, log_in

pytestmark = pytest.mark.e2e


def test_create_a_share_see_the_qr_and_print_the_handout(
    browser, live_server, make_user, demo_studies, screenshot_dir, tmp_path
):
    make_user(name="Dr Share")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    log_in(page, live_server)

    page.get_by_label("Accession number").fill("DEMO0003")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="DOE, JANE").click()
    page.get_by_role("link", name="Share this study").click()
    arrive(page, re.compile(r"/shares/new\?study="))
    page.get_by_label("Birth date and password").check()
    page.get_by_label("Also create a short access code to type in").check()
    page.get_by_label("Recipient's language").select_option("fr")
    page.screenshot(path=screenshot_dir / "share-form.png", full_page=True)
    page.get_by_role("button", name="Create share").click()

    page.wait_for_selector("text=The share is ready")
    link = page.locator("a.share-link").inner_text()
    assert re.fullmatch(r"https?://\S+/s/[A-Za-z0-9_-]{22}", link)
    password = page.locator("text=Password:").locator("strong").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", password)
    qr = page.locator(".qr svg")
    assert qr.is_visible()
    assert qr.bounding_box()["width"] >= 150
    page.screenshot(path=screenshot_dir / "share-created.png", full_page=True)

    # The PNG download decodes back to the link shown.
    with page.expect_download() as download:
        page.get_by_role("button", name="Download QR (PNG)").click()
    png = tmp_path / "qr.png"
    download.value.save_as(png)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    assert decoded.stdout.strip() == link

    # The handout opens in a new tab and keeps the link page where it is.
    with context.expect_page() as handout_page:
        page.get_by_role("button", name="Printable handout").click()
    handout = handout_page.value
    handout.wait_for_load_state()
    assert link in handout.content()
    pdf = handout.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1
    handout.screenshot(path=screenshot_dir / "share-handout-fr.png", full_page=True)
    assert page.locator("a.share-link").inner_text() == link

    # The share is listed with its state.
    page.goto(f"{live_server}/shares")
    assert page.locator("table.table tbody tr").count() == 1
    assert page.locator(".badge-active").first.is_visible()
    assert errors == []
    context.close()

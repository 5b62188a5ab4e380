"""The share handout prints on exactly one A4 or Letter page, in a real Chromium."""

import re

import pytest

from app.shares.models import ChallengeKind
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e

MM = 96 / 25.4  # CSS pixels per millimetre
# Inside 15 mm margins: A4 leaves 180 x 267 mm, Letter 186 x 249 mm.
PRINTABLE_WIDTH_MM, PRINTABLE_HEIGHT_MM = 180, 249

# The share-created page posts this form; here it is built in the console page's DOM.
POST_FORM = """([action, fields]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}"""


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_handout_prints_on_one_page(
    browser, live_server, make_user, make_share, demo_study, screenshot_dir, language
):
    doctor = make_user(name="Dr Browser With A Rather Long Name")
    # The longest handout: patient name, access code and the two-part challenge.
    created = make_share(
        [demo_study("DEMO0001").orthanc_id],
        owner=doctor,
        language=language,
        challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD,
        password="Orange-Tulip-4471",
        access_code=True,
    )
    context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    log_in(page, live_server)
    fields = {
        "secret": created.secret,
        "access_code": created.access_code,
        "show_patient_name": "y",
    }
    action = f"{live_server}/shares/{created.share.public_id}/handout"
    with page.expect_navigation():
        page.evaluate(POST_FORM, [action, fields])

    assert page.locator("h1").inner_text() in {"Your medical images", "Ihre medizinischen Bilder"}
    assert page.locator(".sheet-qr svg").bounding_box()["width"] == pytest.approx(45 * MM, abs=2)
    assert page.get_by_role("button", name="Print").is_visible()
    page.screenshot(path=screenshot_dir / f"handout-screen-{language}.png", full_page=True)

    page.emulate_media(media="print")
    assert page.get_by_role("button", name="Print").is_hidden()
    sheet = page.locator("main.sheet").bounding_box()
    assert sheet["width"] <= PRINTABLE_WIDTH_MM * MM
    assert sheet["height"] <= PRINTABLE_HEIGHT_MM * MM
    page.screenshot(path=screenshot_dir / f"handout-print-{language}.png", full_page=True)

    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper)
        (screenshot_dir / f"handout-{language}-{paper}.pdf").write_bytes(pdf)
        assert pdf_pages(pdf) == 1, paper
    assert errors == []
    context.close()

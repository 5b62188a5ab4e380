"""The share handout prints on exactly one A4 or Letter page, in a real Chromium."""

import re
import struct
import zlib

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


def solid_png(width: int = 240, height: int = 80) -> bytes:
    """A real (decodable) PNG logo, one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x0b\x5c\xad" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


@pytest.fixture
def app_env(app_env, tmp_path):
    """The fullest clinic identity: logo, address, phone, e-mail and opening hours."""
    logo = tmp_path / "logo.png"
    logo.write_bytes(solid_png())
    return {
        **app_env,
        "CLINIC_NAME": "Centre Hospitalier Universitaire Vaudois - Radiologie",
        "CLINIC_LOGO": str(logo),
        "CLINIC_ADDRESS": "Rue du Bugnon 46, 1011 Lausanne, Switzerland",
        "CLINIC_PHONE": "+41 21 314 11 11",
        "CLINIC_EMAIL": "radiologie.rendez-vous@chuv.example",
        "CLINIC_HOURS": "Monday to Friday, 7:30 to 18:00",
    }


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
    assert page.locator(".sheet-logo").evaluate("img => img.naturalWidth") == 240
    assert "+41 21 314 11 11" in page.locator(".sheet-contact").inner_text()
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

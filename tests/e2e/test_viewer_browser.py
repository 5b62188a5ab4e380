"""The built-in viewer in Debian's Chromium: phone and desktop, wheel, keys, slider, drag,
zoom, series, presets and the PDF report, with no console error and no CSP violation."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import arrive, open_share

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
SCREENS = {"phone": PHONE, "desktop": DESKTOP}
# Init scripts run outside the page's CSP: this one only listens for its violations.
WATCH_CSP = """window.cspViolations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));"""
# Every control a thumb has to hit, as the patient pages' own test counts them (shown ones).
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "button, .button, input:not([type=hidden]), .languages a, .viewer-strip a"
  )].filter(e => e.getClientRects().length > 0)
   .filter(e => e.getBoundingClientRect().height < 44)
   .map(e => `${e.tagName} "${e.textContent.trim() || e.name}"`)"""
IMAGE_SHOWN = """(part) => {
  const image = document.getElementById("viewer-image");
  return image.complete && image.naturalWidth > 0 && image.src.includes(part);
}"""


@pytest.fixture
def open_viewer(browser, live_server, make_share, demo_study):
    """Sign in a recipient of these demo studies, in a fresh browser, and open the viewer."""
    contexts = []

    def open_(accession: str, screen: str):
        created = make_share([demo_study(accession).orthanc_id])
        context = browser.new_context(
            viewport=SCREENS[screen], locale="en-GB", has_touch=screen == "phone"
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.add_init_script(WATCH_CSP)
        page.rendered = []
        page.on("request", lambda r: "/rendered" in r.url and page.rendered.append(r.url))
        open_share(page, live_server, created.secret)
        page.get_by_role("link", name="View images").click()
        # The script writes the image's place into the address (`?series=1&image=1`).
        arrive(page, re.compile(re.escape(f"{live_server}/v/studies/0") + r"(\?.*)?$"))
        wait_for_image(page, "/frames/1/rendered")
        return page

    yield open_
    for context in contexts:
        context.close()


def wait_for_image(page, part: str) -> None:
    page.wait_for_function(IMAGE_SHOWN, arg=part)


def position(page):
    return page.locator("#viewer-position")


def image_src(page) -> str:
    return page.locator("#viewer-image").get_attribute("src")


def wait_until(page, condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        page.wait_for_timeout(50)


def image_src_url(page) -> str:
    return page.locator("#viewer-image").evaluate("e => e.src")


def over_the_image(page) -> None:
    stage = page.locator("#viewer-stage")
    assert stage.evaluate("e => e.getBoundingClientRect().top >= 0"), "the image is in view"
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def check_sized_for_the_screen(page) -> None:
    """The image's viewport is the stage's size in device pixels, at most 1024 on a side."""
    width, height = page.evaluate(
        """() => { const box = document.getElementById("viewer-stage").getBoundingClientRect();
                   return [box.width * devicePixelRatio, box.height * devicePixelRatio]; }"""
    )
    asked = parse_qs(urlsplit(image_src(page)).query)["viewport"][0]
    asked_width, asked_height = (int(n) for n in asked.split(","))
    shrink = min(1, 1024 / max(width, height))
    assert abs(asked_width - width * shrink) <= 1
    assert abs(asked_height - height * shrink) <= 1


def check_clean(page) -> None:
    assert page.console_errors == []
    assert page.evaluate("window.cspViolations") == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(SMALL_TARGETS) == []


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_page_through_a_ct_by_wheel_keys_slider_and_drag(open_viewer, screenshot_dir, screen):
    page = open_viewer("DEMO0001", screen)
    expect(position(page)).to_have_text("Series 1 of 1 · Image 1 of 20")
    first = image_src(page)
    page.screenshot(path=screenshot_dir / f"viewer-{screen}.png", full_page=True)
    if screen == "desktop":  # a phone keeps what the browser picked from the page's srcset
        check_sized_for_the_screen(page)

    wait_until(page, lambda: len(page.rendered) >= 3)  # the image, then images 2 and 3 ahead
    asked_ahead = list(page.rendered)
    over_the_image(page)
    page.mouse.wheel(0, 100)
    expect(position(page)).to_have_text("Series 1 of 1 · Image 2 of 20")
    wait_for_image(page, "/frames/1/rendered")
    assert image_src(page) != first
    assert "viewport=" in image_src(page)
    assert page.url.endswith("?series=1&image=2")
    check_sized_for_the_screen(page)
    # Image 2 was fetched ahead, while image 1 was shown: the step asked for nothing new.
    assert image_src_url(page) in asked_ahead
    assert page.rendered.count(image_src_url(page)) == 1

    page.keyboard.press("ArrowUp")
    expect(position(page)).to_have_text("Series 1 of 1 · Image 1 of 20")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(position(page)).to_have_text("Series 1 of 1 · Image 3 of 20")
    wait_for_image(page, "/rendered")

    page.locator("#viewer-slider").fill("15")
    expect(position(page)).to_have_text("Series 1 of 1 · Image 15 of 20")
    assert page.url.endswith("?series=1&image=15")
    wait_for_image(page, "/rendered")

    # A drag over the image at normal size moves through the images too (a swipe on a phone).
    box = page.locator("#viewer-stage").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 60, y, steps=6)
    page.mouse.up()
    expect(position(page)).to_have_text("Series 1 of 1 · Image 17 of 20")

    page.get_by_role("link", name="Lung").click()
    wait_for_image(page, "window=-600,1500")
    expect(page.get_by_role("link", name="Lung")).to_have_attribute("aria-current", "true")
    assert page.url.endswith("?series=1&image=17&window=lung")
    page.keyboard.press("ArrowDown")
    expect(position(page)).to_have_text("Series 1 of 1 · Image 18 of 20")
    wait_for_image(page, "window=-600,1500")
    page.screenshot(path=screenshot_dir / f"viewer-{screen}-lung.png", full_page=True)

    # Zoom (Ctrl + wheel, as a trackpad pinch sends it), pan, then a double click resets.
    over_the_image(page)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -200)
    page.keyboard.up("Control")
    transform = page.locator("#viewer-image").evaluate("e => e.style.transform")
    assert "scale(" in transform
    page.mouse.down()
    page.mouse.move(x + 40, y + 30, steps=4)
    page.mouse.up()
    expect(position(page)).to_have_text("Series 1 of 1 · Image 18 of 20")  # panned, not paged
    assert page.locator("#viewer-image").evaluate("e => e.style.transform") != transform
    page.mouse.dblclick(x, y)
    assert page.locator("#viewer-image").evaluate("e => e.style.transform") == ""

    page.reload()
    expect(position(page)).to_have_text("Series 1 of 1 · Image 18 of 20")
    wait_for_image(page, "window=-600,1500")
    check_clean(page)


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_switch_series_page_a_cine_clip_and_open_the_report(
    open_viewer, live_server, screenshot_dir, screen
):
    page = open_viewer("DEMO0008", screen)
    expect(position(page)).to_have_text("Series 1 of 3 · Image 1 of 3")
    assert page.locator("#viewer-presets").count() == 0  # no CT here

    page.get_by_role("link", name="THYROID CINE 12 images").click()
    expect(position(page)).to_have_text("Series 2 of 3 · Image 1 of 12")
    wait_for_image(page, "/frames/1/rendered")
    cine = page.locator(".viewer-strip a[data-series='2']")
    expect(cine).to_have_attribute("aria-current", "true")
    over_the_image(page)
    page.mouse.wheel(0, 100)
    expect(position(page)).to_have_text("Series 2 of 3 · Image 2 of 12")
    wait_for_image(page, "/frames/2/rendered")
    page.keyboard.press("End")
    expect(position(page)).to_have_text("Series 2 of 3 · Image 12 of 12")
    wait_for_image(page, "/frames/12/rendered")
    expect(page.locator("#viewer-next")).to_have_attribute("aria-disabled", "true")
    page.screenshot(path=screenshot_dir / f"viewer-{screen}-cine.png", full_page=True)
    check_clean(page)

    with page.expect_response(lambda r: "/report/" in r.url) as answer:
        page.get_by_role("link", name="Report opens as a PDF").click()
    response = answer.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'inline; filename="report.pdf"'
    assert response.url == f"{live_server}/v/studies/0/report/3"


def touch(cdp, kind: str, *points: tuple[float, float]) -> None:
    touch_points = [{"x": x, "y": y, "id": n} for n, (x, y) in enumerate(points)]
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touch_points})


def test_swipe_pinch_and_double_tap_on_a_phone(open_viewer, screenshot_dir):
    page = open_viewer("DEMO0001", "phone")
    cdp = page.context.new_cdp_session(page)
    expect(page.locator("#viewer-help .for-touch")).to_be_visible()
    expect(page.locator("#viewer-help .for-mouse")).to_be_hidden()
    box = page.locator("#viewer-stage").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    # A finger pushed up by about three steps: three images on.
    touch(cdp, "touchStart", (x, y + 40))
    for n in range(1, 9):
        touch(cdp, "touchMove", (x, y + 40 - n * 10))
    touch(cdp, "touchEnd")
    expect(position(page)).to_have_text("Series 1 of 1 · Image 4 of 20")
    wait_for_image(page, "/rendered")

    # Two fingers spread apart: zoomed, and still on the same image.
    touch(cdp, "touchStart", (x - 20, y), (x + 20, y))
    for n in range(1, 7):
        touch(cdp, "touchMove", (x - 20 - n * 10, y), (x + 20 + n * 10, y))
    touch(cdp, "touchEnd")
    transform = page.locator("#viewer-image").evaluate("e => e.style.transform")
    assert "scale(" in transform
    expect(position(page)).to_have_text("Series 1 of 1 · Image 4 of 20")
    page.screenshot(path=screenshot_dir / "viewer-phone-zoomed.png")

    for _ in range(2):
        touch(cdp, "touchStart", (x, y))
        touch(cdp, "touchEnd")
    expect(page.locator("#viewer-image")).to_have_attribute("style", "")
    check_clean(page)


def test_an_image_orthanc_cannot_render_gets_a_placeholder(
    browser, live_server, make_share, demo_study, screenshot_dir
):
    created = make_share([demo_study("DEMO0008").orthanc_id])
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    open_share(page, live_server, created.secret)
    page.goto(f"{live_server}/v/studies/0?series=2&image=3")
    wait_for_image(page, "/frames/3/rendered")
    # The gateway refuses a frame past the end: what an unrenderable image looks like here.
    page.locator("#viewer-image").evaluate(
        "e => { e.removeAttribute('srcset'); e.src = e.src.replace('/frames/3/', '/frames/13/'); }"
    )
    expect(page.locator("#viewer-placeholder")).to_be_visible()
    expect(page.locator("#viewer-placeholder")).to_have_text("This image cannot be shown here.")
    page.screenshot(path=screenshot_dir / "viewer-phone-placeholder.png")
    page.keyboard.press("ArrowDown")
    wait_for_image(page, "/frames/4/rendered")
    expect(page.locator("#viewer-placeholder")).to_be_hidden()
    context.close()


def test_the_viewer_works_without_javascript(
    browser, live_server, make_share, demo_study, screenshot_dir
):
    created = make_share([demo_study("DEMO0001").orthanc_id])
    context = browser.new_context(viewport=PHONE, locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    open_share(page, live_server, created.secret)

    def follow(name: str, role: str = "link") -> None:
        with page.expect_navigation(wait_until="load"):
            page.get_by_role(role, name=name).click()

    follow("View images")
    assert page.locator("#viewer-position").inner_text() == "Series 1 of 1 · Image 1 of 20"
    follow("Next")
    assert page.locator("#viewer-position").inner_text() == "Series 1 of 1 · Image 2 of 20"
    follow("Bone")
    assert "window=300,1500" in image_src(page)
    assert page.url.endswith("?series=1&image=2&window=bone")
    follow("Go", role="button")  # the slider's form, sent as it is
    assert page.url.endswith("?series=1&window=bone&image=2")
    assert page.locator("#viewer-position").inner_text() == "Series 1 of 1 · Image 2 of 20"
    assert page.evaluate("document.getElementById('viewer-image').naturalWidth") > 0
    page.screenshot(path=screenshot_dir / "viewer-phone-nojs.png", full_page=True)
    follow("Back to your images")
    assert page.url == f"{live_server}/v/"
    context.close()

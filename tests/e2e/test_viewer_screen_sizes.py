"""A phone never fetches a full frame: Chromium picks the page's image from its srcset by the
screen's device pixels, and viewer.js asks the later ones at the stage's own size."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import open_share

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


def viewport_of(url: str) -> tuple[int, int]:
    width, height = parse_qs(urlsplit(url).query)["viewport"][0].split(",")
    return int(width), int(height)


@pytest.mark.parametrize(("scale", "picked"), [(1, 384), (2, 768)])
def test_a_phone_gets_images_of_its_own_size(
    browser, live_server, make_share, demo_study, scale, picked
):
    created = make_share([demo_study("DEMO0001").orthanc_id])
    context = browser.new_context(viewport=PHONE, device_scale_factor=scale, has_touch=True)
    page = context.new_page()
    asked = []
    page.on("request", lambda r: "/rendered" in r.url and asked.append(r.url))
    open_share(page, live_server, created.secret)
    page.goto(f"{live_server}/v/studies/0")
    page.wait_for_function(
        "() => { const i = document.getElementById('viewer-image');"
        " return i.complete && i.naturalWidth > 0; }"
    )
    stage = page.locator("#viewer-stage").bounding_box()
    assert stage["width"] == stage["height"] == PHONE["width"]  # edge to edge, square
    side = PHONE["width"] * scale

    # The smallest of the page's sizes that covers the stage, and the script keeps it.
    shown = page.locator("#viewer-image").evaluate("e => e.currentSrc")
    assert viewport_of(shown) == (picked, picked)
    while len(asked) < 3:  # the image, then images 2 and 3 ahead once it is shown
        page.wait_for_timeout(50)
    assert viewport_of(asked[0]) == (picked, picked)
    assert all(viewport_of(url) == (side, side) for url in asked[1:]), asked
    assert not any("viewport=512,512" in url for url in asked)  # the page's `src` is unused

    page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "(want) => { const i = document.getElementById('viewer-image');"
        " return i.src.includes('/rendered?viewport=' + want) && i.complete; }",
        arg=f"{side},{side}",
    )
    assert not page.locator("#viewer-image").get_attribute("srcset")
    assert len(asked) == len(set(asked))  # image 2 had been fetched ahead: nothing asked twice
    context.close()

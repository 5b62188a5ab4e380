"""The viewer's images are sized for the screen: the page offers its first image in a few
sizes for the browser to pick from, and thumbnails stay small."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from app.patient.viewer_views import PAGE_VIEWPORTS
from tests.functional.patient.test_viewer import Page


def candidates(srcset: str) -> dict[int, str]:
    """`srcset`'s URLs by their width descriptor."""
    found = {}
    for entry in srcset.split(", "):
        url, width = entry.rsplit(" ", 1)
        found[int(width.removesuffix("w"))] = url
    return found


def pixel_size(client, url: str) -> tuple[int, int]:
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer.mimetype == "image/jpeg"
    return Image.open(io.BytesIO(answer.data)).size


def test_the_first_image_comes_in_sizes_for_the_browser_to_pick(client, make_share, demo_study):
    created = make_share([demo_study("DEMO0001").orthanc_id])
    assert client.post(f"/s/{created.secret}").status_code == 303
    image = Page(client.get("/v/studies/0?window=lung").text).by_id["viewer-image"]

    offered = candidates(image["srcset"])
    assert sorted(offered) == list(PAGE_VIEWPORTS)
    assert min(offered) <= 360 < max(offered)  # a phone's width is served without a full frame
    assert "(max-width: 480px) min(100vw, 68vh)" in image["sizes"]
    frame = urlsplit(image["src"]).path
    for size, url in offered.items():
        # The same image (frame, contrast) as `src`, at a square viewport of its width.
        assert urlsplit(url).path == frame
        query = parse_qs(urlsplit(url).query)
        assert query == {"viewport": [f"{size},{size}"], "window": ["-600,1500,linear"]}
    assert pixel_size(client, offered[384]) == (384, 384)
    assert parse_qs(urlsplit(image["src"]).query)["viewport"] == ["512,512"]


def test_a_report_page_offers_no_image(client, make_share, demo_study):
    created = make_share([demo_study("DEMO0008").orthanc_id])
    assert client.post(f"/s/{created.secret}").status_code == 303
    image = Page(client.get("/v/studies/0?series=3").text).by_id["viewer-image"]
    assert "srcset" not in image
    assert "src" not in image


def test_thumbnails_are_small(client, make_share, demo_study):
    created = make_share([demo_study("DEMO0008").orthanc_id])
    assert client.post(f"/s/{created.secret}").status_code == 303
    page = Page(client.get("/v/studies/0").text)
    thumbnails = [i for i in page.images if i.get("class") == "viewer-thumb"]
    assert len(thumbnails) == 2  # the report has a label, not an image
    for thumbnail in thumbnails:
        assert thumbnail["loading"] == "lazy"
        assert max(pixel_size(client, thumbnail["src"])) <= 128

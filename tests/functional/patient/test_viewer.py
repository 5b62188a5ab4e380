"""The built-in viewer's pages without JavaScript: series strip, paging links, presets, reports."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pydicom
import pytest
import requests
from sqlalchemy import select

from app.demo.dicom import demo_instances
from app.extensions import db
from app.shares.models import Share

VOID = frozenset({"img", "input", "br", "meta", "link", "hr"})


class Page(HTMLParser):
    """A page's links, images and elements by id, each with its attributes and text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[dict] = []
        self.images: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self._open: list[dict] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        element = {"tag": tag, **dict(attrs), "text": ""}
        if tag == "a":
            self.links.append(element)
        elif tag == "img":
            self.images.append(element)
        if element.get("id"):
            self.by_id[element["id"]] = element
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        while self._open and self._open.pop()["tag"] != tag:
            pass

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data

    def text(self, element_id: str) -> str:
        return " ".join(self.by_id[element_id]["text"].split())

    def link(self, text: str) -> dict:
        (found,) = [a for a in self.links if " ".join(a["text"].split()) == text]
        return found

    def strip(self) -> list[dict]:
        return [a for a in self.links if "data-series" in a or "data-report" in a]

    def presets(self) -> list[dict]:
        return [a for a in self.links if "data-preset" in a]


def query(href: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(href).query).items()}


@pytest.fixture
def open_share(client, make_share, demo_study):
    """Share these demo studies and sign their recipient in on `client`."""

    def open_(*accessions: str, **options):
        created = make_share([demo_study(a).orthanc_id for a in accessions], **options)
        assert client.post(f"/s/{created.secret}").status_code == 303
        return created

    return open_


def viewer(client, path: str = "/v/studies/0") -> Page:
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    return Page(response.text)


def instance_uids_by_number(orthanc_server, study_id: str) -> list[str]:
    found = requests.get(
        f"{orthanc_server.url}/studies/{study_id}/instances", auth=orthanc_server.auth, timeout=5
    ).json()
    found.sort(key=lambda i: int(i["MainDicomTags"]["InstanceNumber"]))
    return [i["MainDicomTags"]["SOPInstanceUID"] for i in found]


def test_a_ct_opens_on_its_first_image_with_strip_links_and_presets(open_share, client, demo_study):
    open_share("DEMO0001")
    ct = demo_study("DEMO0001")
    page = viewer(client)

    assert page.text("viewer-position") == "Series 1 of 1 · Image 1 of 20"
    image = page.by_id["viewer-image"]
    path = urlsplit(image["src"]).path
    assert path.startswith(f"/dicom-web/studies/{ct.study_instance_uid}/series/")
    assert path.endswith("/frames/1/rendered")
    assert query(image["src"]) == {"viewport": "512,512"}
    assert image["alt"] == "AX 5mm SOFT TISSUE: Image 1 of 20"

    (series,) = page.strip()
    assert series["aria-current"] == "true"
    assert query(series["href"]) == {"series": "1", "image": "1"}
    (thumbnail,) = [i for i in page.images if i.get("class") == "viewer-thumb"]
    assert thumbnail["src"].startswith(f"/dicom-web/studies/{ct.study_instance_uid}/series/")
    assert thumbnail["src"].endswith("/thumbnail")

    assert "href" not in page.by_id["viewer-prev"]
    assert page.by_id["viewer-prev"]["aria-disabled"] == "true"
    assert query(page.by_id["viewer-next"]["href"]) == {"series": "1", "image": "2"}
    assert page.by_id["viewer-slider"]["max"] == "20"

    labels = [" ".join(p["text"].split()) for p in page.presets()]
    assert labels == ["Default", "Soft tissue", "Lung", "Bone", "Brain"]
    assert page.presets()[0]["aria-current"] == "true"
    assert "hidden" not in page.by_id["viewer-presets"]
    assert page.link("Back to your images")["href"] == "/v/"
    assert "It is not meant for diagnosis." in client.get("/v/studies/0").text


def test_previous_and_next_links_walk_the_images_in_instance_order(
    open_share, client, demo_study, orthanc_server
):
    open_share("DEMO0001")
    uids = instance_uids_by_number(orthanc_server, demo_study("DEMO0001").orthanc_id)
    page = viewer(client, "/v/studies/0?series=1&image=14")
    assert page.text("viewer-position") == "Series 1 of 1 · Image 14 of 20"
    assert f"/instances/{uids[13]}/frames/1/rendered" in page.by_id["viewer-image"]["src"]
    assert query(page.by_id["viewer-prev"]["href"]) == {"series": "1", "image": "13"}
    assert query(page.by_id["viewer-next"]["href"]) == {"series": "1", "image": "15"}

    # Following the links is all it takes without JavaScript.
    page = viewer(client, page.by_id["viewer-next"]["href"])
    assert f"/instances/{uids[14]}/" in page.by_id["viewer-image"]["src"]

    last = viewer(client, "/v/studies/0?image=999")
    assert last.text("viewer-position") == "Series 1 of 1 · Image 20 of 20"
    assert last.by_id["viewer-next"]["aria-disabled"] == "true"
    assert viewer(client, "/v/studies/0?image=x&series=7").text("viewer-position") == (
        "Series 1 of 1 · Image 1 of 20"
    )


def test_the_slider_is_a_form_that_works_without_javascript(open_share, client):
    open_share("DEMO0001")
    page = viewer(client, "/v/studies/0?window=bone")
    form = page.by_id["viewer-jump"]
    assert (form["method"], form["action"]) == ("get", "/v/studies/0")
    assert page.by_id["viewer-slider"]["name"] == "image"
    jumped = viewer(client, "/v/studies/0?series=1&window=bone&image=9")
    assert jumped.text("viewer-position") == "Series 1 of 1 · Image 9 of 20"
    assert "window=300,1500,linear" in jumped.by_id["viewer-image"]["src"]


def test_a_window_preset_renders_the_ct_with_it_and_links_keep_it(open_share, client):
    open_share("DEMO0001")
    page = viewer(client, "/v/studies/0?image=3&window=lung")
    assert query(page.by_id["viewer-image"]["src"])["window"] == "-600,1500,linear"
    lung = page.link("Lung")
    assert lung["aria-current"] == "true"
    assert query(lung["href"]) == {"series": "1", "image": "3", "window": "lung"}
    assert query(page.link("Default")["href"]) == {"series": "1", "image": "3"}
    assert query(page.by_id["viewer-next"]["href"])["window"] == "lung"
    unknown = viewer(client, "/v/studies/0?window=nonsense")
    assert "window" not in query(unknown.by_id["viewer-image"]["src"])


def test_an_mr_has_two_series_and_no_presets(open_share, client):
    open_share("DEMO0003")
    page = viewer(client, "/v/studies/0?window=lung")
    assert page.text("viewer-position").startswith("Series 1 of 2 · Image 1 of ")
    assert page.presets() == []
    assert "viewer-presets" not in page.by_id
    assert "window" not in query(page.by_id["viewer-image"]["src"])
    _, second = page.strip()
    assert query(second["href"]) == {"series": "2", "image": "1"}
    page = viewer(client, "/v/studies/0?series=2")
    assert page.text("viewer-position").startswith("Series 2 of 2 · Image 1 of ")
    assert page.strip()[1]["aria-current"] == "true"
    assert "aria-current" not in page.strip()[0]


def test_a_cine_clip_pages_frame_by_frame(open_share, client, demo_study):
    open_share("DEMO0008")
    page = viewer(client)
    images, cine, report = page.strip()
    assert " ".join(images["text"].split()) == "THYROID 3 images"
    assert " ".join(cine["text"].split()) == "THYROID CINE 12 images"
    assert " ".join(report["text"].split()) == "PDF Report opens as a PDF"  # badge, then text
    assert page.text("viewer-position") == "Series 1 of 3 · Image 1 of 3"

    page = viewer(client, cine["href"])
    assert page.text("viewer-position") == "Series 2 of 3 · Image 1 of 12"
    frames = []
    for number in (1, 5, 12):
        src = viewer(client, f"/v/studies/0?series=2&image={number}").by_id["viewer-image"]["src"]
        frames.append(src)
        assert f"/frames/{number}/rendered" in src
    instances = {urlsplit(src).path.split("/frames/")[0] for src in frames}
    assert len(instances) == 1  # one multi-frame instance
    assert client.get(frames[2]).status_code == 200


def test_the_report_is_listed_and_served_inline_as_a_pdf(open_share, client, demo_study):
    open_share("DEMO0008")
    report = Page(client.get("/v/studies/0").text).strip()[2]
    assert report["href"] == "/v/studies/0/report/3"
    assert not [
        i for i in Page(client.get("/v/studies/0").text).images if "PDF" in i.get("alt", "")
    ]

    response = client.get(report["href"])
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'inline; filename="report.pdf"'
    assert response.headers["Cache-Control"] == "no-store"
    assert response.data.startswith(b"%PDF")
    expected = next(
        ds.EncapsulatedDocument
        for ds in (pydicom.dcmread(io.BytesIO(data)) for data in demo_instances())
        if ds.AccessionNumber == "DEMO0008" and "EncapsulatedDocument" in ds
    )
    assert response.data == expected

    page = viewer(client, "/v/studies/0?series=3")
    assert page.text("viewer-position") == "Series 3 of 3 · Report"
    assert page.link("Open the report")["href"] == "/v/studies/0/report/3"


@pytest.mark.parametrize(
    "path", ["/v/studies/0/report/1", "/v/studies/0/report/4", "/v/studies/0/report/0"]
)
def test_only_a_report_series_is_served_as_a_pdf(open_share, client, path):
    open_share("DEMO0008")
    response = client.get(path)
    assert response.status_code == 404
    assert "This page does not exist" in response.text


def test_a_study_outside_the_share_is_not_found(open_share, client):
    open_share("DEMO0001")
    for path in ("/v/studies/1", "/v/studies/1/report/1", "/v/studies/99?series=1"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This page does not exist" in response.text


def test_several_studies_each_have_their_viewer(open_share, client, demo_study):
    open_share("DEMO0001", "DEMO0002")
    first = viewer(client, "/v/studies/0").by_id["viewer-image"]["src"]
    second = viewer(client, "/v/studies/1").by_id["viewer-image"]["src"]
    assert demo_study("DEMO0001").study_instance_uid in first
    assert demo_study("DEMO0002").study_instance_uid in second


def test_without_a_session_the_viewer_and_report_say_the_session_ended(app, open_share, client):
    created = open_share("DEMO0008")
    stranger = app.test_client()
    for path in ("/v/studies/0", "/v/studies/0/report/3"):
        response = stranger.get(path)
        assert response.status_code == 401
        assert "Your session has ended" in response.text
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == created.share.public_id))
        share.revoked_at = datetime.now(UTC)
        db.session.commit()
    assert client.get("/v/studies/0").status_code == 401
    assert client.get("/v/studies/0/report/3").status_code == 401


def test_every_gateway_url_on_the_page_answers_the_recipient(open_share, client):
    open_share("DEMO0008")
    for path in ("/v/studies/0", "/v/studies/0?series=2&image=7"):
        page = viewer(client, path)
        sources = [i["src"] for i in page.images if i.get("src")]
        assert len(sources) == 3  # the image and the two image series' thumbnails
        for src in sources:
            assert src.startswith("/dicom-web/studies/")
            response = client.get(src)
            assert response.status_code == 200, src
            assert response.mimetype == "image/jpeg"


def test_the_script_gets_every_instance_and_a_url_template(open_share, client, demo_study):
    open_share("DEMO0008")
    html = client.get("/v/studies/0").text
    opening = '<script type="application/json" id="viewer-data">'
    start = html.index(opening) + len(opening)
    data = json.loads(html[start : html.index("</script>", start)])
    assert [len(s["instances"]) for s in data["series"]] == [3, 1, 1]
    assert data["series"][1]["instances"][0][1] == 12
    assert [s["report"] for s in data["series"]] == [False, False, True]
    assert data["text"]["image"] == "Image {num} of {total}"
    cine = data["series"][1]
    url = (
        data["rendered"]
        .replace("__series__", cine["uid"])
        .replace("__instance__", cine["instances"][0][0])
        .replace("__frame__", "12")
    )
    assert client.get(url + "?viewport=300,200").status_code == 200
    assert re.search(r'<script src="/static/js/viewer\.[0-9a-f]{12}\.js" defer></script>', html)
    assert "<script>" not in html
    assert "style=" not in html


def test_the_viewer_speaks_the_shares_language(open_share, client):
    open_share("DEMO0001", language="fr")
    html = client.get("/v/studies/0").text
    assert '<html lang="fr">' in html
    assert Page(html).link("Retour à vos images")["href"] == "/v/"


@pytest.mark.parametrize("external", [(), ("stone", "ohif")])
def test_home_offers_the_built_in_viewer_first(app, client, open_share, external):
    app.config["EXTERNAL_VIEWERS"] = external
    app.config["PUBLIC_ORTHANC_ROOT"] = "https://pacs.example.org/orthanc"
    open_share("DEMO0001", "DEMO0002")
    page = Page(client.get("/v/").text)
    primary = [a for a in page.links if a.get("class") == "button primary wide"]
    assert [a["href"] for a in primary] == ["/v/studies/0", "/v/studies/1"]
    assert {" ".join(a["text"].split()) for a in primary} == {"View images"}
    note = "Reloading these viewers ends their access"
    others = [a for a in page.links if a["href"].startswith("/v/view/")]
    if external:
        assert others, "the external viewers stay, as secondary links"
        assert all(a["class"] == "button wide" for a in others)
        assert note in client.get("/v/").text
    else:
        assert others == []
        assert note not in client.get("/v/").text

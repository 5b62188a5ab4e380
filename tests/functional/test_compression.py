"""Pages, CSS and JavaScript leave compressed; downloads, images, streams and POST answers
do not (app/compression.py)."""

from __future__ import annotations

import gzip

import brotli
import pytest

from app.static_files import fingerprinted
from tests.fixtures.app import PASSWORD

BOTH = "gzip, deflate, br"


def fingerprinted_url(app, filename: str) -> str:
    with app.test_request_context():
        return f"/static/{fingerprinted(filename)}"


@pytest.fixture
def recipient(client, make_share, demo_study):
    """`client` signed in as the recipient of a share of the demo CT (downloads allowed)."""
    created = make_share([demo_study("DEMO0001").orthanc_id])
    assert client.post(f"/s/{created.secret}").status_code == 303
    return client


@pytest.mark.parametrize(
    ("accept", "encoding", "decode"),
    [(BOTH, "br", brotli.decompress), ("gzip", "gzip", gzip.decompress)],
)
def test_a_page_is_compressed_with_the_best_encoding_the_browser_takes(
    recipient, accept, encoding, decode
):
    plain = recipient.get("/v/studies/0")
    page = recipient.get("/v/studies/0", headers={"Accept-Encoding": accept})
    assert page.status_code == 200
    assert page.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in page.headers["Vary"]
    assert int(page.headers["Content-Length"]) < len(plain.data) / 2
    # The same page, security headers included: only its encoding changed.
    assert decode(page.data).decode() == plain.text
    assert page.headers["Content-Security-Policy"] == plain.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"


def test_without_accept_encoding_nothing_is_compressed(recipient):
    page = recipient.get("/v/")
    assert page.status_code == 200
    assert "Content-Encoding" not in page.headers
    assert page.text.startswith("<!doctype html>")


@pytest.mark.parametrize("filename", ["css/app.css", "js/viewer.js", "js/copy-link.js"])
def test_static_text_files_are_compressed(app, client, filename):
    url = fingerprinted_url(app, filename)
    with client.get(url, headers={"Accept-Encoding": BOTH}) as answer:
        assert answer.status_code == 200
        assert answer.headers["Content-Encoding"] == "br"
        assert int(answer.headers["Content-Length"]) == len(answer.data)
        assert "Accept-Ranges" not in answer.headers  # ranges would count in the other body
        with open(f"{app.static_folder}/{filename}", "rb") as file:
            assert brotli.decompress(answer.data) == file.read()


def test_a_file_too_small_to_gain_is_sent_as_it_is(app, client):
    with client.get(
        fingerprinted_url(app, "favicon.svg"), headers={"Accept-Encoding": BOTH}
    ) as answer:
        assert answer.status_code == 200
        assert "Content-Encoding" not in answer.headers
        assert answer.data.startswith(b"<svg")


def test_a_revalidated_static_file_is_not_sent_again(client):
    with client.get("/static/css/app.css", headers={"Accept-Encoding": BOTH}) as first:
        assert first.headers["Content-Encoding"] == "br"
    headers = {"Accept-Encoding": BOTH, "If-None-Match": first.headers["ETag"]}
    with client.get("/static/css/app.css", headers=headers) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_downloads_and_images_are_sent_as_they_are(recipient, demo_study):
    with recipient.get("/v/download/0", headers={"Accept-Encoding": BOTH}) as download:
        assert download.status_code == 200
        assert download.mimetype == "application/zip"
        assert "Content-Encoding" not in download.headers
        assert download.data[:2] == b"PK"

    page = recipient.get("/v/studies/0").text
    thumbnail = page.split('class="viewer-thumb" src="')[1].split('"')[0]
    image = recipient.get(thumbnail.replace("&amp;", "&"), headers={"Accept-Encoding": BOTH})
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
    assert "Content-Encoding" not in image.headers


def test_a_relayed_orthanc_answer_keeps_its_own_encoding(recipient, demo_study):
    ct = demo_study("DEMO0001")
    path = f"/dicom-web/studies/{ct.study_instance_uid}/metadata"
    # Brotli only: the gateway does not ask Orthanc for gzip, and the app leaves streams be.
    answer = recipient.get(path, headers={"Accept-Encoding": "br"})
    assert answer.status_code == 200
    assert "Content-Encoding" not in answer.headers
    assert answer.data.startswith(b"[")


def test_a_posts_answer_is_never_compressed(client, make_user, make_share, demo_study):
    """The handout carries the link secret and the access code: BREACH's target."""
    doctor = make_user("doctor@example.org")
    login = client.post("/login", data={"email": doctor.email, "password": PASSWORD})
    assert login.status_code == 302
    created = make_share([demo_study("DEMO0001").orthanc_id], owner=doctor, access_code=True)
    answer = client.post(
        f"/shares/{created.share.public_id}/handout",
        data={"secret": created.secret, "access_code": created.access_code},
        headers={"Accept-Encoding": BOTH},
    )
    assert answer.status_code == 200
    assert created.access_code in answer.text
    assert "Content-Encoding" not in answer.headers

"""POST /api/v1/shares with `include`: the QR code (PNG, SVG) and the handout PDF, on request."""

from __future__ import annotations

import base64
import subprocess

import pytest

from tests.functional.api.conftest import smallest_create
from tests.functional.shares.conftest import decode_qr


@pytest.fixture
def study_id(demo_study) -> str:
    return demo_study("DEMO0001").orthanc_id


def create(client, key, study_id, **fields):
    body = {**smallest_create(study_id), **fields}
    return client.post("/api/v1/shares", json=body, headers=key.headers)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_pages(pdf: bytes, tmp_path) -> list[bytes]:
    path = tmp_path / "handout.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(path), str(tmp_path / "page")], check=True)
    return [page.read_bytes() for page in sorted(tmp_path.glob("page*.png"))]


def test_without_include_the_answer_has_no_files(client, api_key, study_id):
    answer = create(client, api_key, study_id)
    assert answer.status_code == 201
    assert not {"qr_png", "qr_svg", "handout_pdf"} & set(answer.json)


def test_the_qr_codes_carry_the_link(client, api_key, study_id, tmp_path):
    answer = create(client, api_key, study_id, include=["qr_png", "qr_svg"])
    assert answer.status_code == 201, answer.text
    png = base64.b64decode(answer.json["qr_png"])
    assert png.startswith(b"\x89PNG")
    assert decode_qr(png, tmp_path) == answer.json["link"]
    svg = base64.b64decode(answer.json["qr_svg"]).decode()
    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "handout_pdf" not in answer.json


def test_the_handout_pdf_is_one_page_in_the_recipients_language(
    client, api_key, study_id, tmp_path
):
    answer = create(
        client, api_key, study_id, include=["handout_pdf"], language="fr", access_code=True
    )
    assert answer.status_code == 201, answer.text
    pdf = base64.b64decode(answer.json["handout_pdf"])
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    assert answer.json["link"] in text
    assert answer.json["access_code"] in text.replace(" ", "")  # printed letter-spaced
    assert "Vos images médicales" in text
    assert "Print" not in text  # the console's toolbar is not printed
    [page] = pdf_pages(pdf, tmp_path)
    assert decode_qr(page, tmp_path) == answer.json["link"]


@pytest.mark.parametrize("include", ["qr_png", ["qr_jpeg"], [1], {"qr_png": True}])
def test_a_bad_include_is_400_and_makes_no_share(client, api_key, study_id, include):
    before = client.get("/api/v1/shares", headers=api_key.headers).json["shares"]
    answer = create(client, api_key, study_id, include=include)
    assert answer.status_code == 400
    assert answer.mimetype == "application/problem+json"
    assert client.get("/api/v1/shares", headers=api_key.headers).json["shares"] == before


def test_an_idempotent_retry_carries_files_of_its_fresh_link(client, api_key, study_id, tmp_path):
    body = {**smallest_create(study_id), "include": ["qr_png"]}
    headers = {**api_key.headers, "Idempotency-Key": "order-42"}
    first = client.post("/api/v1/shares", json=body, headers=headers)
    again = client.post("/api/v1/shares", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["link"] != first.json["link"]
    assert decode_qr(base64.b64decode(again.json["qr_png"]), tmp_path) == again.json["link"]

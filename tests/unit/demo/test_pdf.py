"""The hand-written PDF: a well-formed file that PDF readers open."""

import re

import pytest

from app.demo.catalog import THYROID_REPORT
from app.demo.pdf import text_pdf


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return text_pdf(THYROID_REPORT.title, THYROID_REPORT.lines)


def test_pdf_is_deterministic_small_and_even(pdf):
    assert text_pdf(THYROID_REPORT.title, THYROID_REPORT.lines) == pdf
    assert len(pdf) < 4000
    assert len(pdf) % 2 == 0  # a DICOM value needs no padding, so Orthanc returns these bytes


def test_xref_offsets_point_at_their_objects(pdf):
    startxref = int(re.search(rb"startxref\n(\d+)\n%%EOF\n*$", pdf).group(1))
    assert pdf[startxref:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) 00000 n \n", pdf[startxref:])
    assert len(entries) == int(re.search(rb"/Size (\d+)", pdf).group(1)) - 1
    for number, offset in enumerate(entries, start=1):
        assert pdf[int(offset) :].startswith(b"%d 0 obj\n" % number)


def test_stream_length_is_exact(pdf):
    length = int(re.search(rb"<< /Length (\d+) >>\nstream\n", pdf).group(1))
    start = pdf.index(b"stream\n") + len(b"stream\n")
    assert pdf[start + length :].startswith(b"endstream")


def test_text_is_escaped_and_win_ansi_encoded():
    pdf = text_pdf("A (b) \\ c — d", ["é"])
    assert rb"(A \(b\) \\ c \227 d) Tj" in pdf
    assert rb"(\351) Tj" in pdf

"""A minimal one-page text PDF written by hand: always the same bytes, no PDF library."""

from __future__ import annotations

from collections.abc import Sequence

PAGE_WIDTH, PAGE_HEIGHT = 595, 842  # A4 in points
MARGIN = 56


def _text(value: str) -> bytes:
    """A PDF string literal in WinAnsiEncoding (cp1252 is the same for the printable range)."""
    escaped = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    raw = escaped.encode("cp1252")
    return b"(" + b"".join(bytes([c]) if c < 128 else b"\\%03o" % c for c in raw) + b")"


def _info_text(value: str) -> bytes:
    """A text string outside page content: UTF-16BE with its byte-order mark, in hex."""
    return b"<FEFF%s>" % value.encode("utf-16-be").hex().upper().encode()


def _content(title: str, lines: Sequence[str]) -> bytes:
    top = PAGE_HEIGHT - MARGIN - 18
    rule = top - 12
    parts = [
        b"BT /F1 18 Tf %d %d Td %s Tj ET" % (MARGIN, top, _text(title)),
        b"0.5 w %d %d m %d %d l S" % (MARGIN, rule, PAGE_WIDTH - MARGIN, rule),
        b"BT /F2 11 Tf 16 TL %d %d Td" % (MARGIN, rule - 28),
    ]
    for line in lines:
        parts.append(b"%s Tj T*" % _text(line) if line else b"T*")
    parts.append(b"ET")
    return b"\n".join(parts) + b"\n"


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A4, a bold title, a rule and lines of Helvetica text; title also in the Info dict."""
    stream = _content(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] " % (PAGE_WIDTH, PAGE_HEIGHT)
        + b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n%sendstream" % (len(stream), stream),
        b"<< /Title %s /Producer (StudyShare demo) >>" % _info_text(title),
    ]
    # The binary comment line tells transfer tools the file is not plain text.
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\n" % (
        len(objects) + 1,
        len(objects),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    # DICOM values have even lengths; padding here keeps the stored bytes the PDF's own.
    if len(out) % 2:
        out += b"\n"
    return bytes(out)
